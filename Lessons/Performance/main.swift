// Appendix — Making loops fast: from the triple loop to the kernel every chapter runs
// on, one step at a time, every step the same bits.
// Run: swift run -c release performance --measure   (times need an optimized build)

import Foundation
import LinearAlgebra
import Notebook
import Performance
import Randomness

let lesson = Lesson(
    command: "performance",
    title: "Appendix · Making loops fast",
    summary: """
        How the matrix product under every chapter goes from a triple loop to the \
        processor's full vector width: loop order, bounds checks, a register tile, \
        SIMD, wider vectors chosen at run time, cache blocking; the work counted, the \
        machine's peak probed, and why every step gives the same bits.
        """,
    flags: [
        Lesson.Flag(
            "--measure",
            help: "time each step on this machine (times vary from run to run, so without this flag they are printed only on a terminal)")
    ])

// The lesson names its levels itself; a KERNEL_LEVEL the processor cannot run (or a typo)
// is still refused here, as in every other lesson.
_ = KernelLevel.selected

// Times change from run to run; everything else this lesson prints does not. They are
// shown when asked for, or to a person at a terminal, never into a file or a page.
let measuring = lesson.isSet("--measure") || isatty(STDOUT_FILENO) != 0
var rng = SeededGenerator(seed: lesson.seed)

@MainActor func randomMatrix(_ rows: Int, _ columns: Int) -> [Double] { rng.uniforms(rows * columns, in: -1..<1) }
func gflops(_ flops: Double, _ seconds: Double) -> String { decimal(flops / seconds / 1e9, 1) }
func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

// MARK: - 1

lesson.section("The work, counted before anything is timed")
lesson.prose(
    """
    A product C = A·B of (m×k)·(k×n) does k multiplies and k adds for each of the mn \
    elements of C: 2mkn flops. It must at least read A and B and write C once, 8 bytes \
    a number. Their ratio, flops per byte, is the arithmetic intensity: how much work \
    each byte fetched from memory can carry.
    """)
lesson.equation("flops = 2mkn    bytes ≥ 8(mk + kn + mn)    intensity = flops / bytes")
let sizes = [16, 64, 256, 512, 1024]
lesson.table(
    headers: ["n (n×n · n×n)", "flops", "least bytes", "flops / byte"],
    rows: sizes.map { n in
        let work = ProductWork(m: n, k: n, n: n)
        return ["\(n)", compact(work.flops, significant: 3), compact(work.leastBytes, significant: 3), decimal(work.intensity, 2)]
    })
let work512 = ProductWork(m: 512, k: 512, n: 512)
let vectorIntensity = 2.0 / 24  // x + y·z per element: 2 flops, 3 numbers moved
lesson.prose(
    """
    For square products the intensity is n/12: \(decimal(work512.intensity, 1)) flops per byte \
    at n = 512, against \(decimal(vectorIntensity, 3)) for an element-wise a + b·c (2 flops for 3 numbers \
    moved). A processor does tens of flops in the time memory delivers one byte's \
    worth, so an element-wise loop waits on memory whatever its code, while a large \
    product can keep the arithmetic units busy — if each number, once loaded, is used \
    many times before it leaves the registers and the cache. That is the whole game: \
    the steps below change nothing about the sums and everything about reuse.
    """)
lesson.plot(
    LinePlot(
        title: "Arithmetic intensity of an n×n product", xLabel: "n", yLabel: "flops per byte",
        series: [
            LinePlot.Series("n×n · n×n", x: sizes.map(Double.init), y: sizes.map { ProductWork(m: $0, k: $0, n: $0).intensity }),
            LinePlot.Series("a + b·c", x: sizes.map(Double.init), y: sizes.map { _ in vectorIntensity }),
        ], logScaleY: true))

// MARK: - 2

lesson.section("The ladder: from the definition to the kernel")
let steps = matmulSteps()
lesson.prose(
    """
    Each step below computes the same C. Every element is formed the same way: c = 0, \
    then c += a[i, p]·b[p, j] for p = 0, 1, …, k − 1. Floating-point addition is not \
    associative — (x + y) + z and x + (y + z) can differ in the last bit — so this fixed \
    order is what lets every step agree with the first to the bit. The last rows are the \
    library's kernel (Sources/Kernels) at each instruction level this processor has.
    """)
// Shapes that leave partial tiles everywhere, and one longer than a k-slice.
let shapes = [(m: 37, k: 29, n: 43), (m: 64, k: 300, n: 48), (m: 5, k: 3, n: 130)]
let operands = shapes.map { (a: randomMatrix($0.m, $0.k), b: randomMatrix($0.k, $0.n)) }
let references = zip(shapes, operands).map { shape, x in ijkMatmul(x.a, x.b, m: shape.m, k: shape.k, n: shape.n) }
let agreement = steps.map { step in
    zip(shapes.indices, operands).allSatisfy { index, x in
        step.multiply(x.a, x.b, shapes[index].m, shapes[index].k, shapes[index].n) == references[index]
    }
}
let timedSize = 256
let timedWork = ProductWork(m: timedSize, k: timedSize, n: timedSize)
let (ta, tb) = (randomMatrix(timedSize, timedSize), randomMatrix(timedSize, timedSize))
let ladderSeconds: [Double] =
    measuring
    ? steps.map { step in secondsPerCall(repeats: 3, minimumTime: 0.1) { _ = step.multiply(ta, tb, timedSize, timedSize, timedSize) } }
    : []
lesson.table(
    headers: ["step", "what changes", "same bits"] + (measuring ? ["GFLOP/s at \(timedSize)", "× ijk"] : []),
    rows: steps.indices.map { s in
        [steps[s].name, steps[s].change, yesNo(agreement[s])]
            + (measuring ? [gflops(timedWork.flops, ladderSeconds[s]), decimal(ladderSeconds[0] / ladderSeconds[s], 1)] : [])
    })
let allAgree = agreement.allSatisfy { $0 }
lesson.prose(
    """
    \(allAgree ? "All \(steps.count) steps give" : "Not every step gives") the ijk loop's bits on all \(shapes.count) shapes \
    (\(shapes.map { "\($0.m)×\($0.k)·\($0.k)×\($0.n)" }.joined(separator: ", "))). \
    \(measuring ? "The times are this machine's, this run's: run it again and they move by a few per cent." : "Run with --measure (in a release build: swift run -c release performance --measure) to time each step on your machine.")
    """)
lesson.prose(
    """
    What each step buys. ijk reads B down a column: each step of the inner loop lands \
    on a new cache line. ikj turns the loops so the inner loop walks a row of B and a \
    row of C, neighbour after neighbour, which the hardware prefetches and the compiler \
    can vectorize. Unsafe pointers remove Swift's bounds check on every access. The \
    register tile keeps 16 sums of C in registers while p walks k, so each number \
    loaded is used 4 times. SIMD does 4 columns per instruction. The kernel adds wider \
    vectors and cache blocking — the two sections after next.
    """)

// MARK: - 3

lesson.section("Instructions per step, by design")
let tiles: [(name: String, step: TileStep)] =
    [("scalar 4×4", TileStep(rows: 4, columns: 4, lanes: 1))]
    + KernelLevel.allCases.map { level in ("\(level.rawValue) \(level.tileRows)×\(level.tileColumns)", TileStep(level: level)) }
lesson.prose(
    """
    One step (one p) of a register tile of r rows × c columns, in vectors of l doubles: \
    load c/l vectors of B's row and r elements of A, then one multiply and one add per \
    vector of sums. Counted from the code, not measured:
    """)
lesson.table(
    headers: ["tile", "sum regs", "loads", "mul + add", "flops", "flops/load"],
    rows: tiles.map { tile in
        let t = tile.step
        return [tile.name, "\(t.sumRegisters)", "\(t.loads)", "\(t.arithmetic)", "\(t.flops)", decimal(t.flopsPerLoad, 1)]
    })
let (scalarTile, widest) = (tiles[0].step, tiles.last!.step)
lesson.prose(
    """
    Every level keeps its sums in \(Set(tiles.dropFirst().map(\.step.sumRegisters)).map(String.init).sorted().joined(separator: " or ")) vector registers, half of the 16 that baseline \
    x86-64 and AVX2 have (AVX-512 and arm64 have 32), leaving room for B's row and \
    the broadcast a[i, p]. A wider vector does the same instruction count on more \
    columns: the AVX-512 tile does \(widest.flops / scalarTile.flops)× the scalar tile's flops with \
    \(widest.arithmetic == scalarTile.arithmetic / 2 ? "half" : "\(widest.arithmetic)/\(scalarTile.arithmetic) of") its arithmetic instructions and \(decimal(widest.flopsPerLoad / scalarTile.flopsPerLoad, 1))× \
    the flops per load.
    """)
let avx512Tile = TileStep(level: .avx512), avx2Tile = TileStep(level: .avx2)
lesson.prose(
    """
    The AVX-512 tile is \(avx512Tile.rows) rows × one vector rather than 4 rows × two: the \
    same \(avx512Tile.sumRegisters) registers of sums, more loads per step (\(avx512Tile.loads) against \
    \(avx2Tile.loads) for the AVX2 tile), but each broadcast a[i, p] now feeds a single \
    multiply, so the compiler folds it into that multiply as a memory operand \
    (vmulpd (mem){1to8}) and the separate broadcast instructions disappear. Counting \
    loads alone would choose the other shape; this one saves instructions.
    """)

// MARK: - 4

lesson.section("The vector width, chosen at run time")
let supported = KernelLevel.supported
lesson.prose(
    """
    A default Swift build targets baseline x86-64: SSE2, 128-bit vectors, two doubles. \
    Code built for AVX2 stops with an illegal-instruction fault on a processor without \
    it, so one build cannot simply use it. The library compiles one kernel source three \
    times (Package.swift: -target-cpu haswell for AVX2, skylake-avx512 for AVX-512), \
    reads the processor's features once (/proc/cpuinfo on Linux, sysctl on macOS) before \
    any wider code runs, and calls the widest copy the processor supports. \
    KERNEL_LEVEL=baseline (or avx2, avx512) forces one, for experiments.
    """)
lesson.table(
    headers: ["level", "vector", "doubles", "tile", "this processor"],
    rows: KernelLevel.allCases.map { level in
        [level.rawValue, "\(level.lanes * 64) bits", "\(level.lanes)", "\(level.tileRows)×\(level.tileColumns)", supported.contains(level) ? "yes" : "no"]
    })
if measuring {
    let probeSteps = 2_000_000
    var rows: [[String]] = []
    var peaks: [KernelLevel: Double] = [:], fusedPeaks: [KernelLevel: Double] = [:]
    for level in supported {
        var sink = 0.0
        let plain = secondsPerCall(repeats: 3, minimumTime: 0.05) { sink += level.peakProbe(steps: probeSteps) }
        let flops = Double(probeSteps * level.probeFlopsPerStep)
        peaks[level] = flops / plain / 1e9
        var row = [level.rawValue, gflops(flops, plain)]
        if level != .baseline {
            let fused = secondsPerCall(repeats: 3, minimumTime: 0.05) { sink += level.peakProbe(steps: probeSteps, fused: true) }
            fusedPeaks[level] = flops / fused / 1e9
            row.append(gflops(flops, fused))
        } else {
            row.append("none")
        }
        if sink == 42 { print("") }  // keeps the probe's result alive
        rows.append(row)
    }
    lesson.prose(
        """
        The peak, probed: 12 vector registers of independent values, each updated s ← s·x + y in registers, \
        nothing loaded or stored. The fused column does each update as one fused \
        multiply-add, which the kernels never use (section 6 says why):
        """)
    lesson.table(headers: ["level", "GFLOP/s multiply, add", "GFLOP/s fused"], rows: rows)
    let top = supported.last!
    var verdicts: [String] = []
    for (narrow, wide) in zip(supported, supported.dropFirst()) {
        let gain = peaks[wide]! / peaks[narrow]!
        verdicts.append(
            gain < 1.25
                ? "\(wide.rawValue) is no faster than \(narrow.rawValue) here (\(decimal(gain, 2))×), as on a processor that runs each wide instruction as two narrower halves (AMD's Zen 4 does)"
                : "\(wide.rawValue) does \(decimal(gain, 2))× the work of \(narrow.rawValue) per second")
    }
    if let fusedTop = fusedPeaks[top] {
        let gain = fusedTop / peaks[top]! - 1
        verdicts.append(
            abs(gain) < 0.05
                ? "fusing adds nothing measurable at \(top.rawValue) (\(gain >= 0 ? "+" : "")\(percent(gain))): here separate multiplies and adds reach the fused rate"
                : "fusing would change \(top.rawValue)'s peak by \(gain >= 0 ? "+" : "")\(percent(gain))")
    }
    lesson.prose("On this run: " + verdicts.joined(separator: "; ") + ".")
    let bigA = randomMatrix(512, 512), bigB = randomMatrix(512, 512)
    let kernelSeconds = secondsPerCall(repeats: 3, minimumTime: 0.2) {
        _ = matmul(Matrix(rows: 512, columns: 512, values: bigA), Matrix(rows: 512, columns: 512, values: bigB), level: top)
    }
    let achieved = work512.flops / kernelSeconds / 1e9
    lesson.prose(
        """
        The \(top.rawValue) kernel multiplies 512×512 matrices at \(decimal(achieved, 1)) GFLOP/s, \
        \(percent(achieved / peaks[top]!)) of the probe's \(decimal(peaks[top]!, 1)): the rest goes to loads, \
        the edges of tiles, and packing B.
        """)
} else {
    lesson.prose(
        """
        With --measure the lesson probes each level's peak (12 vector registers of independent values updated \
        s ← s·x + y in registers, \(supported.map { "\($0.probeFlopsPerStep) flops a round at \($0.rawValue)" }.joined(separator: ", "))) and \
        compares the kernel with it.
        """)
}

// MARK: - 5

lesson.section("Cache blocking: keeping B close")
let panelDepth = supported.last!.sliceDepth, tileColumns = supported.last!.tileColumns
let bBytes = 512 * 512 * 8, panelBytes = panelDepth * tileColumns * 8
lesson.prose(
    """
    At n = 512, B alone is \(bBytes / 1024) KiB: more than a core's L1 (tens of KiB) and close \
    to its L2. The SIMD tile walks all of k for one tile of C, reading a column strip of \
    B whose rows lie 4 KiB apart, and the next tile reads the next strip: by the time a \
    strip is needed again it has left the cache. The kernel cuts k into slices and, \
    for products of 8 rows or more, first copies a slice of B into panels one tile wide \
    and contiguous (at \(supported.last!.rawValue), a \(panelDepth)-deep panel of \(tileColumns) columns is \(panelBytes / 1024) KiB, \
    which stays in L1 while every row of A passes over it). A slice continues the sums the previous \
    slice stored in C, so the order of every sum is unchanged.
    """)
if measuring {
    let n = 512
    let (a, b) = (randomMatrix(n, n), randomMatrix(n, n))
    let simd = secondsPerCall(repeats: 3, minimumTime: 0.2) { _ = simdTileMatmul(a, b, m: n, k: n, n: n) }
    let blocked = secondsPerCall(repeats: 3, minimumTime: 0.2) {
        _ = matmul(Matrix(rows: n, columns: n, values: a), Matrix(rows: n, columns: n, values: b), level: .baseline)
    }
    let simdSmall = ladderSeconds[steps.firstIndex { $0.name == "SIMD 4×4" }!]
    lesson.table(
        headers: ["n", "SIMD 4×4 GFLOP/s", "blocked (baseline) GFLOP/s"],
        rows: [
            ["\(timedSize)", gflops(timedWork.flops, simdSmall), gflops(timedWork.flops, ladderSeconds[steps.firstIndex { $0.name == "kernel baseline" }!])],
            ["\(n)", gflops(work512.flops, simd), gflops(work512.flops, blocked)],
        ])
    lesson.prose(
        """
        Same tile, same vectors: from \(timedSize) to \(n) the unblocked tile goes from \
        \(gflops(timedWork.flops, simdSmall)) to \(gflops(work512.flops, simd)) GFLOP/s, the blocked one runs at \
        \(gflops(work512.flops, blocked)).
        """)
}

// MARK: - 6

lesson.section("Why the bits stay the same, and what fusing would change")
let trials = 1000
var laneDiffers = 0, fusedDiffers = 0, fusedCloser = 0
for trial in 0..<trials {
    let length = 5 + trial % 60
    let (x, y) = (rng.uniforms(length, in: -1..<1), rng.uniforms(length, in: -1..<1))
    let plain = plainDot(x, y), lanes = laneDot(x, y), fused = fusedDot(x, y)
    // The exact value, near enough: the sum carried in two doubles (Ogita, Rump and
    // Oishi's Dot2), each product's rounding error recovered exactly with one fma.
    var high = 0.0, low = 0.0
    for i in 0..<length {
        let p = x[i] * y[i], productError = (-p).addingProduct(x[i], y[i])
        let s = high + p, back = s - high
        low += ((high - (s - back)) + (p - back)) + productError
        high = s
    }
    let exact = high + low
    if lanes != plain { laneDiffers += 1 }
    if fused != plain {
        fusedDiffers += 1
        if abs(fused - exact) < abs(plain - exact) { fusedCloser += 1 }
    }
}
lesson.prose(
    """
    The kernels vectorize across columns of C, never along k: lanes hold different \
    elements, each summed in the plain order. Vectorizing one sum along k would split \
    it into partial sums — a different order. Over \(trials) random dot products of 5 \
    to 64 terms, summing in 4 lanes and combining them (exercise 12.3's order) gives \
    other bits than the one running sum in \(laneDiffers) of \(trials) cases.
    """)
lesson.prose(
    """
    A fused multiply-add computes s + x·y with one rounding instead of two. It is \
    usually a little closer to the exact value, but it is another number: in \(fusedDiffers) of \
    the \(trials) dot products the fused sum differs from the plain one (closer to the exact \
    sum in \(fusedCloser) of those \(fusedDiffers)). Swift never fuses a * b + c on its own (no \
    -ffast-math), so the AVX2 and AVX-512 kernels, compiled for processors that have \
    the instruction, still give the baseline's bits. Fusing would change every \
    lesson's printed numbers in their last digits, and make them depend on the machine.
    """)

// MARK: - 7

lesson.section("Transposing in blocks")
let (tr, tc) = (300, 200)
let matrix = randomMatrix(tr, tc)
let plainT = plainTranspose(matrix, rows: tr, columns: tc)
let blocks = [1, 8, 32, 64]
let blockAgreement = blocks.map { blockedTranspose(matrix, rows: tr, columns: tc, block: $0) == plainT }
lesson.prose(
    """
    A transpose does no arithmetic at all: it is nothing but memory traffic. Reading A \
    along rows writes Aᵀ down columns, a new cache line per write. Walking it in square \
    blocks keeps a block's rows and columns in the cache together. Every block size \
    moves the same numbers to the same places: on a \(tr)×\(tc) matrix, blocks of \
    \(blocks.map(String.init).joined(separator: ", ")) give the plain transpose \(blockAgreement.allSatisfy { $0 } ? "exactly, every one" : "not always — a bug").
    """)
if measuring {
    let n = 2048
    let big = randomMatrix(n, n)
    let plainSeconds = secondsPerCall(repeats: 3, minimumTime: 0.2) { _ = plainTranspose(big, rows: n, columns: n) }
    let blockRows = [8, 32, 128].map { block -> [String] in
        let s = secondsPerCall(repeats: 3, minimumTime: 0.2) { _ = blockedTranspose(big, rows: n, columns: n, block: block) }
        return ["\(block)", decimal(s * 1e3, 2), decimal(plainSeconds / s, 2)]
    }
    lesson.table(headers: ["block", "ms at \(n)×\(n)", "× plain"], rows: [["plain", decimal(plainSeconds * 1e3, 2), "1.00"]] + blockRows)
}

// MARK: - 8

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/Performance and fill in each function, then run `swift run exercises \
    performance`. Matrices are flat and row-major. Each answer is checked bit for bit \
    against the plain loop it rearranges; speed is never checked: time your answers \
    yourself, in a release build.
    """)
lesson.table(
    headers: ["exercise", "function", "what it asks"],
    rows: [
        ["12.1", "matmulIKJ", "C = A·B with the loops in i, k, j order"],
        ["12.2", "matmulTiled2x2", "2×2 tiles of sums in registers, edges"],
        ["12.3", "dotSIMD4", "a dot product in SIMD4 lanes"],
        ["12.4", "transposeBlocked", "Aᵀ in square blocks, edge blocks cut"],
    ])
lesson.finish()
