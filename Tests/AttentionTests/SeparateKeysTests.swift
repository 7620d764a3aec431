import Backprop
import Datasets
import Foundation
import LSTM
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

@testable import Attention

@Suite("Model core · attention with separate keys and values, and any mask")
struct SeparateKeysAndValues {
    let keys = Tensor(shape: [batch, memorySteps, width], values: referenceValues(40, 1.5, 1))
    let values = Tensor(shape: [batch, memorySteps, width], values: referenceValues(40, 2.5, 1))
    let allowed: [Bool] = [true, false, true, true, false, false, true, true, false, true, true, true, false, false, false]

    @Test("keys and values from two tensors under an explicit mask: output, weights and every gradient equal nn.MultiheadAttention's")
    func againstPyTorch() {
        var layer = referenceAttention()
        layer.mask = .explicit(allowed: allowed)
        let y = layer.attend(query: input, keys: keys, values: values, mode: .training)
        #expect(close(y.values, separateOutput))
        #expect(close(layer.attentionWeights!.values, separateWeights))
        let dx = layer.backward(upstream)
        #expect(close(dx.values, separateQueryGradient))
        #expect(close(layer.keysGradient!.values, separateKeysGradient))
        #expect(close(layer.valuesGradient!.values, separateValuesGradient))
        #expect(close(inProjectionGradient(layer), separateInProjectionGradient))
        #expect(layer.memoryGradient == nil)
    }

    @Test("∂L/∂keys and ∂L/∂values against central differences, with a mask per sequence")
    func gradientCheck() {
        var layer = referenceAttention()
        var rng = SeededGenerator(seed: 3)
        layer.mask = .explicit(allowed: (0..<(batch * steps * memorySteps)).map { $0 % 4 != 1 })
        let weights = rng.normals(batch * steps * width)
        _ = layer.attend(query: input, keys: keys, values: values, mode: .training)
        _ = layer.backward(Tensor(shape: [batch, steps, width], values: weights))
        func loss(_ k: Tensor, _ v: Tensor) -> Double {
            var probe = referenceAttention()
            probe.mask = layer.mask
            return zip(probe.attend(query: input, keys: k, values: v, mode: .training).values, weights).map(*).reduce(0, +)
        }
        let k = checkGradient("keys", at: keys.values, analytic: layer.keysGradient!.values) { loss(Tensor(shape: keys.shape, values: $0), values) }
        let v = checkGradient("values", at: values.values, analytic: layer.valuesGradient!.values) { loss(keys, Tensor(shape: values.shape, values: $0)) }
        #expect(k.passed, "\(k)")
        #expect(v.passed, "\(v)")
    }
}

@Suite("Model core · names in the chapters' models, and misuse named")
struct NamesAndMisuse {
    @Test("a transformer language model (embedding, positions, two blocks with dropout) has unique hierarchical names")
    func transformerNames() {
        var rng = SeededGenerator(seed: 1)
        let model = Sequential([
            Embedding(vocabulary: 10, dimension: 8, using: &rng, name: "tokens"), PositionalEncoding(maxLength: 16, features: 8),
            EncoderBlock(features: 8, heads: 2, feedForward: 16, preNorm: true, dropout: 0.1, using: &rng),
            EncoderBlock(features: 8, heads: 2, feedForward: 16, preNorm: true, dropout: 0.1, using: &rng),
        ])
        let names = model.namedParameters.map(\.name) + model.namedBuffers.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains("2.attention.Wq") && names.contains("3.feedForward.2.W2") && names.contains("3.attention.generator"))
        requireUniqueNames(model, context: "test")
        // The plain parameter names repeat across the two blocks: only the full names are unique.
        #expect(Set(model.parameters.map(\.name)).count < model.parameters.count)
    }

    @Test("two layers with the same names outside a Sequential are refused by train, naming the name")
    func duplicateNames() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 1)
            // A hand-written composite that does not put its parts' keys in front of their names.
            struct Twice: Layer {
                var a: Dense, b: Dense
                mutating func forward(_ x: Tensor, mode: Mode) -> Tensor { b.forward(a.forward(x, mode: mode), mode: mode) }
                mutating func backward(_ g: Tensor) -> Tensor { a.backward(b.backward(g)) }
                mutating func visitParameters(_ body: (inout Parameter) -> Void) {
                    a.visitParameters(body)
                    b.visitParameters(body)
                }
            }
            let twice = Twice(
                a: Dense(inputs: 2, outputs: 2, initialization: .he, using: &rng), b: Dense(inputs: 2, outputs: 2, initialization: .he, using: &rng))
            var net = Sequential([twice, Dense(inputs: 2, outputs: 1, initialization: .he, using: &rng)])
            var sgd = SGD(learningRate: 0.1)
            train(&net, on: RegressionSet(inputs: [[1, 2], [3, 4]], targets: [1, 2]), loss: MeanSquaredError(), optimizer: &sgd, epochs: 1, batchSize: 2)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("train: two parameters or buffers of the model are both called \"0.W\""), "\(message)")
    }

    @Test(
        "misused entry points stop with what was wrong named",
        arguments: [
            "setFrozen", "split", "concatenate", "explicitMask", "keysValues", "finalState",
        ])
    func misuse(_ which: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [which] in
            var rng = SeededGenerator(seed: 2)
            switch which {
            case "setFrozen":
                var model = Sequential(sizes: [2, 3, 1], hidden: .relu, initialization: .he, using: &rng)
                model.setFrozen(true, namesStartingWith: "backbone.")
            case "split":
                _ = split(Tensor(shape: [2, 5]), sizes: [2, 2])
            case "concatenate":
                _ = concatenate([Tensor(shape: [2, 5]), Tensor(shape: [3, 1])])
            case "explicitMask":
                var layer = referenceAttention()
                layer.mask = .explicit(allowed: [true, false])
                _ = layer.forward(input, mode: .inference)
            case "keysValues":
                var layer = referenceAttention()
                _ = layer.attend(query: input, keys: Tensor(shape: [2, 5, 4]), values: Tensor(shape: [2, 4, 4]), mode: .training)
            default:
                var lstm = LSTMLayer(inputs: 2, hidden: 3, using: &rng)
                _ = lstm.forward(Tensor(shape: [4, 2, 2]), mode: .training)
                lstm.finalStateGradient = RecurrentState(hidden: Tensor(shape: [2, 3]))  // no cell gradient
                _ = lstm.backward(Tensor(shape: [4, 2, 3]))
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        let expected = [
            "setFrozen": "setFrozen: no parameter's name starts with \"backbone.\"; the model has 0.W1, 0.b1, 2.W2, 2.b2",
            "split": "split: widths [2, 2] do not add up to the last axis of (2×5) (5)",
            "concatenate": "concatenate: (3×1) does not fit beside (2×5): all axes but the last must agree",
            "explicitMask": "MultiHeadAttention: an explicit mask of 2 entries does not fit 3 queries × 3 keys (it needs 9, or 18 for 2 sequences)",
            "keysValues": "keys (2×5×4) and values (2×4×4) need the same shape",
            "finalState": "LSTMLayer Wx final-state gradient",
        ][which]!
        #expect(message.contains(expected), "\(message)")
    }
}

@Suite("Chapter 8 · attention's errors name the real cause")
struct AttentionCauses {
    @Test(
        "each cause is named: a mask hiding every key, an overflowing score, d_k = 0, no keys, an empty memory, a negative dropout, weights that are no softmax",
        arguments: [
            "mask", "overflow", "width", "keys", "memory", "dropout", "weights",
        ])
    func cause(_ which: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [which] in
            let q = Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4])
            switch which {
            case "mask": _ = scaledDotProductAttention(queries: q, keys: q, values: q) { i, _ in i == 0 }
            case "overflow":
                _ = scaledDotProductAttention(
                    queries: Matrix(rows: 1, columns: 2, values: [1e200, 1]), keys: Matrix(rows: 1, columns: 2, values: [1e200, 1]),
                    values: Matrix(rows: 1, columns: 1, values: [1]))
            case "width":
                _ = scaledDotProductAttention(queries: Matrix(rows: 2, columns: 0, values: []), keys: Matrix(rows: 2, columns: 0, values: []), values: q)
            case "keys":
                _ = scaledDotProductAttention(queries: q, keys: Matrix(rows: 0, columns: 2, values: []), values: Matrix(rows: 0, columns: 2, values: []))
            case "memory":
                var layer = referenceAttention()
                _ = layer.attend(query: input, memory: Tensor(shape: [2, 0, 4]), mode: .inference)
            case "dropout":
                var layer = referenceAttention()
                layer.dropout = -0.1
                _ = layer.forward(input, mode: .training)
            default:
                _ = scaledDotProductAttentionBackward(q, queries: q, keys: q, values: q, weights: Matrix(rows: 2, columns: 2, values: [0.7, 0.7, 0.5, 0.5]))
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        let expected = [
            "mask": "attention: the mask hides every key from query 1",
            "overflow": "attention: the score of query 0 for key 0 is inf: q·k / √d_k overflowed a Double",
            "width": "have width 0 (d_k = 0)",
            "keys": "attention: no keys, (0×2): each query needs at least one key",
            "memory": "the memory (2×0×4) has no positions to attend to",
            "dropout": "the attention dropout must be in [0, 1), got -0.1",
            "weights": "attention backward: row 0 of the weights sums to 1.4",
        ][which]!
        #expect(message.contains(expected), "\(message)")
    }

    @Test("a NaN query gives NaN weights and outputs for its row, and the other rows as before")
    func nanPropagates() {
        let q = Matrix(rows: 2, columns: 2, values: [.nan, 1, 0.5, -0.5]), k = Matrix(rows: 3, columns: 2, values: [1, 0, 0, 1, 1, 1])
        let v = Matrix(rows: 3, columns: 1, values: [1, 2, 3])
        let (output, weights) = scaledDotProductAttention(queries: q, keys: k, values: v)
        #expect(weights.row(0).allSatisfy(\.isNaN) && output.row(0).allSatisfy(\.isNaN))
        let clean = scaledDotProductAttention(queries: Matrix(rows: 1, columns: 2, values: [0.5, -0.5]), keys: k, values: v)
        #expect(weights.row(1) == clean.weights.row(0) && output.row(1) == clean.output.row(0))
    }
}
