import ExerciseSupport

// Exercise 12.2 — A 2×2 register tile
//
// C = A·B as in 12.1 (row-major, A m×k, B k×n), computed two rows and two columns of
// C at a time: for the tile at rows i, i + 1 and columns j, j + 1, keep its four sums in
// four local variables (c00, c01, c10, c11), walk p = 0, 1, …, k − 1 adding
// A[i, p]·B[p, j] into c00, A[i, p]·B[p, j + 1] into c01, and so on, and store the four
// sums when p is done. Each A[i, p] loaded is used twice, each B[p, j] twice.
//
// When m or n is odd, the last row or column has no partner: compute those elements
// with the plain loop.
//
// The check is bit for bit against the plain loop: every sum starts at 0 and adds its
// products with p ascending, a multiply and an add each.
//
// Example: a = [1, 2, 3, 4, 5, 6] (3×2), b = [1, 0, 2, 0, 1, 3] (2×3)
//          → [1, 2, 8, 3, 4, 18, 5, 6, 28]
// Hint: a tile's sums start from 0 for every tile, not just the first.

/// C = A·B, row-major, in 2×2 tiles of sums with the odd row and column by the plain loop.
public func matmulTiled2x2(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) throws -> [Double] {
    throw NotAttempted()
}
