import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.7 — Sampling with a temperature
//
// Turn scores z into probabilities with a temperature T, then pick an index with one
// uniform number u in [0, 1):
//
//     pₖ = exp(zₖ / T) / Σⱼ exp(zⱼ / T)
//     answer: the first k with p₀ + … + pₖ > u   (the last index if rounding leaves none)
//
// Subtract the largest zⱼ / T before exp (the result is the same, and nothing overflows).
// Example: z = [0, ln 3], T = 1 → p = [0.25, 0.75]; u = 0.2 → 0, u = 0.3 → 1.
//          T = 0.5 → p ∝ [1, 9] = [0.1, 0.9]: u = 0.2 → 1.
// Hint: divide by T (T < 1 sharpens); a large score must not turn into inf.

/// The index drawn by the uniform number u.
public func sampleWithTemperature(logits: [Double], temperature: Double, uniform u: Double) throws -> Int {
    throw NotAttempted()
}
