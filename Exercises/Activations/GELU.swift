import ExerciseSupport
import Foundation

// Exercise 2.5 — GELU, the Gaussian error linear unit (the exact form)
//
//     GELU(z) = z Φ(z) = ½ z (1 + erf(z / √2))
//
// Φ is the probability that a standard normal variable is below z: GELU lets an input
// through in proportion to how large it is compared with Gaussian noise.
// Example: gelu(1) ≈ 0.8413; gelu(−1) ≈ −0.1587.
// Hint: Foundation provides `erf`. The tanh approximation
// ½ z (1 + tanh(√(2/π)(z + 0.044715 z³))) is close but not what this exercise asks for.

/// The exact GELU of z.
public func gelu(_ z: Double) throws -> Double {
    throw NotAttempted()
}
