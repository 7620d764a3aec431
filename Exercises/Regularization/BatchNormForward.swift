import ExerciseSupport
import Foundation

// Exercise 5.3 — Batch normalization, forward, in training and in inference mode
//
// `batch` has one row per sample and one column per feature j. In training mode, per
// feature j, over the N rows:
//
//     μⱼ = (1/N) Σᵢ xᵢⱼ          σ²ⱼ = (1/N) Σᵢ (xᵢⱼ − μⱼ)²      (divide by N, not N − 1)
//     yᵢⱼ = γⱼ (xᵢⱼ − μⱼ) / √(σ²ⱼ + ε) + βⱼ
//     running meanⱼ ← momentum · running meanⱼ + (1 − momentum) · μⱼ       (the same for the variance)
//
// In inference mode use the running mean and variance in place of μ and σ², and return
// the running statistics unchanged.
// Example: one feature [1, 2, 3, 4], γ = 2, β = 1, ε = 1e-5, training → μ = 2.5, σ² = 1.25,
//          y₁ = 2 · (−1.5)/√1.25001 + 1 ≈ −1.6833; with running mean 0, variance 1 and
//          momentum 0.9 the new running mean is 0.25 and the running variance 1.025.

/// Batch normalization of `batch`; returns the output and the (updated) running statistics.
public func batchNormForward(
    batch: [[Double]], gamma: [Double], beta: [Double], runningMean: [Double], runningVariance: [Double],
    momentum: Double, epsilon: Double, training: Bool
) throws -> (output: [[Double]], runningMean: [Double], runningVariance: [Double]) {
    throw NotAttempted()
}
