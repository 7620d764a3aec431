import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.5 — One step of an LSTM, backward
//
// Recompute the step of 7.4 (a, i, f, g, o, cₜ, hₜ), then, given δh = ∂L/∂hₜ and
// δc_next = ∂L/∂cₜ as carried back from the next step (it reaches cₜ through
// cₜ₊₁ = fₜ₊₁ ⊙ cₜ + …, so it is already multiplied by fₜ₊₁):
//
//     δc    = δh ⊙ o ⊙ (1 − tanh²cₜ) + δc_next          both paths into cₜ
//     da_i  = δc ⊙ g ⊙ i(1 − i)        da_f = δc ⊙ cₜ₋₁ ⊙ f(1 − f)
//     da_g  = δc ⊙ i ⊙ (1 − g²)        da_o = δh ⊙ tanh(cₜ) ⊙ o(1 − o)
//     da    = [da_i | da_f | da_g | da_o]                 (4H, PyTorch's order)
//     ∂L/∂W_x = da xᵀ   ∂L/∂W_h = da hₜ₋₁ᵀ   ∂L/∂b = da   ∂L/∂x = W_xᵀ da
//     ∂L/∂hₜ₋₁ = W_hᵀ da          ∂L/∂cₜ₋₁ = δc ⊙ f      (carried to the step before)
//
// Example: F = H = 1, x = [1], weights 0, b = [0, 0, 1, 0], hₜ₋₁ = [0], cₜ₋₁ = [1]
//          (7.4's example), δh = [1], δc_next = [0]: δc = 0.5 · (1 − tanh²0.8808)
//          = 0.2502, ∂L/∂cₜ₋₁ = [0.1251], ∂L/∂b = [0.0476, 0.0626, 0.0525, 0.1767].
// Hint: δc has two parts; dropping δc_next cuts the cell's long memory.

/// Every gradient of one LSTM step.
public func lstmStepBackward(
    x: [Double], hPrevious: [Double], cPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double],
    hGradient: [Double], cGradient: [Double]
) throws -> (input: [Double], hPrevious: [Double], cPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]) {
    throw NotAttempted()
}
