import Autoencoders
import ExerciseSupport
import Foundation

// Exercise 9.5 — A transposed convolution, forward
//
// One image x (C_in × H × W, row-major), a weight w (C_in × C_out × K × K, PyTorch's
// ConvTranspose2d layout), a bias (C_out), stride s, padding p and output padding op.
// Every input value stamps the filter, scaled by it, into the output, s pixels apart:
//
//     y[o, i·s − p + u, j·s − p + v] += x[c, i, j] · w[c, o, u, v]      (then + bias[o])
//     output size: H_out = (H − 1)·s − 2p + K + op   (and the same for W)
//
// Stamps that fall outside 0..<H_out are dropped (that is what the padding does here: it
// crops). Return y (C_out × H_out × W_out), row-major.
// Example: x = 1×1×1 [2], w = 1×1×2×2 [1, 2, 3, 4], s = 1, p = 0 → y = [2, 4, 6, 8]
// Hint: loop over the input and scatter, rather than over the output and gather.

/// The transposed convolution of one image.
public func transposedConvolution(
    input: [Double], channels: Int, height: Int, width: Int, weight: [Double], bias: [Double],
    kernel: Int, stride: Int, padding: Int, outputPadding: Int
) throws -> [Double] {
    throw NotAttempted()
}
