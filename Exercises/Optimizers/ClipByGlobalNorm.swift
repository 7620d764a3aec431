import ExerciseSupport
import Foundation

// Exercise 4.5 — Gradient clipping by global norm
//
// Treat all the gradient arrays as one long vector g. Its global norm is
//
//     ‖g‖ = √(Σ over every array, Σ over its entries, g²)
//
// If ‖g‖ > maxNorm, multiply every entry of every array by maxNorm / ‖g‖, so the global
// norm becomes exactly maxNorm; otherwise return the gradients unchanged.
// Example: [[3, 0], [4]] has ‖g‖ = 5; with maxNorm 1 → [[0.6, 0], [0.8]];
//          with maxNorm 10 → [[3, 0], [4]] unchanged.
// Hint: one factor for all arrays — clipping each array by its own norm turns the step.

/// The gradients scaled so that their global norm is at most `maxNorm`.
public func clipByGlobalNorm(gradients: [[Double]], maxNorm: Double) throws -> [[Double]] {
    throw NotAttempted()
}
