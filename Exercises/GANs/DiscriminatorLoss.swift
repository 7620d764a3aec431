import ExerciseSupport
import Foundation
import GANs

// Exercise 10.1 — The discriminator's loss on logits
//
// D outputs a logit t for each sample; σ(t) is the probability it gives "real". Its loss
// is the binary cross-entropy with target 1 for the real batch and 0 for the generated
// one, each averaged over its batch, and the two added:
//
//     L_D = mean_i BCE(t_real,i, 1) + mean_j BCE(t_fake,j, 0)
//     BCE(t, 1) = −log σ(t) = max(t, 0) − t + log(1 + e^(−|t|))
//     BCE(t, 0) = −log(1 − σ(t)) = max(t, 0) + log(1 + e^(−|t|))
//
// Return L_D and its gradient with respect to every logit: (σ(t) − 1)/n for a real one,
// σ(t)/m for a generated one (n and m the two batch sizes).
// Example: realLogits [0], fakeLogits [0] → L_D = 2 log 2 ≈ 1.386, gradients [−0.5], [0.5]
// Hint: logits can be ±800; σ(t) rounds to exactly 0 or 1 there, so never take log σ(t).

/// L_D, ∂L_D/∂t_real and ∂L_D/∂t_fake.
public func discriminatorLoss(realLogits: [Double], fakeLogits: [Double]) throws -> (
    loss: Double, realGradient: [Double], fakeGradient: [Double]
) {
    throw NotAttempted()
}
