import ExerciseSupport
import Foundation
import Practice

// Exercise 11.6 — The dead-unit fraction
//
// A ReLU layer's output on a batch: `batch` samples, each with `units` units (features of
// a dense layer, channels of a convolution), each unit with `positions` values (1 for a
// dense layer, H·W for a convolution), row-major: output[(n · units + u) · positions + p].
//
// A unit is dead on the batch when it outputs exactly 0 for every sample and every
// position: its gradient is then 0 everywhere too, and it cannot recover. Return the
// fraction of the units that are dead.
//
// Example: batch 2, units 3, positions 1, output [0, 1, 0,
//                                                0, 0, 2] → unit 0 is dead → 1/3
// Hint: a unit that is 0 for some samples but not all is alive.

/// The share of units that are 0 for every sample and position.
public func deadFraction(_ output: [Double], batch: Int, units: Int, positions: Int) throws -> Double {
    throw NotAttempted()
}
