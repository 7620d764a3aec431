import ExerciseSupport
import Foundation

// Exercise 3.6 — The gradient check itself
//
// Estimate each component of the gradient of f at x by a central difference:
//
//     ∂f/∂xᵢ ≈ (f(x + ε eᵢ) − f(x − ε eᵢ)) / (2ε)
//
// where eᵢ moves only component i. Its error shrinks like ε²; the one-sided
// (f(x + ε eᵢ) − f(x)) / ε is only accurate to about ε.
//
// Example: f(x) = x₀² + 3x₁ at x = [1, 2], ε = 1e-5 → ≈ [2, 3].
// Hint: copy x, change one component, evaluate, and put it back before the next one.

/// The central-difference estimate of ∇f(x).
public func centralDifferenceGradient(of f: ([Double]) -> Double, at x: [Double], epsilon: Double) throws -> [Double] {
    throw NotAttempted()
}
