import ExerciseSupport
import Foundation

// Exercise 2.1 — The sigmoid's derivative
//
//     σ(z) = 1 / (1 + e^(−z)),    σ′(z) = σ(z) (1 − σ(z))
//
// Example: σ′(0) = 0.5 · 0.5 = 0.25, the largest the slope ever gets.
// Hint: compute σ(z) once and reuse it. The checks include z = ±1000 (answer 0, never NaN).

/// σ′(z), the slope of the sigmoid at z.
public func sigmoidDerivative(_ z: Double) throws -> Double {
    throw NotAttempted()
}
