// Which compiled copy of the kernels runs: the widest the processor supports.
//
// The kernels (Sources/Kernels) are compiled once per instruction level. Code compiled
// for AVX2 stops with an illegal-instruction fault on a processor without it, so the
// level is chosen before any wider code runs: the processor's features are read once,
// from /proc/cpuinfo on Linux (the kernel lists there only what it has also enabled) or
// from sysctl on macOS, and the widest level whose every feature is present wins.
// `KERNEL_LEVEL=baseline` (or avx2, avx512) forces a level, for tests and experiments;
// a level the processor lacks is refused with the features it is missing.

import Kernels
import KernelsAVX2
import KernelsAVX512
import Validation

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An instruction level the kernels are compiled for.
public enum KernelLevel: String, CaseIterable, Sendable, Comparable {
    /// x86-64's baseline (SSE2: 128-bit vectors, 2 doubles, 16 registers), or arm64's
    /// (NEON: 128-bit vectors, 32 registers).
    case baseline
    /// AVX2 (256-bit vectors, 4 doubles, 16 registers), as on Intel since Haswell (2013)
    /// and AMD since Zen (2017): `-target-cpu haswell`.
    case avx2
    /// AVX-512 (512-bit vectors, 8 doubles, 32 registers): `-target-cpu skylake-avx512`.
    case avx512

    /// The processor features the compiler may use at this level (what `-target-cpu`
    /// turns on, as /proc/cpuinfo names them). Every one must be present.
    public var requiredFeatures: [String] {
        switch self {
        case .baseline: []
        case .avx2: ["avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "abm", "movbe", "popcnt"]
        case .avx512: KernelLevel.avx2.requiredFeatures + ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"]
        }
    }

    /// Doubles in one vector register at this level.
    public var lanes: Int {
        switch self {
        case .baseline: 2
        case .avx2: 4
        case .avx512: 8
        }
    }

    /// Rows of C in a register tile: 4, or 8 at AVX-512 (where each broadcast element of A
    /// then feeds one multiply and folds into it).
    public var tileRows: Int { self == .avx512 ? 8 : 4 }

    /// Columns of a register tile: two vector registers' worth at 4 rows, one at 8, so a
    /// tile's running sums fill 8 registers at every level.
    public var tileColumns: Int { 8 * lanes / tileRows }

    /// How deep a k-slice the kernels take at this level: one tile's panel of B, this
    /// deep and ``tileColumns`` wide, is 8 KiB at the baseline and 16 KiB at the others,
    /// so it stays in a 32 KiB L1 cache beside the rows of A. The slicing changes no bit.
    /// (The same at every level today; a level's own cache could ask for another.)
    public var sliceDepth: Int { 256 }

    public static func < (a: KernelLevel, b: KernelLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The levels this processor supports, narrowest first (baseline always).
    public static let supported: [KernelLevel] = {
        #if arch(x86_64)
            let features = processorFeatures()
            return allCases.filter { level in level.requiredFeatures.allSatisfy(features.contains) }
        #else
            return [.baseline]
        #endif
    }()

    /// The level every product runs at: the widest supported, or `KERNEL_LEVEL`'s.
    public static let selected: KernelLevel = {
        guard let forced = getenv("KERNEL_LEVEL").map({ String(cString: $0) }), !forced.isEmpty else {
            return supported.last!
        }
        guard let level = KernelLevel(rawValue: forced) else {
            fail("KERNEL_LEVEL=\(forced) is not a level; use one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if !supported.contains(level) {
            #if arch(x86_64)
                let features = processorFeatures()
                let missing = level.requiredFeatures.filter { !features.contains($0) }
                fail(
                    "KERNEL_LEVEL=\(forced): this processor lacks \(missing.joined(separator: ", ")); it supports \(supported.map(\.rawValue).joined(separator: ", "))"
                )
            #else
                fail("KERNEL_LEVEL=\(forced): only the baseline kernels exist on this architecture")
            #endif
        }
        return level
    }()

    /// The kernels' matrix product: m, k, n, A and its strides, B and its strides, C, where
    /// the sums start (0 fresh, 1 continuing, 2 adding) and the k-slice depth.
    typealias Multiply =
        @Sendable (
            Int, Int, Int, UnsafePointer<Double>, Int, Int, UnsafePointer<Double>, Int, Int, UnsafeMutablePointer<Double>, Int, Int
        ) -> Void

    /// C ← A·B at this level (see Kernels.swift).
    var multiply: Multiply { pick(Kernels.multiply, KernelsAVX2.multiply, KernelsAVX512.multiply) }

    /// Runs this level's peak probe (see `peakProbe` in Kernels.swift): `steps` rounds of
    /// 12 · 2 · ``lanes`` flops in registers; `fused` uses fused multiply-adds (never
    /// at the baseline, which has none). Returns a value that depends on every step.
    public func peakProbe(steps: Int, fused: Bool = false) -> Double {
        require(KernelLevel.supported.contains(self), "kernel level \(rawValue) is not supported by this processor")
        require(!(fused && self == .baseline), "peakProbe: the baseline level has no fused multiply-add instruction")
        require(steps >= 0, "peakProbe: the number of steps must not be negative, got \(steps)")
        switch self {
        case .baseline: return Kernels.peakProbe(steps: steps, fused: fused)
        case .avx2: return KernelsAVX2.peakProbe(steps: steps, fused: fused)
        case .avx512: return KernelsAVX512.peakProbe(steps: steps, fused: fused)
        }
    }

    /// The tile the compiled kernels of this level report (the tests hold it equal to
    /// ``tileRows`` × ``tileColumns``).
    var compiledTileShape: (rows: Int, columns: Int) {
        require(KernelLevel.supported.contains(self), "kernel level \(rawValue) is not supported by this processor")
        switch self {
        case .baseline: return Kernels.tileShape()
        case .avx2: return KernelsAVX2.tileShape()
        case .avx512: return KernelsAVX512.tileShape()
        }
    }

    /// Flops of one round of ``peakProbe(steps:fused:)``.
    public var probeFlopsPerStep: Int { 12 * 2 * lanes }

    /// Convolution's direct forward pass at this level (see Kernels.swift).
    public func convolve(
        batch: Int, channels: Int, filters: Int, outputHeight: Int, outputWidth: Int,
        paddedHeight: Int, paddedWidth: Int, stride: Int,
        offsets: UnsafePointer<Int>, taps: Int, weights: UnsafePointer<Double>, bias: UnsafePointer<Double>,
        x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>
    ) {
        require(KernelLevel.supported.contains(self), "kernel level \(rawValue) is not supported by this processor")
        require(
            [batch, channels, filters, outputHeight, outputWidth, paddedHeight, paddedWidth, taps].allSatisfy { $0 >= 0 } && stride > 0,
            "convolve: sizes must not be negative and the stride must be positive: batch \(batch), channels \(channels), "
                + "filters \(filters), output \(outputHeight)×\(outputWidth), padded \(paddedHeight)×\(paddedWidth), taps \(taps), stride \(stride)")
        let kernel = pick(Kernels.convolve, KernelsAVX2.convolve, KernelsAVX512.convolve)
        kernel(
            batch, channels, filters, outputHeight, outputWidth, paddedHeight, paddedWidth, stride, offsets, taps, weights, bias,
            x, y)
    }
}

/// A KERNEL_LEVEL that cannot be honoured is a setting to correct, not a bug: the message
/// and exit status 1, without a crash report (a trap here would read "Illegal instruction",
/// the very thing the check exists to prevent).
private func fail(_ message: String) -> Never {
    let text = Array("error: \(message)\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }  // standard error
    exit(1)
}

#if arch(x86_64)
    /// The processor's feature names, as /proc/cpuinfo spells them.
    private func processorFeatures() -> Set<String> {
        #if canImport(Darwin)
            // macOS names them hw.optional.<feature>: 1 when present.
            let names: [(sysctl: String, feature: String)] = [
                ("avx1_0", "avx"), ("avx2_0", "avx2"), ("fma", "fma"), ("f16c", "f16c"), ("bmi1", "bmi1"), ("bmi2", "bmi2"),
                ("lzcnt", "abm"), ("movbe", "movbe"), ("popcnt", "popcnt"), ("avx512f", "avx512f"), ("avx512dq", "avx512dq"),
                ("avx512cd", "avx512cd"), ("avx512bw", "avx512bw"), ("avx512vl", "avx512vl"),
            ]
            var present = Set<String>()
            for (name, feature) in names {
                var value: Int32 = 0
                var size = MemoryLayout<Int32>.size
                if sysctlbyname("hw.optional.\(name)", &value, &size, nil, 0) == 0 && value != 0 { present.insert(feature) }
            }
            return present
        #else
            // Linux: the "flags" line of the first processor in /proc/cpuinfo.
            guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
            defer { fclose(file) }
            var line: UnsafeMutablePointer<CChar>? = nil
            var capacity = 0
            defer { free(line) }
            while getline(&line, &capacity, file) > 0 {
                guard let line else { break }
                let text = String(cString: line)
                if text.hasPrefix("flags") || text.hasPrefix("Features") {
                    guard let colon = text.firstIndex(of: ":") else { continue }
                    return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
                }
            }
            return []
        #endif
    }
#endif
