import Attention
import ExerciseSupport
import Foundation

// Exercise 8.2 — Scaled dot-product attention, backward
//
// The forward pass of 8.1 gave O = A V with A = softmax(Q Kᵀ / √d_k) (masked). Given
// G = ∂L/∂O (T_q × d_v) and the weights A (T_q × T_k):
//
//     ∂L/∂V = Aᵀ G                                    (T_k × d_v)
//     ∂L/∂A = G Vᵀ                                    (T_q × T_k)
//     ∂L/∂S[i, j] = A[i, j] · (∂L/∂A[i, j] − Σ_j' ∂L/∂A[i, j'] A[i, j'])   the softmax, row by row
//     ∂L/∂Q = ∂L/∂S K / √d_k      ∂L/∂K = ∂L/∂Sᵀ Q / √d_k
//
// A hidden key has A = 0, so its ∂L/∂S is 0: nothing more to do for the mask.
// Example: 8.1's example with G = [1]: ∂L/∂V = [0.6698, 0.3302], ∂L/∂A = [1, 2],
//          ∂L/∂S = [0.6698 · (1 − 1.3302), 0.3302 · (2 − 1.3302)] = [−0.2212, 0.2212],
//          ∂L/∂Q = [−0.1564, 0.1564], ∂L/∂K = [−0.1564, 0, 0.1564, 0].
// Hint: the softmax's gradient is not A ⊙ ∂L/∂A alone: subtract each row's Σ ∂L/∂A ⊙ A.

/// ∂L/∂Q, ∂L/∂K and ∂L/∂V.
public func attentionBackward(
    outputGradient: [Double], queries: [Double], keys: [Double], values: [Double], weights: [Double], keyWidth: Int, valueWidth: Int
) throws -> (queries: [Double], keys: [Double], values: [Double]) {
    throw NotAttempted()
}
