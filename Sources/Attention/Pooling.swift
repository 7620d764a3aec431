import Backprop
import Foundation
import LinearAlgebra
import Randomness
import Validation

// Two ways to turn a sequence into one vector for a classifier: a learned, weighted
// average (attention pooling over an LSTM's states, as the seeds' RNN classifiers do) and
// the plain mean over positions (global average pooling, as the seeds' transformer
// classifier does).

/// Additive attention pooling: a small network scores each state of a sequence, the
/// scores are turned into weights by a softmax over time, and the output is the weighted
/// average of the states (Bahdanau-style attention with a learned query; the seeds'
/// "attention layer" over LSTM outputs).
///
/// Input (T, B, H), time first as the recurrent layers give it; output (B, H). For each
/// sample, with W (a × H), b (a), v (a):
///
/// ```
/// uⱼ = W hⱼ + b      tⱼ = tanh(uⱼ)      eⱼ = v · tⱼ      α = softmax(e)      c = Σⱼ αⱼ hⱼ
/// ```
/// Backward, given g = ∂L/∂c:
///
/// ```
/// ∂L/∂αⱼ = g · hⱼ                ∂L/∂eⱼ = αⱼ (∂L/∂αⱼ − Σₖ αₖ ∂L/∂αₖ)     (the softmax's Jacobian)
/// ∂L/∂v += Σⱼ ∂L/∂eⱼ tⱼ          ∂L/∂uⱼ = ∂L/∂eⱼ v ⊙ (1 − tⱼ²)
/// ∂L/∂W += Σⱼ ∂L/∂uⱼ hⱼᵀ         ∂L/∂b += Σⱼ ∂L/∂uⱼ
/// ∂L/∂hⱼ = αⱼ g + Wᵀ ∂L/∂uⱼ      (through the average, and through the score)
/// ```
public struct AttentionPooling: Layer {
    /// W (a × H), b (a), v (a).
    public var weight: Parameter
    /// b (a).
    public var bias: Parameter
    /// v (a).
    public var scorer: Parameter
    /// The weights α of the last forward pass, one row of T per sample: what the model
    /// looked at.
    public private(set) var lastWeights: [[Double]] = []
    private var cache: (x: Tensor, t: [Double], alpha: [Double])?

    /// H, the width of each step's vector.
    public var features: Int { weight.shape[1] }
    /// a, the width of the scoring network's hidden layer.
    public var attentionSize: Int { weight.shape[0] }

    /// A layer with the given W (a × H), b (a) and v (a); sizes that do not fit stop naming
    /// them.
    public init(weight: Matrix, bias: [Double], scorer: [Double], name: String = "") {
        require(
            weight.rows > 0 && weight.columns > 0 && bias.count == weight.rows && scorer.count == weight.rows,
            "AttentionPooling: W \(weight.shapeDescription), b (\(bias.count)) and v (\(scorer.count)) do not fit together")
        self.weight = Parameter(name: "Wa\(name)", shape: [weight.rows, weight.columns], value: weight.values, decays: true)
        self.bias = Parameter(name: "ba\(name)", shape: [weight.rows], value: bias, decays: false)
        self.scorer = Parameter(name: "va\(name)", shape: [weight.rows], value: scorer, decays: true)
    }

    /// Xavier-uniform W and v, b = 0.
    public init(features: Int, attentionSize: Int, using generator: inout SeededGenerator, name: String = "") {
        require(features > 0 && attentionSize > 0, "AttentionPooling: needs positive sizes, got H = \(features), a = \(attentionSize)")
        let w = Initialization.xavier.weights(inputs: features, outputs: attentionSize, using: &generator)
        let v = Initialization.xavier.weights(inputs: attentionSize, outputs: 1, using: &generator)
        self.init(
            weight: Matrix(rows: attentionSize, columns: features, values: w), bias: [Double](repeating: 0, count: attentionSize), scorer: v,
            name: name)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        x.requireLayout(.timeFirst, "AttentionPooling")
        require(x.rank == 3 && x.shape[2] == features && x.shape[0] > 0, "AttentionPooling: input \(x.shapeDescription) needs (time × batch × \(features))")
        let (steps, batch, h, a) = (x.shape[0], x.shape[1], features, attentionSize)
        var t = [Double](repeating: 0, count: steps * batch * a)
        var alpha = [Double](repeating: 0, count: steps * batch)
        var output = [Double](repeating: 0, count: batch * h)
        lastWeights = []
        for n in 0..<batch {
            var scores = [Double](repeating: 0, count: steps)
            for j in 0..<steps {
                let state = (j * batch + n) * h
                for i in 0..<a {
                    var u = bias.value[i]
                    for k in 0..<h { u += weight.value[i * h + k] * x.values[state + k] }
                    let ti = tanh(u)
                    t[(j * batch + n) * a + i] = ti
                    scores[j] += scorer.value[i] * ti
                }
            }
            let top = scores.max()!
            let e = scores.map { exp($0 - top) }
            let total = e.reduce(0, +)
            for j in 0..<steps {
                alpha[j * batch + n] = e[j] / total
                for k in 0..<h { output[n * h + k] += alpha[j * batch + n] * x.values[(j * batch + n) * h + k] }
            }
            lastWeights.append((0..<steps).map { alpha[$0 * batch + n] })
        }
        if mode == .training { cache = (x, t, alpha) }
        return Tensor(shape: [batch, h], values: output)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let (x, t, alpha) = cache else { requirementFailed("AttentionPooling.backward: no training-mode forward pass to go back through") }
        let (steps, batch, h, a) = (x.shape[0], x.shape[1], features, attentionSize)
        require(
            outputGradient.shape == [batch, h],
            "AttentionPooling.backward: the gradient \(outputGradient.shapeDescription) does not match the output (\(batch) × \(h))")
        var dx = [Double](repeating: 0, count: x.count)
        for n in 0..<batch {
            let g = Array(outputGradient.values[(n * h)..<((n + 1) * h)])
            let dAlpha = (0..<steps).map { j in (0..<h).reduce(0) { $0 + g[$1] * x.values[(j * batch + n) * h + $1] } }
            let expected = (0..<steps).reduce(0) { $0 + alpha[$1 * batch + n] * dAlpha[$1] }
            for j in 0..<steps {
                let state = (j * batch + n) * h
                let dE = alpha[j * batch + n] * (dAlpha[j] - expected)
                for k in 0..<h { dx[state + k] += alpha[j * batch + n] * g[k] }
                for i in 0..<a {
                    let ti = t[(j * batch + n) * a + i]
                    scorer.gradient[i] += dE * ti
                    let dU = dE * scorer.value[i] * (1 - ti * ti)
                    bias.gradient[i] += dU
                    for k in 0..<h {
                        weight.gradient[i * h + k] += dU * x.values[state + k]
                        dx[state + k] += weight.value[i * h + k] * dU
                    }
                }
            }
        }
        return Tensor(shape: x.shape, values: dx).laidOut(.timeFirst)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&weight)
        body(&bias)
        body(&scorer)
    }
}

/// The mean over positions of a batch-first sequence, (B, T, D) → (B, D): global average
/// pooling over time (Keras's `GlobalAveragePooling1D`; in PyTorch, `x.mean(dim=1)`).
///
/// ```
/// forward:   y[n] = (1/T) Σₜ x[n, t]        backward:  ∂L/∂x[n, t] = ∂L/∂y[n] / T
/// ```
public struct PositionMean: Layer {
    private var inputShape: [Int]?

    /// The layer; it has no settings.
    public init() {}

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        x.requireLayout(.batchFirst, "PositionMean")
        require(x.rank == 3 && x.shape[1] > 0, "PositionMean: input \(x.shapeDescription) needs (batch × time × features)")
        let (batch, steps, d) = (x.shape[0], x.shape[1], x.shape[2])
        if mode == .training { inputShape = x.shape }
        var y = [Double](repeating: 0, count: batch * d)
        for n in 0..<batch {
            for k in 0..<d {
                var sum = 0.0
                for t in 0..<steps { sum += x.values[(n * steps + t) * d + k] }
                y[n * d + k] = sum / Double(steps)
                if y[n * d + k].isInfinite {  // the sum overflowed although the mean may fit (values near ±1.8e308)
                    y[n * d + k] = meanAvoidingOverflow((0..<steps).map { x.values[(n * steps + $0) * d + k] })
                }
            }
        }
        return Tensor(shape: [batch, d], values: y)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let shape = inputShape else { requirementFailed("PositionMean.backward: no training-mode forward pass to go back through") }
        let (batch, steps, d) = (shape[0], shape[1], shape[2])
        require(
            outputGradient.shape == [batch, d],
            "PositionMean.backward: the gradient \(outputGradient.shapeDescription) does not match the output (\(batch) × \(d))")
        var dx = [Double](repeating: 0, count: batch * steps * d)
        for n in 0..<batch {
            for t in 0..<steps { for k in 0..<d { dx[(n * steps + t) * d + k] = outputGradient.values[n * d + k] / Double(steps) } }
        }
        return Tensor(shape: shape, values: dx).laidOut(.batchFirst)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}
