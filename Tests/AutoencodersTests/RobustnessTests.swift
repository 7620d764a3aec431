import Foundation
import LinearAlgebra
import NumericChecks
import Testing

@testable import Autoencoders

@Suite("Robustness · Chapter 9: finite where the answer fits, NaN in → NaN out")
struct AutoencoderRobustnessTests {
    @Test("the reparameterization trick, the KL term and its gradient, log-mean-exp and both reconstruction losses at every extreme; the counts are printed")
    func sweep() {
        let tally = RobustnessTally()
        let inputs = RobustnessTally.extremes + [.nan]
        for v in inputs {
            // z = μ + σ ε with ε = 0 is μ, at any scale; with μ = 0, ε = 1 it is exp(v/2), which fits below v ≈ 1419.
            tally.record("reparameterize(μ \(v), logσ² 0, ε 0)", reparameterize(mean: [v], logVariance: [0], noise: [0])[0], nanIn: v.isNaN, expected: v)
            if v.isNaN || v < 1400 {
                tally.record(
                    "reparameterize(μ 0, logσ² \(v), ε 1)", reparameterize(mean: [0], logVariance: [v], noise: [1])[0], nanIn: v.isNaN, expected: exp(v / 2))
                let back = reparameterizeBackward(mean: [0], logVariance: [v], noise: [1], zGradient: [1])
                tally.record("reparameterize′ logσ²(\(v))", back.logVariance[0], nanIn: v.isNaN, expected: 0.5 * exp(v / 2))
            }
            // KL(N(μ, 1) ‖ N(0, 1)) = μ²/2, which fits below |μ| ≈ 1.9e154; KL(N(0, e^v) ‖ N(0, 1)) = (e^v − 1 − v)/2, below v ≈ 709.
            if v.isNaN || abs(v) < 1e154 {
                tally.record("KL(μ \(v), logσ² 0)", gaussianKL(mean: [v], logVariance: [0]), nanIn: v.isNaN, expected: v * v / 2)
                tally.record("KL′ μ(\(v))", gaussianKLGradient(mean: [v], logVariance: [0]).mean[0], nanIn: v.isNaN, expected: v)
            }
            if v.isNaN || v < 700 {
                tally.record("KL(μ 0, logσ² \(v))", gaussianKL(mean: [0], logVariance: [v]), nanIn: v.isNaN, expected: -0.5 * (1 + v - exp(v)))
                tally.record("KL′ logσ²(\(v))", gaussianKLGradient(mean: [0], logVariance: [v]).logVariance[0], nanIn: v.isNaN, expected: 0.5 * (exp(v) - 1))
            }
            // log mean exp: of [v, v] it is v; of [v, 0] it is log((e^v + 1)/2).
            tally.record("logMeanExp([\(v), \(v)])", logMeanExp([v, v]), nanIn: v.isNaN, expected: v)
            let pair = v > 40 ? v + log(0.5) : log((exp(v) + 1) / 2)
            tally.record("logMeanExp([\(v), 0])", logMeanExp([v, 0]), nanIn: v.isNaN, expected: pair)
            tally.record("logMeanExp([0, \(v)])", logMeanExp([0, v]), nanIn: v.isNaN, expected: pair)
            // BCE on a logit, target 1 and 0: softplus(∓t), finite for every finite t; its gradient σ(t) − y in [−1, 1].
            for y in [0.0, 1] {
                let (loss, gradient) = ReconstructionLoss.bernoulli.evaluate(Tensor(shape: [1, 1], values: [v]), Tensor(shape: [1, 1], values: [y]))
                let softplus = { (t: Double) in max(t, 0) + log1p(exp(-abs(t))) }
                tally.record("bernoulli(logit \(v), x \(y))", loss, nanIn: v.isNaN, expected: y == 1 ? softplus(-v) : softplus(v))
                tally.record("bernoulli′(logit \(v), x \(y))", gradient.values[0], nanIn: v.isNaN)
            }
            if v.isNaN || abs(v) < 1e150 {
                let (loss, gradient) = ReconstructionLoss.squaredError.evaluate(Tensor(shape: [1, 1], values: [v]), Tensor(shape: [1, 1], values: [0]))
                tally.record("squaredError(\(v), 0)", loss, nanIn: v.isNaN, expected: v * v)
                tally.record("squaredError′(\(v), 0)", gradient.values[0], nanIn: v.isNaN, expected: 2 * v)
            }
        }
        print(tally.summary("Chapter 9"))
        #expect(tally.garbage.isEmpty, "silent garbage:\n\(tally.garbage.joined(separator: "\n"))")
    }
}
