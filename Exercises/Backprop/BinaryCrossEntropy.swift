import ExerciseSupport
import Foundation

// Exercise 3.2 — Binary cross-entropy and its gradient
//
// For predicted probabilities p and 0/1 targets y, both of length n:
//
//     L        = −(1/n) Σᵢ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)]
//     ∂L/∂pᵢ   = (pᵢ − yᵢ) / (pᵢ (1 − pᵢ)) / n
//
// A prediction of exactly 0 or 1 makes log 0 = −∞. Clamp every pᵢ into [ε, 1 − ε] with
// ε = 1e-12 first, and use the clamped value in both formulas.
//
// Example: p = [0.9, 0.2], y = [1, 0] → L = −(log 0.9 + log 0.8)/2 ≈ 0.1643,
//          gradient ≈ [−0.5556, 0.6250].
// Hint: the gradient belongs to the mean, so it carries the same 1/n as the loss.

/// The mean binary cross-entropy of `predictions` against `targets`, and its gradient.
public func binaryCrossEntropy(predictions: [Double], targets: [Double]) throws -> (loss: Double, gradient: [Double]) {
    throw NotAttempted()
}
