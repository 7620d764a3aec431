import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.4 — One step of an LSTM
//
// One sample: x has F numbers, the states h and c have H. The weights stack four gates
// in PyTorch's order [i | f | g | o]: W_x is 4H × F, W_h is 4H × H, b has 4H; rows
// 0..<H belong to i, H..<2H to f, 2H..<3H to g, 3H..<4H to o.
//
//     a = W_x x + W_h hₜ₋₁ + b                      (4H numbers)
//     i = σ(a[0..<H])   f = σ(a[H..<2H])   g = tanh(a[2H..<3H])   o = σ(a[3H..<4H])
//     cₜ = f ⊙ cₜ₋₁ + i ⊙ g
//     hₜ = o ⊙ tanh(cₜ)
//
// with σ(z) = 1 / (1 + e^(−z)).
// Example: F = H = 1, x = [1], all weights 0 except b = [0, 0, 1, 0] (so g = tanh 1),
//          cₜ₋₁ = [1]: i = f = o = 0.5, cₜ = 0.5 + 0.5 · 0.7616 = 0.8808,
//          hₜ = 0.5 · tanh(0.8808) = 0.3534.
// Hint: the candidate g uses tanh, the three gates σ; hₜ uses tanh(cₜ), not cₜ.

/// hₜ and cₜ for one sample.
public func lstmStep(
    x: [Double], hPrevious: [Double], cPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]
) throws -> (h: [Double], c: [Double]) {
    throw NotAttempted()
}
