import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.3 — Backpropagation through time
//
// A vanilla RNN (7.1) ran over a sequence x₁ … x_T from h₀ and produced h₁ … h_T
// (`xs[t]` and `hs[t]` hold step t + 1). The loss gave each step a gradient gₜ
// (`outputGradients[t]`). Walk back from the last step to the first:
//
//     δ_T = g_T;   δₜ = gₜ + (what step t + 1 sent back: W_hᵀ daₜ₊₁)
//     daₜ = δₜ ⊙ (1 − hₜ²)
//
// and sum each step's weight gradients (7.2) over all steps. Return ∂L/∂W_x (H × F),
// ∂L/∂W_h (H × H), ∂L/∂b (H) and ∂L/∂h₀ (what step 1 sends back).
// Example: T = 2, F = H = 1, W_x = [1], W_h = [0.5], h₀ = [0], x = [1, 0]: h₁ = tanh 1 =
//          0.7616, h₂ = tanh(0.3808) = 0.3634; g = [0, 1] (only the last step counts) →
//          da₂ = 0.8679, δ₁ = 0.5 · 0.8679 = 0.4340, da₁ = 0.1822;
//          ∂L/∂W_x = [0.1822], ∂L/∂W_h = [0.6610], ∂L/∂b = [1.0501], ∂L/∂h₀ = [0.0911].
// Hint: the gradient reaching hₜ comes from the loss at t AND from step t + 1.

/// The weight gradients summed over the sequence, and ∂L/∂h₀.
public func rnnBackwardThroughTime(
    xs: [[Double]], hs: [[Double]], h0: [Double], outputGradients: [[Double]], inputWeights: [Double], hiddenWeights: [Double]
) throws -> (inputWeights: [Double], hiddenWeights: [Double], bias: [Double], h0: [Double]) {
    throw NotAttempted()
}
