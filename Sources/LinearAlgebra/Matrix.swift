import Validation

/// A dense matrix of `Double`s stored row-major in one flat array.
///
/// This is a thin shape helper, not a tensor library: it keeps `rows`, `columns` and the
/// values together so that shapes can be checked and named in error messages. The
/// chapters still write their own math as loops over `values`.
///
/// Element (r, c) lives at `values[r * columns + c]`: a row is a contiguous run of
/// `columns` numbers, and the next row starts right after it.

public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    /// The number of rows.
    public let rows: Int
    /// The number of columns: the length of each row in `values`.
    public let columns: Int
    /// The elements, row after row: `values[r * columns + c]` is element (r, c).
    ///
    /// Read-only outside this module, so the count always matches the shape: change an
    /// element with the subscript `m[r, c] = x`, or build a new matrix from new values.
    public internal(set) var values: [Double]

    /// A matrix with the given shape and row-major values.
    public init(rows: Int, columns: Int, values: [Double]) {
        require(rows >= 0 && columns >= 0, "Matrix: negative shape (\(rows)×\(columns))")
        require(
            values.count == rows * columns,
            "Matrix: shape (\(rows)×\(columns)) needs \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix of the given shape filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: Array(repeating: value, count: rows * columns))
    }

    /// A matrix from nested rows, e.g. `Matrix([[1, 2], [3, 4]])`.
    public init(_ nestedRows: [[Double]]) {
        let columns = nestedRows.first?.count ?? 0
        for (r, row) in nestedRows.enumerated() {
            require(
                row.count == columns,
                "Matrix: row 0 has \(columns) values but row \(r) has \(row.count)")
        }
        self.init(rows: nestedRows.count, columns: columns, values: nestedRows.flatMap { $0 })
    }

    /// The shape written the way the error messages write it: "(rows×columns)".
    public var shapeDescription: String { "(\(rows)×\(columns))" }

    /// Element (row, column), `values[row * columns + column]`; an index outside the matrix
    /// stops with both the index and the shape named.
    public subscript(row: Int, column: Int) -> Double {
        get {
            checkIndex(row, column)
            return values[row * columns + column]
        }
        set {
            checkIndex(row, column)
            values[row * columns + column] = newValue
        }
    }

    private func checkIndex(_ row: Int, _ column: Int) {
        require(
            (0..<rows).contains(row) && (0..<columns).contains(column),
            "Matrix: index (\(row), \(column)) is outside shape \(shapeDescription)")
    }

    /// Row `r` as an array.
    public func row(_ r: Int) -> [Double] {
        require((0..<rows).contains(r), "Matrix: row \(r) is outside shape \(shapeDescription)")
        return Array(values[(r * columns)..<((r + 1) * columns)])
    }

    /// The rows as nested arrays.
    public var nestedRows: [[Double]] { (0..<rows).map(row) }

    /// The transpose: element (r, c) of the result is element (c, r) of `self`.
    public var transposed: Matrix {
        requireConsistent("transposed")
        var t = Matrix(rows: columns, columns: rows)
        // Through buffer pointers: the training loops transpose a weight matrix per batch,
        // and the array's bounds and uniqueness checks would cost more than the copy. In
        // blocks of 16 × 16, each written row by row: a row of the result is a column of
        // `self`, and walking a whole column touches a new cache line at every step (for a
        // matrix 512 wide, lines 4 KiB apart, which share one set of the L1 cache and evict
        // each other); within a block the 16 lines read stay cached. Measured on a 512×128
        // matrix: 363 µs unblocked, 109 µs so.
        let block = 16
        values.withUnsafeBufferPointer { source in
            t.values.withUnsafeMutableBufferPointer { target in
                for r0 in stride(from: 0, to: rows, by: block) {
                    for c0 in stride(from: 0, to: columns, by: block) {
                        for c in c0..<min(c0 + block, columns) {
                            for r in r0..<min(r0 + block, rows) {
                                target[c * rows + r] = source[r * columns + c]
                            }
                        }
                    }
                }
            }
        }
        return t
    }

    /// Stops unless `values` still holds rows × columns numbers: before any loop or pointer
    /// that trusts the shape reads them.
    public func requireConsistent(_ caller: String) {
        require(
            values.count == rows * columns,
            "Matrix.\(caller): shape \(shapeDescription) needs \(rows * columns) values but holds \(values.count)")
    }

    public var description: String {
        let body = nestedRows.map { row in row.map { "\($0)" }.joined(separator: ", ") }
        return "Matrix\(shapeDescription) [" + body.map { "[\($0)]" }.joined(separator: ", ") + "]"
    }
}

/// The matrix product C = A·B, where C[i, j] = Σₖ A[i, k]·B[k, j].
///
/// ```
/// (m×n) · (n×p) → (m×p)
/// ```
/// The inner dimensions must agree; otherwise the error names both shapes,
/// e.g. "matmul: (3×4) · (5×2): inner dimensions 4 ≠ 5".
///
/// What this computes is exactly the triple loop in ``referenceMatmul(_:_:)``, bit for
/// bit. It runs the register-blocked, cache-blocked kernel of Sources/Kernels instead, at
/// the widest vector width this processor has (``KernelLevel``), which the tests hold
/// equal to the loop at every level and which is many times faster; the training loops of
/// every chapter spend most of their time here.
public func matmul(_ a: Matrix, _ b: Matrix) -> Matrix { matmul(a, b, level: .selected) }

/// C = A·B written into `c` (row-major, m×p), reusing its storage when it already has
/// that size: for a layer that multiplies matrices of the same shapes batch after batch,
/// so that large products do not allocate fresh memory on every call.
public func matmul(_ a: Matrix, _ b: Matrix, into c: inout [Double]) { matmul(a, b, into: &c, level: .selected) }

/// C = A·B through the kernels of one instruction level (``KernelLevel``), not the one
/// this processor runs by default: to compare the levels, as the performance appendix
/// does. Every level gives the same bits.
public func matmul(_ a: Matrix, _ b: Matrix, level: KernelLevel) -> Matrix {
    // The kernel sets every element, so the storage starts unfilled rather than zeroed twice.
    let count = a.rows * b.columns
    var c = [Double](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    matmul(a, b, into: &c, level: level)  // checks the shapes first
    return Matrix(rows: a.rows, columns: b.columns, values: c)
}

/// C = A·B into `c` at `level`, through `product(_:transposed:_:transposed:into:accumulating:level:name:)`,
/// where the shapes of every product are checked before the kernel runs.
func matmul(_ a: Matrix, _ b: Matrix, into c: inout [Double], level: KernelLevel) {
    product(a, transposed: false, b, transposed: false, into: &c, accumulating: false, level: level, name: "matmul")
}

/// C = A·Bᵀ without forming Bᵀ: A is m×k, B is n×k (each row of B one column of the
/// product), C is m×n. A dense layer's forward pass is this product, X Wᵀ with W stored
/// (outputs × inputs). The same numbers as `matmul(a, b.transposed)`, bit for bit.
public func matmul(_ a: Matrix, transposeOf b: Matrix) -> Matrix { matmul(a, transposeOf: b, level: .selected) }

/// C = Aᵀ·B without forming Aᵀ: A is k×m, B is k×n, C is m×n. The same numbers as
/// `matmul(a.transposed, b)`, bit for bit.
public func matmul(transposeOf a: Matrix, _ b: Matrix) -> Matrix { matmul(transposeOf: a, b, level: .selected) }

/// ``matmul(_:transposeOf:)`` through the kernels of one level.
public func matmul(_ a: Matrix, transposeOf b: Matrix, level: KernelLevel) -> Matrix {
    var c = [Double]()
    product(a, transposed: false, b, transposed: true, into: &c, accumulating: false, level: level, name: "matmul")
    return Matrix(rows: a.rows, columns: b.rows, values: c)
}

/// ``matmul(transposeOf:_:)`` through the kernels of one level.
public func matmul(transposeOf a: Matrix, _ b: Matrix, level: KernelLevel) -> Matrix {
    var c = [Double]()
    product(a, transposed: true, b, transposed: false, into: &c, accumulating: false, level: level, name: "matmul")
    return Matrix(rows: a.columns, columns: b.columns, values: c)
}

/// C += Aᵀ·B, added into the row-major values of C, without forming Aᵀ.
///
/// ```
/// A: (n×m),  B: (n×p),  C: (m×p)      C[i, j] += Σᵣ A[r, i]·B[r, j]
/// ```
/// The gradient of a dense layer's weights is this product: ∂L/∂W += δᵀ X, a sum over
/// the batch's samples r, added into the gradient the backward pass accumulates. It is
/// `matmul(a.transposed, b)` added element by element into C (the tests hold them equal).
public func addTransposedProduct(_ a: Matrix, _ b: Matrix, into c: inout [Double]) {
    product(a, transposed: true, b, transposed: false, into: &c, accumulating: true, level: .selected, name: "addTransposedProduct")
}

/// op(A)·op(B) into C (or added into C when `accumulating`, which must then hold the
/// result's size), op being the transpose where asked: the shape checks of the products
/// with a transposed operand, each error naming both shapes.
func product(
    _ a: Matrix, transposed aTransposed: Bool, _ b: Matrix, transposed bTransposed: Bool, into c: inout [Double], accumulating: Bool,
    level: KernelLevel, name: String
) {
    let (m, k) = aTransposed ? (a.columns, a.rows) : (a.rows, a.columns)
    let (bk, n) = bTransposed ? (b.columns, b.rows) : (b.rows, b.columns)
    let shapes = "\(a.shapeDescription)\(aTransposed ? "ᵀ" : "") · \(b.shapeDescription)\(bTransposed ? "ᵀ" : "")"
    require(k == bk, "\(name): \(shapes): inner dimensions \(k) ≠ \(bk)")
    a.requireConsistent(name)
    b.requireConsistent(name)
    if accumulating {
        require(c.count == m * n, "\(name): the result (\(m)×\(n)) needs \(m * n) values, the target holds \(c.count)")
    } else if c.count != m * n {
        c = [Double](unsafeUninitializedCapacity: m * n) { _, initialized in initialized = m * n }  // the kernel sets every element
    }
    gemm(
        m: m, k: k, n: n, a: a.values, aStrides: aTransposed ? Strides(row: 1, column: m) : nil, b: b.values,
        bStrides: bTransposed ? Strides(row: 1, column: k) : nil, c: &c, accumulating: accumulating, level: level)
}

/// The matrix product C = A·B written as the definition: three plain loops.
///
/// This is the version to read. ``matmul(_:_:)`` computes the same numbers faster.
public func referenceMatmul(_ a: Matrix, _ b: Matrix) -> Matrix {
    require(
        a.columns == b.rows,
        "matmul: \(a.shapeDescription) · \(b.shapeDescription): inner dimensions \(a.columns) ≠ \(b.rows)")
    var c = Matrix(rows: a.rows, columns: b.columns)
    // i-k-j order: the innermost loop walks a row of B and a row of C contiguously.
    for i in 0..<a.rows {
        for k in 0..<a.columns {
            let aik = a.values[i * a.columns + k]
            for j in 0..<b.columns {
                c.values[i * b.columns + j] += aik * b.values[k * b.columns + j]
            }
        }
    }
    return c
}

/// The matrix-vector product y = A·x, where yᵢ = Σⱼ A[i, j]·xⱼ.
public func matvec(_ a: Matrix, _ x: [Double]) -> [Double] {
    require(
        a.columns == x.count,
        "matvec: \(a.shapeDescription) · (\(x.count)): inner dimensions \(a.columns) ≠ \(x.count)")
    var y = [Double](repeating: 0, count: a.rows)
    for i in 0..<a.rows {
        var sum = 0.0
        for j in 0..<a.columns {
            sum += a.values[i * a.columns + j] * x[j]
        }
        y[i] = sum
    }
    return y
}
