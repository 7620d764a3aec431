import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness

/// The checks of the appendix's exercises, bit for bit: the products against
/// LinearAlgebra's `referenceMatmul` (the plain loop), the dot product against its
/// documented order written with four scalar sums, the transpose against element-by-
/// element copying. Operands span six decades of magnitude, so that a sum taken in
/// another order, or with fused multiply-adds, shows in the bits.
enum PerformanceExerciseChecks {
    static let seed: UInt64 = 1969  // Strassen's "Gaussian elimination is not optimal"

    /// n numbers of both signs, magnitudes from 10⁻³ to 10³.
    static func spread(_ n: Int, using rng: inout SeededGenerator) -> [Double] {
        (0..<n).map { _ in rng.uniform(in: -1..<1) * pow(10, rng.uniform(in: -3..<3)) }
    }

    // MARK: 12.1 and 12.2

    /// (a, b, m, k, n): the files' examples, a single element, k = 0, odd and even sides,
    /// and products long enough for the order of a sum to show.
    static func productCases(seed offset: UInt64) -> [(a: [Double], b: [Double], m: Int, k: Int, n: Int)] {
        var rng = SeededGenerator(seed: seed + offset)
        var list: [(a: [Double], b: [Double], m: Int, k: Int, n: Int)] = [
            ([1, 2, 3, 4], [5, 6, 7, 8], 2, 2, 2),
            ([1, 2, 3, 4, 5, 6], [1, 0, 2, 0, 1, 3], 3, 2, 3),
            ([], [], 3, 0, 2),  // k = 0: every element stays 0
        ]
        for (m, k, n) in [(1, 1, 1), (1, 7, 1), (2, 9, 3), (5, 13, 4), (4, 8, 6), (7, 17, 9), (6, 32, 5)] {
            list.append((spread(m * k, using: &rng), spread(k * n, using: &rng), m, k, n))
        }
        return list
    }

    /// The plain loop with one slip: products in `reversed` order, or with `fused`
    /// multiply-adds, or B read as if column-major, or each sum `overwritten` by its last product.
    static func slipped(
        _ a: [Double], _ b: [Double], m: Int, k: Int, n: Int,
        reversed: Bool = false, fused: Bool = false, columnMajorB: Bool = false, overwritten: Bool = false
    ) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for step in 0..<k {
                    let p = reversed ? k - 1 - step : step
                    let bpj = columnMajorB ? b[j * k + p] : b[p * n + j]
                    if overwritten { sum = a[i * k + p] * bpj } else if fused { sum = sum.addingProduct(a[i * k + p], bpj) } else { sum += a[i * k + p] * bpj }
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    static func plainProduct(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        referenceMatmul(Matrix(rows: m, columns: k, values: a), Matrix(rows: k, columns: n, values: b)).values
    }

    /// Checks a product answer on `productCases(seed:)`, bit for bit against the plain
    /// loop, with the hints `slips` offers for each case.
    static func checkProduct(
        _ answer: ([Double], [Double], Int, Int, Int) throws -> [Double], seed offset: UInt64, help: String,
        slips: ([Double], [Double], Int, Int, Int) -> [Hint]
    ) -> CheckOutcome {
        runCheck { check in
            for (a, b, m, k, n) in productCases(seed: offset) {
                let input = "a \(shortList(a)), b \(shortList(b)), m \(m), k \(k), n \(n)"
                let actual = try answer(a, b, m, k, n)
                try check.expect(
                    actual, equals: plainProduct(a, b, m: m, k: k, n: n), tolerance: .exact, input: input,
                    hints: slips(a, b, m, k, n), otherwise: help)
            }
        }
    }

    static let descendingHint = "the products are added with p descending: p must ascend, 0, 1, …, k − 1, as in the plain loop"

    static func matmulIKJ(_ answer: ([Double], [Double], Int, Int, Int) throws -> [Double]) -> CheckOutcome {
        checkProduct(answer, seed: 1, help: "for i, for p, for j: c[i·n + j] += a[i·k + p]·b[p·n + j], C starting at 0") { a, b, m, k, n in
            [
                Hint(ifActual: slipped(a, b, m: m, k: k, n: n, reversed: true), descendingHint),
                Hint(
                    ifActual: slipped(a, b, m: m, k: k, n: n, fused: true), "that is a fused multiply-add (one rounding): write c += a·b, a multiply and an add"
                ),
                Hint(ifActual: slipped(a, b, m: m, k: k, n: n, columnMajorB: true), "B[p, j] is b[p·n + j] (row-major), not b[j·k + p]"),
                Hint(ifActual: slipped(a, b, m: m, k: k, n: n, overwritten: true), "each product must be added into C[i, j], not stored over it"),
            ]
        }
    }

    /// The right product with one slip of a 2×2 tiling: the odd row and column left at 0
    /// (`skipsEdges`), or c01 and c10 `exchanged` in every whole tile.
    static func tiledSlip(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, skipsEdges: Bool = false, exchanged: Bool = false) -> [Double] {
        var c = plainProduct(a, b, m: m, k: k, n: n)
        if skipsEdges {
            for i in 0..<m where i == m - 1 && m % 2 == 1 { for j in 0..<n { c[i * n + j] = 0 } }
            for j in 0..<n where j == n - 1 && n % 2 == 1 { for i in 0..<m { c[i * n + j] = 0 } }
        }
        if exchanged {
            for i in stride(from: 0, to: m - 1, by: 2) {
                for j in stride(from: 0, to: n - 1, by: 2) { c.swapAt(i * n + j + 1, (i + 1) * n + j) }
            }
        }
        return c
    }

    static func matmulTiled2x2(_ answer: ([Double], [Double], Int, Int, Int) throws -> [Double]) -> CheckOutcome {
        let help = "each tile's four sums start at 0 and add A[i, p]·B[p, j] for p ascending; odd edges by the plain loop"
        return checkProduct(answer, seed: 2, help: help) { a, b, m, k, n in
            [
                Hint(
                    ifActual: tiledSlip(a, b, m: m, k: k, n: n, skipsEdges: true),
                    "the last row (m odd) or column (n odd) has no partner for a 2×2 tile: compute it with the plain loop"),
                Hint(
                    ifActual: tiledSlip(a, b, m: m, k: k, n: n, exchanged: true),
                    "c01 is row i, column j + 1 and c10 is row i + 1, column j: they are stored exchanged"),
                Hint(ifActual: slipped(a, b, m: m, k: k, n: n, reversed: true), descendingHint),
                Hint(
                    ifActual: slipped(a, b, m: m, k: k, n: n, fused: true),
                    "that is a fused multiply-add (one rounding): write c00 += a0·b0, a multiply and an add"),
            ]
        }
    }

    // MARK: 12.3

    /// The documented order, with four scalar sums instead of a vector: lane l adds the
    /// products i ≡ l (mod 4) of the whole groups of 4; (l₀ + l₁) + (l₂ + l₃); then the tail.
    /// `sequentialLanes` combines ((l₀ + l₁) + l₂) + l₃, `dropsTail` forgets the tail,
    /// `tailInLanes` adds tail product i into lane i mod 4 before combining.
    static func laneOrder(
        _ x: [Double], _ y: [Double], sequentialLanes: Bool = false, dropsTail: Bool = false, tailInLanes: Bool = false
    ) -> Double {
        let whole = x.count / 4 * 4
        var lane = [0.0, 0.0, 0.0, 0.0]
        for i in 0..<whole { lane[i % 4] += x[i] * y[i] }
        if tailInLanes { for i in whole..<x.count { lane[i % 4] += x[i] * y[i] } }
        let pairwise: Double = (lane[0] + lane[1]) + (lane[2] + lane[3])
        let sequential: Double = ((lane[0] + lane[1]) + lane[2]) + lane[3]
        var sum = sequentialLanes ? sequential : pairwise
        if !dropsTail && !tailInLanes { for i in whole..<x.count { sum += x[i] * y[i] } }
        return sum
    }

    static func dotSIMD4(_ answer: ([Double], [Double]) throws -> Double) -> CheckOutcome {
        runCheck { check in
            var rng = SeededGenerator(seed: seed + 3)
            var cases: [([Double], [Double])] = [([1, 2, 3, 4, 5], [1, 1, 1, 1, 2]), ([], []), ([2, 3], [4, 5])]
            // Combining four lanes in another order, or the tail at another moment, changes
            // the bits in about one case in four: 30 random lengths catch it.
            for n in [4, 7, 8, 13, 30, 64, 101] + (0..<30).map({ 5 + 4 * $0 + $0 % 3 }) {
                cases.append((spread(n, using: &rng), spread(n, using: &rng)))
            }
            for (x, y) in cases {
                let input = "x \(shortList(x)), y \(shortList(y))"
                let actual = try answer(x, y)
                var plain = 0.0
                for i in 0..<x.count { plain += x[i] * y[i] }
                try check.expect(
                    actual, equals: laneOrder(x, y), tolerance: .exact, input: input,
                    hints: [
                        Hint(ifActual: plain, "that is one running sum, i ascending: keep four sums in the lanes of a SIMD4<Double>"),
                        Hint(ifActual: laneOrder(x, y, sequentialLanes: true), "combine the lanes pairwise, (l₀ + l₁) + (l₂ + l₃), not ((l₀ + l₁) + l₂) + l₃"),
                        Hint(ifActual: laneOrder(x, y, dropsTail: true), "the last n mod 4 products are missing: add them after combining the lanes"),
                        Hint(
                            ifActual: laneOrder(x, y, tailInLanes: true),
                            "the last n mod 4 products go after the lanes are combined, one at a time, not into the lanes"),
                    ],
                    otherwise: "lanes += x[i..<i+4]·y[i..<i+4]; (l₀ + l₁) + (l₂ + l₃); then + x[i]·y[i] for the tail")
            }
        }
    }

    // MARK: 12.4

    /// Aᵀ with one slip: the cut edge blocks left out (`wholeBlocksOnly`), or each block's
    /// last row and column left out (`shortBlocks`). Elements not copied stay 0.
    static func transposeSlip(_ a: [Double], rows: Int, columns: Int, block: Int, wholeBlocksOnly: Bool = false, shortBlocks: Bool = false) -> [Double] {
        var t = [Double](repeating: 0, count: a.count)
        for i in 0..<rows {
            for j in 0..<columns {
                if wholeBlocksOnly && (i >= rows / block * block || j >= columns / block * block) { continue }
                if shortBlocks && (i % block == block - 1 || j % block == block - 1 || i == rows - 1 || j == columns - 1) { continue }
                t[j * rows + i] = a[i * columns + j]
            }
        }
        return t
    }

    static func transposeBlocked(_ answer: ([Double], Int, Int, Int) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            var rng = SeededGenerator(seed: seed + 4)
            var cases: [([Double], Int, Int, Int)] = [([1, 2, 3, 4, 5, 6], 2, 3, 2), ([], 0, 4, 3)]
            for (rows, columns, block) in [(4, 4, 2), (5, 7, 2), (7, 5, 3), (1, 9, 4), (9, 1, 4), (6, 10, 16), (12, 8, 1), (10, 10, 4)] {
                cases.append(((0..<(rows * columns)).map { _ in Double(rng.int(below: 1000)) }, rows, columns, block))
            }
            for (a, rows, columns, block) in cases {
                let input = "a \(shortList(a)), rows \(rows), columns \(columns), block \(block)"
                let actual = try answer(a, rows, columns, block)
                let expected = LinearAlgebra.Matrix(rows: rows, columns: columns, values: a).transposed.values
                try check.expect(
                    actual, equals: expected, tolerance: .exact, input: input,
                    hints: [
                        Hint(ifActual: a, "that is A itself: Aᵀ[j, i] = A[i, j], so t[j·rows + i] = a[i·columns + j]"),
                        Hint(
                            ifActual: transposeSlip(a, rows: rows, columns: columns, block: block, wholeBlocksOnly: true),
                            "the blocks at the right and bottom edges are cut to fit, not skipped: use min(i0 + block, rows) and min(j0 + block, columns)"),
                        Hint(
                            ifActual: transposeSlip(a, rows: rows, columns: columns, block: block, shortBlocks: true),
                            "each block's last row and column are missing: a block runs i0 ..< min(i0 + block, rows), up to but not including the end"),
                    ],
                    otherwise: "t[j·rows + i] = a[i·columns + j] for every element, block by block")
            }
        }
    }
}
