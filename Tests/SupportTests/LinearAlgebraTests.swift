@testable import LinearAlgebra
import Randomness
import Testing

@Suite("Matrix and vector helpers")
struct LinearAlgebraTests {
    @Test("matmul of a (2×3) and a (3×2) matrix, worked by hand")
    func matmulByHand() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        let b = Matrix([[7, 8], [9, 10], [11, 12]])
        // [1·7 + 2·9 + 3·11, 1·8 + 2·10 + 3·12] = [58, 64]; second row [139, 154]
        #expect(matmul(a, b) == Matrix([[58, 64], [139, 154]]))
    }

    @Test("matvec agrees with matmul by a one-column matrix; transpose swaps indices")
    func matvecAndTranspose() {
        let a = Matrix([[1, -2], [0.5, 4], [3, 0]])
        #expect(matvec(a, [2, 1]) == [0, 5, 6])
        #expect(matmul(a, Matrix(rows: 2, columns: 1, values: [2, 1])).values == [0, 5, 6])
        #expect(a.transposed == Matrix([[1, 0.5, 3], [-2, 4, 0]]))
        #expect(a.transposed[1, 2] == a[2, 1])
    }

    @Test("vector helpers: dot, add, subtract, scale, norm, mean, argmax, linspace")
    func vectors() {
        #expect(dot([1, 2, 3], [4, 5, 6]) == 32)
        #expect(add([1, 2], [3, 4]) == [4, 6])
        #expect(subtract([1, 2], [3, 5]) == [-2, -3])
        #expect(scale([1, -2], by: 3) == [3, -6])
        #expect(norm([3, 4]) == 5)
        #expect(mean([1, 2, 6]) == 3)
        #expect(argmax([1, 5, 5, 2]) == 1)
        #expect(argmax([]) == nil)
        #expect(linspace(0, 1, count: 5) == [0, 0.25, 0.5, 0.75, 1])
    }

    /// Shapes that hit every path of the blocked kernel: whole 4×4 tiles, leftover rows,
    /// leftover columns, both, a single element, and inner dimensions past one k-slice (256);
    /// fewer than 4 rows (a batch of one) over 16-column steps.
    static let kernelShapes: [(m: Int, k: Int, n: Int)] = [
        (1, 1, 1), (3, 5, 7), (4, 1, 8), (4, 8, 8), (8, 16, 16), (5, 9, 17), (7, 64, 10),
        (32, 64, 64), (33, 65, 63), (4, 256, 8), (4, 257, 8), (9, 600, 19), (1, 128, 48), (3, 300, 33),
    ]

    @Test("the blocked matmul kernel equals the plain triple loop", arguments: kernelShapes)
    func kernelMatchesReference(shape: (m: Int, k: Int, n: Int)) {
        var random = SeededGenerator(seed: UInt64(shape.m * 10_000 + shape.k * 100 + shape.n))
        let a = Matrix(rows: shape.m, columns: shape.k, values: random.uniforms(shape.m * shape.k, in: -1..<1))
        let b = Matrix(rows: shape.k, columns: shape.n, values: random.uniforms(shape.k * shape.n, in: -1..<1))
        let fast = matmul(a, b)
        let reference = referenceMatmul(a, b)
        #expect(fast.rows == shape.m && fast.columns == shape.n)
        if shape.k <= 256 {
            // Within one k-slice the kernel adds the products in the loop's own order: bit-equal.
            #expect(fast == reference)
        } else {
            // Across slices the partial sums are added in a different order: equal up to round-off.
            let worst = zip(fast.values, reference.values).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-12 * Double(shape.k))
        }
    }

    @Test("C += Aᵀ·B equals adding matmul(Aᵀ, B) into C, without forming Aᵀ", arguments: kernelShapes)
    func transposedProductAdds(shape: (m: Int, k: Int, n: Int)) {
        var random = SeededGenerator(seed: UInt64(11 + shape.m * 10_000 + shape.k * 100 + shape.n))
        // A is stored (k×m): the δ of a batch of k samples; B (k×n): their inputs.
        let a = Matrix(rows: shape.k, columns: shape.m, values: random.uniforms(shape.k * shape.m, in: -1..<1))
        let b = Matrix(rows: shape.k, columns: shape.n, values: random.uniforms(shape.k * shape.n, in: -1..<1))
        let start = random.uniforms(shape.m * shape.n, in: -1..<1)
        var c = start
        addTransposedProduct(a, b, into: &c)
        let product = matmul(a.transposed, b).values
        let expected = zip(start, product).map { $0 + $1 }
        if shape.k <= 256 {
            #expect(c == expected)
        } else {
            // Past one slice each slice's sum is added into C in turn: C + s₁ + s₂, not C + (s₁ + s₂).
            #expect(zip(c, expected).allSatisfy { abs($0 - $1) < 1e-12 * Double(shape.k) })
        }
        // Into zeros it is exactly the product; the reference loop agrees within one slice.
        var fromZero = [Double](repeating: 0, count: shape.m * shape.n)
        addTransposedProduct(a, b, into: &fromZero)
        #expect(fromZero == product)
        if shape.k <= 256 { #expect(fromZero == referenceMatmul(a.transposed, b).values) }
    }

    @Test("a tensor: row-major values under a shape; a matrix view and a reshape share the values")
    func tensor() {
        let t = Tensor(shape: [2, 3, 2], values: (0..<12).map(Double.init))
        #expect(t.count == 12 && t.rank == 3 && t.shapeDescription == "(2×3×2)")
        // element (1, 2, 0) lives at (1·3 + 2)·2 + 0 = 10
        #expect(t.values[(1 * 3 + 2) * 2 + 0] == 10)
        let m = t.reshaped([6, 2]).matrix
        #expect(m.rows == 6 && m.columns == 2 && m[5, 0] == 10)
        #expect(Tensor(m) == t.reshaped([6, 2]))
        #expect(Tensor(shape: [2, 0]).count == 0)
    }

    @Test("a tensor whose values do not fit its shape, or a reshape that changes the count, stops naming both")
    func tensorMisuse() async {
        let values = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(shape: [2, 3], values: [1, 2, 3])
        }
        let valuesMessage = String(decoding: values?.standardErrorContent ?? [], as: UTF8.self)
        #expect(valuesMessage.contains("Tensor: shape (2×3) needs 6 values, got 3"), "\(valuesMessage)")
        let reshape = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(shape: [2, 3]).reshaped([4, 2])
        }
        let reshapeMessage = String(decoding: reshape?.standardErrorContent ?? [], as: UTF8.self)
        #expect(reshapeMessage.contains("(2×3) has 6 values, (4×2) needs 8"), "\(reshapeMessage)")
    }

    @Test("values are read-only outside the module; inside it, a matrix left inconsistent stops any pointer reader")
    func inconsistentMatrix() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var m = Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4])
            m.values = [1, 2, 3]
            _ = m.transposed
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Matrix.transposed: shape (2×2) needs 4 values but holds 3"), "\(message)")
        let product = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var m = Matrix(rows: 20, columns: 20)
            m.values = [1]
            _ = matmul(m, m)
        }
        let productMessage = String(decoding: product?.standardErrorContent ?? [], as: UTF8.self)
        #expect(productMessage.contains("Matrix.matmul: shape (20×20) needs 400 values but holds 1"), "\(productMessage)")
    }

    @Test("matmul with mismatched inner dimensions stops naming both shapes")
    func matmulShapeMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Matrix(rows: 3, columns: 4), Matrix(rows: 5, columns: 2))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("matmul: (3×4) · (5×2): inner dimensions 4 ≠ 5"))
    }

    @Test("dot of vectors of different lengths stops naming both lengths")
    func dotLengthMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = dot([1, 2, 3], [1, 2])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("dot: lengths differ: (3) · (2)"))
    }
}
