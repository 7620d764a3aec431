import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

@testable import Attention

func referenceValues(_ count: Int, _ start: Double, _ scale: Double = 0.5) -> [Double] {
    (0..<count).map { scale * sin(start + 0.7 * Double($0)) }
}

func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}

let (batch, steps, width, headCount, hiddenWidth, memorySteps) = (2, 3, 4, 2, 6, 5)
let input = Tensor(shape: [batch, steps, width], values: referenceValues(24, 1, 1))
let memory = Tensor(shape: [batch, memorySteps, width], values: referenceValues(40, 1.5, 1))
let upstream = Tensor(shape: [batch, steps, width], values: referenceValues(24, 2, 1))

func referenceAttention() -> MultiHeadAttention {
    MultiHeadAttention(
        inProjectionWeight: Matrix(rows: 12, columns: 4, values: referenceValues(48, 5)), inProjectionBias: referenceValues(12, 6, 0.2),
        outProjectionWeight: Matrix(rows: 4, columns: 4, values: referenceValues(16, 7)), outProjectionBias: referenceValues(4, 8, 0.2),
        heads: headCount)
}

func referenceNorm(_ scaleStart: Double, _ shiftStart: Double) -> LayerNorm {
    var norm = LayerNorm(features: width)
    norm.gamma.value = referenceValues(width, scaleStart, 1)
    norm.beta.value = referenceValues(width, shiftStart, 0.3)
    return norm
}

/// The stacked (3d × d) gradient PyTorch reports, from the three separate ones.
func inProjectionGradient(_ layer: MultiHeadAttention) -> [Double] {
    layer.queryWeights.gradient + layer.keyWeights.gradient + layer.valueWeights.gradient
}

@Suite("Chapter 8 · Attention · against PyTorch")
struct AgainstPyTorch {
    @Test("causal self-attention, 2 heads: output, weights and every gradient equal nn.MultiheadAttention's")
    func causal() {
        var layer = referenceAttention()
        layer.mask = .causal
        let y = layer.forward(input, mode: .training)
        #expect(close(y.values, causalOutput))
        #expect(close(layer.attentionWeights!.values, causalWeights))
        let dx = layer.backward(upstream)
        #expect(close(dx.values, causalInputGradient))
        #expect(close(inProjectionGradient(layer), causalInProjectionGradient))
        #expect(close(layer.queryBias.gradient + layer.keyBias.gradient + layer.valueBias.gradient, causalInBiasGradient))
        #expect(close(layer.outputWeights.gradient, causalOutProjectionGradient))
        #expect(close(layer.outputBias.gradient, causalOutBiasGradient))
    }

    @Test("cross-attention over a padded memory: output, weights, ∂L/∂query and ∂L/∂memory equal PyTorch's")
    func cross() {
        var layer = referenceAttention()
        layer.mask = .padding(lengths: [5, 3])
        let y = layer.attend(query: input, memory: memory, mode: .training)
        #expect(close(y.values, crossOutput))
        #expect(close(layer.attentionWeights!.values, crossWeights))
        let dx = layer.backward(upstream)
        #expect(close(dx.values, crossQueryGradient))
        #expect(close(layer.memoryGradient!.values, crossMemoryGradient))
        #expect(close(inProjectionGradient(layer), crossInProjectionGradient))
    }

    @Test("layer normalization (biased variance, ε = 1e-5) equals nn.LayerNorm, forward and backward")
    func layerNorm() {
        var norm = referenceNorm(9, 10)
        let y = norm.forward(input, mode: .training)
        #expect(close(y.values, layerNormOutput))
        let dx = norm.backward(upstream)
        #expect(close(dx.values, layerNormInputGradient))
        #expect(close(norm.gamma.gradient, layerNormScaleGradient))
        #expect(close(norm.beta.gradient, layerNormShiftGradient))
    }

    @Test("encoder blocks, post-LN and pre-LN, equal nn.TransformerEncoderLayer (norm_first False and True)", arguments: [false, true])
    func block(preNorm: Bool) {
        var block = EncoderBlock(
            attention: referenceAttention(),
            feedForward: Sequential([
                Dense(weights: Matrix(rows: 6, columns: 4, values: referenceValues(24, 11)), biases: referenceValues(6, 12, 0.2)),
                ActivationLayer(.relu),
                Dense(weights: Matrix(rows: 4, columns: 6, values: referenceValues(24, 13)), biases: referenceValues(4, 14, 0.2)),
            ]), preNorm: preNorm)
        block.attentionNorm = referenceNorm(9, 10)
        block.feedForwardNorm = referenceNorm(15, 16)
        let y = block.forward(input, mode: .training)
        let dx = block.backward(upstream)
        let firstDense = block.feedForward.layers[0] as! Dense
        #expect(close(y.values, preNorm ? preBlockOutput : postBlockOutput))
        #expect(close(dx.values, preNorm ? preBlockInputGradient : postBlockInputGradient))
        #expect(close(firstDense.weight.gradient, preNorm ? preBlockLinear1Gradient : postBlockLinear1Gradient))
        #expect(close(block.attentionNorm.gamma.gradient, preNorm ? preBlockNorm1ScaleGradient : postBlockNorm1ScaleGradient))
        #expect(close(inProjectionGradient(block.attention), preNorm ? preBlockInProjectionGradient : postBlockInProjectionGradient))
    }
}

@Suite("Chapter 8 · Attention · gradient checks and exact values")
struct AttentionChecks {
    @Test("scaled dot-product attention: weights sum to 1, a hidden key gets exactly 0, and 1/√d_k is applied")
    func scaled() {
        let q = Matrix([[1, 0], [0, 2]]), k = Matrix([[1, 0], [0, 1], [1, 1]]), v = Matrix([[1, 0], [0, 1], [5, 5]])
        let (out, weights) = scaledDotProductAttention(queries: q, keys: k, values: v) { i, j in !(i == 0 && j == 2) }
        #expect(weights[0, 2] == 0)
        for i in 0..<2 { #expect(abs(weights.row(i).reduce(0, +) - 1) < 1e-15) }
        // query 0 scores keys 0 and 1 as 1/√2 and 0
        let e = exp(1 / 2.0.squareRoot())
        #expect(abs(weights[0, 0] - e / (e + 1)) < 1e-15)
        #expect(abs(out[0, 0] - e / (e + 1)) < 1e-15)
    }

    @Test("multi-head attention, causal and padded, with and without attention dropout (a fixed keep-mask): every parameter and x", arguments: [0, 1, 2])
    func multiHead(variant: Int) {
        var rng = SeededGenerator(seed: UInt64(80 + variant))
        var layer = MultiHeadAttention(features: 6, heads: 3, using: &rng)
        layer.visitParameters { p in if p.name.hasPrefix("b") { p.value = rng.normals(p.count, standardDeviation: 0.3) } }  // biases start at 0
        let x = Tensor(shape: [2, 4, 6], values: rng.normals(48))
        switch variant {
        case 0: layer.mask = .causal
        case 1: layer.mask = .padding(lengths: [4, 2])
        default:
            layer.dropout = 0.3
            layer.keepMask = (0..<(2 * 3 * 4 * 4)).map { _ in rng.uniform() > 0.3 }
        }
        let results = checkGradients(layer, input: x, loss: weightedOutputLoss(rng.normals(48)))
        for result in results { #expect(result.passed, "\(result)") }
    }

    @Test("cross-attention: ∂L/∂memory against central differences")
    func crossMemory() {
        var rng = SeededGenerator(seed: 84)
        let layer = MultiHeadAttention(features: 4, heads: 2, using: &rng)
        let (q, m, c) = (Tensor(shape: [2, 3, 4], values: rng.normals(24)), Tensor(shape: [2, 5, 4], values: rng.normals(40)), rng.normals(24))
        var analytic = layer
        _ = analytic.attend(query: q, memory: m, mode: .training)
        _ = analytic.backward(Tensor(shape: [2, 3, 4], values: c))
        let result = checkGradient("memory", at: m.values, analytic: analytic.memoryGradient!.values) { values in
            var probe = layer
            return weightedOutputLoss(c)(probe.attend(query: q, memory: Tensor(shape: m.shape, values: values), mode: .training)).loss
        }
        #expect(result.passed, "\(result)")
    }

    @Test("layer norm and both encoder blocks: every parameter and x", arguments: [0, 1, 2])
    func blocks(variant: Int) {
        var rng = SeededGenerator(seed: UInt64(85 + variant))
        let x = Tensor(shape: [2, 3, 4], values: rng.normals(24))
        let c = rng.normals(24)
        let results: [GradientCheckResult]
        switch variant {
        case 0:
            var norm = LayerNorm(features: 4)
            norm.gamma.value = rng.normals(4)
            norm.beta.value = rng.normals(4)
            results = checkGradients(norm, input: x, loss: weightedOutputLoss(c))
        default:
            results = checkGradients(
                EncoderBlock(features: 4, heads: 2, feedForward: 8, preNorm: variant == 2, using: &rng), input: x, loss: weightedOutputLoss(c))
        }
        for result in results { #expect(result.passed, "\(result)") }
    }

    @Test("positional encoding: exact sines and cosines; a learned table's gradient sums over the batch")
    func positions() {
        let pe = sinusoidalPositionalEncoding(positions: 3, features: 4)
        #expect(pe.row(0) == [0, 1, 0, 1])
        #expect(pe.row(1) == [sin(1), cos(1), sin(0.01), cos(0.01)])  // 10000^(2/4) = 100
        #expect(pe.row(2) == [sin(2), cos(2), sin(0.02), cos(0.02)])
        var rng = SeededGenerator(seed: 88)
        var learned = PositionalEncoding.learned(maxLength: 5, features: 2, using: &rng)
        _ = learned.forward(Tensor(shape: [2, 3, 2]), mode: .training)
        _ = learned.backward(Tensor(shape: [2, 3, 2], values: [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]))
        #expect(learned.table.gradient == [11, 22, 33, 44, 55, 66, 0, 0, 0, 0])
        #expect(PositionalEncoding(maxLength: 5, features: 2).parameters.isEmpty)
    }

    @Test("additive attention: weights from vᵀ tanh(W_s s + W_h h), the context their mix")
    func additive() {
        let states: [[Double]] = [[1, 0], [0, 1], [1, 1]]
        let (context, weights) = additiveAttention(
            query: [1], states: states, queryWeights: Matrix([[0.5]]), stateWeights: Matrix([[1, -1]]), scorer: [2])
        let scores = states.map { 2 * tanh(0.5 + $0[0] - $0[1]) }
        let total = scores.map { exp($0) }.reduce(0, +)
        #expect(close(weights, scores.map { exp($0) / total }, 1e-15))
        #expect(close(context, [weights[0] + weights[2], weights[1] + weights[2]], 1e-15))
    }
}

@Suite("Chapter 8 · pooling a sequence: attention pooling and the mean over positions")
struct SequencePoolingTests {
    @Test("attention pooling: the weights equal additiveAttention's with the bias as the projected query; every parameter and the input gradient-checked")
    func attentionPooling() {
        var rng = SeededGenerator(seed: 41)
        let (steps, batch, h, a) = (5, 3, 4, 3)
        var pooling = AttentionPooling(weight: Matrix(rows: a, columns: h, values: rng.normals(a * h)), bias: rng.normals(a), scorer: rng.normals(a))
        let x = Tensor(shape: [steps, batch, h], values: rng.normals(steps * batch * h))
        let y = pooling.forward(x, mode: .inference)
        // Against Chapter 8's additive attention: a query s with W_s s = b.
        for n in 0..<batch {
            let states = (0..<steps).map { j in Array(x.values[((j * batch + n) * h)..<((j * batch + n + 1) * h)]) }
            let reference = additiveAttention(
                query: [1], states: states, queryWeights: Matrix(rows: a, columns: 1, values: pooling.bias.value),
                stateWeights: Matrix(rows: a, columns: h, values: pooling.weight.value),
                scorer: pooling.scorer.value)
            #expect(mismatch(pooling.lastWeights[n], reference.weights, tolerance: Tolerance(relative: 1e-12, absolute: 1e-15)) == nil)
            #expect(mismatch(Array(y.values[(n * h)..<((n + 1) * h)]), reference.context, tolerance: Tolerance(relative: 1e-12, absolute: 1e-15)) == nil)
        }
        let results = checkGradients(pooling, input: x, loss: weightedOutputLoss(rng.normals(batch * h)))
        #expect(results.map(\.parameter) == ["Wa", "ba", "va", "x"])
        for result in results { #expect(result.passed, "\(result)") }
    }

    @Test("the mean over positions: by hand, g/T back to every position, gradient-checked")
    func positionMean() {
        var mean = PositionMean()
        let x = Tensor(shape: [1, 2, 2], values: [1, 2, 3, 6]).laidOut(.batchFirst)
        #expect(mean.forward(x, mode: .training).values == [2, 4])
        #expect(mean.backward(Tensor(shape: [1, 2], values: [4, 8])).values == [2, 4, 2, 4])
        var rng = SeededGenerator(seed: 42)
        let input = Tensor(shape: [3, 4, 5], values: rng.normals(60)).laidOut(.batchFirst)
        let results = checkGradients(PositionMean(), input: input, loss: weightedOutputLoss(rng.normals(15)))
        #expect(results.count == 1 && results[0].passed, "\(results)")
    }
}

@Suite("Chapter 8 · Attention · misuse")
struct Misuse {
    @Test("features that do not split into the heads are named")
    func heads() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 1)
            _ = MultiHeadAttention(features: 6, heads: 4, using: &rng)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("6 features do not split into 4 heads of equal size"), "\(message)")
    }

    @Test("a mask that hides every key from a query is an error, not NaN")
    func allHidden() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = scaledDotProductAttention(queries: Matrix([[1]]), keys: Matrix([[1]]), values: Matrix([[1]])) { _, _ in false }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("the mask hides every key from query 0"), "\(message)")
    }
}

@Suite("Robustness · Chapter 8's pooling layers: finite where the answer fits, NaN in → NaN out")
struct SequencePoolingRobustnessTests {
    @Test("attention pooling and the mean over positions of constant sequences at every extreme, forward and backward; the counts are printed")
    func sweep() {
        let tally = RobustnessTally()
        for v in RobustnessTally.extremes + [.nan] {
            // A constant sequence (3 steps of [v, v]): every weighted average of it is [v, v], the weights are 1/3 each.
            var pooling = AttentionPooling(weight: Matrix([[0.5, -0.25], [1, 1]]), bias: [0.1, -0.2], scorer: [1, -2])
            let x = Tensor(shape: [3, 1, 2], values: [Double](repeating: v, count: 6))
            let y = pooling.forward(x, mode: .training)
            for (k, value) in y.values.enumerated() { tally.record("attentionPooling([\(v) ×6])[\(k)]", value, nanIn: v.isNaN, expected: v) }
            for (j, alpha) in pooling.lastWeights[0].enumerated() { tally.record("α(\(v))[\(j)]", alpha, nanIn: v.isNaN, expected: 1.0 / 3) }
            // With g = [1, −1], ∂L/∂αⱼ = v − v = 0 for every step, so the scores get no gradient and each state gets α g = [1/3, −1/3].
            let dx = pooling.backward(Tensor(shape: [1, 2], values: [1, -1])).values
            for (k, value) in dx.enumerated() {
                tally.record("attentionPooling′(\(v))[\(k)]", value, nanIn: v.isNaN, expected: k % 2 == 0 ? 1.0 / 3 : -1.0 / 3)
            }
            var mean = PositionMean()
            let m = mean.forward(Tensor(shape: [1, 3, 2], values: [Double](repeating: v, count: 6)).laidOut(.batchFirst), mode: .training)
            for (k, value) in m.values.enumerated() { tally.record("positionMean([\(v) ×6])[\(k)]", value, nanIn: v.isNaN, expected: v) }
            for (k, value) in mean.backward(Tensor(shape: [1, 2], values: [v, 1])).values.enumerated() {
                tally.record("positionMean′(\(v))[\(k)]", value, nanIn: v.isNaN && k % 2 == 0, expected: k % 2 == 0 ? v / 3 : 1.0 / 3)
            }
        }
        print(tally.summary("Chapter 8's pooling"))
        #expect(tally.garbage.isEmpty, "silent garbage:\n\(tally.garbage.joined(separator: "\n"))")
    }
}
