import ExerciseSupport
import Foundation

// Exercise 3.5 — One step of backpropagation and gradient descent
//
// The network of the lesson's section 2: 2 inputs → 3 sigmoid units → 1 sigmoid output,
//
//     z¹ = W¹x + b¹,  a¹ = σ(z¹),  z² = w²·a¹ + b²,  ŷ = σ(z²),  L = ½(ŷ − y)²
//
// (W¹ is 3×2, one row per hidden unit; w² holds the 3 output weights; b² is one number.)
// Run the forward pass, then backpropagate:
//
//     δ² = (ŷ − y) σ′(z²)                    σ′(z) = σ(z)(1 − σ(z))
//     δ¹ⱼ = w²ⱼ δ² σ′(z¹ⱼ)
//     ∂L/∂w²ⱼ = δ² a¹ⱼ,  ∂L/∂b² = δ²,  ∂L/∂W¹[j][i] = δ¹ⱼ xᵢ,  ∂L/∂b¹ⱼ = δ¹ⱼ
//
// and return every parameter after one step θ ← θ − η ∂L/∂θ.
// Example: the lesson's weights, x = [1, 2], y = 0.5, η = 1 → b² becomes 0.3 − 0.045771 ≈ 0.254229.
// Hint: compute every gradient before changing any parameter: δ¹ needs the old w².

/// The parameters after one step of gradient descent on L = ½(ŷ − target)².
public func backpropStep(
    w1: [[Double]], b1: [Double], w2: [Double], b2: Double, input: [Double], target: Double, learningRate: Double
) throws -> (w1: [[Double]], b1: [Double], w2: [Double], b2: Double) {
    throw NotAttempted()
}
