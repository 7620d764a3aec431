import Attention
import ExerciseSupport
import Foundation

// Exercise 8.4 — Splitting into heads and merging back
//
// A sequence of T positions of d features (T × d, row-major) is cut into h heads of
// d_h = d / h features: head j takes the columns j·d_h ..< (j+1)·d_h, a block of
// neighbouring features (not every h-th one). splitHeads lays the heads out one after
// another, each T × d_h: element (j, t, c) at (j·T + t)·d_h + c, from x[t, j·d_h + c].
// mergeHeads puts them back side by side: it undoes splitHeads.
// Example: T = 1, d = 4, h = 2: [1, 2, 3, 4] → [1, 2, 3, 4] (head 0 = [1, 2], head 1 = [3, 4]);
//          T = 2: [1, 2, 3, 4, 5, 6, 7, 8] → [1, 2, 5, 6, 3, 4, 7, 8].
// Hint: head j's block starts at column j·d_h of every row.

/// (T × d) → h blocks of (T × d/h).
public func splitHeads(_ x: [Double], length: Int, heads: Int) throws -> [Double] {
    throw NotAttempted()
}

/// h blocks of (T × d/h) → (T × d).
public func mergeHeads(_ split: [Double], length: Int, heads: Int) throws -> [Double] {
    throw NotAttempted()
}
