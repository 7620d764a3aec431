import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.6 — One step of a GRU (PyTorch's convention)
//
// One sample. Three gates stacked [r | z | n]: W_x is 3H × F, W_h is 3H × H, and two
// biases of 3H, b_x (PyTorch's bias_ih) and b_h (bias_hh):
//
//     ax = W_x x + b_x          ah = W_h hₜ₋₁ + b_h      (3H each)
//     r  = σ(ax[0..<H] + ah[0..<H])                      the reset gate
//     z  = σ(ax[H..<2H] + ah[H..<2H])                    the update gate
//     n  = tanh(ax[2H..<3H] + r ⊙ ah[2H..<3H])           the reset multiplies the hidden part
//     hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁
//
// Example: F = H = 1, x = [1], W_x = [0, 0, 1], W_h = [0, 0, 1], biases 0, hₜ₋₁ = [1]:
//          r = z = 0.5, n = tanh(1 + 0.5 · 1) = 0.9051, hₜ = 0.5 · 0.9051 + 0.5 = 0.9526.
// Hint: the original paper resets the state before the product, W_hn (r ⊙ hₜ₋₁); PyTorch
// (and this exercise) after it, r ⊙ (W_hn hₜ₋₁ + b_hn).

/// hₜ for one sample.
public func gruStep(
    x: [Double], hPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], inputBias: [Double], hiddenBias: [Double]
) throws -> [Double] {
    throw NotAttempted()
}
