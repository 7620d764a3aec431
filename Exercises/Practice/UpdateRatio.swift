import ExerciseSupport
import Foundation
import Practice

// Exercise 11.7 — The update-to-weight ratio
//
// How much one plain gradient step would change a layer's weights, relative to their
// size, with Euclidean norms over every entry:
//
//     ratio = ‖η g‖ / ‖w‖ = η √(Σ g²) / √(Σ w²)
//
// Around 1e-3 is the usual healthy size; 1e-1 and more rewrites the weights each step,
// 1e-6 and less barely moves them. Weights that are all 0 have no size to compare with:
// return nil for them.
//
// Example: w [3, 4], g [0.6, 0.8], η 0.01 → 0.01 · 1 / 5 = 0.002
// Hint: norms, not sums of squares, and η belongs in the update.

/// ‖η g‖ / ‖w‖, or nil when every weight is 0.
public func updateRatio(weights: [Double], gradient: [Double], learningRate: Double) throws -> Double? {
    throw NotAttempted()
}
