// The appendix's ladder: one matrix product, C = A·B, written seven ways, each a step
// faster than the last and every one producing the same bits.
//
// All take row-major flat arrays: A is m×k, B is k×n, C is m×n, A[i, p] = a[i·k + p].
// Every element of C is formed the same way at every step:
//
//     c = 0;  c += a[i, 0]·b[0, j];  c += a[i, 1]·b[1, j];  …  c += a[i, k−1]·b[k−1, j]
//
// a multiply and an add, p ascending. What changes is which elements are in flight at
// once and where they live (memory, a register, a lane of a vector register). Floating-
// point addition is not associative, so it is this fixed order, not the arithmetic, that
// makes the steps agree bit for bit.

import LinearAlgebra
import Validation

/// One rung of the ladder: its name, what it changes, and the product itself.
public struct MatmulStep: Sendable {
    /// The step's name in the lesson's table ("ijk", "tile 4×4", …).
    public let name: String
    /// What this step changes, for the lesson's table.
    public let change: String
    /// The product A · B of row-major A (m × k) and B (k × n), as this step computes it.
    public let multiply: @Sendable (_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int) -> [Double]
}

/// The steps in teaching order. The last ones run the library's kernels: at the
/// baseline level (SSE2: 128-bit vectors) and at each wider level this processor has.
public func matmulSteps(levels: [KernelLevel] = KernelLevel.supported) -> [MatmulStep] {
    [
        MatmulStep(name: "ijk", change: "the definition: a dot product per element", multiply: ijkMatmul),
        MatmulStep(name: "ikj", change: "loop order: the inner loop walks rows", multiply: ikjMatmul),
        MatmulStep(name: "unsafe", change: "pointers: no bounds checks", multiply: unsafeMatmul),
        MatmulStep(name: "tile 4×4", change: "16 sums held in registers", multiply: registerTileMatmul),
        MatmulStep(name: "SIMD 4×4", change: "4 columns per vector operation", multiply: simdTileMatmul),
    ]
        + levels.map { level in
            MatmulStep(
                name: "kernel \(level.rawValue)",
                change: level == .baseline ? "k-slices, B packed: cache blocking" : "vectors of \(level.lanes) doubles",
                multiply: { a, b, m, k, n in
                    matmul(Matrix(rows: m, columns: k, values: a), Matrix(rows: k, columns: n, values: b), level: level).values
                })
        }
}

private func requireShapes(_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int, _ caller: String) {
    require(
        m >= 0 && k >= 0 && n >= 0 && a.count == m * k && b.count == k * n,
        "\(caller): A holds \(a.count) values and B \(b.count), but (\(m)×\(k)) · (\(k)×\(n)) needs \(m * k) and \(k * n)")
}

/// The definition: C[i, j] is the dot product of row i of A and column j of B. The
/// inner loop reads B down a column, n values apart: a new cache line per step.
public func ijkMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    requireShapes(a, b, m, k, n, "ijkMatmul")
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
            c[i * n + j] = sum
        }
    }
    return c
}

/// The same sums with the loops turned: for each a[i, p], add a[i, p]·(row p of B) to
/// row i of C. The inner loop now walks B and C along rows, neighbour after neighbour,
/// and each C[i, j] still receives its products in the order p = 0, 1, ….
public func ikjMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    requireShapes(a, b, m, k, n, "ikjMatmul")
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for p in 0..<k {
            let aip = a[i * k + p]
            for j in 0..<n { c[i * n + j] += aip * b[p * n + j] }
        }
    }
    return c
}

/// `ikjMatmul` through unsafe buffer pointers: no bounds check on any access, and no
/// copy-on-write check on C. The shapes are checked once, before the loops.
public func unsafeMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    requireShapes(a, b, m, k, n, "unsafeMatmul")
    var c = [Double](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                for i in 0..<m {
                    for p in 0..<k {
                        let aip = a[i * k + p]
                        for j in 0..<n { c[i * n + j] += aip * b[p * n + j] }
                    }
                }
            }
        }
    }
    return c
}

/// C in tiles of 4 rows × 4 columns: the tile's 16 sums are local variables, which the
/// compiler keeps in registers while p walks k, so each a[i, p] loaded is used 4 times
/// and each b[p, j] 4 times, and C is written once per element instead of k times.
/// Rows and columns past the last whole tile take the plain loop.
public func registerTileMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    requireShapes(a, b, m, k, n, "registerTileMatmul")
    var c = [Double](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                var i = 0
                while i + 4 <= m {
                    var j = 0
                    while j + 4 <= n {
                        var (c00, c01, c02, c03) = (0.0, 0.0, 0.0, 0.0)
                        var (c10, c11, c12, c13) = (0.0, 0.0, 0.0, 0.0)
                        var (c20, c21, c22, c23) = (0.0, 0.0, 0.0, 0.0)
                        var (c30, c31, c32, c33) = (0.0, 0.0, 0.0, 0.0)
                        for p in 0..<k {
                            let (b0, b1, b2, b3) = (b[p * n + j], b[p * n + j + 1], b[p * n + j + 2], b[p * n + j + 3])
                            let (a0, a1, a2, a3) = (a[i * k + p], a[(i + 1) * k + p], a[(i + 2) * k + p], a[(i + 3) * k + p])
                            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
                            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
                            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
                            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3
                        }
                        (c[i * n + j], c[i * n + j + 1], c[i * n + j + 2], c[i * n + j + 3]) = (c00, c01, c02, c03)
                        (c[(i + 1) * n + j], c[(i + 1) * n + j + 1], c[(i + 1) * n + j + 2], c[(i + 1) * n + j + 3]) = (c10, c11, c12, c13)
                        (c[(i + 2) * n + j], c[(i + 2) * n + j + 1], c[(i + 2) * n + j + 2], c[(i + 2) * n + j + 3]) = (c20, c21, c22, c23)
                        (c[(i + 3) * n + j], c[(i + 3) * n + j + 1], c[(i + 3) * n + j + 2], c[(i + 3) * n + j + 3]) = (c30, c31, c32, c33)
                        j += 4
                    }
                    plainLoop(rows: i..<(i + 4), columns: j..<n, a, b, c, k: k, n: n)
                    i += 4
                }
                plainLoop(rows: i..<m, columns: 0..<n, a, b, c, k: k, n: n)
            }
        }
    }
    return c
}

/// The 4 × 4 tile with each row of 4 sums as one `SIMD4<Double>`: one vector multiply
/// and one vector add do 4 columns' work. A row of B is loaded as one vector; a[i, p]
/// is broadcast to all 4 lanes. Lanes never mix, so each sum is still its own.
public func simdTileMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    requireShapes(a, b, m, k, n, "simdTileMatmul")
    var c = [Double](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                let (pa, pb, pc) = (a.baseAddress, b.baseAddress, c.baseAddress)
                var i = 0
                while i + 4 <= m, let pa, let pb, let pc {
                    var j = 0
                    while j + 4 <= n {
                        var (c0, c1, c2, c3) = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
                        for p in 0..<k {
                            let row = UnsafeRawPointer(pb + p * n + j).loadUnaligned(as: SIMD4<Double>.self)
                            c0 += SIMD4(repeating: pa[i * k + p]) * row
                            c1 += SIMD4(repeating: pa[(i + 1) * k + p]) * row
                            c2 += SIMD4(repeating: pa[(i + 2) * k + p]) * row
                            c3 += SIMD4(repeating: pa[(i + 3) * k + p]) * row
                        }
                        UnsafeMutableRawPointer(pc + i * n + j).storeBytes(of: c0, as: SIMD4<Double>.self)
                        UnsafeMutableRawPointer(pc + (i + 1) * n + j).storeBytes(of: c1, as: SIMD4<Double>.self)
                        UnsafeMutableRawPointer(pc + (i + 2) * n + j).storeBytes(of: c2, as: SIMD4<Double>.self)
                        UnsafeMutableRawPointer(pc + (i + 3) * n + j).storeBytes(of: c3, as: SIMD4<Double>.self)
                        j += 4
                    }
                    plainLoop(rows: i..<(i + 4), columns: j..<n, a, b, c, k: k, n: n)
                    i += 4
                }
                plainLoop(rows: i..<m, columns: 0..<n, a, b, c, k: k, n: n)
            }
        }
    }
    return c
}

/// The edges: C[rows, columns] by the definition, sums in the same order.
@inline(__always)
private func plainLoop(
    rows: Range<Int>, columns: Range<Int>, _ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
    _ c: UnsafeMutableBufferPointer<Double>, k: Int, n: Int
) {
    for i in rows {
        for j in columns {
            var sum = 0.0
            for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
            c[i * n + j] = sum
        }
    }
}
