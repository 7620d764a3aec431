import ExerciseSupport
import Foundation
import GANs

// Exercise 10.4 — One discriminator step
//
// A linear generator and a linear discriminator, so that every gradient fits on a line:
//
//     G(z) = A z + c          A: d × k (row-major), c: d        z: k noise numbers
//     D's logit t(x) = w · x + b                                   x: d numbers
//
// Make the generated batch x_j = G(z_j), then take one step of plain gradient descent
// (learning rate η) on L_D of exercise 10.1 over the real batch and the generated one:
//
//     ∂L_D/∂w = Σ_i g_i x_i over both batches,   ∂L_D/∂b = Σ_i g_i     (g: ∂L_D/∂t)
//     w ← w − η ∂L_D/∂w,   b ← b − η ∂L_D/∂b
//
// The generated batch is data in this step: G's A and c must come back unchanged.
// Return the four parameters after the step.
// Example: see the check's first case: real [[1]], noise [[0]], A [[0]], c [0], w [0],
//          b 0, η 1 → x_fake = 0, g_real = −½, g_fake = ½ → w = [½], b = 0, A, c unchanged
// Hint: both halves of the batch contribute to D's gradient.

/// D's (w, b) after one gradient step on L_D, and G's (A, c), which this step must not change.
public func discriminatorStep(
    real: [[Double]], noise: [[Double]], generatorWeights: [Double], generatorBias: [Double],
    discriminatorWeights: [Double], discriminatorBias: Double, learningRate: Double
) throws -> (generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double) {
    throw NotAttempted()
}
