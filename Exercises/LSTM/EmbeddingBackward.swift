import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.8 — An embedding's backward pass
//
// An embedding table E (vocabulary × dimension, row-major) turned tokens t₀ … t_{n−1}
// into the rows E[tₖ]. Given ∂L/∂y, n rows of `dimension` numbers (row k at
// k·dimension), return ∂L/∂E (vocabulary × dimension): each position's gradient added to
// the row of its token,
//
//     ∂L/∂E[v, j] = Σ over positions k with tₖ = v of ∂L/∂y[k, j]
//
// Example: vocabulary 3, dimension 2, tokens [2, 0, 2], ∂L/∂y = [1, 10, 100, 1000, 2, 20]
//          → [100, 1000, 0, 0, 3, 30].
// Hint: a token seen twice collects both gradients; rows of unseen tokens stay 0.

/// ∂L/∂E.
public func embeddingBackward(tokens: [Int], outputGradient: [Double], vocabulary: Int, dimension: Int) throws -> [Double] {
    throw NotAttempted()
}
