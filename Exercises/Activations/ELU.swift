import ExerciseSupport
import Foundation

// Exercise 2.4 — ELU, the exponential linear unit
//
//     ELU(z) = z if z > 0, else α (e^z − 1)
//
// Smooth on the negative side, where it levels off at −α.
// Example: elu(−1, alpha: 1) = e^(−1) − 1 ≈ −0.6321; elu(2, alpha: 1) = 2.
// Hint: Foundation's `expm1(z)` computes e^z − 1 accurately even for z very close to 0,
// where exp(z) − 1 loses most of its digits. The checks include z = 1e-12.

/// ELU of z with the given α.
public func elu(_ z: Double, alpha: Double) throws -> Double {
    throw NotAttempted()
}
