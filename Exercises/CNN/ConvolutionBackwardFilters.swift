import CNN
import ExerciseSupport
import Foundation

// Exercise 6.4 — Convolution, backward: the gradients of the filters and the bias
//
// One filter is used at every position of every image, so its gradient sums over all of
// them (parameter sharing):
//
//     ∂L/∂w[f, c, u, v] = Σ_n Σ_i Σ_j  upstream[n, f, i, j] · x[n, c, i·s + u − p, j·s + v − p]
//     ∂L/∂b[f]          = Σ_n Σ_i Σ_j  upstream[n, f, i, j]
//
// (x is 0 in the padding.) Example: the 3×3 image [1…9] of 6.2 with a 2×2 filter,
// upstream all ones → ∂L/∂w = [1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9] = [12, 16, 24, 28],
// ∂L/∂b = [4].
// Hint: the bias is added at every output position, so its gradient sums over all of them.

/// ∂L/∂w, shape (filters, channels, kernelHeight, kernelWidth), and ∂L/∂b, one per filter.
public func convolutionBackwardFilters(upstream: [Double], input: [Double], shape: ConvolutionShape) throws -> (filters: [Double], bias: [Double]) {
    throw NotAttempted()
}
