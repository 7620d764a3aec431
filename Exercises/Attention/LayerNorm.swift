import Attention
import ExerciseSupport
import Foundation

// Exercise 8.6 — Layer normalization, forward and backward
//
// x holds rows of d = `features` numbers. Each row is normalized on its own:
//
//     μ = (1/d) Σ_j x_j        σ² = (1/d) Σ_j (x_j − μ)²      (biased: divide by d)
//     x̂_j = (x_j − μ) / √(σ² + ε)        y_j = γ_j x̂_j + β_j
//
// Backward, for each row, with g = ∂L/∂y and ĝ = g ⊙ γ:
//
//     ∂L/∂x = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / √(σ² + ε)
//     ∂L/∂γ = Σ over rows of g ⊙ x̂          ∂L/∂β = Σ over rows of g
//
// Example: x = [1, 3], γ = [1, 1], β = [0, 0], ε = 0: μ = 2, σ² = 1, y = [−1, 1];
//          g = [1, 0] → ∂L/∂x = (ĝ − 0.5 − x̂ · (−0.5)) = [1 − 0.5 − 0.5, 0 − 0.5 + 0.5] = [0, 0],
//          ∂L/∂γ = [−1, 0], ∂L/∂β = [1, 0].
// Hint: ε goes inside the square root, and the variance divides by d, not d − 1.

/// y, row by row.
public func layerNormForward(_ x: [Double], features: Int, scale: [Double], shift: [Double], epsilon: Double) throws -> [Double] {
    throw NotAttempted()
}

/// ∂L/∂x, ∂L/∂γ and ∂L/∂β.
public func layerNormBackward(
    outputGradient: [Double], input x: [Double], features: Int, scale: [Double], epsilon: Double
) throws -> (input: [Double], scale: [Double], shift: [Double]) {
    throw NotAttempted()
}
