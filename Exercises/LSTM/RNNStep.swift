import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.1 — One step of a vanilla RNN
//
// One sample, no batch: x has F numbers, the state H. The weights are flat and
// row-major, in PyTorch's layout: W_x is H × F (row i, column j at i·F + j), W_h is H × H.
//
//     hₜ[i] = tanh( Σ_j W_x[i, j] · x[j]  +  Σ_k W_h[i, k] · hₜ₋₁[k]  +  b[i] )
//
// Example: F = 1, H = 2, x = [1], hₜ₋₁ = [0, 0], W_x = [1, 0.5], W_h = anything, b = [0, 0]
//          → [tanh 1, tanh 0.5] = [0.7616, 0.4621].
// Hint: H is bias.count and F is x.count; row i of W_x starts at i·F.

/// hₜ for one sample.
public func rnnStep(x: [Double], hPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]) throws -> [Double] {
    throw NotAttempted()
}
