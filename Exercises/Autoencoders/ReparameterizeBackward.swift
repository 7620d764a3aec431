import Autoencoders
import ExerciseSupport
import Foundation

// Exercise 9.2 — The reparameterization trick, backward
//
// Given ∂L/∂z for z = μ + exp(½ log σ²) ⊙ ε (exercise 9.1), return ∂L/∂μ and ∂L/∂log σ².
// The chain rule, element by element:
//
//     ∂z/∂μ = 1                ∂z/∂log σ² = ½ exp(½ log σ²) ε = ½ σ ε
//
// Example: μ = [0], log σ² = [0], ε = [2], ∂L/∂z = [3] → ∂L/∂μ = [3], ∂L/∂log σ² = [3]
// Hint: the path to log σ² runs through ε; the ½ comes from the exponent.

/// (∂L/∂μ, ∂L/∂log σ²), given ∂L/∂z.
public func reparameterizeSampleBackward(
    mean: [Double], logVariance: [Double], noise: [Double], zGradient: [Double]
) throws -> (mean: [Double], logVariance: [Double]) {
    throw NotAttempted()
}
