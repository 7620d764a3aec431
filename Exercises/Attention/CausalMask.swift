import Attention
import ExerciseSupport
import Foundation

// Exercise 8.3 — The causal mask
//
// A language model predicts position i + 1 from positions 0…i, so query i may look at
// keys 0…i (itself included) and at nothing after it. Return the T × T flags, row-major,
// true where query i may see key j.
// Example: T = 3 → [true, false, false,
//                   true, true,  false,
//                   true, true,  true]
// Hint: row i is the query; a position may always see itself.

/// allowed[i·T + j]: may query i see key j?
public func causalMask(length: Int) throws -> [Bool] {
    throw NotAttempted()
}
