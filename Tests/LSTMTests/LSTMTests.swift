import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

@testable import LSTM

let (steps, batch, features, hidden) = (5, 2, 3, 4)
let referenceInput = Tensor(shape: [steps, batch, features], values: referenceValues(steps * batch * features, 1, 1))
let referenceOutputGradient = referenceValues(steps * batch * hidden, 2, 1)
let referenceH0 = Tensor(shape: [batch, hidden], values: referenceValues(batch * hidden, 3, 0.3))
let referenceC0 = Tensor(shape: [batch, hidden], values: referenceValues(batch * hidden, 4, 0.3))

/// The reference weights for G gates.
func referenceWeights(gates g: Int) -> (wx: Matrix, wh: Matrix, bx: [Double], bh: [Double]) {
    (
        Matrix(rows: g * hidden, columns: features, values: referenceValues(g * hidden * features, 5)),
        Matrix(rows: g * hidden, columns: hidden, values: referenceValues(g * hidden * hidden, 6)),
        referenceValues(g * hidden, 7, 0.2), referenceValues(g * hidden, 8, 0.2)
    )
}

@Suite("Chapter 7 · LSTM · against PyTorch")
struct AgainstPyTorch {
    @Test("RNN: outputs and every gradient equal nn.RNN's (b = b_ih + b_hh)")
    func rnn() {
        let w = referenceWeights(gates: 1)
        var layer = RNNLayer(inputWeights: w.wx, hiddenWeights: w.wh, bias: zip(w.bx, w.bh).map(+))
        layer.initialState = RecurrentState(hidden: referenceH0)
        let y = layer.forward(referenceInput, mode: .training)
        #expect(close(y.values, rnnOutput))
        let dx = layer.backward(Tensor(shape: y.shape, values: referenceOutputGradient))
        #expect(close(layer.inputWeights.gradient, rnnInputWeightGradient))
        #expect(close(layer.hiddenWeights.gradient, rnnHiddenWeightGradient))
        #expect(close(layer.bias.gradient, rnnBiasGradient))
        #expect(close(dx.values, rnnInputGradient))
        #expect(close(layer.initialStateGradient!.hidden.values, rnnInitialHiddenGradient))
    }

    @Test("LSTM: outputs and every gradient equal nn.LSTM's, gates [i | f | g | o] as PyTorch stacks them")
    func lstm() {
        let w = referenceWeights(gates: 4)
        var layer = LSTMLayer(inputWeights: w.wx, hiddenWeights: w.wh, bias: zip(w.bx, w.bh).map(+))
        layer.initialState = RecurrentState(hidden: referenceH0, cell: referenceC0)
        let y = layer.forward(referenceInput, mode: .training)
        #expect(close(y.values, lstmOutput))
        let dx = layer.backward(Tensor(shape: y.shape, values: referenceOutputGradient))
        #expect(close(layer.inputWeights.gradient, lstmInputWeightGradient))
        #expect(close(layer.hiddenWeights.gradient, lstmHiddenWeightGradient))
        #expect(close(layer.bias.gradient, lstmBiasGradient))
        #expect(close(dx.values, lstmInputGradient))
        #expect(close(layer.initialStateGradient!.hidden.values, lstmInitialHiddenGradient))
        #expect(close(layer.initialStateGradient!.cell!.values, lstmInitialCellGradient))
    }

    @Test("LSTM weights moved from [i | f | g | o] to [i | f | o | g]: the output gate's block moves to third place, and moving back restores them")
    func gateOrder() {
        let w = referenceWeights(gates: 4)
        let ifog = LSTMGate.reordered(w.wx.values, from: LSTMGate.pytorchOrder, to: LSTMGate.ifogOrder, hidden: hidden)
        // the output gate's rows (PyTorch's block 3) come third in [i | f | o | g]
        #expect(Array(ifog[(2 * hidden * features)..<(3 * hidden * features)]) == Array(w.wx.values[(3 * hidden * features)...]))
        #expect(LSTMGate.reordered(ifog, from: LSTMGate.ifogOrder, to: LSTMGate.pytorchOrder, hidden: hidden) == w.wx.values)
        #expect(ifog != w.wx.values)
    }

    @Test("GRU: outputs and every gradient equal nn.GRU's (reset applied after W_hn, both biases)")
    func gru() {
        let w = referenceWeights(gates: 3)
        var layer = GRULayer(inputWeights: w.wx, hiddenWeights: w.wh, inputBias: w.bx, hiddenBias: w.bh)
        layer.initialState = RecurrentState(hidden: referenceH0)
        let y = layer.forward(referenceInput, mode: .training)
        #expect(close(y.values, gruOutput))
        let dx = layer.backward(Tensor(shape: y.shape, values: referenceOutputGradient))
        #expect(close(layer.inputWeights.gradient, gruInputWeightGradient))
        #expect(close(layer.hiddenWeights.gradient, gruHiddenWeightGradient))
        #expect(close(layer.inputBias.gradient, gruInputBiasGradient))
        #expect(close(layer.hiddenBias.gradient, gruBiasGradient))
        #expect(close(dx.values, gruInputGradient))
        #expect(close(layer.initialStateGradient!.hidden.values, gruInitialHiddenGradient))
    }
}

// MARK: - Gradient checks

@Suite("Chapter 7 · LSTM · backward through time, checked against central differences")
struct GradientChecks {
    static let (t, b, f, h) = (7, 2, 3, 5)

    /// Every parameter and x through the one gradient check, then h₀ (and c₀): L = Σ c ⊙ y
    /// over 7 steps of a batch of 2, from a random nonzero starting state.
    func checkThroughTime<L: RecurrentLayer>(_ layer: L, cell: Bool, using rng: inout SeededGenerator) {
        var layer = layer
        let x = Tensor(shape: [Self.t, Self.b, Self.f], values: rng.normals(Self.t * Self.b * Self.f))
        let c = rng.normals(Self.t * Self.b * Self.h)
        let state = { (values: [Double]) in Tensor(shape: [Self.b, Self.h], values: values) }
        let start = RecurrentState(
            hidden: state(rng.normals(Self.b * Self.h, standardDeviation: 0.5)), cell: cell ? state(rng.normals(Self.b * Self.h, standardDeviation: 0.5)) : nil)
        layer.initialState = start
        for result in checkGradients(layer, input: x, loss: weightedOutputLoss(c)) { #expect(result.passed, "\(result)") }
        var analytic = layer
        _ = analytic.forward(x, mode: .training)
        _ = analytic.backward(Tensor(shape: [Self.t, Self.b, Self.h], values: c))
        func loss(_ changed: RecurrentState) -> Double {
            var probe = layer
            probe.initialState = changed
            return weightedOutputLoss(c)(probe.forward(x, mode: .training)).loss
        }
        let hidden = checkGradient("h0", at: start.hidden.values, analytic: analytic.initialStateGradient!.hidden.values) { v in
            loss(RecurrentState(hidden: state(v), cell: start.cell))
        }
        #expect(hidden.passed, "\(hidden)")
        if let c0 = start.cell {
            let result = checkGradient("c0", at: c0.values, analytic: analytic.initialStateGradient!.cell!.values) { v in
                loss(RecurrentState(hidden: start.hidden, cell: state(v)))
            }
            #expect(result.passed, "\(result)")
        }
    }

    @Test("RNN over 7 steps: W_x, W_h, b, x and h₀")
    func rnn() {
        var rng = SeededGenerator(seed: 71)
        checkThroughTime(RNNLayer(inputs: Self.f, hidden: Self.h, using: &rng), cell: false, using: &rng)
    }

    @Test("LSTM over 7 steps: W_x, W_h, b, x, h₀ and c₀")
    func lstm() {
        var rng = SeededGenerator(seed: 72)
        var layer = LSTMLayer(inputs: Self.f, hidden: Self.h, using: &rng)
        layer.bias.value = rng.normals(4 * Self.h, standardDeviation: 0.5)
        checkThroughTime(layer, cell: true, using: &rng)
    }

    @Test("GRU over 7 steps: W_x, W_h, b_x, b_h, x and h₀")
    func gru() {
        var rng = SeededGenerator(seed: 73)
        checkThroughTime(GRULayer(inputs: Self.f, hidden: Self.h, using: &rng), cell: false, using: &rng)
    }

    @Test("bidirectional (an LSTM forwards, a GRU backwards) with a dense layer on every step and softmax cross-entropy")
    func bidirectional() {
        var rng = SeededGenerator(seed: 74)
        let model = Sequential([
            Bidirectional(LSTMLayer(inputs: 3, hidden: 4, using: &rng, name: "f"), GRULayer(inputs: 3, hidden: 2, using: &rng, name: "b")),
            SequenceRows(),
            Dense(inputs: 6, outputs: 5, initialization: .xavier, using: &rng, name: "y"),
        ])
        let x = Tensor(shape: [6, 2, 3], values: rng.normals(36))
        let labels = (0..<12).map { _ in rng.int(below: 5) }
        let results = checkGradients(model, input: x) { SoftmaxCrossEntropy().evaluate($0, labels) }
        #expect(results.map(\.parameter) == ["Wxf", "Whf", "bf", "Wxb", "Whb", "bxb", "bhb", "Wy", "by", "x"])
        for result in results { #expect(result.passed, "\(result)") }
    }

    @Test("a bidirectional layer's step t sees the whole sequence: changing the last input changes the first output")
    func bidirectionalSeesAhead() {
        var rng = SeededGenerator(seed: 75)
        let layer = Bidirectional(RNNLayer(inputs: 2, hidden: 3, using: &rng), RNNLayer(inputs: 2, hidden: 3, using: &rng))
        var x = Tensor(shape: [4, 1, 2], values: rng.normals(8))
        let before = layer.predict(x)
        x = Tensor(shape: x.shape, values: Array(x.values.prefix(6)) + [5, -5])
        let after = layer.predict(x)
        #expect(Array(before.values.prefix(3)) == Array(after.values.prefix(3)))  // the forward half of step 1 cannot know
        #expect(Array(before.values[3..<6]) != Array(after.values[3..<6]))  // the backward half does
    }

    @Test("LSTM, then the last step, then a dense layer: mean squared error (the sequence-regression model)")
    func lastStep() {
        var rng = SeededGenerator(seed: 76)
        let model = Sequential([LSTMLayer(inputs: 1, hidden: 4, using: &rng), LastStep(), Dense(inputs: 4, outputs: 1, initialization: .xavier, using: &rng)])
        let x = Tensor(shape: [5, 3, 1], values: rng.normals(15))
        let targets = Tensor(shape: [3, 1], values: rng.normals(3))
        for result in checkGradients(model, input: x, loss: { MeanSquaredError().evaluate($0, targets) }) { #expect(result.passed, "\(result)") }
    }

    @Test("a backward pass that drops the gradient through hₜ₋₁ is caught")
    func droppedRecurrenceIsCaught() {
        var rng = SeededGenerator(seed: 77)
        let layer = RNNLayer(inputs: 2, hidden: 3, using: &rng)
        let x = Tensor(shape: [4, 1, 2], values: rng.normals(8)), c = rng.normals(12)
        // each step's gradient taken alone, as if hₜ₋₁ were a constant
        var analytic = layer
        let y = analytic.forward(x, mode: .training)
        var truncated = [Double](repeating: 0, count: 6)
        for t in 0..<4 {
            var single = layer
            single.initialState = t == 0 ? nil : RecurrentState(hidden: Tensor(shape: [1, 3], values: Array(y.values[((t - 1) * 3)..<(t * 3)])))
            _ = single.forward(Tensor(shape: [1, 1, 2], values: Array(x.values[(t * 2)..<(t * 2 + 2)])), mode: .training)
            _ = single.backward(Tensor(shape: [1, 1, 3], values: Array(c[(t * 3)..<(t * 3 + 3)])))
            for k in 0..<6 { truncated[k] += single.inputWeights.gradient[k] }
        }
        let wrong = checkGradient("Wx", at: layer.inputWeights.value, analytic: truncated) { values in
            var probe = layer
            probe.inputWeights.value = values
            return weightedOutputLoss(c)(probe.forward(x, mode: .training)).loss
        }
        #expect(!wrong.passed)
    }
}

@Suite("Chapter 7 · LSTM · embeddings, text and sampling")
struct TextTests {
    @Test("embedding: rows looked up; backward adds each position's gradient to its token's row (twice for a repeated token)")
    func embedding() {
        var layer = Embedding(table: Matrix([[1, 2], [3, 4], [5, 6]]))
        let x = Tensor(shape: [3, 1], values: [2, 0, 2])
        let y = layer.forward(x, mode: .training)
        #expect(y.shape == [3, 1, 2] && y.values == [5, 6, 1, 2, 5, 6])
        let dx = layer.backward(Tensor(shape: [3, 1, 2], values: [1, 10, 100, 1000, 2, 20]))
        #expect(layer.table.gradient == [100, 1000, 0, 0, 3, 30])
        #expect(dx.values == [0, 0, 0])
    }

    @Test("embedding then LSTM: the table's gradient against central differences")
    func embeddingGradient() {
        var rng = SeededGenerator(seed: 78)
        let model = Sequential([Embedding(vocabulary: 6, dimension: 3, using: &rng), LSTMLayer(inputs: 3, hidden: 4, using: &rng)])
        let x = Tensor(shape: [5, 2], values: [1, 4, 4, 0, 2, 2, 5, 1, 4, 3])
        let c = rng.normals(40)
        var analytic = model
        analytic.zeroGradients()
        _ = analytic.backward(weightedOutputLoss(c)(analytic.forward(x, mode: .training)).gradient)
        let table = analytic.parameters[0]
        let result = checkGradient("E", at: table.value, analytic: table.gradient) { values in
            var probe = model
            var first = true
            probe.visitParameters { p in
                if first { p.value = values }
                first = false
            }
            return weightedOutputLoss(c)(probe.forward(x, mode: .training)).loss
        }
        #expect(result.passed, "\(result)")
        #expect(table.gradient[3..<6].allSatisfy { $0 == 0 } == false)  // token 1 appears, so its row has a gradient
    }

    @Test("one-hot input equals the embedding of the identity table")
    func oneHot() {
        let tokens = [[0, 2], [1, 1]]
        let identity = Embedding(table: Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
        #expect(oneHotSequence(tokens, vocabulary: 3) == identity.predict(Tensor(shape: [2, 2], values: [0, 2, 1, 1])))
    }

    @Test("text windows: inputs and next-token targets, time first (T, B) or batch first (B, T), rows in SequenceRows' order")
    func windows() {
        let tokens = [0, 1, 2, 3, 4, 5, 6, 7]
        let timeFirst = TextWindows(tokens: tokens, length: 3, starts: [0, 4]).batch([0, 1])
        #expect(timeFirst.inputs.shape == [3, 2] && timeFirst.inputs.values == [0, 4, 1, 5, 2, 6])
        #expect(timeFirst.targets == [1, 5, 2, 6, 3, 7])  // step t of window n at row t·B + n
        let batchFirst = TextWindows(tokens: tokens, length: 3, starts: [0, 4], batchFirst: true).batch([0, 1])
        #expect(batchFirst.inputs.shape == [2, 3] && batchFirst.inputs.values == [0, 1, 2, 4, 5, 6])
        #expect(batchFirst.targets == [1, 2, 3, 5, 6, 7])  // position t of window n at row n·T + t
    }

    @Test("character vocabulary: sorted, encode and decode are inverses")
    func vocabulary() {
        let v = CharacterVocabulary("hello, world")
        #expect(v.characters == [" ", ",", "d", "e", "h", "l", "o", "r", "w"])
        #expect(v.encode("hello") == [4, 3, 5, 5, 6])
        #expect(v.decode(v.encode("low, world")) == "low, world")
    }

    @Test("counting models: bigram probabilities from counts with add-α smoothing, cross-entropy in nats")
    func counting() {
        let tokens = [0, 1, 0, 1, 0, 2]  // after 0: 1, 1, 2
        let bigram = CountingModel(order: 2, vocabularySize: 3, training: tokens, smoothing: 1)
        #expect(close(bigram.probabilities(after: 0), [1.0 / 6, 3.0 / 6, 2.0 / 6]))
        let unigram = CountingModel(order: 1, vocabularySize: 3, training: tokens, smoothing: 1)
        #expect(close(unigram.probabilities(after: nil), [4.0 / 9, 3.0 / 9, 2.0 / 9]))
        let ce = bigram.crossEntropy([0, 1, 0])  // −(log p(1|0) + log p(0|1)) / 2; after 1: 0, 0 → (2+1)/(2+3)
        #expect(abs(ce - -(log(3.0 / 6) + log(3.0 / 5)) / 2) < 1e-15)
    }

    @Test("temperature: low sharpens, high flattens; frequencies follow softmax(z/T)")
    func temperature() {
        let logits = [1.0, 2.0, 0.0]
        for temperature in [0.5, 1.0, 1.5] {
            var rng = SeededGenerator(seed: 79)
            var counts = [0, 0, 0]
            for _ in 0..<20000 { counts[sample(logits: logits, temperature: temperature, using: &rng)] += 1 }
            let expected = logits.map { exp($0 / temperature) }
            let total = expected.reduce(0, +)
            for k in 0..<3 { #expect(abs(Double(counts[k]) / 20000 - expected[k] / total) < 0.015, "T = \(temperature), index \(k)") }
        }
    }
}

@Suite("Chapter 7 · LSTM · misuse")
struct Misuse {
    @Test("an input with the wrong number of features names both shapes")
    func wrongFeatures() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 1)
            var layer = LSTMLayer(inputs: 3, hidden: 4, using: &rng, name: "1")
            _ = layer.forward(Tensor(shape: [5, 2, 7]), mode: .inference)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("LSTMLayer Wx1: input (5×2×7) does not fit: it needs (time × batch × 3)"), "\(message)")
    }

    @Test("an initial state for another batch size names its shape and the one needed")
    func wrongState() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 1)
            var layer = GRULayer(inputs: 3, hidden: 4, using: &rng)
            layer.initialState = RecurrentState(hidden: Tensor(shape: [3, 4]))
            _ = layer.forward(Tensor(shape: [5, 2, 3]), mode: .inference)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("the initial hidden state (3×4) does not fit a batch of 2: it needs (2 × 4)"), "\(message)")
    }

    @Test("a token outside the vocabulary is named with its position")
    func badToken() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layer = Embedding(table: Matrix([[1, 2], [3, 4]]))
            _ = layer.forward(Tensor(shape: [3], values: [0, 1, 2]), mode: .inference)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("entry 2 of the input is 2.0, not a token index 0..<2"), "\(message)")
    }
}

@Suite("Chapter 7 · the GRU's two ways of writing the update")
struct GRUConventionTests {
    @Test("the seeds' update (z′ takes the new state) on the flipped weights equals this chapter's GRU, step by step, to 1e-14")
    func flippedUpdateIsTheSameModel() {
        var rng = SeededGenerator(seed: 17)
        var layer = GRULayer(inputs: 3, hidden: 4, using: &rng)
        let sequence = (0..<6).map { _ in rng.normals(3) }
        let ours = layer.forward(Tensor(shape: [6, 1, 3], values: sequence.flatMap { $0 }), mode: .inference).values
        let theirs = layer.updateGateFlipped.forwardUpdateTakesNew(sequence).flatMap { $0 }
        #expect(mismatch(theirs, ours, tolerance: Tolerance(relative: 0, absolute: 1e-14)) == nil)
        // Without the flip, the seeds' update on the same weights is another function.
        let unflipped = layer.forwardUpdateTakesNew(sequence).flatMap { $0 }
        #expect(zip(unflipped, ours).map { abs($0 - $1) }.max()! > 0.05)
        // Flipping twice gives the weights back.
        #expect(layer.updateGateFlipped.updateGateFlipped.namedParameters.map(\.parameter.value) == layer.namedParameters.map(\.parameter.value))
    }
}
