import Attention
import ExerciseSupport
import Foundation

// Exercise 8.1 — Scaled dot-product attention, forward
//
// One sequence, one head. Flat row-major matrices: queries Q (T_q × d_k), keys K
// (T_k × d_k), values V (T_k × d_v); T_q = queries.count / d_k, T_k = keys.count / d_k.
// `allowed` (T_q × T_k, row-major) says which keys each query may see; nil: all of them.
//
//     S[i, j] = Σ_c Q[i, c] K[j, c] / √d_k,   or −∞ where allowed[i·T_k + j] is false
//     A[i, j] = exp(S[i, j]) / Σ_j' exp(S[i, j'])      a softmax along each row
//     O[i, c] = Σ_j A[i, j] V[j, c]
//
// Return O (T_q × d_v) and A (T_q × T_k). Subtract each row's largest score before exp.
// Example: Q = [1, 0], K = [1, 0, 0, 1] (two keys), V = [1, 2] (d_v = 1), d_k = 2:
//          S = [1/√2, 0], A = [0.6698, 0.3302], O = [1.3302].
// Hint: the mask goes in before the softmax, so that each row still sums to 1.

/// The attention output and weights.
public func attentionForward(
    queries: [Double], keys: [Double], values: [Double], keyWidth: Int, valueWidth: Int, allowed: [Bool]?
) throws -> (output: [Double], weights: [Double]) {
    throw NotAttempted()
}
