// The fast kernels behind `matmul`, `addTransposedProduct` and convolution's forward
// pass, written once and compiled three times.
//
// This file is the source of three modules: `Kernels` (baseline x86-64 — SSE2 — or
// arm64), `KernelsAVX2` and `KernelsAVX512` (the same file, linked in by a symbolic link,
// compiled with `-target-cpu haswell` and `-target-cpu skylake-avx512`; see
// Package.swift). LinearAlgebra's `KernelLevel` reads the processor's features once and
// calls the widest module it supports. Nothing else in a wider module may run first, so
// these modules hold functions only: no global variables, no types with code.
//
// Every element of a product is the plain loop's sum, in the plain loop's order:
//
//     c = 0;  c += a[i, 0]·b[0, j];  c += a[i, 1]·b[1, j];  …   (p = 0, 1, …, k − 1)
//
// What changes between the levels is how many of those sums run side by side — the width
// of a vector and the size of the tile of sums kept in registers — never the order in
// which one sum is formed. A multiply and an add stay two roundings: Swift does not fuse
// `x * y + z` into one fused multiply-add instruction unless asked, so every level, and
// every machine, produces the same bits.

// MARK: - The width of each level

#if KERNELS_AVX512
    /// 8 doubles: one 512-bit register.
    typealias Wide = SIMD8<Double>
    /// Rows of C per register tile. At AVX-512 a tile is 8 rows × one vector rather than 4 rows
    /// × two: each broadcast a[i, p] then feeds a single multiply, and the compiler folds the
    /// broadcast into that multiply's memory operand (`vmulpd (mem){1to8}`), one instruction
    /// fewer per row and step.
    @inline(__always) var tileRows: Int { 8 }
#elseif KERNELS_AVX2
    /// 8 doubles: two 256-bit registers.
    typealias Wide = SIMD8<Double>
    @inline(__always) var tileRows: Int { 4 }
#else
    /// 4 doubles: two 128-bit SSE2 registers (or NEON registers on arm64).
    typealias Wide = SIMD4<Double>
    @inline(__always) var tileRows: Int { 4 }
#endif

#if KERNELS_AVX512
    /// Two vector registers of doubles at this level (for the peak probe).
    typealias TwoRegisters = SIMD16<Double>
#elseif KERNELS_AVX2
    typealias TwoRegisters = SIMD8<Double>
#else
    typealias TwoRegisters = SIMD4<Double>
#endif

/// The edge columns left when fewer than `Wide.scalarCount` remain go 4 at a time.
typealias Narrow = SIMD4<Double>

// A register tile is `tileRows` rows × `Wide.scalarCount` columns of running sums: 8
// vector registers at every level (of the 16 that baseline x86-64 and AVX2 have, the 32 of
// AVX-512 and arm64), plus the row of B and the broadcast element of A.

/// Products with at least this many rows copy each slice of B into panels first.
@inline(__always) var packingRows: Int { 8 }

/// The rows and columns of this level's register tile, which LinearAlgebra's
/// `KernelLevel.tileRows` and `tileColumns` state (the tests hold them equal). The depth of
/// a k-slice comes from `KernelLevel.sliceDepth`, as an argument.
public func tileShape() -> (rows: Int, columns: Int) { (tileRows, Wide.scalarCount) }

// MARK: - The matrix product

/// C ← A·B (`start` 0), C ← C + A·B (`start` 2: the product formed first, then added),
/// or every sum of A·B started from C's element instead of 0 (`start` 1: a product split
/// along k into calls gives the bits of the whole),
/// row-major: A is m×k with A[i, p] = a[i·aRowStride + p·aColumnStride] (a row-major A
/// has strides (k, 1), a transposed one (1, m)); B is k×n with B[p, j] =
/// b[p·bRowStride + j·bColumnStride] likewise ((n, 1) row-major, (1, k) the transpose of
/// an n×k matrix); C is m×n, row-major. Each element of A·B is the plain loop's sum in
/// the plain loop's order.
///
/// k is walked in slices; a slice's sums start from 0 on the first slice and from the C
/// stored by the last slice after that, so slicing changes no bit. For m ≥ 8 each
/// slice of B is first copied into panels of `Wide.scalarCount` columns (the panel of
/// one tile then lies contiguous in memory and stays in the L1 cache while every row of
/// A passes over it); smaller products read B where it is. A B that is not row-major
/// (a transpose) is first copied slice by slice into row-major order.
public func multiply(
    m: Int, k: Int, n: Int, a: UnsafePointer<Double>, aRowStride: Int, aColumnStride: Int,
    b: UnsafePointer<Double>, bRowStride: Int, bColumnStride: Int, c: UnsafeMutablePointer<Double>, start: Int,
    sliceDepth: Int
) {
    if k == 0 {
        if start == fresh { c.update(repeating: 0, count: m * n) }
        return
    }
    if start == adding && k > sliceDepth {  // more than one slice: the product goes to memory first
        let product = UnsafeMutablePointer<Double>.allocate(capacity: m * n)
        defer { product.deallocate() }
        multiply(
            m: m, k: k, n: n, a: a, aRowStride: aRowStride, aColumnStride: aColumnStride, b: b, bRowStride: bRowStride,
            bColumnStride: bColumnStride, c: product, start: fresh, sliceDepth: sliceDepth)
        for index in 0..<(m * n) { c[index] += product[index] }
        return
    }
    let width = Wide.scalarCount
    let panels = m >= packingRows ? n / width : 0
    let packed = UnsafeMutablePointer<Double>.allocate(capacity: max(1, panels * width * min(k, sliceDepth)))
    defer { packed.deallocate() }
    let rowMajor = bColumnStride == 1 && bRowStride == n
    // A strided B is packed straight from its strides when every tile reads a panel (all
    // columns in panels, no single rows left over); otherwise each slice is first gathered
    // into row-major order.
    let gathering = !rowMajor && (panels * width < n || m % 4 != 0)
    let gathered = UnsafeMutablePointer<Double>.allocate(capacity: gathering ? min(k, sliceDepth) * n : 1)
    defer { gathered.deallocate() }
    var k0 = 0
    while k0 < k {
        let k1 = min(k0 + sliceDepth, k), depth = k1 - k0
        // The first slice's sums start as asked (added into C at the end when adding: a
        // single slice, then); a later slice's start from the C the last one stored.
        let start = k0 > 0 ? continuing : start
        let aSlice = a + k0 * aColumnStride
        // The slice B[k0..<k1, 0..<n], row-major: in place, or gathered from its strides.
        var bSlice = b + k0 * n
        if gathering {
            for p in 0..<depth {
                let source = b + (k0 + p) &* bRowStride, target = gathered + p &* n
                for j in 0..<n { target[j] = source[j &* bColumnStride] }
            }
            bSlice = UnsafePointer(gathered)
        }
        // Panel q holds B[k0..<k1, q·width..<(q+1)·width], row after row.
        if rowMajor || gathering {
            for q in 0..<panels {
                for p in 0..<depth {
                    store(load(Wide.self, bSlice + p * n + q * width), packed + (q * depth + p) * width)
                }
            }
        } else {
            // Row p of panel q is B[k0 + p, q·width ..< (q+1)·width], one element from each
            // of `width` columns, put together in a register and stored whole.
            for q in 0..<panels {
                let columns = b + (k0 &* bRowStride &+ q &* width &* bColumnStride)
                for p in 0..<depth {
                    var row = Wide()
                    let source = columns + p &* bRowStride
                    for lane in 0..<width { row[lane] = source[lane &* bColumnStride] }
                    store(row, packed + (q &* depth &+ p) &* width)
                }
            }
        }
        /// Where the tile at column j reads B: its packed panel, or B in place.
        func panel(_ j: Int) -> (b: UnsafePointer<Double>, stride: Int) {
            j / width < panels ? (UnsafePointer(packed + (j / width) * depth * width), width) : (bSlice + j, n)
        }
        /// The columns from j on that no whole wide tile covers, for 4 rows: 4-wide tiles,
        /// then a masked one.
        func narrowColumns(from j: Int, rows i: Int) {
            var j = j
            let aRows = aSlice + i * aRowStride
            while j + Narrow.scalarCount <= n {
                tile(Narrow.self, depth: depth, a: aRows, aRowStride, aColumnStride, b: bSlice + j, n, c: c + i * n + j, n, start)
                j += Narrow.scalarCount
            }
            if j < n {
                edgeTile(columns: n - j, depth: depth, a: aRows, aRowStride, aColumnStride, b: bSlice + j, n, c: c + i * n + j, start)
            }
        }
        var i = 0
        while i + tileRows <= m {
            var j = 0
            while j + width <= n {
                let (b, stride) = panel(j)
                #if KERNELS_AVX512
                    tile8(depth: depth, a: aSlice + i * aRowStride, aRowStride, aColumnStride, b: b, stride, c: c + i * n + j, n, start)
                #else
                    tile(Wide.self, depth: depth, a: aSlice + i * aRowStride, aRowStride, aColumnStride, b: b, stride, c: c + i * n + j, n, start)
                #endif
                j += width
            }
            for half in stride(from: 0, to: tileRows, by: 4) { narrowColumns(from: j, rows: i + half) }
            i += tileRows
        }
        while i + 4 <= m {  // with 8-row tiles, a last block of 4 rows
            var j = 0
            while j + width <= n {
                let (b, stride) = panel(j)
                tile(Wide.self, depth: depth, a: aSlice + i * aRowStride, aRowStride, aColumnStride, b: b, stride, c: c + i * n + j, n, start)
                j += width
            }
            narrowColumns(from: j, rows: i)
            i += 4
        }
        while i < m {  // the last rows (all of them when m < 4, a batch of one): one row at a time
            let aRow = aSlice + i * aRowStride, cRow = c + i * n
            var j = 0
            while j + 4 * width <= n {
                row(depth: depth, a: aRow, aColumnStride, b: bSlice + j, n, c: cRow + j, start)
                j += 4 * width
            }
            while j < n {
                rowNarrow(columns: min(Narrow.scalarCount, n - j), depth: depth, a: aRow, aColumnStride, b: bSlice + j, n, c: cRow + j, start)
                j += Narrow.scalarCount
            }
            i += 1
        }
        k0 = k1
    }
}

/// C[0..<4, 0..<V.scalarCount] ← (0 or C) + A[0..<4, slice] · B[slice, columns]: the
/// 4 × V sums stay in registers while p walks the slice. B's rows are `bStride` apart
/// (n in place, V in a packed panel); C's rows are n apart.
@inline(__always)
private func tile<V: SIMD>(
    _: V.Type, depth: Int, a: UnsafePointer<Double>, _ aRowStride: Int, _ aColumnStride: Int,
    b: UnsafePointer<Double>, _ bStride: Int, c: UnsafeMutablePointer<Double>, _ n: Int, _ start: Int
) where V.Scalar == Double {
    var c0 = start == continuing ? load(V.self, c) : V()
    var c1 = start == continuing ? load(V.self, c + n) : V()
    var c2 = start == continuing ? load(V.self, c + 2 * n) : V()
    var c3 = start == continuing ? load(V.self, c + 3 * n) : V()
    let (r1, r2, r3) = (aRowStride, 2 * aRowStride, 3 * aRowStride)
    var a0 = a, row = b
    for _ in 0..<depth {
        let bRow = load(V.self, row)
        c0 += V(repeating: a0[0]) * bRow
        c1 += V(repeating: a0[r1]) * bRow
        c2 += V(repeating: a0[r2]) * bRow
        c3 += V(repeating: a0[r3]) * bRow
        a0 += aColumnStride
        row += bStride
    }
    finish(c0, c, start)
    finish(c1, c + n, start)
    finish(c2, c + 2 * n, start)
    finish(c3, c + 3 * n, start)
}

/// C[0..<8, 0..<8] ← (0 or C) + A[0..<8, slice] · B[slice, columns], one vector of sums
/// per row (the AVX-512 tile: each broadcast a[i, p] feeds one multiply).
@inline(__always)
private func tile8(
    depth: Int, a: UnsafePointer<Double>, _ aRowStride: Int, _ aColumnStride: Int,
    b: UnsafePointer<Double>, _ bStride: Int, c: UnsafeMutablePointer<Double>, _ n: Int, _ start: Int
) {
    var c0 = start == continuing ? load(Wide.self, c) : Wide()
    var c1 = start == continuing ? load(Wide.self, c + n) : Wide()
    var c2 = start == continuing ? load(Wide.self, c + 2 * n) : Wide()
    var c3 = start == continuing ? load(Wide.self, c + 3 * n) : Wide()
    var c4 = start == continuing ? load(Wide.self, c + 4 * n) : Wide()
    var c5 = start == continuing ? load(Wide.self, c + 5 * n) : Wide()
    var c6 = start == continuing ? load(Wide.self, c + 6 * n) : Wide()
    var c7 = start == continuing ? load(Wide.self, c + 7 * n) : Wide()
    let r = aRowStride
    var a0 = a, row = b
    for _ in 0..<depth {
        let bRow = load(Wide.self, row)
        c0 += Wide(repeating: a0[0]) * bRow
        c1 += Wide(repeating: a0[r]) * bRow
        c2 += Wide(repeating: a0[2 * r]) * bRow
        c3 += Wide(repeating: a0[3 * r]) * bRow
        c4 += Wide(repeating: a0[4 * r]) * bRow
        c5 += Wide(repeating: a0[5 * r]) * bRow
        c6 += Wide(repeating: a0[6 * r]) * bRow
        c7 += Wide(repeating: a0[7 * r]) * bRow
        a0 += aColumnStride
        row += bStride
    }
    finish(c0, c, start)
    finish(c1, c + n, start)
    finish(c2, c + 2 * n, start)
    finish(c3, c + 3 * n, start)
    finish(c4, c + 4 * n, start)
    finish(c5, c + 5 * n, start)
    finish(c6, c + 6 * n, start)
    finish(c7, c + 7 * n, start)
}

/// One row of A times 4·`Wide.scalarCount` columns of B (a row vector times a matrix, as
/// in a recurrent layer's step with a batch of one): 4 wide running sums.
@inline(__always)
private func row(
    depth: Int, a: UnsafePointer<Double>, _ aColumnStride: Int, b: UnsafePointer<Double>, _ n: Int,
    c: UnsafeMutablePointer<Double>, _ start: Int
) {
    let w = Wide.scalarCount
    var c0 = start == continuing ? load(Wide.self, c) : Wide()
    var c1 = start == continuing ? load(Wide.self, c + w) : Wide()
    var c2 = start == continuing ? load(Wide.self, c + 2 * w) : Wide()
    var c3 = start == continuing ? load(Wide.self, c + 3 * w) : Wide()
    var a0 = a, bRow = b
    for _ in 0..<depth {
        let value = Wide(repeating: a0[0])
        c0 += value * load(Wide.self, bRow)
        c1 += value * load(Wide.self, bRow + w)
        c2 += value * load(Wide.self, bRow + 2 * w)
        c3 += value * load(Wide.self, bRow + 3 * w)
        a0 += aColumnStride
        bRow += n
    }
    finish(c0, c, start)
    finish(c1, c + w, start)
    finish(c2, c + 2 * w, start)
    finish(c3, c + 3 * w, start)
}

/// One row of A times `columns` (4 or fewer) columns of B.
@inline(__always)
private func rowNarrow(
    columns: Int, depth: Int, a: UnsafePointer<Double>, _ aColumnStride: Int, b: UnsafePointer<Double>, _ n: Int,
    c: UnsafeMutablePointer<Double>, _ start: Int
) {
    var sum = start == continuing ? load(columns, c) : Narrow()
    var a0 = a, bRow = b
    for _ in 0..<depth {
        sum += Narrow(repeating: a0[0]) * load(columns, bRow)
        a0 += aColumnStride
        bRow += n
    }
    finish(columns, sum, c, start)
}

/// The last 1 to 3 columns of 4 rows: a 4 × 4 tile whose lanes past `columns` hold 0s
/// and are never stored (a lane's sum depends on its own column only).
@inline(__always)
private func edgeTile(
    columns: Int, depth: Int, a: UnsafePointer<Double>, _ aRowStride: Int, _ aColumnStride: Int,
    b: UnsafePointer<Double>, _ n: Int, c: UnsafeMutablePointer<Double>, _ start: Int
) {
    var c0 = start == continuing ? load(columns, c) : Narrow()
    var c1 = start == continuing ? load(columns, c + n) : Narrow()
    var c2 = start == continuing ? load(columns, c + 2 * n) : Narrow()
    var c3 = start == continuing ? load(columns, c + 3 * n) : Narrow()
    let (r1, r2, r3) = (aRowStride, 2 * aRowStride, 3 * aRowStride)
    var a0 = a, row = b
    for _ in 0..<depth {
        let bRow = load(columns, row)
        c0 += Narrow(repeating: a0[0]) * bRow
        c1 += Narrow(repeating: a0[r1]) * bRow
        c2 += Narrow(repeating: a0[r2]) * bRow
        c3 += Narrow(repeating: a0[r3]) * bRow
        a0 += aColumnStride
        row += n
    }
    finish(columns, c0, c, start)
    finish(columns, c1, c + n, start)
    finish(columns, c2, c + 2 * n, start)
    finish(columns, c3, c + 3 * n, start)
}

/// The first `columns` (1 to 4) values at `pointer`, the other lanes 0.
@inline(__always)
private func load(_ columns: Int, _ pointer: UnsafePointer<Double>) -> Narrow {
    if columns == 4 { return load(Narrow.self, pointer) }
    var v = Narrow()
    v[0] = pointer[0]
    if columns > 1 { v[1] = pointer[1] }
    if columns > 2 { v[2] = pointer[2] }
    return v
}

@inline(__always)
private func load(_ columns: Int, _ pointer: UnsafeMutablePointer<Double>) -> Narrow { load(columns, UnsafePointer(pointer)) }

/// `finish` for the first `columns` lanes only.
@inline(__always)
private func finish(_ columns: Int, _ sums: Narrow, _ c: UnsafeMutablePointer<Double>, _ start: Int) {
    if columns == 4 { return finish(sums, c, start) }
    let values = start == adding ? load(columns, c) + sums : sums
    for lane in 0..<columns { c[lane] = values[lane] }
}

// Where a slice's running sums start, and where they go (plain numbers, not an enum: a
// type would bring shared conformance code into this module, code that the linker may
// pick for a narrower module's use; see the no-shared-symbols check in .ci/run):
/// from 0, stored into C: the first slice of a product;
@inline(__always) private var fresh: Int { 0 }
/// from C, stored into C: a later slice, or a product asked to continue the sums in C;
@inline(__always) private var continuing: Int { 1 }
/// from 0, added into C: the one slice of an accumulating product.
@inline(__always) private var adding: Int { 2 }

@inline(__always)
private func finish<V: SIMD>(_ sums: V, _ c: UnsafeMutablePointer<Double>, _ start: Int) where V.Scalar == Double {
    store(start == adding ? load(V.self, c) + sums : sums, c)
}

@inline(__always)
private func load<V: SIMD>(_: V.Type, _ pointer: UnsafePointer<Double>) -> V where V.Scalar == Double {
    UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
}

@inline(__always)
private func load<V: SIMD>(_: V.Type, _ pointer: UnsafeMutablePointer<Double>) -> V where V.Scalar == Double {
    UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
}

@inline(__always)
private func store<V: SIMD>(_ value: V, _ pointer: UnsafeMutablePointer<Double>) where V.Scalar == Double {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: V.self)
}

// MARK: - Element-wise passes

// The passes a training step makes over whole arrays besides its products: a bias added to
// every row, a bias gradient's column sums, ReLU and its backward pass, a gradient-descent
// step. Each element is computed by the same operations, in the same order, as the
// plain loop in the library (LinearAlgebra's tests hold them equal bit for bit); only
// `Wide.scalarCount` elements go at a time, and the last few one by one.

/// z[r·columns + j] += b[j] for every row r.
public func addToRows(rows: Int, columns: Int, b: UnsafePointer<Double>, z: UnsafeMutablePointer<Double>) {
    let width = Wide.scalarCount
    for r in 0..<rows {
        let row = z + r &* columns
        var j = 0
        while j + width <= columns {
            store(load(Wide.self, row + j) + load(Wide.self, b + j), row + j)
            j += width
        }
        while j < columns {
            row[j] += b[j]
            j += 1
        }
    }
}

/// sums[j] += d[0·columns + j], then d[1·columns + j], …: each column's sum over the rows
/// in order, added straight into `sums`.
public func addColumnSums(rows: Int, columns: Int, d: UnsafePointer<Double>, sums: UnsafeMutablePointer<Double>) {
    let width = Wide.scalarCount
    var j = 0
    while j + width <= columns {
        var s = load(Wide.self, sums + j)
        for r in 0..<rows { s += load(Wide.self, d + r &* columns + j) }
        store(s, sums + j)
        j += width
    }
    while j < columns {
        for r in 0..<rows { sums[j] += d[r &* columns + j] }
        j += 1
    }
}

/// y[i] ← y[i] − scale·x[i]: a gradient-descent step.
public func subtractScaled(count: Int, scale: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
    let width = Wide.scalarCount
    let a = Wide(repeating: scale)
    var i = 0
    while i + width <= count {
        store(load(Wide.self, y + i) - a * load(Wide.self, x + i), y + i)
        i += width
    }
    while i < count {
        y[i] -= scale * x[i]
        i += 1
    }
}

/// y[i] = z[i] < 0 ? 0 : z[i] (NaN and −0 pass as they are).
public func relu(count: Int, z: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
    let width = Wide.scalarCount
    var i = 0
    while i + width <= count {
        let v = load(Wide.self, z + i)
        store(v.replacing(with: 0, where: v .< 0), y + i)
        i += width
    }
    while i < count {
        y[i] = z[i] < 0 ? 0 : z[i]
        i += 1
    }
}

/// result[i] = gradient[i] · g′(z[i]) for ReLU: g′ = 1 where z > 0, 0 where z ≤ 0, and
/// z itself where z is NaN (so that NaN passes).
public func reluBackward(count: Int, z: UnsafePointer<Double>, gradient: UnsafePointer<Double>, result: UnsafeMutablePointer<Double>) {
    let width = Wide.scalarCount
    var i = 0
    while i + width <= count {
        let v = load(Wide.self, z + i)
        let slope = Wide(repeating: 0).replacing(with: 1, where: v .> 0).replacing(with: v, where: v .!= v)
        store(load(Wide.self, gradient + i) * slope, result + i)
        i += width
    }
    while i < count {
        let v = z[i]
        result[i] = gradient[i] * (v.isNaN ? v : v > 0 ? 1 : 0)
        i += 1
    }
}

// MARK: - Convolution's direct forward pass

/// y ← the convolution of a zero-padded batch x with F filters, plus bias, each output
/// the sum over the taps t = (c, u, v) in order from 0, then + bias: the same sums as
/// CNN's `Conv2D.referenceForward`, in the same order.
///
/// - x: the padded input, batch × channels planes of ph × pw, with room for 3·stride
///   values after the last (the last 4-wide step of a row may read past it);
/// - offsets[t]: where tap t reads, from a window's top-left corner;
/// - weights: ⌈F/4⌉·4 filters of `taps` weights, the filters past F all zero;
/// - y: batch × F planes of oh × ow.
///
/// A step of the inner loop takes one tap for a tile of 4 filters × V neighbouring
/// output columns (V = `Wide.scalarCount` while a whole vector fits in the row, then 4):
/// the pixels are loaded once for 4 filters, each weight once for V outputs, and the
/// 4 × V sums stay in registers until their windows are done.
public func convolve(
    batch: Int, channels: Int, filters f: Int, outputHeight oh: Int, outputWidth ow: Int,
    paddedHeight ph: Int, paddedWidth pw: Int, stride s: Int,
    offsets: UnsafePointer<Int>, taps: Int, weights: UnsafePointer<Double>, bias: UnsafePointer<Double>,
    x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>
) {
    let tiles = (f + 3) / 4, plane = oh * ow
    for image in 0..<batch {
        for i in 0..<oh {
            for tile in 0..<tiles {
                let w = weights + tile * 4 * taps
                let out = y + (image * f + tile * 4) * plane + i * ow
                let filtersHere = min(4, f - tile * 4)
                var j = 0
                if s == 1 {
                    while j + Wide.scalarCount <= ow {
                        let corner = x + (image * channels * ph + i) * pw + j
                        windows(
                            Wide.self, taps: taps, offsets: offsets, w: w, corner: corner, s: 1, bias: bias + tile * 4,
                            out: out + j, plane: plane, filters: filtersHere, columns: Wide.scalarCount)
                        j += Wide.scalarCount
                    }
                }
                while j < ow {
                    let corner = x + (image * channels * ph + i * s) * pw + j * s
                    windows(
                        Narrow.self, taps: taps, offsets: offsets, w: w, corner: corner, s: s, bias: bias + tile * 4,
                        out: out + j, plane: plane, filters: filtersHere, columns: min(4, ow - j))
                    j += 4
                }
            }
        }
    }
}

/// 4 filters × V neighbouring windows: the running sums over the taps, then + bias,
/// stored for the first `filters` filters and `columns` columns.
@inline(__always)
private func windows<V: SIMD>(
    _: V.Type, taps: Int, offsets: UnsafePointer<Int>, w: UnsafePointer<Double>, corner: UnsafePointer<Double>, s: Int,
    bias: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>, plane: Int, filters: Int, columns: Int
) where V.Scalar == Double {
    let (w0, w1, w2, w3) = (w, w + taps, w + 2 * taps, w + 3 * taps)
    var sum0 = V(), sum1 = V(), sum2 = V(), sum3 = V()
    for t in 0..<taps {
        let pixel = corner + offsets[t]  // the tap's pixel for V neighbouring windows
        var pixels: V
        if s == 1 {
            pixels = load(V.self, pixel)
        } else {
            pixels = V()
            for lane in 0..<V.scalarCount { pixels[lane] = pixel[lane * s] }
        }
        sum0 += w0[t] * pixels
        sum1 += w1[t] * pixels
        sum2 += w2[t] * pixels
        sum3 += w3[t] * pixels
    }
    put(sum0 + bias[0], out, columns)
    if filters > 1 { put(sum1 + bias[1], out + plane, columns) }
    if filters > 2 { put(sum2 + bias[2], out + 2 * plane, columns) }
    if filters > 3 { put(sum3 + bias[3], out + 3 * plane, columns) }
}

/// The first `columns` lanes of `value` stored at `target`.
@inline(__always)
private func put<V: SIMD>(_ value: V, _ target: UnsafeMutablePointer<Double>, _ columns: Int) where V.Scalar == Double {
    if columns == V.scalarCount {
        store(value, target)
    } else {
        for lane in 0..<columns { target[lane] = value[lane] }
    }
}

// MARK: - The peak probe

/// This level's arithmetic speed with nothing else in the way: `steps` rounds of
/// s ← s · x + y on 6 values of two vector registers each (12 registers of independent
/// running values; with x and y, 16 at most: no level has to spill one to memory), a
/// multiply and an add each, all in registers. Each round is 12 · 2 · (doubles per
/// register) flops. (Not s += x · y: x · y would be computed once, outside the loop.) With
/// `fused` each multiply-add is one fused instruction, rounded once: what the kernels do
/// not do, measured only to say what it would add. Returns a number that depends on every
/// value, so the work cannot be skipped.
public func peakProbe(steps: Int, fused: Bool) -> Double {
    let x = TwoRegisters(repeating: 0.999), y = TwoRegisters(repeating: 1e-9)
    var s0 = TwoRegisters(repeating: 1), s1 = TwoRegisters(repeating: 2), s2 = TwoRegisters(repeating: 3)
    var s3 = TwoRegisters(repeating: 4), s4 = TwoRegisters(repeating: 5), s5 = TwoRegisters(repeating: 6)
    if fused {
        for _ in 0..<steps {
            s0 = y.addingProduct(s0, x); s1 = y.addingProduct(s1, x); s2 = y.addingProduct(s2, x)
            s3 = y.addingProduct(s3, x); s4 = y.addingProduct(s4, x); s5 = y.addingProduct(s5, x)
        }
    } else {
        for _ in 0..<steps {
            s0 = s0 * x + y; s1 = s1 * x + y; s2 = s2 * x + y
            s3 = s3 * x + y; s4 = s4 * x + y; s5 = s5 * x + y
        }
    }
    let total = ((s0 + s1) + (s2 + s3)) + (s4 + s5)
    var sum = 0.0
    for lane in 0..<TwoRegisters.scalarCount { sum += total[lane] }
    return sum
}
