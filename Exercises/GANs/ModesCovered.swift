import ExerciseSupport
import Foundation
import GANs

// Exercise 10.7 — How many modes a generator covers
//
// Generated 2-D points, the centres of K modes, and the modes' standard deviation σ.
// A point is high quality when it lies within 3σ of the centre nearest to it (Euclidean
// distance). A mode is covered when at least count / (4K) high-quality points belong to
// it (a quarter of its fair share; count = the number of points). Return the number of
// covered modes and the share of high-quality points.
// Example: points [[2, 0], [2.1, 0], [0, 0]], centres [[2, 0], [−2, 0]], σ 0.05
//          → the first two are high quality (0 and 0.1 ≤ 0.15 from (2, 0)), the third is
//          2 away from both → high quality 2/3; mode 0 has 2 ≥ 3/8 points, mode 1 none
//          → (1, 0.666…)
// Hint: a point far from every mode counts for none of them.

/// (modes covered, share of high-quality points).
public func modesCovered(points: [[Double]], centres: [[Double]], spread: Double) throws -> (covered: Int, highQuality: Double) {
    throw NotAttempted()
}
