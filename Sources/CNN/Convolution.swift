import Backprop
import LinearAlgebra
import Randomness
import Validation

/// How many positions a filter of size `f` takes along an axis of size `n`, padded by `p`
/// zeros on each side and moved `s` at a time:
///
/// ```
/// output = ⌊(n + 2p − f) / s⌋ + 1
/// ```
/// When n + 2p − f is not a multiple of s the last rows (or columns) of the padded input
/// are not reached by any window; they are dropped, as in PyTorch. A filter larger than
/// the padded input fits nowhere: that stops with an error naming the sizes.
public func convolutionOutputSize(_ n: Int, filter f: Int, padding p: Int = 0, stride s: Int = 1) -> Int {
    require(n > 0 && f > 0, "convolution: the input size \(n) and the filter size \(f) must be positive")
    require(p >= 0, "convolution: the padding must not be negative, got \(p)")
    require(s > 0, "convolution: the stride must be positive, got \(s)")
    require(
        f <= n + 2 * p,
        "convolution: a filter of \(f) does not fit an input of \(n) padded by \(p) on each side (\(n + 2 * p) in all)")
    return (n + 2 * p - f) / s + 1
}

/// A 2-D convolution layer: several filters slid over a multi-channel image.
///
/// ```
/// x: (B, C, H, W)     w: (F, C, KH, KW)     b: (F)     y: (B, F, OH, OW)
/// y[n, f, i, j] = Σ_c Σ_u Σ_v  w[f, c, u, v] · x[n, c, i·s + u − p, j·s + v − p]  +  b[f]
/// ```
/// with x taken as 0 outside the image (zero padding), OH = ⌊(H + 2p − KH)/s⌋ + 1 and
/// OW likewise. This is cross-correlation: the filter is not flipped, as in every deep
/// learning library (a "true" convolution would read w[f, c, KH−1−u, KW−1−v]). The
/// layouts are PyTorch's (NCHW input, `Conv2d.weight` as (out, in, kh, kw)), so its
/// weights can be copied in as they are.
///
/// The same numbers are computed two ways, side by side: ``referenceForward(_:)`` and
/// ``referenceBackward(_:input:)`` are the formula's loops, to read. The layer's own
/// passes are the fast path: ``forward(_:mode:)`` runs the same sums over a zero-padded
/// copy of x, four filters by 4 or 8 output columns at a time in vector registers, and
/// ``backward(_:)`` lays the input's patches out as the rows of a matrix (im2col) and
/// does its sums as matrix products with the fast kernel. The tests hold the two equal.
public struct Conv2D: Layer {
    /// w, shape (F, C, KH, KW). Decays.
    public var filters: Parameter
    /// b, shape (F). Does not decay.
    public var bias: Parameter
    /// How far the window moves down and across at a time.
    public let stride: Int
    /// The zeros added around each plane, on every side.
    public let padding: Int
    /// x of the last training-mode forward pass.
    private var input: Tensor?
    /// Scratch space kept to be reused batch after batch (a fresh megabyte-sized array per
    /// call costs more than the arithmetic): the zero-padded input and the patch matrix.
    private var padded: [Double] = []
    private var patches: [Double] = []

    /// F, the number of filters: the output's channels.
    public var outChannels: Int { filters.shape[0] }
    /// C, the input's channels.
    public var inChannels: Int { filters.shape[1] }
    /// KH, the filters' height.
    public var kernelHeight: Int { filters.shape[2] }
    /// KW, the filters' width.
    public var kernelWidth: Int { filters.shape[3] }

    /// A layer with the given filters, (F, C, KH, KW) row-major, and biases (F).
    public init(filters: Tensor, bias: [Double], stride: Int = 1, padding: Int = 0, name: String = "") {
        require(filters.rank == 4, "Conv2D: filters must be (out channels, in channels, height, width), got \(filters.shapeDescription)")
        require(
            bias.count == filters.shape[0],
            "Conv2D: \(filters.shape[0]) filters \(filters.shapeDescription) need \(filters.shape[0]) biases, got \(bias.count)")
        require(stride > 0, "Conv2D: the stride must be positive, got \(stride)")
        require(padding >= 0, "Conv2D: the padding must not be negative, got \(padding)")
        self.filters = Parameter(name: "K\(name)", shape: filters.shape, value: filters.values, decays: true)
        self.bias = Parameter(name: "b\(name)", shape: [filters.shape[0]], value: bias, decays: false)
        self.stride = stride
        self.padding = padding
    }

    /// A layer of `outChannels` filters of `kernel`×`kernel` over `inChannels` channels,
    /// drawn by `initialization` with fan-in C·KH·KW (and fan-out F for Xavier), biases 0.
    public init(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, initialization: Initialization,
        using generator: inout SeededGenerator, name: String = ""
    ) {
        require(
            inChannels > 0 && outChannels > 0 && kernel > 0,
            "Conv2D: channels and kernel must be positive, got \(inChannels) → \(outChannels), \(kernel)×\(kernel)")
        let values = initialization.weights(inputs: inChannels * kernel * kernel, outputs: outChannels, using: &generator)
        self.init(
            filters: Tensor(shape: [outChannels, inChannels, kernel, kernel], values: values),
            bias: [Double](repeating: 0, count: outChannels), stride: stride, padding: padding, name: name)
    }

    /// The output shape for an input shape, or a clear error when the input does not fit.
    public func outputShape(_ inputShape: [Int]) -> [Int] {
        require(
            inputShape.count == 4 && inputShape[1] == inChannels,
            "Conv2D \(filters.name) \(Tensor(shape: filters.shape).shapeDescription): input \(Tensor(shape: inputShape).shapeDescription) "
                + "does not fit: it needs (batch × \(inChannels) × height × width)")
        return [
            inputShape[0], outChannels,
            convolutionOutputSize(inputShape[2], filter: kernelHeight, padding: padding, stride: stride),
            convolutionOutputSize(inputShape[3], filter: kernelWidth, padding: padding, stride: stride),
        ]
    }

    // MARK: The reference: the formula's loops

    /// y for a batch, computed exactly as the formula reads: for every output position,
    /// the sum over channels and filter rows and columns (from 0), then the bias.
    public func referenceForward(_ x: Tensor) -> Tensor {
        let out = outputShape(x.shape)
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (f, oh, ow, kh, kw) = (out[1], out[2], out[3], kernelHeight, kernelWidth)
        let (w, b, xs) = (filters.value, bias.value, x.values)
        var y = [Double](repeating: 0, count: out.reduce(1, *))
        for n in 0..<batch {
            for k in 0..<f {
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = 0.0
                        for c in 0..<channels {
                            for u in 0..<kh {
                                let row = i * stride + u - padding
                                guard row >= 0 && row < height else { continue }  // a padding row: x is 0
                                for v in 0..<kw {
                                    let column = j * stride + v - padding
                                    guard column >= 0 && column < width else { continue }
                                    sum += w[((k * channels + c) * kh + u) * kw + v] * xs[((n * channels + c) * height + row) * width + column]
                                }
                            }
                        }
                        y[((n * f + k) * oh + i) * ow + j] = sum + b[k]
                    }
                }
            }
        }
        return Tensor(shape: out, values: y)
    }

    /// The gradients for ∂L/∂y = `g`, by the formula's loops: returns ∂L/∂w, ∂L/∂b and ∂L/∂x.
    ///
    /// ```
    /// ∂L/∂b[f]          = Σ_n,i,j g[n, f, i, j]
    /// ∂L/∂w[f, c, u, v] = Σ_n,i,j g[n, f, i, j] · x[n, c, i·s + u − p, j·s + v − p]
    /// ∂L/∂x[n, c, r, q] = Σ over every (f, i, j, u, v) whose window put x[n, c, r, q] under w[f, c, u, v]:
    ///                     g[n, f, i, j] · w[f, c, u, v]
    /// ```
    /// The input gradient is a scatter: each output position sends g·w back to the pixels
    /// its window covered. (It equals a "full" convolution of g with the flipped filters.)
    public func referenceBackward(_ g: Tensor, input x: Tensor) -> (filters: [Double], bias: [Double], input: Tensor) {
        let out = outputShape(x.shape)
        require(g.shape == out, "Conv2D.referenceBackward: the gradient \(g.shapeDescription) does not match the output \(Tensor(shape: out).shapeDescription)")
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (f, oh, ow, kh, kw) = (out[1], out[2], out[3], kernelHeight, kernelWidth)
        let (w, xs, gs) = (filters.value, x.values, g.values)
        var dw = [Double](repeating: 0, count: w.count), db = [Double](repeating: 0, count: f)
        var dx = [Double](repeating: 0, count: xs.count)
        for n in 0..<batch {
            for k in 0..<f {
                for i in 0..<oh {
                    for j in 0..<ow {
                        let gradient = gs[((n * f + k) * oh + i) * ow + j]
                        db[k] += gradient
                        for c in 0..<channels {
                            for u in 0..<kh {
                                let row = i * stride + u - padding
                                guard row >= 0 && row < height else { continue }
                                for v in 0..<kw {
                                    let column = j * stride + v - padding
                                    guard column >= 0 && column < width else { continue }
                                    let wi = ((k * channels + c) * kh + u) * kw + v, xi = ((n * channels + c) * height + row) * width + column
                                    dw[wi] += gradient * xs[xi]
                                    dx[xi] += gradient * w[wi]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dw, db, Tensor(shape: x.shape, values: dx))
    }

    // MARK: The fast backward pass: patches as matrix rows

    /// Walks the patch matrix of one image of an input of `shape` one filter row at a time:
    /// row (i, j) for each output position, and within it the filter's (c, u), each a run
    /// of KW entries. Calls `body` with the run's first index in the image's patch matrix
    /// and the index of its first pixel in the image's zero-padded planes (see
    /// ``pad(_:into:)``), where the run is KW neighbours (every `stride`-th one for the
    /// columns of the next window).
    @inline(__always)
    func forEachFilterRow(_ shape: [Int], _ body: (_ entry: Int, _ pixel: Int) -> Void) {
        let out = outputShape(shape)
        let (channels, ph, pw) = (shape[1], shape[2] + 2 * padding, shape[3] + 2 * padding)
        var entry = 0
        for i in 0..<out[2] {
            for j in 0..<out[3] {
                for c in 0..<channels {
                    for u in 0..<kernelHeight {
                        body(entry, (c * ph + i * stride + u) * pw + j * stride)
                        entry += kernelWidth
                    }
                }
            }
        }
    }

    /// The patches of x as the rows of a (B·OH·OW) × (C·KH·KW) matrix, in the order of
    /// the output positions (n, i, j) and, within a row, of the filter's (c, u, v): row
    /// (n, i, j) holds exactly the numbers the window at (i, j) multiplies, 0 where it
    /// hangs over the padding. Then y = patches · wᵀ, one matrix product for the batch.
    public func im2col(_ x: Tensor) -> Matrix {
        var rows: [Double] = [], padded: [Double] = []
        im2col(x, padded: &padded, into: &rows)
        let out = outputShape(x.shape)
        return Matrix(rows: out[0] * out[2] * out[3], columns: patchWidth, values: rows)
    }

    /// ``im2col(_:)`` into `rows`, reusing its storage (and `padded`'s) when it already has
    /// the size. Every entry is written, the padding's zeros included.
    func im2col(_ x: Tensor, padded: inout [Double], into rows: inout [Double]) {
        pad(x, into: &padded)
        let out = outputShape(x.shape)
        let (imageRows, imagePixels) = (out[2] * out[3] * patchWidth, x.shape[1] * paddedPlane(x.shape))
        if rows.count != out[0] * imageRows { rows = [Double](repeating: 0, count: out[0] * imageRows) }
        for n in 0..<out[0] { imagePatches(x.shape, padded: padded, from: n * imagePixels, into: &rows, at: n * imageRows) }
    }

    /// C·KH·KW: the entries of one patch, one row of the patch matrix.
    var patchWidth: Int { filters.count / outChannels }

    /// The values in one zero-padded plane of an input of `shape`.
    func paddedPlane(_ shape: [Int]) -> Int { (shape[2] + 2 * padding) * (shape[3] + 2 * padding) }

    /// One image's patch matrix (OH·OW × C·KH·KW), read from its padded planes starting at
    /// `padded[from]` and written into `rows` from index `at`, every entry.
    func imagePatches(_ shape: [Int], padded: [Double], from image: Int, into rows: inout [Double], at start: Int) {
        let kw = kernelWidth
        padded.withUnsafeBufferPointer { xp in
            rows.withUnsafeMutableBufferPointer { rows in
                forEachFilterRow(shape) { entry, pixel in
                    for v in 0..<kw { rows[start + entry + v] = xp[image + pixel + v] }
                }
            }
        }
    }

    /// The reverse of ``im2col(_:)`` for gradients: adds each patch entry back onto the
    /// pixel it was read from (a pixel under several windows collects from each), in a
    /// zero-padded image whose border, the padding's share, is then dropped.
    func col2im(_ rows: Matrix, inputShape: [Int]) -> Tensor {
        let out = outputShape(inputShape)
        let (imageRows, imageValues) = (out[2] * out[3] * patchWidth, inputShape[1] * inputShape[2] * inputShape[3])
        var dx = [Double](repeating: 0, count: inputShape[0] * imageValues)
        var padded: [Double] = []
        for n in 0..<inputShape[0] {
            addImagePatches(rows.values, from: n * imageRows, inputShape: inputShape, padded: &padded, into: &dx, at: n * imageValues)
        }
        return Tensor(shape: inputShape, values: dx)
    }

    /// col2im for one image: its patch matrix's entries, from `rows[from]`, each added onto
    /// its pixel of a zero-padded image (`padded`, zeroed here), whose inner part is then
    /// written into `dx` from index `at`.
    func addImagePatches(
        _ rows: [Double], from start: Int, inputShape: [Int], padded: inout [Double], into dx: inout [Double], at image: Int
    ) {
        let (channels, height, width) = (inputShape[1], inputShape[2], inputShape[3])
        let (ph, pw, kw) = (height + 2 * padding, width + 2 * padding, kernelWidth)
        if padded.count != channels * ph * pw {
            padded = [Double](repeating: 0, count: channels * ph * pw)
        } else {
            padded.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        rows.withUnsafeBufferPointer { rows in
            padded.withUnsafeMutableBufferPointer { padded in
                forEachFilterRow(inputShape) { entry, pixel in
                    for v in 0..<kw { padded[pixel + v] += rows[start + entry + v] }
                }
                dx.withUnsafeMutableBufferPointer { dx in
                    for plane in 0..<channels {
                        for r in 0..<height {
                            let (target, source) = (image + (plane * height + r) * width, (plane * ph + r + padding) * pw + padding)
                            for q in 0..<width { dx[target + q] = padded[source + q] }
                        }
                    }
                }
            }
        }
    }

    // MARK: The fast backward pass: one image at a time, patches as columns

    /// One image's patch matrix transposed, Pₙᵀ (C·KH·KW × OH·OW): row t = (c, u, v) holds
    /// the pixel that tap meets at every output position, a window of the padded plane
    /// copied row by row (whole runs of neighbours when the stride is 1). Read from the
    /// image's padded planes starting at `padded[from]`.
    func imagePatchColumns(_ shape: [Int], padded: [Double], from image: Int, into columns: inout [Double]) {
        let out = outputShape(shape)
        let (oh, ow, ph, pw, s) = (out[2], out[3], shape[2] + 2 * padding, shape[3] + 2 * padding, stride)
        let (taps, positions) = (patchWidth, oh * ow)
        if columns.count != taps * positions { columns = [Double](repeating: 0, count: taps * positions) }
        guard positions > 0 else { return }
        padded.withUnsafeBufferPointer { xp in
            columns.withUnsafeMutableBufferPointer { columns in
                var t = 0
                for c in 0..<shape[1] {
                    for u in 0..<kernelHeight {
                        for v in 0..<kernelWidth {
                            for i in 0..<oh {
                                let source = xp.baseAddress! + image + (c * ph + i * s + u) * pw + v
                                let target = columns.baseAddress! + t * positions + i * ow
                                if s == 1 {
                                    target.update(from: source, count: ow)  // a run of neighbours: one copy
                                } else {
                                    for j in 0..<ow { target[j] = source[j &* s] }  // (&*: j·s stays inside the padded plane)
                                }
                            }
                            t += 1
                        }
                    }
                }
            }
        }
    }

    /// col2im from the transposed layout: row t = (c, u, v) of `columns` (C·KH·KW × OH·OW)
    /// holds the gradient of the pixel tap t met at every position; each is added onto
    /// that pixel of a zero-padded image (`padded`, zeroed here), whose inner part is then
    /// written into `dx` from index `at`.
    ///
    /// The taps go in descending (u, v) order: a pixel then collects from the windows over
    /// it in ascending (i, j) order, the order ``col2im(_:inputShape:)`` adds them in, so
    /// the sums are the same bit for bit.
    func addImagePatchColumns(_ columns: [Double], inputShape: [Int], padded: inout [Double], into dx: inout [Double], at image: Int) {
        let out = outputShape(inputShape)
        let (channels, height, width) = (inputShape[1], inputShape[2], inputShape[3])
        let (oh, ow, ph, pw, s) = (out[2], out[3], height + 2 * padding, width + 2 * padding, stride)
        let (kh, kw, positions) = (kernelHeight, kernelWidth, oh * ow)
        if padded.count != channels * ph * pw {
            padded = [Double](repeating: 0, count: channels * ph * pw)
        } else {
            padded.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        guard positions > 0 else { return }
        columns.withUnsafeBufferPointer { columns in
            padded.withUnsafeMutableBufferPointer { padded in
                for c in 0..<channels {
                    for u in (0..<kh).reversed() {
                        for v in (0..<kw).reversed() {
                            let t = (c * kh + u) * kw + v
                            for i in 0..<oh {
                                let target = padded.baseAddress! + (c * ph + i * s + u) * pw + v
                                let source = columns.baseAddress! + t * positions + i * ow
                                if s == 1 {
                                    for j in 0..<ow { target[j] += source[j] }  // neighbours: a loop the compiler vectorizes
                                } else {
                                    for j in 0..<ow { target[j &* s] += source[j] }
                                }
                            }
                        }
                    }
                }
                dx.withUnsafeMutableBufferPointer { dx in
                    for plane in 0..<channels {
                        for r in 0..<height {
                            let (target, source) = (image + (plane * height + r) * width, (plane * ph + r + padding) * pw + padding)
                            for q in 0..<width { dx[target + q] = padded[source + q] }
                        }
                    }
                }
            }
        }
    }

    /// w as a (F × C·KH·KW) matrix: row f is filter f, flattened in (c, u, v) order.
    var filterMatrix: Matrix { Matrix(rows: outChannels, columns: filters.count / outChannels, values: filters.value) }

    // MARK: The fast forward pass: a direct loop, tiled

    /// x copied into `padded` with `padding` zeros around every image plane, plus room
    /// after the last row for the tile's widest read (see ``forward(_:mode:)``).
    func pad(_ x: Tensor, into padded: inout [Double]) {
        let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let (ph, pw) = (height + 2 * padding, width + 2 * padding)
        let count = planes * ph * pw + 3 * stride
        if padded.count != count { padded = [Double](repeating: 0, count: count) }
        x.values.withUnsafeBufferPointer { xs in
            padded.withUnsafeMutableBufferPointer { padded in
                for plane in 0..<planes {
                    for r in 0..<height {
                        let source = (plane * height + r) * width, target = (plane * ph + r + padding) * pw + padding
                        for q in 0..<width { padded[target + q] = xs[source + q] }
                    }
                }  // the padding's zeros were written when the buffer was made, and are never overwritten
            }
        }
    }

    /// y, the same sums as ``referenceForward(_:)`` in the same order (so the same numbers,
    /// bit for bit), arranged for the processor:
    ///
    /// - x is first copied into a zero-padded buffer, so no window needs a bounds test;
    /// - a tap t = (c, u, v) of the filter reads x at one fixed offset from the window's
    ///   top-left corner, so the taps become a flat list of offsets;
    /// - each step of the inner loop takes one tap for a tile of 4 filters × V neighbouring
    ///   output columns: V pixels loaded as one vector (stride 1: neighbours in memory),
    ///   multiplied by each of the 4 filters' weights and added into 4·V running sums that
    ///   stay in registers. A pixel is loaded once for 4 filters, a weight once for V
    ///   outputs, and no sum goes to memory until its window is done. V is the vector
    ///   width of the kernel level this processor runs (`KernelLevel`): 8 with AVX2 and
    ///   AVX-512, 4 at the baseline, and 4 at the end of every row.
    ///
    /// That loop is `convolve` in Sources/Kernels/Kernels.swift, compiled once per level.
    /// Filters past F in the last tile have weight 0 and are not stored; columns past OW
    /// in the last 4-wide step read (harmlessly) past the row and are not stored either.
    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor { forward(x, mode: mode, level: .selected) }

    /// ``forward(_:mode:)`` through the kernels of `level` (the tests run every level).
    mutating func forward(_ x: Tensor, mode: Mode, level: KernelLevel) -> Tensor {
        let out = outputShape(x.shape)
        pad(x, into: &padded)
        let (batch, channels, f, oh, ow) = (x.shape[0], x.shape[1], out[1], out[2], out[3])
        let (ph, pw, s) = (x.shape[2] + 2 * padding, x.shape[3] + 2 * padding, stride)
        let taps = channels * kernelHeight * kernelWidth
        var offsets: [Int] = []  // tap t = (c, u, v) reads the corner's pixel + offsets[t]
        for c in 0..<channels {
            for u in 0..<kernelHeight {
                for v in 0..<kernelWidth { offsets.append((c * ph + u) * pw + v) }
            }
        }
        let tiles = (f + 3) / 4
        var weights = [Double](repeating: 0, count: tiles * 4 * taps)  // w, then zero filters up to a multiple of 4
        for index in 0..<filters.count { weights[index] = filters.value[index] }
        let count = out.reduce(1, *)
        let y = [Double](unsafeUninitializedCapacity: count) { y, initialized in
            weights.withUnsafeBufferPointer { w in
                offsets.withUnsafeBufferPointer { offsets in
                    padded.withUnsafeBufferPointer { xp in
                        bias.value.withUnsafeBufferPointer { b in
                            level.convolve(
                                batch: batch, channels: channels, filters: f, outputHeight: oh, outputWidth: ow,
                                paddedHeight: ph, paddedWidth: pw, stride: s, offsets: offsets.baseAddress!, taps: taps,
                                weights: w.baseAddress!, bias: b.baseAddress!, x: xp.baseAddress!, y: y.baseAddress!)
                        }
                    }
                }
            }
            initialized = count
        }
        if mode == .training { input = x }
        return Tensor(shape: out, values: y)
    }

    /// From g = ∂L/∂y. With G the gradient as rows ((B·OH·OW) × F) and the patches of
    /// ``im2col(_:)``:
    ///
    /// ```
    /// ∂L/∂b += the column sums of G
    /// ∂L/∂w += Gᵀ · patches
    /// ∂L/∂x  = col2im(G · w)
    /// ```
    /// When the batch's patch matrix would not stay in the cache (more than
    /// `imageByImageBytes`) and an image has enough positions to keep a product busy
    /// (`imageByImagePositions`), the same sums are formed one image at a time instead
    /// (`backwardImageByImage(_:_:inputGradient:)`); the two give the same bits.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor { backward(outputGradient, inputGradient: true)! }

    /// ``backward(_:)`` without ∂L/∂x (the first layer of a model, whose input is data):
    /// the product G · w and the col2im it feeds are skipped.
    public mutating func backwardSkippingInputGradient(_ outputGradient: Tensor) {
        _ = backward(outputGradient, inputGradient: false)
    }

    /// A batch whose patch matrix is larger than this (256 KiB) goes image by image…
    static let imageByImageBytes = 256 * 1024
    /// …when each image has at least this many output positions; with fewer, the products
    /// of one image are too small to pay for a call each (a DCGAN's 4×4 maps).
    static let imageByImagePositions = 64

    /// The backward pass; `imageByImage` nil chooses by size (the tests run both).
    mutating func backward(_ outputGradient: Tensor, inputGradient: Bool, imageByImage: Bool? = nil) -> Tensor? {
        guard let x = input else { requirementFailed("Conv2D \(filters.name).backward: no training-mode forward pass to go back through") }
        let out = outputShape(x.shape)
        expectGradientShape(outputGradient, output: out, layer: "Conv2D \(filters.name)")
        let (batch, f, positions, taps) = (out[0], out[1], out[2] * out[3], patchWidth)
        let g = outputGradient.values
        // ∂L/∂b: each filter's sum runs over (n, p) in order; k innermost lets the F sums
        // advance side by side (each waits on its own last addition only).
        var biasGradient = [Double](repeating: 0, count: f)
        g.withUnsafeBufferPointer { g in
            biasGradient.withUnsafeMutableBufferPointer { biasGradient in
                for n in 0..<batch {
                    for p in 0..<positions {
                        for k in 0..<f { biasGradient[k] += g[(n * f + k) * positions + p] }
                    }
                }
            }
        }
        for k in 0..<f { bias.gradient[k] += biasGradient[k] }
        let large = batch * positions * taps * MemoryLayout<Double>.size > Self.imageByImageBytes
        if imageByImage ?? (large && positions >= Self.imageByImagePositions) {
            return backwardImageByImage(outputGradient, x, inputGradient: inputGradient)
        }
        // G: row (n, p) holds the F filters' gradients at position p of image n.
        var rows = [Double](repeating: 0, count: g.count)
        g.withUnsafeBufferPointer { g in
            rows.withUnsafeMutableBufferPointer { rows in
                for n in 0..<batch {
                    for p in 0..<positions {
                        for k in 0..<f { rows[(n * positions + p) * f + k] = g[(n * f + k) * positions + p] }
                    }
                }
            }
        }
        let gradientRows = Matrix(rows: batch * positions, columns: f, values: rows)
        im2col(x, padded: &padded, into: &patches)
        let patchRows = Matrix(rows: batch * positions, columns: taps, values: patches)
        addTransposedProduct(gradientRows, patchRows, into: &filters.gradient)  // ∂L/∂w += Gᵀ · patches
        return inputGradient ? col2im(matmul(gradientRows, filterMatrix), inputShape: x.shape) : nil  // ∂L/∂x
    }

    /// The weight and input gradients one image at a time, so that an image's patches stay
    /// in the cache. Image n's gradient, as g lays it out, is the (F × OH·OW) matrix Gₙ,
    /// and Pₙ its patch matrix:
    ///
    /// ```
    /// ∂L/∂w += Σₙ Gₙ · Pₙ       one chain of sums over (n, i, j), as Gᵀ · patches adds them
    /// ∂L/∂x  = col2im(Gₙᵀ · w), image by image
    /// ```
    /// Both are formed transposed: ∂L/∂wᵀ continues its sums image after image as Pₙᵀ · Gₙᵀ
    /// (``ProductSums/continuing``), and the patch gradients come out as wᵀ · Gₙ (taps ×
    /// positions), the layout ``addImagePatchColumns(_:inputShape:padded:into:at:)`` adds
    /// back. Each sum is the one of the whole-batch products, in the same order; only the
    /// two factors of each multiply trade places.
    private mutating func backwardImageByImage(_ outputGradient: Tensor, _ x: Tensor, inputGradient: Bool) -> Tensor? {
        let out = outputShape(x.shape)
        let (batch, f, positions, taps) = (out[0], out[1], out[2] * out[3], patchWidth)
        pad(x, into: &padded)
        var filterGradient = [Double](repeating: 0, count: taps * f)  // ∂L/∂wᵀ: Σₙ Pₙᵀ · Gₙᵀ, then added
        var dx = [Double](repeating: 0, count: inputGradient ? x.count : 0)
        var patchGradient = [Double](repeating: 0, count: inputGradient ? taps * positions : 0), scratch: [Double] = []
        let (imagePixels, imageValues) = (x.shape[1] * paddedPlane(x.shape), x.count / max(batch, 1))
        for n in 0..<batch {
            imagePatchColumns(x.shape, padded: padded, from: n * imagePixels, into: &patches)
            outputGradient.values.withUnsafeBufferPointer { g in
                let gn = g.baseAddress! + n * f * positions  // Gₙ (F × positions): row k is filter k's gradient
                patches.withUnsafeBufferPointer { p in
                    filterGradient.withUnsafeMutableBufferPointer { dw in
                        matmul(
                            m: taps, k: positions, n: f, a: p.baseAddress!, aStrides: (positions, 1), b: gn, bStrides: (1, positions),
                            c: dw.baseAddress!, sums: n == 0 ? .overwriting : .continuing)
                    }
                }
                guard inputGradient else { return }
                filters.value.withUnsafeBufferPointer { w in
                    patchGradient.withUnsafeMutableBufferPointer { dp in
                        matmul(
                            m: taps, k: f, n: positions, a: w.baseAddress!, aStrides: (1, taps), b: gn, bStrides: (positions, 1),
                            c: dp.baseAddress!)
                    }
                }
            }
            if inputGradient { addImagePatchColumns(patchGradient, inputShape: x.shape, padded: &scratch, into: &dx, at: n * imageValues) }
        }
        if batch * positions > 0 {  // ∂L/∂w += Σₙ Gₙ · Pₙ, read back from its transpose
            for k in 0..<f {
                for t in 0..<taps { filters.gradient[k * taps + t] += filterGradient[t * f + k] }
            }
        }
        return inputGradient ? Tensor(shape: x.shape, values: dx) : nil
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&filters)
        body(&bias)
    }
}

/// The sizes of one convolution, named: the input (batch, channels, height, width), the
/// filters (filters, channels, kernelHeight, kernelWidth), the stride and the padding.
/// Buffers are flat and row-major in those orders (NCHW and (F, C, KH, KW)).
public struct ConvolutionShape: Sendable, Equatable, CustomStringConvertible {
    /// The input's sizes: B images of C channels, H × W pixels each.
    public var batch: Int, channels: Int, height: Int, width: Int
    /// F filters of KH × KW taps (over every channel).
    public var filters: Int, kernelHeight: Int, kernelWidth: Int
    /// How far a window moves at a time, and the zeros added around each plane.
    public var stride: Int, padding: Int

    /// The sizes of a convolution, stride 1 and no padding unless given.
    public init(
        batch: Int, channels: Int, height: Int, width: Int, filters: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1,
        padding: Int = 0
    ) {
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.filters, self.kernelHeight, self.kernelWidth, self.stride, self.padding) = (filters, kernelHeight, kernelWidth, stride, padding)
    }

    /// OH, the output's height (``convolutionOutputSize(_:filter:padding:stride:)``).
    public var outputHeight: Int { convolutionOutputSize(height, filter: kernelHeight, padding: padding, stride: stride) }
    /// OW, the output's width.
    public var outputWidth: Int { convolutionOutputSize(width, filter: kernelWidth, padding: padding, stride: stride) }
    /// B·C·H·W, the input's values.
    public var inputCount: Int { batch * channels * height * width }
    /// F·C·KH·KW, the filters' weights.
    public var filterCount: Int { filters * channels * kernelHeight * kernelWidth }
    /// B·F·OH·OW, the output's values.
    public var outputCount: Int { batch * filters * outputHeight * outputWidth }

    public var description: String {
        "input (\(batch)×\(channels)×\(height)×\(width)), filters (\(filters)×\(channels)×\(kernelHeight)×\(kernelWidth)), "
            + "stride \(stride), padding \(padding)"
    }

    /// A layer with these sizes and the given flat filters and biases.
    public func layer(filters values: [Double], bias: [Double]) -> Conv2D {
        Conv2D(
            filters: Tensor(shape: [filters, channels, kernelHeight, kernelWidth], values: values), bias: bias, stride: stride,
            padding: padding)
    }

    /// The input buffer as a tensor of these sizes.
    public func input(_ values: [Double]) -> Tensor { Tensor(shape: [batch, channels, height, width], values: values) }

    /// An output-sized buffer (an upstream gradient, say) as a tensor of these sizes.
    public func output(_ values: [Double]) -> Tensor { Tensor(shape: [batch, filters, outputHeight, outputWidth], values: values) }
}
