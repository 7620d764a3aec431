// The fast matrix-multiply kernel behind `matmul` and `addTransposedProduct`.
//
// It computes the same sums as the three loops of `referenceMatmul`, in a different
// order chosen for the hardware:
//
// - Register blocking. C is produced in tiles of 4 rows × 4 columns. The 16 running sums
//   of a tile stay in registers while the loop walks k, so each loaded element of B is
//   used 4 times and each element of A 4 times before it leaves the registers. The plain
//   loop instead reads and writes C from memory on every multiply-add. (A tile of 4 × 8
//   keeps 32 sums: more than the 16 vector registers of baseline x86-64 hold, so half of
//   them would go to memory and back on every step; measured slower.)
// - SIMD. Four columns are one `SIMD4<Double>`; the compiler maps it to whatever vector
//   instructions the target has (two SSE2 registers on baseline x86-64, NEON on arm64,
//   one AVX register with -march=native).
// - Cache blocking. k is walked in slices of `depth` so that the rows of B one tile needs
//   stay in the L1/L2 cache while every row-block of A passes over them.
//
// Every element of C gets, per k-slice, a sum formed from 0 in the order p = k0, k0+1, …
// and then added to C. Rows left over at the bottom (fewer than 4) go one row at a time,
// 16 columns per step; columns left over at the edges take a scalar loop with the same order, so within one slice every element is exactly the
// triple loop's sum. The tests compare the kernel with `referenceMatmul` on every edge
// case shape.

import Validation

private typealias Lanes = SIMD4<Double>

private let depth = 256
private let tile = 4

/// Where A's elements are: A[i, p] = a[i * rowStride + p * columnStride]. A row-major
/// m×k matrix has strides (k, 1); the transpose of a row-major k×m matrix has (1, m).
struct Strides {
    var row: Int
    var column: Int
}

/// c ← a·b (or c ← c + a·b when `accumulating`), row-major: A is m×k, read through
/// `aStrides`; b is k×n; c is m×n.
func gemm(
    m: Int, k: Int, n: Int, a: [Double], aStrides: Strides? = nil, b: [Double], c: inout [Double], accumulating: Bool = false
) {
    // The kernel reads through raw pointers: the sizes must match exactly.
    require(
        a.count == m * k && b.count == k * n && c.count == m * n,
        "gemm: buffers of \(a.count), \(b.count), \(c.count) values for (\(m)×\(k)) · (\(k)×\(n)) → (\(m)×\(n))")
    let strides = aStrides ?? Strides(row: k, column: 1)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
                if !accumulating { c.update(repeating: 0, count: m * n) }
                tiledKernel(m: m, k: k, n: n, a: a, aStrides: strides, b: b, c: c)
            }
        }
    }
}

/// C += A·B in 4×4 tiles, one k-slice at a time.
func tiledKernel(
    m: Int, k: Int, n: Int, a: UnsafePointer<Double>, aStrides: Strides, b: UnsafePointer<Double>,
    c: UnsafeMutablePointer<Double>
) {
    var k0 = 0
    while k0 < k {
        let k1 = min(k0 + depth, k)
        var i = 0
        while i + tile <= m {
            var j = 0
            while j + tile <= n {
                tile4x4(i: i, j: j, k0: k0, k1: k1, n: n, a: a, aStrides: aStrides, b: b, c: c)
                j += tile
            }
            if j < n { scalar(rows: i..<(i + tile), columns: j..<n, k0: k0, k1: k1, n: n, a: a, aStrides: aStrides, b: b, c: c) }
            i += tile
        }
        while i < m {  // the last rows (all of them when m < 4, a batch of one): one row at a time
            var j = 0
            while j + 4 * tile <= n {
                row1x16(i: i, j: j, k0: k0, k1: k1, n: n, a: a, aStrides: aStrides, b: b, c: c)
                j += 4 * tile
            }
            if j < n { scalar(rows: i..<(i + 1), columns: j..<n, k0: k0, k1: k1, n: n, a: a, aStrides: aStrides, b: b, c: c) }
            i += 1
        }
        k0 = k1
    }
}

/// C[i..<i+4, j..<j+4] += A[i..<i+4, k0..<k1] · B[k0..<k1, j..<j+4], with the 16 sums in registers.
@inline(__always)
private func tile4x4(
    i: Int, j: Int, k0: Int, k1: Int, n: Int,
    a: UnsafePointer<Double>, aStrides: Strides, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes()
    let step = aStrides.column
    var a0 = a + i * aStrides.row + k0 * step
    let (r1, r2, r3) = (aStrides.row, 2 * aStrides.row, 3 * aStrides.row)
    var row = b + k0 * n + j
    for _ in k0..<k1 {
        let bRow = UnsafeRawPointer(row).loadUnaligned(as: Lanes.self)
        c0 += Lanes(repeating: a0[0]) * bRow
        c1 += Lanes(repeating: a0[r1]) * bRow
        c2 += Lanes(repeating: a0[r2]) * bRow
        c3 += Lanes(repeating: a0[r3]) * bRow
        a0 += step
        row += n
    }
    add(c0, into: c + i * n + j)
    add(c1, into: c + (i + 1) * n + j)
    add(c2, into: c + (i + 2) * n + j)
    add(c3, into: c + (i + 3) * n + j)
}

/// C[i, j..<j+16] += A[i, k0..<k1] · B[k0..<k1, j..<j+16]: one row of A times 16 columns
/// of B, the 16 sums in registers (a row vector times a matrix, as in a recurrent layer's
/// step with a batch of one).
@inline(__always)
private func row1x16(
    i: Int, j: Int, k0: Int, k1: Int, n: Int,
    a: UnsafePointer<Double>, aStrides: Strides, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    var c0 = Lanes(), c1 = Lanes(), c2 = Lanes(), c3 = Lanes()
    var a0 = a + i * aStrides.row + k0 * aStrides.column
    var row = b + k0 * n + j
    for _ in k0..<k1 {
        let value = Lanes(repeating: a0[0])
        let raw = UnsafeRawPointer(row)
        c0 += value * raw.loadUnaligned(as: Lanes.self)
        c1 += value * raw.loadUnaligned(fromByteOffset: 32, as: Lanes.self)
        c2 += value * raw.loadUnaligned(fromByteOffset: 64, as: Lanes.self)
        c3 += value * raw.loadUnaligned(fromByteOffset: 96, as: Lanes.self)
        a0 += aStrides.column
        row += n
    }
    add(c0, into: c + i * n + j)
    add(c1, into: c + i * n + j + 4)
    add(c2, into: c + i * n + j + 8)
    add(c3, into: c + i * n + j + 12)
}

@inline(__always)
private func add(_ sums: Lanes, into destination: UnsafeMutablePointer<Double>) {
    let raw = UnsafeMutableRawPointer(destination)
    raw.storeBytes(of: raw.loadUnaligned(as: Lanes.self) + sums, as: Lanes.self)
}

/// The plain loop for the edges: C[rows, columns] += A[rows, k0..<k1] · B[k0..<k1, columns],
/// each element's slice summed from 0 first, as in the tiles.
private func scalar(
    rows: Range<Int>, columns: Range<Int>, k0: Int, k1: Int, n: Int,
    a: UnsafePointer<Double>, aStrides: Strides, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>
) {
    for i in rows {
        for j in columns {
            var sum = 0.0
            for p in k0..<k1 { sum += a[i * aStrides.row + p * aStrides.column] * b[p * n + j] }
            c[i * n + j] += sum
        }
    }
}
