import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.2 — One step of a vanilla RNN, backward
//
// The step of 7.1 produced h = tanh(a), a = W_x x + W_h hₜ₋₁ + b. Given δ = ∂L/∂hₜ (all of
// it: the loss's own gradient at this step plus what later steps sent back):
//
//     da[i]          = δ[i] · (1 − h[i]²)                 tanh′(a) = 1 − tanh(a)² = 1 − h²
//     ∂L/∂W_x[i, j]  = da[i] · x[j]                       (H × F, row-major)
//     ∂L/∂W_h[i, k]  = da[i] · hₜ₋₁[k]                    (H × H)
//     ∂L/∂b[i]       = da[i]
//     ∂L/∂x[j]       = Σ_i W_x[i, j] · da[i]              W_xᵀ da
//     ∂L/∂hₜ₋₁[k]    = Σ_i W_h[i, k] · da[i]              W_hᵀ da: what goes to the step before
//
// Example: F = H = 1, x = [1], hₜ₋₁ = [0], W_x = [1], W_h = [2], h = [tanh 1] = [0.7616],
//          δ = [1] → da = 1 − 0.5800 = 0.4200; ∂L/∂W_x = [0.42], ∂L/∂W_h = [0],
//          ∂L/∂b = [0.42], ∂L/∂x = [0.42], ∂L/∂hₜ₋₁ = [0.84].
// Hint: h is already tanh(a): its derivative is 1 − h², not 1 − tanh(h)².

/// The gradients of one step, given its input, previous state, output h and ∂L/∂h.
public func rnnStepBackward(
    x: [Double], hPrevious: [Double], h: [Double], hGradient: [Double], inputWeights: [Double], hiddenWeights: [Double]
) throws -> (input: [Double], hPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]) {
    throw NotAttempted()
}
