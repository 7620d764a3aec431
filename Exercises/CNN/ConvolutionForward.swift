import CNN
import ExerciseSupport
import Foundation

// Exercise 6.2 — Convolution, forward, in plain loops
//
// input:   (batch, channels, height, width), flat, row-major: x[n, c, r, q] is at
//          ((n · channels + c) · height + r) · width + q
// filters: (filters, channels, kernelHeight, kernelWidth), flat the same way
// bias:    one per filter
// output:  (batch, filters, outputHeight, outputWidth) — `shape.outputHeight` and
//          `shape.outputWidth` give the sizes (exercise 6.1)
//
//     y[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v  w[f, c, u, v] · x[n, c, i·s + u − p, j·s + v − p]
//
// where x is 0 outside the image (zero padding). This is cross-correlation, as in every
// deep-learning library: do not flip the filter.
// Example: one 3×3 image [1…9], one filter [[1, 0], [0, −1]], stride 1, no padding
//          → [1−5, 2−6, 4−8, 5−9] = [−4, −4, −4, −4].
// Hint: the stride moves the window (i·s), not the steps inside it (u, v).

/// y for a batch: (batch, filters, outputHeight, outputWidth), flat.
public func convolutionForward(input: [Double], filters: [Double], bias: [Double], shape: ConvolutionShape) throws -> [Double] {
    throw NotAttempted()
}
