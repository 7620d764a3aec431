import CNN
import ExerciseSupport
import Foundation

// Exercise 6.3 — Convolution, backward: the gradient with respect to the input
//
// Given upstream = ∂L/∂y, shape (batch, filters, outputHeight, outputWidth): each output
// y[n, f, i, j] used x[n, c, i·s + u − p, j·s + v − p] with weight w[f, c, u, v], so it
// sends upstream[n, f, i, j] · w[f, c, u, v] back to that pixel. A pixel under several
// windows collects from each; padding positions are not pixels and collect nothing.
//
//     ∂L/∂x[n, c, r, q] = Σ over (f, i, j, u, v) with i·s + u − p = r and j·s + v − p = q:
//                         upstream[n, f, i, j] · w[f, c, u, v]
//
// Example: the 3×3 image and 2×2 filter [[1, 0], [0, −1]] of 6.2, upstream all ones
//          → [1, 1, 0, 1, 0, −1, 0, −1, −1].
// Hint: loop over the outputs as in the forward pass and add into ∂L/∂x (+=).

/// ∂L/∂x, shape (batch, channels, height, width), flat.
public func convolutionBackwardInput(upstream: [Double], filters: [Double], shape: ConvolutionShape) throws -> [Double] {
    throw NotAttempted()
}
