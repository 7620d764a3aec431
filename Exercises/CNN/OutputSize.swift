import CNN
import ExerciseSupport
import Foundation

// Exercise 6.1 — How big is the output?
//
// A filter of size f slides over an axis of size n that is padded with p zeros on each
// side, moving s at a time. It fits at
//
//     ⌊(n + 2p − f) / s⌋ + 1
//
// positions. Example: n = 7, f = 3, p = 1, s = 2 → ⌊(7 + 2 − 3)/2⌋ + 1 = 4.
// Hint: the padding counts on both sides; the division rounds down (a window that would
// hang over the end is not used).

/// The number of positions of the filter along one axis.
public func convolutionOutputSize(inputSize n: Int, filterSize f: Int, padding p: Int, stride s: Int) throws -> Int {
    throw NotAttempted()
}
