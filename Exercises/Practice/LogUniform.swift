import ExerciseSupport
import Foundation
import Practice

// Exercise 11.3 — A log-uniform draw
//
// A learning rate is searched on a log scale: log η uniform between log a and log b,
// so that every decade of [a, b] gets the same share of draws. Given u, a uniform draw
// in [0, 1], return
//
//     η = exp(log a + u (log b − log a))
//
// Example: u = 0.5, a = 0.001, b = 0.1 → 0.01 (the geometric middle, not 0.0505)
// Hint: u = 0 must give a and u = 1 must give b.

/// The point of [low, high] that a uniform draw u ∈ [0, 1] maps to on a log scale.
public func logUniform(_ u: Double, low: Double, high: Double) throws -> Double {
    throw NotAttempted()
}
