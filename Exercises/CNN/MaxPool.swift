import CNN
import ExerciseSupport
import Foundation

// Exercise 6.5 — Max pooling, forward and backward
//
// input: (batch, channels, height, width), flat. Windows of size × size, moved `size` at
// a time (they do not overlap), over each channel of each image:
//
//     y[n, c, i, j] = max over u, v < size of x[n, c, i·size + u, j·size + v]
//     output: (batch, channels, height / size, width / size), rounded down
//
// `argmax` gives, for each output, the index in the flat input of the value it took. On a
// tie, take the first in reading order (row by row, left to right). Backward: the whole
// upstream gradient of an output goes to that one input; every other input gets 0.
// Example: one 2×4 image [1, 5, 7, 7, 5, 2, 7, 3], size 2 → output [5, 7], argmax [1, 2];
//          upstream [10, 20] → [0, 10, 20, 0, 0, 0, 0, 0].
// Hint: keep the first maximum: replace it only by a strictly larger value.

/// y and, for each output, the flat input index of its maximum.
public func maxPoolForward(input: [Double], batch: Int, channels: Int, height: Int, width: Int, size: Int) throws -> (output: [Double], argmax: [Int]) {
    throw NotAttempted()
}

/// ∂L/∂x (inputCount values) from ∂L/∂y and the forward pass's argmax.
public func maxPoolBackward(upstream: [Double], argmax: [Int], inputCount: Int) throws -> [Double] {
    throw NotAttempted()
}
