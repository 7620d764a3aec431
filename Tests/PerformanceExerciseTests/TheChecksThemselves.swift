import ExerciseSupport
import ExerciseTesting
import Foundation
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake (and with no other mistake's hint).

@Suite("Appendix · Performance · the checks themselves")
struct PerformanceCheckTests {
    @Test("the worked solutions pass every check", arguments: PerformanceExercise.allCases)
    func solutionsPass(_ exercise: PerformanceExercise) {
        PerformanceAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: PerformanceExercise.allCases)
    func stubsAreNotAttempted(_ exercise: PerformanceExercise) {
        PerformanceAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Performance", arguments: PerformanceExercise.allCases)
    func exerciseIsDeclared(_ exercise: PerformanceExercise) throws {
        try PerformanceAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: performanceWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: PerformanceWrongAnswer) {
        wrong.expectRejected(among: performanceWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias PerformanceWrongAnswer = ExerciseTesting.WrongAnswer<PerformanceAnswers>

/// The i, k, j loops with one slip (see `PerformanceExerciseChecks.slipped` for the same slips written as the ijk loop).
private func ikj(reversed: Bool = false, fused: Bool = false, columnMajorB: Bool = false, overwritten: Bool = false) -> ProductAnswer {
    { a, b, m, k, n in
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for step in 0..<k {
                let p = reversed ? k - 1 - step : step
                let aip = a[i * k + p]
                for j in 0..<n {
                    let bpj = columnMajorB ? b[j * k + p] : b[p * n + j]
                    if overwritten {
                        c[i * n + j] = aip * bpj
                    } else if fused {
                        c[i * n + j] = c[i * n + j].addingProduct(aip, bpj)
                    } else {
                        c[i * n + j] += aip * bpj
                    }
                }
            }
        }
        return c
    }
}

/// A 2×2 tiling with one slip.
private func tiled(skipsEdges: Bool = false, exchanged: Bool = false, reversed: Bool = false, fused: Bool = false) -> ProductAnswer {
    { a, b, m, k, n in
        var c = [Double](repeating: 0, count: m * n)
        func add(_ sum: inout Double, _ x: Double, _ y: Double) { if fused { sum = sum.addingProduct(x, y) } else { sum += x * y } }
        func plain(_ i: Int, _ j: Int) {
            var sum = 0.0
            for step in 0..<k {
                let p = reversed ? k - 1 - step : step
                add(&sum, a[i * k + p], b[p * n + j])
            }
            c[i * n + j] = sum
        }
        var i = 0
        while i + 2 <= m {
            var j = 0
            while j + 2 <= n {
                var (c00, c01, c10, c11) = (0.0, 0.0, 0.0, 0.0)
                for step in 0..<k {
                    let p = reversed ? k - 1 - step : step
                    add(&c00, a[i * k + p], b[p * n + j])
                    add(&c01, a[i * k + p], b[p * n + j + 1])
                    add(&c10, a[(i + 1) * k + p], b[p * n + j])
                    add(&c11, a[(i + 1) * k + p], b[p * n + j + 1])
                }
                if exchanged { swap(&c01, &c10) }
                (c[i * n + j], c[i * n + j + 1], c[(i + 1) * n + j], c[(i + 1) * n + j + 1]) = (c00, c01, c10, c11)
                j += 2
            }
            if j < n && !skipsEdges {
                plain(i, j)
                plain(i + 1, j)
            }
            i += 2
        }
        if i < m && !skipsEdges { for j in 0..<n { plain(i, j) } }
        return c
    }
}

/// The four-lane dot product with one slip.
private func lanes(sequentialLanes: Bool = false, dropsTail: Bool = false, tailInLanes: Bool = false) -> @Sendable ([Double], [Double]) throws -> Double {
    { x, y in
        var lanes = SIMD4<Double>()
        var i = 0
        while i + 4 <= x.count {
            let xs = SIMD4<Double>(x[i], x[i + 1], x[i + 2], x[i + 3])
            let ys = SIMD4<Double>(y[i], y[i + 1], y[i + 2], y[i + 3])
            lanes += xs * ys
            i += 4
        }
        if tailInLanes {
            while i < x.count {
                lanes[i % 4] += x[i] * y[i]
                i += 1
            }
        }
        let pairwise: Double = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        let sequential: Double = ((lanes[0] + lanes[1]) + lanes[2]) + lanes[3]
        var sum = sequentialLanes ? sequential : pairwise
        if !dropsTail {
            while i < x.count {
                sum += x[i] * y[i]
                i += 1
            }
        }
        return sum
    }
}

/// A blocked transpose with one slip.
private func blocked(wholeBlocksOnly: Bool = false, shortBlocks: Bool = false, copies: Bool = false) -> @Sendable ([Double], Int, Int, Int) throws -> [Double] {
    { a, rows, columns, block in
        if copies { return a }
        var t = [Double](repeating: 0, count: rows * columns)
        let (rowEnd, columnEnd) = wholeBlocksOnly ? (rows / block * block, columns / block * block) : (rows, columns)
        for i0 in stride(from: 0, to: rowEnd, by: block) {
            for j0 in stride(from: 0, to: columnEnd, by: block) {
                for i in i0..<(min(i0 + block, rows) - (shortBlocks ? 1 : 0)) {
                    for j in j0..<(min(j0 + block, columns) - (shortBlocks ? 1 : 0)) { t[j * rows + i] = a[i * columns + j] }
                }
            }
        }
        return t
    }
}

let performanceWrongAnswers: [PerformanceWrongAnswer] = [
    // 12.1
    PerformanceWrongAnswer(.matmulIKJ, "adds the products with p descending", hint: "p must ascend") { $0.matmulIKJ = ikj(reversed: true) },
    PerformanceWrongAnswer(.matmulIKJ, "fuses each multiply-add", hint: "that is a fused multiply-add") { $0.matmulIKJ = ikj(fused: true) },
    PerformanceWrongAnswer(.matmulIKJ, "reads B as column-major", hint: "B[p, j] is b[p·n + j]") { $0.matmulIKJ = ikj(columnMajorB: true) },
    PerformanceWrongAnswer(.matmulIKJ, "stores each product over the sum", hint: "must be added into C[i, j]") { $0.matmulIKJ = ikj(overwritten: true) },
    // 12.2
    PerformanceWrongAnswer(.matmulTiled2x2, "leaves the odd row and column at 0", hint: "has no partner for a 2×2 tile") {
        $0.matmulTiled2x2 = tiled(skipsEdges: true)
    },
    PerformanceWrongAnswer(.matmulTiled2x2, "stores c01 and c10 exchanged", hint: "they are stored exchanged") { $0.matmulTiled2x2 = tiled(exchanged: true) },
    PerformanceWrongAnswer(.matmulTiled2x2, "walks p downwards in the tiles", hint: "p must ascend") { $0.matmulTiled2x2 = tiled(reversed: true) },
    PerformanceWrongAnswer(.matmulTiled2x2, "fuses each multiply-add", hint: "that is a fused multiply-add") { $0.matmulTiled2x2 = tiled(fused: true) },
    // 12.3
    PerformanceWrongAnswer(.dotSIMD4, "keeps one running sum", hint: "that is one running sum") {
        $0.dotSIMD4 = { x, y in zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
    },
    PerformanceWrongAnswer(.dotSIMD4, "combines the lanes one after another", hint: "combine the lanes pairwise") {
        $0.dotSIMD4 = lanes(sequentialLanes: true)
    },
    PerformanceWrongAnswer(.dotSIMD4, "forgets the tail", hint: "the last n mod 4 products are missing") { $0.dotSIMD4 = lanes(dropsTail: true) },
    PerformanceWrongAnswer(.dotSIMD4, "adds the tail into the lanes", hint: "not into the lanes") { $0.dotSIMD4 = lanes(tailInLanes: true) },
    // 12.4
    PerformanceWrongAnswer(.transposeBlocked, "returns A unchanged", hint: "that is A itself") { $0.transposeBlocked = blocked(copies: true) },
    PerformanceWrongAnswer(.transposeBlocked, "skips the cut edge blocks", hint: "cut to fit, not skipped") {
        $0.transposeBlocked = blocked(wholeBlocksOnly: true)
    },
    PerformanceWrongAnswer(.transposeBlocked, "stops each block one short", hint: "each block's last row and column are missing") {
        $0.transposeBlocked = blocked(shortBlocks: true)
    },
]
