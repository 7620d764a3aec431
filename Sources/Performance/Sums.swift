// Sums whose order is part of the answer: a dot product in one running sum, in four
// vector lanes, and with fused multiply-adds; and a transpose, walked in blocks.

import Validation

/// x · y as the definition: one running sum, i ascending.
public func plainDot(_ x: [Double], _ y: [Double]) -> Double {
    require(x.count == y.count, "plainDot: vectors of \(x.count) and \(y.count) values")
    var sum = 0.0
    for i in 0..<x.count { sum += x[i] * y[i] }
    return sum
}

/// x · y with 4 running sums, one per lane of a `SIMD4<Double>`: lane l adds the
/// products of i = l, l + 4, l + 8, … of the whole vectors (i < 4·⌊n/4⌋), in order; then
/// the lanes are combined as (l₀ + l₁) + (l₂ + l₃); then the last n mod 4 products are
/// added one by one, i ascending. A different order from ``plainDot(_:_:)``, so in
/// general different bits; this order is the one the appendix's exercise asks for.
public func laneDot(_ x: [Double], _ y: [Double]) -> Double {
    require(x.count == y.count, "laneDot: vectors of \(x.count) and \(y.count) values")
    let whole = x.count / 4 * 4
    var lanes = SIMD4<Double>()
    x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in
            var i = 0
            while i < whole, let px = x.baseAddress, let py = y.baseAddress {
                lanes +=
                    UnsafeRawPointer(px + i).loadUnaligned(as: SIMD4<Double>.self)
                    * UnsafeRawPointer(py + i).loadUnaligned(as: SIMD4<Double>.self)
                i += 4
            }
        }
    }
    var sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
    for i in whole..<x.count { sum += x[i] * y[i] }
    return sum
}

/// x · y in one running sum with a fused multiply-add per step: sum ← sum + x[i]·y[i]
/// rounded once instead of twice. Usually closer to the exact value, but other bits
/// than ``plainDot(_:_:)``: why the kernels never fuse unless asked.
public func fusedDot(_ x: [Double], _ y: [Double]) -> Double {
    require(x.count == y.count, "fusedDot: vectors of \(x.count) and \(y.count) values")
    var sum = 0.0
    for i in 0..<x.count { sum = sum.addingProduct(x[i], y[i]) }
    return sum
}

/// The transpose of a row-major rows×columns matrix, element by element: reads walk a
/// row, writes walk a column (`rows` values apart: a new cache line per write).
public func plainTranspose(_ a: [Double], rows: Int, columns: Int) -> [Double] {
    require(
        rows >= 0 && columns >= 0 && a.count == rows * columns,
        "plainTranspose: \(a.count) values for a \(rows)×\(columns) matrix")
    var t = [Double](repeating: 0, count: a.count)
    for i in 0..<rows {
        for j in 0..<columns { t[j * rows + i] = a[i * columns + j] }
    }
    return t
}

/// The same transpose, block × block squares at a time: the block's rows read and its
/// columns written stay in the cache until the block is done. Blocks at the right and
/// bottom edges are cut to fit.
public func blockedTranspose(_ a: [Double], rows: Int, columns: Int, block: Int) -> [Double] {
    require(
        rows >= 0 && columns >= 0 && a.count == rows * columns,
        "blockedTranspose: \(a.count) values for a \(rows)×\(columns) matrix")
    require(block > 0, "blockedTranspose: the block size must be positive, got \(block)")
    var t = [Double](repeating: 0, count: a.count)
    a.withUnsafeBufferPointer { a in
        t.withUnsafeMutableBufferPointer { t in
            for i0 in stride(from: 0, to: rows, by: block) {
                for j0 in stride(from: 0, to: columns, by: block) {
                    for i in i0..<min(i0 + block, rows) {
                        for j in j0..<min(j0 + block, columns) { t[j * rows + i] = a[i * columns + j] }
                    }
                }
            }
        }
    }
    return t
}
