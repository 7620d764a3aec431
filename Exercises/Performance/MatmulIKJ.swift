import ExerciseSupport

// Exercise 12.1 — The loops turned: i, k, j
//
// C = A·B for row-major A (m×k) and B (k×n): C[i, j] = Σₚ A[i, p]·B[p, j], with
// A[i, p] = a[i·k + p], B[p, j] = b[p·n + j], C[i, j] = c[i·n + j].
//
// Write it with the loops in the order i, p, j: for each A[i, p], add A[i, p]·(row p
// of B) into row i of C. The inner loop then walks B and C along rows, neighbour after
// neighbour, instead of down a column of B.
//
// The check is bit for bit against the plain loop (c = 0; c += a·b for p = 0, 1, …):
// each C[i, j] must receive its products in the order p = 0, 1, …, k − 1, a multiply and
// an add each (not a fused multiply-add).
//
// Example: a = [1, 2, 3, 4] (2×2), b = [5, 6, 7, 8] (2×2) → [19, 22, 43, 50]
// Hint: C starts at 0; with k = 0 every element stays 0.

/// C = A·B, row-major, the loops in i, k, j order.
public func matmulIKJ(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) throws -> [Double] {
    throw NotAttempted()
}
