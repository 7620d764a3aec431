import ExerciseSupport
import Foundation
import Practice

// Exercise 11.5 — Shifting an image for augmentation
//
// An image is side × side pixels, row-major (row 0 at the top). Move it dx pixels to
// the right and dy pixels down (negative: left, up). Pixels that move out of the image
// are dropped, and the pixels uncovered are 0 (background):
//
//     output[r][c] = input[r − dy][c − dx] if that pixel is inside the image, else 0
//
// Example: side 3, [1, 2, 3,
//                   4, 5, 6,
//                   7, 8, 9], dx 1, dy 0 → [0, 1, 2,
//                                          0, 4, 5,
//                                          0, 7, 8]
// Hint: a shift does not wrap around: what leaves on the right does not come back on the left.

/// The image moved dx pixels right and dy pixels down.
public func shifted(_ image: [Double], side: Int, dx: Int, dy: Int) throws -> [Double] {
    throw NotAttempted()
}
