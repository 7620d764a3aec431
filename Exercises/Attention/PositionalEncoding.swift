import Attention
import ExerciseSupport
import Foundation

// Exercise 8.5 — Sinusoidal positional encoding
//
// For position p (0 ..< positions) and feature k (0 ..< features), with i = k / 2
// (rounded down), so that features 2i and 2i + 1 share a rate:
//
//     PE[p, 2i]     = sin(p / 10000^(2i / d))
//     PE[p, 2i + 1] = cos(p / 10000^(2i / d))
//
// Return the (positions × features) matrix, row-major.
// Example: positions 2, features 4: row 0 = [0, 1, 0, 1];
//          row 1 = [sin 1, cos 1, sin 0.01, cos 0.01] (10000^(2/4) = 100).
// Hint: the exponent is 2i/d for both features of the pair, not k/d; sin on even features.

/// The encoding, (positions × features).
public func positionalEncoding(positions: Int, features: Int) throws -> [Double] {
    throw NotAttempted()
}
