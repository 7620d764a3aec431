import LinearAlgebra
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
