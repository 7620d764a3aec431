// The fast matrix-multiply kernel behind `matmul`.
//
// It computes the same sums as the three loops of `referenceMatmul`, in a different
// order chosen for the hardware:
//
// - Register blocking. C is produced in tiles of 4 rows × 8 columns. The 32 running sums
//   of a tile stay in vector registers while the loop walks k, so each loaded element of
//   B is used 4 times and each element of A 8 times before it leaves the registers. The
//   plain loop instead reads and writes C from memory on every multiply-add.
// - SIMD. Eight columns are two `SIMD4<Double>` values; the compiler maps them to
//   whatever vector instructions the target has (SSE2 on baseline x86-64, NEON on arm64).
// - Cache blocking. k is walked in slices of `depth` so that the rows of B one tile needs
//   stay in the L1/L2 cache while every row-block of A passes over them.
//
// Rows and columns left over at the edges (fewer than 4 rows or 8 columns) take the
// plain scalar loop. The tests compare the kernel with `referenceMatmul` on every edge
// case shape.

import Validation

private typealias Lanes = SIMD4<Double>

/// c ← a·b for row-major buffers: a is m×k, b is k×n, c is m×n (overwritten).
func gemm(m: Int, k: Int, n: Int, a: [Double], b: [Double], c: inout [Double]) {
    // The kernel reads through raw pointers: the sizes must match exactly.
    require(
        a.count == m * k && b.count == k * n && c.count == m * n,
        "gemm: buffers of \(a.count), \(b.count), \(c.count) values for (\(m)×\(k)) · (\(k)×\(n)) → (\(m)×\(n))")
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
                gemmKernel(m: m, k: k, n: n, a: a, b: b, c: c)
            }
        }
    }
}

private let depth = 256

private func gemmKernel(
    m: Int, k: Int, n: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    #if DEBUG
        // An unoptimized build turns every SIMD operation into a function call, which makes
        // the tiles slower than plain loops. This loop does the same arithmetic in the same
        // order (see `debugKernel`), so a debug build prints exactly what a release build does.
        debugKernel(m: m, k: k, n: n, a: a, b: b, c: c)
    #else
        tiledKernel(m: m, k: k, n: n, a: a, b: b, c: c)
    #endif
}

func tiledKernel(
    m: Int, k: Int, n: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    c.update(repeating: 0, count: m * n)
    var k0 = 0
    while k0 < k {
        let k1 = min(k0 + depth, k)
        var i = 0
        while i + 4 <= m {
            var j = 0
            while j + 8 <= n {
                tile4x8(i: i, j: j, k0: k0, k1: k1, k: k, n: n, a: a, b: b, c: c)
                j += 8
            }
            if j < n { scalar(rows: i..<(i + 4), columns: j..<n, k0: k0, k1: k1, k: k, n: n, a: a, b: b, c: c) }
            i += 4
        }
        if i < m { scalar(rows: i..<m, columns: 0..<n, k0: k0, k1: k1, k: k, n: n, a: a, b: b, c: c) }
        k0 = k1
    }
}

/// C[i..<i+4, j..<j+8] += A[i..<i+4, k0..<k1] · B[k0..<k1, j..<j+8], with the 32 sums in registers.
@inline(__always)
private func tile4x8(
    i: Int, j: Int, k0: Int, k1: Int, k: Int, n: Int,
    a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    var c00 = Lanes(), c01 = Lanes(), c10 = Lanes(), c11 = Lanes()
    var c20 = Lanes(), c21 = Lanes(), c30 = Lanes(), c31 = Lanes()
    let a0 = a + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k
    for p in k0..<k1 {
        let row = UnsafeRawPointer(b + p * n + j)
        let b0 = row.loadUnaligned(as: Lanes.self)
        let b1 = row.loadUnaligned(fromByteOffset: 32, as: Lanes.self)
        let x0 = Lanes(repeating: a0[p]), x1 = Lanes(repeating: a1[p])
        let x2 = Lanes(repeating: a2[p]), x3 = Lanes(repeating: a3[p])
        c00 += x0 * b0; c01 += x0 * b1
        c10 += x1 * b0; c11 += x1 * b1
        c20 += x2 * b0; c21 += x2 * b1
        c30 += x3 * b0; c31 += x3 * b1
    }
    accumulate(c00, c01, into: c + i * n + j)
    accumulate(c10, c11, into: c + (i + 1) * n + j)
    accumulate(c20, c21, into: c + (i + 2) * n + j)
    accumulate(c30, c31, into: c + (i + 3) * n + j)
}

@inline(__always)
private func accumulate(_ low: Lanes, _ high: Lanes, into destination: UnsafeMutablePointer<Double>) {
    let raw = UnsafeMutableRawPointer(destination)
    raw.storeBytes(of: raw.loadUnaligned(as: Lanes.self) + low, as: Lanes.self)
    raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 32, as: Lanes.self) + high, toByteOffset: 32, as: Lanes.self)
}

/// The plain loop for the edges: C[rows, columns] += A[rows, k0..<k1] · B[k0..<k1, columns].
private func scalar(
    rows: Range<Int>, columns: Range<Int>, k0: Int, k1: Int, k: Int, n: Int,
    a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    for i in rows {
        for p in k0..<k1 {
            let aip = a[i * k + p]
            for j in columns { c[i * n + j] += aip * b[p * n + j] }
        }
    }
}

/// What `gemmKernel` computes, element by element, without SIMD: for unoptimized builds.
///
/// Inside the 4×8 tiles a sum over one k-slice is formed from 0 and then added to C; at
/// the edges each product is added to C directly. Doing exactly that here keeps every
/// rounding step the same as in the tiled kernel.
func debugKernel(
    m: Int, k: Int, n: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    c.update(repeating: 0, count: m * n)
    let tiledRows = m - m % 4, tiledColumns = n - n % 8
    var k0 = 0
    while k0 < k {
        let k1 = min(k0 + depth, k)
        for i in 0..<m {
            for j in 0..<n {
                if i < tiledRows && j < tiledColumns {
                    var sum = 0.0
                    for p in k0..<k1 { sum += a[i * k + p] * b[p * n + j] }
                    c[i * n + j] += sum
                } else {
                    for p in k0..<k1 { c[i * n + j] += a[i * k + p] * b[p * n + j] }
                }
            }
        }
        k0 = k1
    }
}
