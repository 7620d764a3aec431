import ExerciseSupport
import Foundation

// Exercise 2.7 — A numerically stable softmax
//
//     softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ)
//
// Example: softmax([1, 2, 3]) ≈ [0.0900, 0.2447, 0.6652].
// The checks include z = [1000, 0, −1000]: e^1000 overflows to ∞ and ∞/∞ is NaN.
// Hint: subtracting the same number from every zᵢ does not change the result (the
// factor cancels). Subtract the largest one: every exponent is then ≤ 0.

/// The softmax of the scores z: non-negative values that sum to 1.
public func softmax(_ z: [Double]) throws -> [Double] {
    throw NotAttempted()
}
