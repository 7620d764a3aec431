import Autoencoders
import ExerciseSupport
import Foundation

// Exercise 9.6 — A transposed convolution, backward
//
// Given ∂L/∂y for the transposed convolution of exercise 9.5 (same arguments), return
// ∂L/∂x, ∂L/∂w and ∂L/∂bias. Every stamp y[o, i·s − p + u, j·s − p + v] += x[c,i,j]·w[c,o,u,v]
// that landed inside the output sends back
//
//     ∂L/∂x[c, i, j]    += g[o, i·s − p + u, j·s − p + v] · w[c, o, u, v]
//     ∂L/∂w[c, o, u, v] += g[o, i·s − p + u, j·s − p + v] · x[c, i, j]
//     ∂L/∂bias[o]        = Σ over o's output positions of g
//
// (∂L/∂x is an ordinary convolution of g with the same weights: the two layers are each
// other's backward pass.)
// Example: x = 1×1×1 [2], w = 1×1×2×2 [1, 2, 3, 4], s = 1, p = 0, g = [1, 0, 0, 1]
//          → ∂L/∂x = [5], ∂L/∂w = [2, 0, 0, 2], ∂L/∂bias = [2]
// Hint: walk the same loops as the forward pass and send each product back.

/// (∂L/∂x, ∂L/∂w, ∂L/∂bias) of the transposed convolution of one image.
public func transposedConvolutionBackward(
    outputGradient: [Double], input: [Double], channels: Int, height: Int, width: Int, weight: [Double],
    kernel: Int, stride: Int, padding: Int, outputPadding: Int
) throws -> (input: [Double], weight: [Double], bias: [Double]) {
    throw NotAttempted()
}
