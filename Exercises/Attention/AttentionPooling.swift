import ExerciseSupport
import Foundation

// Exercise 8.7 — Attention pooling over a sequence, backward
//
// One sequence of T states h₁ … h_T (each of H numbers) is pooled into one vector by a
// learned attention, with W (a × H, row-major), b (a) and v (a):
//
//     uⱼ = W hⱼ + b      tⱼ = tanh(uⱼ)      eⱼ = v · tⱼ      α = softmax(e)      c = Σⱼ αⱼ hⱼ
//
// Given g = ∂L/∂c, return ∂L/∂h (one row per state), ∂L/∂W, ∂L/∂b and ∂L/∂v:
//
//     ∂L/∂αⱼ = g · hⱼ
//     ∂L/∂eⱼ = αⱼ (∂L/∂αⱼ − Σₖ αₖ ∂L/∂αₖ)          the softmax's Jacobian
//     ∂L/∂v = Σⱼ ∂L/∂eⱼ tⱼ
//     ∂L/∂uⱼ = ∂L/∂eⱼ · v ⊙ (1 − tⱼ²)
//     ∂L/∂W = Σⱼ ∂L/∂uⱼ hⱼᵀ      ∂L/∂b = Σⱼ ∂L/∂uⱼ
//     ∂L/∂hⱼ = αⱼ g + Wᵀ ∂L/∂uⱼ                    hⱼ reaches L twice: in the average and in its score
//
// Example: one state (T = 1): α = [1] whatever the scores, so ∂L/∂h₁ = g and every
//          gradient of W, b and v is 0.
// Hint: compute the forward pass first (u, t, e, α), then go back through it.

/// (∂L/∂h, ∂L/∂W, ∂L/∂b, ∂L/∂v) given ∂L/∂c.
public func attentionPoolingBackward(
    states: [[Double]], weights: [Double], bias: [Double], scorer: [Double], outputGradient: [Double]
) throws -> (states: [[Double]], weights: [Double], bias: [Double], scorer: [Double]) {
    throw NotAttempted()
}
