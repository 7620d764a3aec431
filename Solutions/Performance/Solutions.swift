// Worked answers to the appendix's exercises: flat row-major arrays, every loop written
// out. Each answer stands alone, so that it can be pasted into its exercise file.

/// 12.1
public func matmulIKJ(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) throws -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for p in 0..<k {
            let aip = a[i * k + p]
            for j in 0..<n { c[i * n + j] += aip * b[p * n + j] }
        }
    }
    return c
}

/// 12.2
public func matmulTiled2x2(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) throws -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    func plain(_ i: Int, _ j: Int) {
        var sum = 0.0
        for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
        c[i * n + j] = sum
    }
    var i = 0
    while i + 2 <= m {
        var j = 0
        while j + 2 <= n {
            var (c00, c01, c10, c11) = (0.0, 0.0, 0.0, 0.0)
            for p in 0..<k {
                let (a0, a1) = (a[i * k + p], a[(i + 1) * k + p])
                let (b0, b1) = (b[p * n + j], b[p * n + j + 1])
                c00 += a0 * b0
                c01 += a0 * b1
                c10 += a1 * b0
                c11 += a1 * b1
            }
            (c[i * n + j], c[i * n + j + 1]) = (c00, c01)
            (c[(i + 1) * n + j], c[(i + 1) * n + j + 1]) = (c10, c11)
            j += 2
        }
        if j < n {  // the odd column
            plain(i, j)
            plain(i + 1, j)
        }
        i += 2
    }
    if i < m {  // the odd row
        for j in 0..<n { plain(i, j) }
    }
    return c
}

/// 12.3
public func dotSIMD4(_ x: [Double], _ y: [Double]) throws -> Double {
    var lanes = SIMD4<Double>()
    var i = 0
    while i + 4 <= x.count {
        let xs = SIMD4(x[i], x[i + 1], x[i + 2], x[i + 3])
        let ys = SIMD4(y[i], y[i + 1], y[i + 2], y[i + 3])
        lanes += xs * ys
        i += 4
    }
    var sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
    while i < x.count {
        sum += x[i] * y[i]
        i += 1
    }
    return sum
}

/// 12.4
public func transposeBlocked(_ a: [Double], rows: Int, columns: Int, block: Int) throws -> [Double] {
    var t = [Double](repeating: 0, count: rows * columns)
    for i0 in stride(from: 0, to: rows, by: block) {
        for j0 in stride(from: 0, to: columns, by: block) {
            for i in i0..<min(i0 + block, rows) {
                for j in j0..<min(j0 + block, columns) { t[j * rows + i] = a[i * columns + j] }
            }
        }
    }
    return t
}
