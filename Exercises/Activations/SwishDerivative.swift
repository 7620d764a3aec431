import ExerciseSupport
import Foundation

// Exercise 2.6 — The derivative of Swish
//
//     Swish(z) = z σ(z),    Swish′(z) = σ(z) + z σ(z) (1 − σ(z))    (product rule)
//
// Example: Swish′(0) = 0.5.
// Hint: write σ(z) = 1 / (1 + exp(−z)) yourself, or reuse your sigmoidDerivative.
// The check compares your answer with central finite differences of Swish.

/// Swish′(z), the slope of z σ(z) at z.
public func swishDerivative(_ z: Double) throws -> Double {
    throw NotAttempted()
}
