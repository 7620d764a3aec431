import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

@testable import LSTM

@Suite("Model core · more than one tensor: heads, axis swaps, final-state gradients, layouts")
struct CompositionTests {
    @Test("Parallel heads: the concatenation's backward equals PyTorch's torch.cat, and the whole is gradient-checked")
    func parallelHeads() {
        // a = [[1, 2], [3, 4]], b = [[5], [6]] (requires_grad); c = torch.cat([tanh(a), b * b], 1)
        // (c * [[0.5, -1, 2], [1.5, 0.25, -0.75]]).sum().backward()   PyTorch 2.13.0
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], values: [5, 6])
        let c = concatenate([Tensor(shape: [2, 2], values: a.values.map(tanh)), Tensor(shape: [2, 1], values: b.values.map { $0 * $0 })])
        #expect(c.shape == [2, 3])
        let parts = split(Tensor(shape: [2, 3], values: [0.5, -1, 2, 1.5, 0.25, -0.75]), sizes: [2, 1])
        let da = zip(parts[0].values, a.values).map { $0 * (1 - tanh($1) * tanh($1)) }, db = zip(parts[1].values, b.values).map { $0 * 2 * $1 }
        #expect(close(da, [0.20998717080701307, -0.07065082485316443, 0.01479905574816025, 0.0003352376707564791]))
        #expect(db == [20.0, -9.0])
        #expect(concatenate(split(c, sizes: [1, 2])) == c)
        // Two heads on one body, as a VAE's encoder: μ and log σ².
        var rng = SeededGenerator(seed: 8)
        let encoder = Sequential([
            Dense(inputs: 5, outputs: 6, initialization: .he, using: &rng, name: "1"), ActivationLayer(.tanh),
            Parallel([
                Dense(inputs: 6, outputs: 2, initialization: .xavier, using: &rng, name: "μ"),
                Dense(inputs: 6, outputs: 2, initialization: .xavier, using: &rng, name: "logσ²"),
            ]),
        ])
        #expect(encoder.namedParameters.map(\.name) == ["0.W1", "0.b1", "2.0.Wμ", "2.0.bμ", "2.1.Wlogσ²", "2.1.blogσ²"])
        let x = Tensor(shape: [3, 5], values: rng.normals(15))
        for result in checkGradients(encoder, input: x, loss: weightedOutputLoss(rng.normals(12))) { #expect(result.passed, "\(result)") }
    }

    @Test("SwapAxes turns time-first into batch-first and back, its backward is the swap back, and a layer refuses the wrong layout by name")
    func swapAxes() async {
        let x = Tensor(shape: [3, 2, 2], values: (0..<12).map(Double.init)).laidOut(.timeFirst)
        let y = SwapAxes.swapped(x)
        #expect(y.shape == [2, 3, 2] && y.layout == .batchFirst)
        #expect(y.values == [0, 1, 4, 5, 8, 9, 2, 3, 6, 7, 10, 11])
        #expect(SwapAxes.swapped(y) == x)
        var rng = SeededGenerator(seed: 2)
        for result in checkGradients(SwapAxes(), input: x, loss: weightedOutputLoss(rng.normals(12))) { #expect(result.passed, "\(result)") }
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var last = LastStep()
            _ = last.forward(Tensor(shape: [4, 7, 3]).laidOut(.batchFirst), mode: .inference)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(
            message.contains(
                "LastStep: input (4×7×3) is batch-first (batch × time × features) but this layer takes time-first (time × batch × features); put SwapAxes() between them"
            ), "\(message)")
    }

    @Test(
        "∂L/∂(final state) flows back through every recurrent layer: gradient-checked with a loss on the outputs and on h_T (and c_T)",
        arguments: ["RNN", "LSTM", "GRU"])
    func finalStateGradient(kind: String) {
        var rng = SeededGenerator(seed: 5)
        let (steps, batch, inputs, hidden) = (4, 2, 3, 3)
        var layer: any RecurrentLayer =
            switch kind {
            case "RNN": RNNLayer(inputs: inputs, hidden: hidden, using: &rng)
            case "LSTM": LSTMLayer(inputs: inputs, hidden: hidden, using: &rng)
            default: GRULayer(inputs: inputs, hidden: hidden, using: &rng)
            }
        let x = Tensor(shape: [steps, batch, inputs], values: rng.normals(steps * batch * inputs))
        let outputWeights = rng.normals(steps * batch * hidden), hWeights = rng.normals(batch * hidden), cWeights = rng.normals(batch * hidden)
        func loss(_ layer: any RecurrentLayer, _ x: Tensor) -> Double {
            var probe = layer
            let y = probe.forward(x, mode: .training)
            let final = probe.finalState!
            func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
            var total: Double = dot(y.values, outputWeights)
            total += dot(final.hidden.values, hWeights)
            if let c = final.cell { total += dot(c.values, cWeights) }
            return total
        }
        _ = layer.forward(x, mode: .training)
        let hasCell = layer.finalState!.cell != nil
        layer.finalStateGradient = RecurrentState(
            hidden: Tensor(shape: [batch, hidden], values: hWeights), cell: hasCell ? Tensor(shape: [batch, hidden], values: cWeights) : nil)
        layer.zeroGradients()
        let dx = layer.backward(Tensor(shape: [steps, batch, hidden], values: outputWeights))
        let check = checkGradient("x", at: x.values, analytic: dx.values) { loss(layer, Tensor(shape: x.shape, values: $0)) }
        #expect(check.passed, "\(check)")
        for (k, parameter) in layer.parameters.enumerated() {
            let result = checkGradient(parameter.name, at: parameter.value, analytic: parameter.gradient) { values in
                var probe = layer
                var index = 0
                probe.visitParameters { p in
                    if index == k { p.value = values }
                    index += 1
                }
                return loss(probe, x)
            }
            #expect(result.passed, "\(result)")
        }
    }

    @Test("Bidirectional takes recurrent layers chosen at run time; names stay unique")
    func bidirectionalAny() {
        var rng = SeededGenerator(seed: 9)
        let menu: [any RecurrentLayer] = [RNNLayer(inputs: 2, hidden: 3, using: &rng), GRULayer(inputs: 2, hidden: 2, using: &rng)]
        let both = Bidirectional(menu[0], menu[1])
        #expect(both.namedParameters.map(\.name) == ["forward.Wx", "forward.Wh", "forward.b", "backward.Wx", "backward.Wh", "backward.bx", "backward.bh"])
        let x = Tensor(shape: [3, 2, 2], values: rng.normals(12))
        for result in checkGradients(both, input: x, loss: weightedOutputLoss(rng.normals(30))) { #expect(result.passed, "\(result)") }
    }
}

@Suite("Chapter 7 · degenerate sizes and values are refused with their cause named")
struct TextHelperRefusals {
    @Test(
        "each misuse stops with a message naming it",
        arguments: [
            "sample-empty", "sample-nan", "counting-token", "counting-previous", "windows-zero", "reordered-zero", "last-step-empty",
        ])
    func refusal(_ which: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [which] in
            var rng = SeededGenerator(seed: 1)
            switch which {
            case "sample-empty": _ = sample(logits: [], temperature: 1, using: &rng)
            case "sample-nan": _ = sample(logits: [0, .nan], temperature: 1, using: &rng)
            case "counting-token": _ = CountingModel(order: 2, vocabularySize: 3, training: [0, 1, 5, 2])
            case "counting-previous": _ = CountingModel(order: 2, vocabularySize: 3, training: [0, 1, 2]).probabilities(after: 7)
            case "windows-zero": _ = TextWindows(tokens: [0, 1, 2, 3], length: 0)
            case "reordered-zero": _ = LSTMGate.reordered([], from: LSTMGate.pytorchOrder, to: LSTMGate.ifogOrder, hidden: 0)
            default:
                var last = LastStep()
                _ = last.forward(Tensor(shape: [0, 2, 3]), mode: .inference)
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        let expected = [
            "sample-empty": "sample: no logits to choose from",
            "sample-nan": "sample: logit 1 is nan; every logit must be a finite number",
            "counting-token": "CountingModel: training token 2 is 5, not a token of the vocabulary 0..<3",
            "counting-previous": "CountingModel: the previous token 7 is not in the vocabulary 0..<3",
            "windows-zero": "TextWindows: the window length must be positive, got 0",
            "reordered-zero": "LSTMGate.reordered: the hidden size must be positive, got 0",
            "last-step-empty": "LastStep: input (0×2×3) has no time steps, so it has no last one",
        ][which]!
        #expect(message.contains(expected), "\(message)")
    }
}
