import ExerciseSupport
import Foundation
import GANs

// Exercise 10.2 — The non-saturating generator loss
//
// The generator wants D to call its samples real. Its loss in practice is
//
//     L_G = −mean_j log σ(t_j) = mean_j BCE(t_j, 1)        t_j: D's logit for G(z_j)
//     ∂L_G/∂t_j = −(1 − σ(t_j)) / m
//
// where m is the batch size. Return L_G and its gradient with respect to each logit.
// Example: fakeLogits [0] → L_G = log 2 ≈ 0.693, gradient [−0.5]
// Hint: when D rejects a sample (t ≪ 0), this gradient is near −1/m: strong, not vanishing.

/// L_G = −mean log σ(t) and ∂L_G/∂t.
public func nonSaturatingGeneratorLoss(fakeLogits: [Double]) throws -> (loss: Double, gradient: [Double]) {
    throw NotAttempted()
}
