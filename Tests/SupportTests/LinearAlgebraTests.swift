import Foundation
import Randomness
import Testing

@testable import LinearAlgebra

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

    /// Shapes that hit every path of the blocked kernels at every level: whole tiles (4
    /// rows × 4 or 8 columns, 8 rows × 8 at AVX-512), a last block of 4 rows after the
    /// 8-row tiles, leftover rows, leftover columns (a 4-wide step, then a masked one),
    /// both, a single element; products of 8 rows or more (B packed into panels) and fewer;
    /// inner dimensions past one k-slice (256), several slices; fewer than 4 rows (a batch
    /// of one) over 4-vector steps; empty sides.
    static let kernelShapes: [(m: Int, k: Int, n: Int)] = [
        (1, 1, 1), (3, 5, 7), (4, 1, 8), (4, 8, 8), (8, 16, 16), (5, 9, 17), (7, 64, 10),
        (32, 64, 64), (33, 65, 63), (4, 256, 8), (4, 257, 8), (9, 600, 19), (1, 128, 48), (3, 300, 33),
        (8, 129, 16), (12, 300, 37), (17, 520, 70), (64, 128, 128), (1, 700, 131), (2, 3, 64), (16, 0, 5), (0, 4, 3),
        (13, 40, 9), (20, 257, 27),
    ]

    /// A (m×k) and B (k×n) with entries in [-1, 1), reproducible per shape.
    static func operands(_ shape: (m: Int, k: Int, n: Int), seed: Int) -> (a: Matrix, b: Matrix) {
        var random = SeededGenerator(seed: UInt64(seed + shape.m * 10_000 + shape.k * 100 + shape.n))
        let a = Matrix(rows: shape.m, columns: shape.k, values: random.uniforms(shape.m * shape.k, in: -1..<1))
        let b = Matrix(rows: shape.k, columns: shape.n, values: random.uniforms(shape.k * shape.n, in: -1..<1))
        return (a, b)
    }

    @Test("this processor's levels: baseline always; the widest is chosen unless KERNEL_LEVEL says otherwise")
    func levels() {
        #expect(KernelLevel.supported.first == .baseline)
        #expect(KernelLevel.supported.contains(KernelLevel.selected))
        #expect(KernelLevel.supported == KernelLevel.allCases.filter { KernelLevel.supported.contains($0) })
        if ProcessInfo.processInfo.environment["KERNEL_LEVEL"] == nil { #expect(KernelLevel.selected == KernelLevel.supported.last) }
        for level in KernelLevel.supported {
            // What the lesson and the docs say of each level is what was compiled.
            let shape = level.compiledTileShape
            #expect(shape.rows == level.tileRows && shape.columns == level.tileColumns, "level \(level)")
            #expect(level.tileRows * level.tileColumns == 8 * level.lanes, "level \(level): 8 registers of sums")
            #expect(level.peakProbe(steps: 10).isFinite)
        }
    }

    @Test("every level's matmul kernel equals the plain triple loop, bit for bit", arguments: kernelShapes)
    func kernelMatchesReference(shape: (m: Int, k: Int, n: Int)) {
        let (a, b) = Self.operands(shape, seed: 0)
        let reference = referenceMatmul(a, b)
        for level in KernelLevel.supported {
            var c = [Double](repeating: .nan, count: shape.m * shape.n)  // every element must be written
            gemm(m: shape.m, k: shape.k, n: shape.n, a: a.values, b: b.values, c: &c, level: level)
            #expect(c == reference.values, "level \(level)")
        }
        #expect(matmul(a, b) == reference)
    }

    @Test("C += Aᵀ·B, at every level, equals C + (the plain loop's Aᵀ·B), without forming Aᵀ", arguments: kernelShapes)
    func transposedProductAdds(shape: (m: Int, k: Int, n: Int)) {
        var random = SeededGenerator(seed: UInt64(11 + shape.m * 10_000 + shape.k * 100 + shape.n))
        // A is stored (k×m): the δ of a batch of k samples; B (k×n): their inputs.
        let a = Matrix(rows: shape.k, columns: shape.m, values: random.uniforms(shape.k * shape.m, in: -1..<1))
        let b = Matrix(rows: shape.k, columns: shape.n, values: random.uniforms(shape.k * shape.n, in: -1..<1))
        let start = random.uniforms(shape.m * shape.n, in: -1..<1)
        let product = referenceMatmul(a.transposed, b).values
        let expected = zip(start, product).map { $0 + $1 }
        for level in KernelLevel.supported {
            var c = start
            gemm(
                m: shape.m, k: shape.k, n: shape.n, a: a.values, aStrides: Strides(row: 1, column: shape.m), b: b.values, c: &c,
                accumulating: true, level: level)
            #expect(c == expected, "level \(level)")
        }
        var c = start
        addTransposedProduct(a, b, into: &c)
        #expect(c == expected)
    }

    @Test("A·Bᵀ and Aᵀ·B, at every level, equal the plain loop on the transposed matrix, bit for bit", arguments: kernelShapes)
    func productsWithATranspose(shape: (m: Int, k: Int, n: Int)) {
        var random = SeededGenerator(seed: UInt64(23 + shape.m * 10_000 + shape.k * 100 + shape.n))
        let a = Matrix(rows: shape.m, columns: shape.k, values: random.uniforms(shape.m * shape.k, in: -1..<1))
        let bStoredTransposed = Matrix(rows: shape.n, columns: shape.k, values: random.uniforms(shape.n * shape.k, in: -1..<1))
        let aStoredTransposed = Matrix(rows: shape.k, columns: shape.m, values: random.uniforms(shape.k * shape.m, in: -1..<1))
        let b = Matrix(rows: shape.k, columns: shape.n, values: random.uniforms(shape.k * shape.n, in: -1..<1))
        let aBt = referenceMatmul(a, bStoredTransposed.transposed), atB = referenceMatmul(aStoredTransposed.transposed, b)
        for level in KernelLevel.supported {
            #expect(matmul(a, transposeOf: bStoredTransposed, level: level) == aBt, "level \(level)")
            #expect(matmul(transposeOf: aStoredTransposed, b, level: level) == atB, "level \(level)")
        }
        #expect(matmul(a, transposeOf: bStoredTransposed) == aBt)
        #expect(matmul(transposeOf: aStoredTransposed, b) == atB)
    }

    @Test(
        "a product split along k into calls, the first overwriting and the rest continuing, gives the whole product's bits; adding adds",
        arguments: kernelShapes.filter { $0.m * $0.n > 0 })
    func productInPieces(shape: (m: Int, k: Int, n: Int)) {
        let (a, b) = Self.operands(shape, seed: 7)
        let reference = referenceMatmul(a, b).values
        let cuts = [0, shape.k / 3, shape.k / 3 + (shape.k + 1) / 2, shape.k].map { min($0, shape.k) }
        var random = SeededGenerator(seed: UInt64(shape.m * 10_000 + shape.k * 100 + shape.n))
        let start = random.uniforms(shape.m * shape.n, in: -1..<1)
        for level in KernelLevel.supported {
            var c = [Double](repeating: .nan, count: shape.m * shape.n), added = start
            a.values.withUnsafeBufferPointer { a in
                b.values.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        for piece in 0..<3 where cuts[piece] < cuts[piece + 1] || piece == 0 {
                            let (k0, k1) = (cuts[piece], cuts[piece + 1])
                            matmul(
                                m: shape.m, k: k1 - k0, n: shape.n, a: (a.baseAddress ?? UnsafePointer(c.baseAddress!)) + k0,
                                aStrides: (shape.k, 1), b: (b.baseAddress ?? UnsafePointer(c.baseAddress!)) + k0 * shape.n,
                                bStrides: (shape.n, 1), c: c.baseAddress!,
                                sums: piece == 0 ? .overwriting : .continuing, level: level)
                        }
                    }
                    added.withUnsafeMutableBufferPointer { added in
                        matmul(
                            m: shape.m, k: shape.k, n: shape.n, a: a.baseAddress ?? UnsafePointer(added.baseAddress!), aStrides: (shape.k, 1),
                            b: b.baseAddress ?? UnsafePointer(added.baseAddress!), bStrides: (shape.n, 1),
                            c: added.baseAddress!, sums: .adding, level: level)
                    }
                }
            }
            #expect(c == reference, "level \(level)")
            #expect(added == zip(start, reference).map { $0 + $1 }, "level \(level)")
        }
    }

    /// Values that tell the element-wise passes apart from almost-right ones: signs, ±0,
    /// NaN, ±∞, tiny and huge magnitudes. `count` of them, in a seeded order.
    static func awkwardValues(_ count: Int, seed: UInt64) -> [Double] {
        let special: [Double] = [0, -0.0, .nan, .infinity, -.infinity, .leastNormalMagnitude / 4, -.leastNormalMagnitude / 4, 1e308, -1e308, 1, -1]
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { i in i % 3 == 0 ? special[(i / 3) % special.count] : random.normal() * 10 }
    }

    /// Bit-for-bit equality that counts NaN equal to NaN with the same payload and tells −0 from 0.
    static func sameBits(_ a: [Double], _ b: [Double]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

    @Test("the element-wise passes at every level equal their plain loops bit for bit, NaN, ±∞ and −0 included", arguments: [0, 1, 3, 4, 7, 8, 9, 17, 64, 101])
    func elementWisePasses(count: Int) {
        let (x, y) = (Self.awkwardValues(count, seed: 1), Self.awkwardValues(count, seed: 2))
        for columns in [1, 3, 8, 10] where count % columns == 0 {
            let b = Self.awkwardValues(columns, seed: 3)
            var rows = x, sums = b
            for r in 0..<(count / columns) {
                for j in 0..<columns { rows[r * columns + j] += b[j] }
            }
            for r in 0..<(count / columns) {
                for j in 0..<columns { sums[j] += x[r * columns + j] }
            }
            for level in KernelLevel.supported {
                var z = x
                addToEveryRow(b, of: &z, level: level)
                #expect(Self.sameBits(z, rows), "addToEveryRow, \(columns) columns, level \(level)")
                var s = b
                addColumnSums(of: x, into: &s, level: level)
                #expect(Self.sameBits(s, sums), "addColumnSums, \(columns) columns, level \(level)")
            }
        }
        let step = zip(y, x).map { y, x in y - 0.37 * x }
        let relu = x.map { $0 < 0 ? 0 : $0 }
        let reluBack = zip(x, y).map { z, g in g * (z.isNaN ? z : z > 0 ? 1 : 0) }
        for level in KernelLevel.supported {
            var descended = y
            subtractScaled(x, by: 0.37, from: &descended, level: level)
            #expect(Self.sameBits(descended, step), "subtractScaled, level \(level)")
            #expect(Self.sameBits(reluOfEach(x, level: level), relu), "reluOfEach, level \(level)")
            #expect(Self.sameBits(reluBackward(x, y, level: level), reluBack), "reluBackward, level \(level)")
        }
    }

    @Test("the element-wise passes refuse operands that do not fit, naming their sizes")
    func elementWiseMismatches() async {
        let rows = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var z: [Double] = [1, 2, 3, 4]
            addToEveryRow([1, 2, 3], of: &z)
        }
        let sums = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var s: [Double] = [0, 0, 0]
            addColumnSums(of: [1, 2, 3, 4], into: &s)
        }
        let step = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var y: [Double] = [1, 2]
            subtractScaled([1, 2, 3], by: 0.1, from: &y)
        }
        let relu = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = reluBackward([1, 2], [1])
        }
        let text = [rows, sums, step, relu].map { String(decoding: $0?.standardErrorContent ?? [], as: UTF8.self) }
        #expect(text[0].contains("addToEveryRow: a row of 3 values does not divide a matrix of 4 values into rows"), "\(text[0])")
        #expect(text[1].contains("addColumnSums: 4 values do not make rows of 3 columns"), "\(text[1])")
        #expect(text[2].contains("subtractScaled: lengths differ: (2) − scale · (3)"), "\(text[2])")
        #expect(text[3].contains("reluBackward: 2 pre-activations but a gradient of 1 values"), "\(text[3])")
    }

    @Test("the products with a transposed operand and the pointer entry carry NaN, ±1e300 and overflow as the plain loop does")
    func transposedProductsAtTheEdges() {
        // Entries of every kind: NaN, ±1e300 (whose products overflow to ±∞ and whose
        // sums then give ∞ − ∞ = NaN), ±0 and ordinary values.
        let specials: [Double] = [1e300, -1e300, 0, -0.0, 1.5, -2.25, 1e-300]
        let (m, k, n) = (9, 7, 10)  // 8-row tiles, leftover rows, a partial column tile
        var aValues = (0..<(m * k)).map { specials[($0 * 5) % specials.count] }
        aValues[2 * k + 3] = .nan  // one NaN: row 2 of the product is NaN, the others are not
        let a = Matrix(rows: m, columns: k, values: aValues)
        let bt = Matrix(rows: n, columns: k, values: (0..<(n * k)).map { specials[($0 * 3 + 1) % specials.count] })
        let at = Matrix(rows: k, columns: m, values: a.transposed.values)
        let expected = referenceMatmul(a, bt.transposed).values
        #expect(expected.contains { $0.isNaN } && expected.contains { $0.isInfinite }, "the case must reach NaN and ∞")
        for level in KernelLevel.supported {
            #expect(Self.sameBits(matmul(a, transposeOf: bt, level: level).values, expected), "A·Bᵀ, level \(level)")
            #expect(Self.sameBits(matmul(transposeOf: at, bt.transposed, level: level).values, expected), "Aᵀ·B, level \(level)")
            var c = [Double](repeating: .nan, count: m * n)
            a.values.withUnsafeBufferPointer { a in
                bt.values.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        matmul(
                            m: m, k: k, n: n, a: a.baseAddress!, aStrides: (k, 1), b: b.baseAddress!, bStrides: (1, k), c: c.baseAddress!,
                            level: level)
                    }
                }
            }
            #expect(Self.sameBits(c, expected), "pointer entry, level \(level)")
        }
    }

    @Test("the pointer entry refuses negative sizes, naming them")
    func pointerEntryRefusesNegativeSizes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var c = [Double](repeating: 0, count: 4)
            let a: [Double] = [1, 2, 3, 4]
            a.withUnsafeBufferPointer { a in
                c.withUnsafeMutableBufferPointer { c in
                    matmul(m: 2, k: -1, n: 2, a: a.baseAddress!, aStrides: (2, 1), b: a.baseAddress!, bStrides: (2, 1), c: c.baseAddress!)
                }
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("matmul: sizes must not be negative, got (2×-1) · (-1×2)"), "\(message)")
    }

    @Test("a product with a transposed operand that does not fit stops naming both shapes and which is transposed")
    func transposedProductMismatch() async {
        let right = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Matrix(rows: 3, columns: 4), transposeOf: Matrix(rows: 5, columns: 2))
        }
        let left = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(transposeOf: Matrix(rows: 3, columns: 4), Matrix(rows: 5, columns: 2))
        }
        let (rightMessage, leftMessage) = (
            String(decoding: right?.standardErrorContent ?? [], as: UTF8.self), String(decoding: left?.standardErrorContent ?? [], as: UTF8.self)
        )
        #expect(rightMessage.contains("matmul: (3×4) · (5×2)ᵀ: inner dimensions 4 ≠ 2"), "\(rightMessage)")
        #expect(leftMessage.contains("matmul: (3×4)ᵀ · (5×2): inner dimensions 3 ≠ 5"), "\(leftMessage)")
    }

    @Test("a level is chosen before any wider code runs: KERNEL_LEVEL names one, and a wrong name is refused with the choices")
    func forcedLevel() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            setenv("KERNEL_LEVEL", "avx1024", 1)
            _ = KernelLevel.selected
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("KERNEL_LEVEL=avx1024 is not a level; use one of: baseline, avx2, avx512"), "\(message)")
        await #expect(processExitsWith: .success) {
            setenv("KERNEL_LEVEL", "baseline", 1)
            guard KernelLevel.selected == .baseline else { exit(1) }
        }
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
