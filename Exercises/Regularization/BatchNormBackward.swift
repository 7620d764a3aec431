import ExerciseSupport
import Foundation

// Exercise 5.4 — Batch normalization, backward (training mode)
//
// Given the batch x (N rows), γ, ε and the upstream gradient g = ∂L/∂y, recompute per
// feature j the batch mean, variance and x̂ᵢⱼ = (xᵢⱼ − μⱼ)/√(σ²ⱼ + ε) as in 5.3, then
//
//     ∂L/∂βⱼ = Σᵢ gᵢⱼ
//     ∂L/∂γⱼ = Σᵢ gᵢⱼ x̂ᵢⱼ
//     ∂L/∂xᵢⱼ = γⱼ / (N √(σ²ⱼ + ε)) · (N gᵢⱼ − Σₖ gₖⱼ − x̂ᵢⱼ Σₖ gₖⱼ x̂ₖⱼ)
//
// Example: one feature x = [1, 2, 3, 4], γ = 1, upstream [1, 1, 1, 1] → ∂L/∂β = 4,
//          ∂L/∂γ = Σ x̂ = 0, ∂L/∂x = [0, 0, 0, 0] (shifting every y equally changes nothing
//          after normalization).
// Hint: ∂L/∂x is not just γ g / √(σ² + ε): every xᵢ also moves μ and σ².

/// The gradients of a training-mode batch normalization for its input, γ and β.
public func batchNormBackward(
    batch: [[Double]], upstream: [[Double]], gamma: [Double], epsilon: Double
) throws -> (input: [[Double]], gamma: [Double], beta: [Double]) {
    throw NotAttempted()
}
