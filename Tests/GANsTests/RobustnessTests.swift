import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Testing

@testable import GANs

@Suite("Robustness · Chapter 10: finite where the answer fits, NaN in → NaN out")
struct GANRobustnessTests {
    @Test("both generator losses and their gradients, LeakyReLU forward and backward, and the stable sigmoid at every extreme; the counts are printed")
    func sweep() {
        let tally = RobustnessTally()
        let softplus = { (t: Double) in max(t, 0) + log1p(exp(-abs(t))) }
        for t in RobustnessTally.extremes + [.nan] {
            let logits = Tensor(shape: [1, 1], values: [t])
            // −log σ(t) = softplus(−t), gradient −(1 − σ(t)); log(1 − σ(t)) = −softplus(t), gradient −σ(t).
            let nonSaturating = GeneratorLoss.nonSaturating.evaluate(logits)
            tally.record("non-saturating(\(t))", nonSaturating.loss, nanIn: t.isNaN, expected: softplus(-t))
            tally.record("non-saturating′(\(t))", nonSaturating.gradient.values[0], nanIn: t.isNaN, expected: -(1 - stableSigmoid(t)))
            let minimax = GeneratorLoss.minimax.evaluate(logits)
            tally.record("minimax(\(t))", minimax.loss, nanIn: t.isNaN, expected: -softplus(t))
            tally.record("minimax′(\(t))", minimax.gradient.values[0], nanIn: t.isNaN, expected: -stableSigmoid(t))
            tally.record("σ(\(t))", stableSigmoid(t), nanIn: t.isNaN, expected: t.isNaN ? nil : t > 40 ? 1 : t < -800 ? 0 : 1 / (1 + exp(-t)))
            var leaky = LeakyReLU(slope: 0.2)
            tally.record(
                "LeakyReLU(\(t))", leaky.forward(Tensor(shape: [1, 1], values: [t]), mode: .training).values[0], nanIn: t.isNaN, expected: t > 0 ? t : 0.2 * t)
            tally.record("LeakyReLU′(\(t))", leaky.backward(Tensor(shape: [1, 1], values: [1])).values[0], nanIn: false, expected: t > 0 ? 1 : 0.2)
        }
        print(tally.summary("Chapter 10"))
        #expect(tally.garbage.isEmpty, "silent garbage:\n\(tally.garbage.joined(separator: "\n"))")
    }
}
