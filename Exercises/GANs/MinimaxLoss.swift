import ExerciseSupport
import Foundation
import GANs

// Exercise 10.3 — The minimax generator loss, and where it saturates
//
// The game's own generator term, minimized by G:
//
//     L_G = mean_j log(1 − σ(t_j)) = −mean_j BCE(t_j, 0)
//     ∂L_G/∂t_j = −σ(t_j) / m
//
// Return L_G and its gradient. When D confidently rejects the samples (σ(t) → 0) this
// gradient vanishes: the generator learns least when it is worst.
// Example: fakeLogits [0] → L_G = −log 2 ≈ −0.693, gradient [−0.5]
// Hint: log(1 − σ(t)) = −(max(t, 0) + log(1 + e^(−|t|))) stays finite for t = 800.

/// L_G = mean log(1 − σ(t)) and ∂L_G/∂t.
public func minimaxGeneratorLoss(fakeLogits: [Double]) throws -> (loss: Double, gradient: [Double]) {
    throw NotAttempted()
}
