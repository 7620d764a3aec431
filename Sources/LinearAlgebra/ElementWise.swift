// The element-wise passes of a training step, run by the kernels of the selected level
// (Sources/Kernels/Kernels.swift): the same operations on each element as the plain loop
// written beside each one here, `KernelLevel.lanes` elements at a time. The tests hold
// every level equal to the plain loop, bit for bit, NaN, infinities and −0 included.

import Kernels
import KernelsAVX2
import KernelsAVX512
import Validation

/// Adds the row vector b to every row of the row-major matrix in `z` (rows × b.count):
/// z[r, j] += b[j], the bias of a layer applied to each sample of a batch.
///
/// ```
/// for r in 0..<rows { for j in 0..<b.count { z[r * b.count + j] += b[j] } }
/// ```
public func addToEveryRow(_ b: [Double], of z: inout [Double], level: KernelLevel = .selected) {
    require(
        b.isEmpty ? z.isEmpty : z.count % b.count == 0,
        "addToEveryRow: a row of \(b.count) values does not divide a matrix of \(z.count) values into rows")
    guard !b.isEmpty && !z.isEmpty else { return }
    let kernel = level.pick(Kernels.addToRows, KernelsAVX2.addToRows, KernelsAVX512.addToRows)
    b.withUnsafeBufferPointer { b in
        z.withUnsafeMutableBufferPointer { z in kernel(z.count / b.count, b.count, b.baseAddress!, z.baseAddress!) }
    }
}

/// Adds the column sums of the row-major matrix in `d` (rows × sums.count) into `sums`:
/// sums[j] += d[0, j], then d[1, j], … in order. The gradient of a bias added to every row.
///
/// ```
/// for r in 0..<rows { for j in 0..<sums.count { sums[j] += d[r * sums.count + j] } }
/// ```
public func addColumnSums(of d: [Double], into sums: inout [Double], level: KernelLevel = .selected) {
    require(
        sums.isEmpty ? d.isEmpty : d.count % sums.count == 0,
        "addColumnSums: \(d.count) values do not make rows of \(sums.count) columns")
    guard !sums.isEmpty && !d.isEmpty else { return }
    let kernel = level.pick(Kernels.addColumnSums, KernelsAVX2.addColumnSums, KernelsAVX512.addColumnSums)
    d.withUnsafeBufferPointer { d in
        sums.withUnsafeMutableBufferPointer { sums in kernel(d.count / sums.count, sums.count, d.baseAddress!, sums.baseAddress!) }
    }
}

/// y ← y − scale·x, element by element: a gradient-descent step θ ← θ − η g.
///
/// ```
/// for i in y.indices { y[i] -= scale * x[i] }
/// ```
public func subtractScaled(_ x: [Double], by scale: Double, from y: inout [Double], level: KernelLevel = .selected) {
    require(x.count == y.count, "subtractScaled: lengths differ: (\(y.count)) − scale · (\(x.count))")
    guard !x.isEmpty else { return }
    let kernel = level.pick(Kernels.subtractScaled, KernelsAVX2.subtractScaled, KernelsAVX512.subtractScaled)
    x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in kernel(x.count, scale, x.baseAddress!, y.baseAddress!) }
    }
}

/// ReLU of every element: z < 0 ? 0 : z (NaN and −0 pass as they are).
///
/// ```
/// z.map { $0 < 0 ? 0 : $0 }
/// ```
public func reluOfEach(_ z: [Double], level: KernelLevel = .selected) -> [Double] {
    let kernel = level.pick(Kernels.relu, KernelsAVX2.relu, KernelsAVX512.relu)
    return [Double](unsafeUninitializedCapacity: z.count) { y, initialized in
        z.withUnsafeBufferPointer { z in
            if let source = z.baseAddress, let target = y.baseAddress { kernel(z.count, source, target) }
        }
        initialized = z.count
    }
}

/// ReLU's backward pass: gradient ⊙ g′(z), g′ = 1 where z > 0, 0 where z ≤ 0, and NaN
/// where z is NaN.
///
/// ```
/// zip(z, gradient).map { z, g in g * (z.isNaN ? z : z > 0 ? 1 : 0) }
/// ```
public func reluBackward(_ z: [Double], _ gradient: [Double], level: KernelLevel = .selected) -> [Double] {
    require(z.count == gradient.count, "reluBackward: \(z.count) pre-activations but a gradient of \(gradient.count) values")
    let kernel = level.pick(Kernels.reluBackward, KernelsAVX2.reluBackward, KernelsAVX512.reluBackward)
    return [Double](unsafeUninitializedCapacity: z.count) { result, initialized in
        z.withUnsafeBufferPointer { z in
            gradient.withUnsafeBufferPointer { g in
                if let z = z.baseAddress, let g = g.baseAddress, let target = result.baseAddress { kernel(result.count, z, g, target) }
            }
        }
        initialized = z.count
    }
}

extension KernelLevel {
    /// This level's copy of a kernel, given the three copies in level order, after checking
    /// that the processor runs this level.
    func pick<Kernel>(_ baseline: Kernel, _ avx2: Kernel, _ avx512: Kernel) -> Kernel {
        require(KernelLevel.supported.contains(self), "kernel level \(rawValue) is not supported by this processor")
        switch self {
        case .baseline: return baseline
        case .avx2: return avx2
        case .avx512: return avx512
        }
    }
}
