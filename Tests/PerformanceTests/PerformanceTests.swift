import LinearAlgebra
import Randomness
import Testing

@testable import Performance

@Suite("Appendix · Performance · the ladder, the sums and the work")
struct PerformanceTests {
    /// Shapes with partial tiles on every side, k = 0, a single element, a k longer than
    /// one k-slice, and fewer rows than a tile.
    static let shapes: [(m: Int, k: Int, n: Int)] = [(1, 1, 1), (4, 4, 4), (5, 7, 3), (9, 0, 6), (37, 29, 43), (3, 300, 18), (12, 260, 20)]

    @Test("every step of the ladder equals the plain triple loop bit for bit", arguments: shapes)
    func ladder(shape: (m: Int, k: Int, n: Int)) {
        var rng = SeededGenerator(seed: UInt64(shape.m * 1000 + shape.k * 10 + shape.n))
        let a = (0..<(shape.m * shape.k)).map { _ in rng.uniform(in: -1..<1) * 1000 * rng.uniform(in: 0..<1) }
        let b = (0..<(shape.k * shape.n)).map { _ in rng.uniform(in: -1..<1) }
        let reference = referenceMatmul(Matrix(rows: shape.m, columns: shape.k, values: a), Matrix(rows: shape.k, columns: shape.n, values: b)).values
        let steps = matmulSteps()
        #expect(steps.count == 5 + KernelLevel.supported.count)
        for step in steps {
            #expect(step.multiply(a, b, shape.m, shape.k, shape.n) == reference, "step \(step.name)")
        }
    }

    @Test("the four-lane dot product follows its documented order; the plain sum differs from it, and a fused sum from the plain one")
    func dots() {
        // By hand: lanes [1·1, 2·1, 3·1, 4·1] → (1 + 2) + (3 + 4) = 10, then + 5·2.
        #expect(laneDot([1, 2, 3, 4, 5], [1, 1, 1, 1, 2]) == 20)
        #expect(laneDot([], []) == 0 && laneDot([3], [4]) == 12)
        var rng = SeededGenerator(seed: 7)
        var differs = 0
        for _ in 0..<200 {
            let (u, v) = (rng.uniforms(37, in: -1..<1), rng.uniforms(37, in: -1..<1))
            var lanes = [0.0, 0.0, 0.0, 0.0]
            for i in 0..<36 { lanes[i % 4] += u[i] * v[i] }
            #expect(laneDot(u, v) == ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + u[36] * v[36])
            if laneDot(u, v) != plainDot(u, v) { differs += 1 }
        }
        #expect(differs > 50)
        // A fused multiply-add rounds once: 0.1·10 − 0.1·10 is 0 when each product is
        // rounded first, and the rounding error of 0.1·10 (about −5.6e-17) when fused.
        #expect(plainDot([0.1, 0.1], [10, -10]) == 0)
        #expect(fusedDot([0.1, 0.1], [10, -10]) != 0 && abs(fusedDot([0.1, 0.1], [10, -10])) < 1e-16)
    }

    @Test("a blocked transpose equals the plain one for every block size, cut edge blocks included")
    func transposes() {
        var rng = SeededGenerator(seed: 3)
        for (rows, columns) in [(1, 1), (5, 7), (7, 5), (16, 16), (0, 3), (33, 20)] {
            let a = rng.uniforms(rows * columns, in: -1..<1)
            let plain = plainTranspose(a, rows: rows, columns: columns)
            #expect(plain == Matrix(rows: rows, columns: columns, values: a).transposed.values)
            for block in [1, 2, 3, 8, 64] { #expect(blockedTranspose(a, rows: rows, columns: columns, block: block) == plain) }
        }
    }

    @Test("the work counted: flops, least bytes, intensity n/12, and each tile's instructions per step")
    func work() {
        let w = ProductWork(m: 512, k: 512, n: 512)
        #expect(w.flops == 2 * 512 * 512 * 512 && w.leastBytes == 8 * 3 * 512 * 512)
        #expect(abs(w.intensity - 512.0 / 12) < 1e-12)
        let scalar = TileStep(rows: 4, columns: 4, lanes: 1)
        #expect(scalar.sumRegisters == 16 && scalar.loads == 8 && scalar.arithmetic == 32 && scalar.flops == 32)
        let wide = TileStep(level: .avx512)  // 8 × 8 in vectors of 8: 8 sum registers, 1 + 8 loads
        #expect(wide.sumRegisters == 8 && wide.loads == 9 && wide.arithmetic == 16 && wide.flops == 128)
        let avx2 = TileStep(level: .avx2)  // 4 × 8 in vectors of 4: 8 sum registers, 2 + 4 loads
        #expect(avx2.sumRegisters == 8 && avx2.loads == 6 && avx2.arithmetic == 16 && avx2.flops == 64)
        for level in KernelLevel.allCases { #expect(TileStep(level: level).sumRegisters == 8) }
    }

    @Test("shapes that do not fit stop with both counts named")
    func misuse() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ikjMatmul([1, 2, 3], [1, 2], m: 2, k: 2, n: 1)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("ikjMatmul: A holds 3 values and B 2, but (2×2) · (2×1) needs 4 and 2"), "\(message)")
        let block = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = blockedTranspose([1, 2], rows: 1, columns: 2, block: 0)
        }
        let blockMessage = String(decoding: block?.standardErrorContent ?? [], as: UTF8.self)
        #expect(blockMessage.contains("blockedTranspose: the block size must be positive, got 0"), "\(blockMessage)")
    }
}
