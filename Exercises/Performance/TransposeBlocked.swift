import ExerciseSupport

// Exercise 12.4 — Transposing in blocks
//
// The transpose of a row-major matrix A (rows × columns) is Aᵀ (columns × rows) with
// Aᵀ[j, i] = A[i, j], that is t[j·rows + i] = a[i·columns + j].
//
// Walk A in square blocks of block × block: for each block's top-left corner
// (i0, j0), with i0 = 0, block, 2·block, … and j0 likewise, copy every element of the
// block, rows i0 ..< min(i0 + block, rows) and columns j0 ..< min(j0 + block, columns).
// The blocks at the right and bottom edges are cut to fit, so the block size need not
// divide the matrix. (A block's rows and columns stay in the cache together: on large
// matrices this is faster; the check looks only at the result.)
//
// Example: a = [1, 2, 3, 4, 5, 6] (2×3), block 2 → [1, 4, 2, 5, 3, 6] (3×2)
// Hint: every element of A lands somewhere in Aᵀ, whatever the block size.

/// Aᵀ, copied block × block squares at a time.
public func transposeBlocked(_ a: [Double], rows: Int, columns: Int, block: Int) throws -> [Double] {
    throw NotAttempted()
}
