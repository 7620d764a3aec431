import LinearAlgebra
import Notebook
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

@Suite("Appendix · Performance · empty sizes, NaN, ±1e300 and refusals")
struct PerformanceRobustnessTests {
    @Test("empty sides give empty or zero products at every step; NaN and ±1e300 come out as IEEE says, the same at every step")
    func extremes() {
        for step in matmulSteps() {
            #expect(step.multiply([], [], 0, 3, 0) == [], "step \(step.name)")
            #expect(step.multiply([], [], 2, 0, 3) == [Double](repeating: 0, count: 6), "step \(step.name)")  // k = 0
            #expect(step.multiply([1, 2, 3], [], 3, 1, 0) == [], "step \(step.name)")
        }
        // 9×5 · 5×6 with a NaN in A and overflowing products in B's last column.
        var a = (0..<45).map { Double($0 % 7) - 3 }
        a[12] = .nan
        var b = (0..<30).map { Double($0 % 5) - 2 }
        for p in 0..<5 { b[p * 6 + 5] = p.isMultiple(of: 2) ? 1e300 : 1e308 }  // overflows past ±1.8e308
        let reference = ijkMatmul(a, b, m: 9, k: 5, n: 6)
        #expect(reference.contains(where: \.isNaN) && reference.contains(where: \.isInfinite))
        for step in matmulSteps() {
            let c = step.multiply(a, b, 9, 5, 6)
            // NaN where the reference has NaN (NaN ≠ NaN), equal elsewhere, ±∞ included.
            #expect(zip(c, reference).allSatisfy { $0.isNaN ? $1.isNaN : $0 == $1 }, "step \(step.name)")
        }
        #expect(laneDot([1e300, 1e300], [1e300, 1e300]) == .infinity)
        #expect(plainDot([1e300, -1e300], [1e300, 1e300]).isNaN)  // ∞ + (−∞)
        #expect(fusedDot([.nan, 1], [1, 1]).isNaN && laneDot([1, 2, 3, .nan, 5], [1, 1, 1, 1, 1]).isNaN)
        #expect(blockedTranspose([], rows: 0, columns: 0, block: 3) == [])
        let t = blockedTranspose([.nan, 1e300, -1e300, 0], rows: 2, columns: 2, block: 1)
        #expect(t[0].isNaN && t[1] == -1e300 && t[2] == 1e300 && t[3] == 0)
        #expect(ProductWork(m: 0, k: 0, n: 0).flops == 0 && ProductWork(m: 0, k: 0, n: 0).leastBytes == 0)
        #expect(KernelLevel.baseline.peakProbe(steps: 0) == (1 + 2 + 3 + 4 + 5 + 6) * 4)  // six values of 4 lanes, untouched
    }

    @Test(
        "negative sizes, a zero block, an impossible tile, negative steps and no timings are refused with their values named",
        arguments: [
            ("ijk", "ijkMatmul: A holds 0 values and B 0, but (-1×2) · (2×3) needs -2 and 6"),
            ("transpose", "plainTranspose: 6 values for a -2×-3 matrix"),
            ("block", "blockedTranspose: the block size must be positive, got -4"),
            ("work", "ProductWork: sizes must not be negative, got (3×-1) · (-1×2)"),
            ("tile", "TileStep: a tile needs positive sizes and whole vectors of columns, got 4 rows × 6 columns in vectors of 4"),
            ("probe", "peakProbe: the number of steps must not be negative, got -5"),
            ("timing", "secondsPerCall: at least one timing is needed, got repeats 0"),
            ("flag", "Lesson.Flag: a lesson's own switch is --name, not one of every lesson's options, got '--seed'"),
        ])
    func refusals(call: String, message: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            switch call {
            case "ijk": _ = ijkMatmul([], [], m: -1, k: 2, n: 3)
            case "transpose": _ = plainTranspose([1, 2, 3, 4, 5, 6], rows: -2, columns: -3)
            case "block": _ = blockedTranspose([1, 2], rows: 1, columns: 2, block: -4)
            case "work": _ = ProductWork(m: 3, k: -1, n: 2)
            case "tile": _ = TileStep(rows: 4, columns: 6, lanes: 4)
            case "probe": _ = KernelLevel.baseline.peakProbe(steps: -5)
            case "timing": _ = secondsPerCall(repeats: 0) {}
            default: _ = Lesson.Flag("--seed", help: "")
            }
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains(message), "\(text)")
    }
}
