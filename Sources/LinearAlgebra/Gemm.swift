// The entry to the fast matrix-multiply kernels behind `matmul` and `addTransposedProduct`.
//
// The kernels themselves live in Sources/Kernels/Kernels.swift, compiled once per
// instruction level (KernelLevel.swift picks the one this processor runs). They compute
// the same sums as the three loops of `referenceMatmul`, in the same order for every
// element, with the work arranged for the hardware:
//
// - Register blocking. C is produced in tiles whose running sums fill 8 vector registers:
//   4 rows × 2 vectors at the baseline (4 × 4) and with AVX2 (4 × 8), 8 rows × 1 vector
//   with AVX-512 (8 × 8). The sums stay in registers while the loop walks k, so each
//   loaded row of B is used 4 or 8 times and each element of A 4 or 8 times before it
//   leaves the registers. The plain loop instead reads and writes C from memory on every
//   multiply-add.
// - SIMD. A vector of doubles is one `SIMD4` or `SIMD8<Double>`, which the compiler maps
//   to the level's registers (two SSE2 registers, two AVX2 registers, one AVX-512).
// - Cache blocking. k is walked in slices; for products of 8 rows or more each slice of
//   B is copied into panels one tile wide, so the panel a tile reads lies contiguous and
//   stays in the L1 cache. A slice continues the sums the last one stored, so neither the
//   slicing nor the packing changes a bit.
//
// - Strides. A transposed operand is read where it lies: A through its strides in every
//   tile, B packed into its panels from its strides (or, when some tile reads B in place,
//   gathered a slice at a time into row-major order).
//
// The tests compare every level with `referenceMatmul` bit for bit, on every edge shape.

import Validation

/// Where a matrix's elements are: A[i, p] = a[i * rowStride + p * columnStride]. A
/// row-major m×k matrix has strides (k, 1); the transpose of a row-major k×m matrix has
/// (1, m).
struct Strides {
    var row: Int
    var column: Int
}

/// What a product does with the C it is given.
public enum ProductSums: Int, Sendable {
    /// C ← A·B: every element's sum starts from 0, and C's old values are never read.
    case overwriting = 0
    /// Every element's sum starts from C's value instead of 0: C + a₀b₀ + a₁b₁ + …, one
    /// chain of additions. A product split along k into consecutive calls, the first
    /// overwriting and the rest continuing, gives the bits of the whole product.
    case continuing = 1
    /// C ← C + A·B: the product formed from 0 first, then added to C.
    case adding = 2
}

/// c ← a·b, or c ← c + a·b when `accumulating` (the product formed first, then added),
/// row-major: A is m×k, read through `aStrides`; B is k×n, read through `bStrides`; c
/// is m×n. Either defaults to row-major. `level` picks the compiled kernels (the tests run
/// each one).
func gemm(
    m: Int, k: Int, n: Int, a: [Double], aStrides: Strides? = nil, b: [Double], bStrides: Strides? = nil, c: inout [Double],
    accumulating: Bool = false, level: KernelLevel = .selected
) {
    // The kernel reads through raw pointers: the sizes must match exactly.
    require(
        a.count == m * k && b.count == k * n && c.count == m * n,
        "gemm: buffers of \(a.count), \(b.count), \(c.count) values for (\(m)×\(k)) · (\(k)×\(n)) → (\(m)×\(n))")
    guard m > 0 && n > 0 else { return }
    let (aStrides, bStrides) = (aStrides ?? Strides(row: k, column: 1), bStrides ?? Strides(row: n, column: 1))
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                let (a, b, c) = (a.baseAddress ?? UnsafePointer(c.baseAddress!), b.baseAddress ?? UnsafePointer(c.baseAddress!), c.baseAddress!)
                matmul(
                    m: m, k: k, n: n, a: a, aStrides: (aStrides.row, aStrides.column), b: b, bStrides: (bStrides.row, bStrides.column), c: c,
                    sums: accumulating ? .adding : .overwriting, level: level)
            }
        }
    }
}

/// C = A·B (or as `sums` says) on matrices that are blocks of larger buffers, read in
/// place through pointers and strides: A[i, p] = a[i·aStrides.row + p·aStrides.column],
/// B[p, j] likewise, C row-major (m × n). For a layer that multiplies one image's block
/// of a batch at a time (a convolution's backward pass) without copying it out. The
/// same kernels and the same bits as ``matmul(_:_:)``.
///
/// The pointers must reach every element the sizes and strides name; nothing here can
/// check that. Negative sizes are refused.
public func matmul(
    m: Int, k: Int, n: Int, a: UnsafePointer<Double>, aStrides: (row: Int, column: Int), b: UnsafePointer<Double>,
    bStrides: (row: Int, column: Int), c: UnsafeMutablePointer<Double>, sums: ProductSums = .overwriting,
    level: KernelLevel = .selected
) {
    require(m >= 0 && k >= 0 && n >= 0, "matmul: sizes must not be negative, got (\(m)×\(k)) · (\(k)×\(n))")
    guard m > 0 && n > 0 else { return }
    level.multiply(m, k, n, a, aStrides.row, aStrides.column, b, bStrides.row, bStrides.column, c, sums.rawValue, level.sliceDepth)
}
