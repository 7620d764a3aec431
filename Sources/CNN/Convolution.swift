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
/// Two ways to compute the same numbers sit side by side: ``referenceForward(_:)`` and
/// ``referenceBackward(_:input:)`` are the formula's loops, to read; the layer's
/// ``forward(_:mode:)`` and ``backward(_:)`` lay the input's patches out as the rows of
/// a matrix (im2col) and do the sums as matrix products with the fast kernel. The tests
/// hold the two equal.
public struct Conv2D: Layer {
    /// w, shape (F, C, KH, KW). Decays.
    public var filters: Parameter
    /// b, shape (F). Does not decay.
    public var bias: Parameter
    public let stride: Int
    public let padding: Int
    /// x of the last training-mode forward pass, and its patches.
    private var input: Tensor?
    private var patches: [Double] = []
    /// Scratch space for the forward pass's product and an inference pass's patches, kept
    /// to be reused.
    private var product: [Double] = []
    private var inferencePatches: [Double] = []

    public var outChannels: Int { filters.shape[0] }
    public var inChannels: Int { filters.shape[1] }
    public var kernelHeight: Int { filters.shape[2] }
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
        require(inChannels > 0 && outChannels > 0 && kernel > 0, "Conv2D: channels and kernel must be positive, got \(inChannels) → \(outChannels), \(kernel)×\(kernel)")
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

    // MARK: The fast path: patches as matrix rows

    /// Walks the patch matrix of an input of `shape` in order: row (n, i, j) for each output
    /// position, and within a row the filter's (c, u, v). Calls `body` with the entry's
    /// index in the patch matrix and the index in x it comes from, or nil where the
    /// window hangs over the zero padding.
    @inline(__always)
    func forEachPatchEntry(_ shape: [Int], _ body: (_ entry: Int, _ pixel: Int?) -> Void) {
        let out = outputShape(shape)
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        var entry = 0
        for n in 0..<batch {
            for i in 0..<out[2] {
                for j in 0..<out[3] {
                    for c in 0..<channels {
                        for u in 0..<kernelHeight {
                            let row = i * stride + u - padding
                            for v in 0..<kernelWidth {
                                let column = j * stride + v - padding
                                let inside = row >= 0 && row < height && column >= 0 && column < width
                                body(entry, inside ? ((n * channels + c) * height + row) * width + column : nil)
                                entry += 1
                            }
                        }
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
        var rows: [Double] = []
        im2col(x, into: &rows)
        let out = outputShape(x.shape)
        return Matrix(rows: out[0] * out[2] * out[3], columns: x.shape[1] * kernelHeight * kernelWidth, values: rows)
    }

    /// ``im2col(_:)`` into `rows`, reusing its storage when it already has the size. Every
    /// entry is written, the padding's zeros included.
    func im2col(_ x: Tensor, into rows: inout [Double]) {
        let out = outputShape(x.shape)
        let rowLength = x.shape[1] * kernelHeight * kernelWidth
        let rowCount = out[0] * out[2] * out[3]
        let (channels, height, width, kh, kw) = (x.shape[1], x.shape[2], x.shape[3], kernelHeight, kernelWidth)
        if rows.count != rowCount * rowLength { rows = [Double](repeating: 0, count: rowCount * rowLength) }
        // The same walk as `forEachPatchEntry`, written out over raw buffers: this copy is
        // most of a convolution's time, and a filter row that lies inside the image (the
        // common case) is one contiguous run of x.
        x.values.withUnsafeBufferPointer { xs in
            rows.withUnsafeMutableBufferPointer { rows in
                var entry = 0
                for n in 0..<out[0] {
                    for i in 0..<out[2] {
                        for j in 0..<out[3] {
                            let left = j * stride - padding
                            for c in 0..<channels {
                                for u in 0..<kh {
                                    let row = i * stride + u - padding
                                    if row >= 0 && row < height {
                                        let base = ((n * channels + c) * height + row) * width
                                        if left >= 0 && left + kw <= width {
                                            for v in 0..<kw { rows[entry + v] = xs[base + left + v] }
                                        } else {
                                            for v in 0..<kw { rows[entry + v] = left + v >= 0 && left + v < width ? xs[base + left + v] : 0 }
                                        }
                                    } else {
                                        for v in 0..<kw { rows[entry + v] = 0 }  // a padding row
                                    }
                                    entry += kw
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The reverse of ``im2col(_:)`` for gradients: adds each patch entry back onto the
    /// pixel it was read from (a pixel under several windows collects from each).
    func col2im(_ rows: Matrix, inputShape: [Int]) -> Tensor {
        let values = rows.values
        var dx = [Double](repeating: 0, count: inputShape.reduce(1, *))
        forEachPatchEntry(inputShape) { entry, pixel in
            if let pixel { dx[pixel] += values[entry] }
        }
        return Tensor(shape: inputShape, values: dx)
    }

    /// w as a (F × C·KH·KW) matrix: row f is filter f, flattened in (c, u, v) order.
    var filterMatrix: Matrix { Matrix(rows: outChannels, columns: filters.count / outChannels, values: filters.value) }

    /// y = patches · wᵀ + b, rearranged from (B·OH·OW) × F rows to (B, F, OH, OW).
    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let out = outputShape(x.shape)
        // The patches and their product go into buffers the layer keeps, reused batch after
        // batch: a fresh megabyte-sized array per call costs more than the arithmetic. (An
        // inference-mode pass uses its own buffer: the backward pass still needs the
        // patches of the last training-mode pass.)
        let positionCount = out[0] * out[2] * out[3]
        if mode == .training {
            im2col(x, into: &patches)
            matmul(Matrix(rows: positionCount, columns: patches.count / positionCount, values: patches), filterMatrix.transposed, into: &product)
        } else {
            im2col(x, into: &inferencePatches)
            matmul(Matrix(rows: positionCount, columns: inferencePatches.count / positionCount, values: inferencePatches), filterMatrix.transposed, into: &product)
        }  // product: ((n, i, j), f)
        let (f, positions) = (out[1], out[2] * out[3])
        let b = bias.value
        var y = [Double](repeating: 0, count: out.reduce(1, *))
        y.withUnsafeMutableBufferPointer { y in
            product.withUnsafeBufferPointer { product in
                for n in 0..<out[0] {
                    for k in 0..<f {
                        let bias = b[k], target = (n * f + k) * positions, source = n * positions * f + k
                        for p in 0..<positions { y[target + p] = product[source + p * f] + bias }
                    }
                }
            }
        }
        if mode == .training { input = x }  // the patches are kept too, for ∂L/∂w
        return Tensor(shape: out, values: y)
    }

    /// From g = ∂L/∂y: g rearranged to rows G ((B·OH·OW) × F), then
    /// ∂L/∂w += Gᵀ · patches, ∂L/∂b += the column sums of G, ∂L/∂patches = G · w, and
    /// ∂L/∂x = col2im(∂L/∂patches).
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let x = input else { requirementFailed("Conv2D \(filters.name).backward: no training-mode forward pass to go back through") }
        let out = outputShape(x.shape)
        expectGradientShape(outputGradient, output: out, layer: "Conv2D \(filters.name)")
        let (f, positions) = (out[1], out[2] * out[3])
        let g = outputGradient.values
        var rows = [Double](repeating: 0, count: g.count)
        var biasGradient = [Double](repeating: 0, count: f)
        for n in 0..<out[0] {
            for k in 0..<f {
                for p in 0..<positions {
                    let value = g[(n * f + k) * positions + p]
                    rows[(n * positions + p) * f + k] = value
                    biasGradient[k] += value
                }
            }
        }
        for k in 0..<f { bias.gradient[k] += biasGradient[k] }  // ∂L/∂b += the column sums of G
        let gradientRows = Matrix(rows: out[0] * positions, columns: f, values: rows)
        let columns = Matrix(rows: out[0] * positions, columns: filters.count / f, values: patches)
        addTransposedProduct(gradientRows, columns, into: &filters.gradient)  // ∂L/∂w += Gᵀ · patches
        return col2im(matmul(gradientRows, filterMatrix), inputShape: x.shape)  // ∂L/∂x
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
    public var batch, channels, height, width: Int
    public var filters, kernelHeight, kernelWidth: Int
    public var stride, padding: Int

    public init(
        batch: Int, channels: Int, height: Int, width: Int, filters: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1,
        padding: Int = 0
    ) {
        (self.batch, self.channels, self.height, self.width) = (batch, channels, height, width)
        (self.filters, self.kernelHeight, self.kernelWidth, self.stride, self.padding) = (filters, kernelHeight, kernelWidth, stride, padding)
    }

    public var outputHeight: Int { convolutionOutputSize(height, filter: kernelHeight, padding: padding, stride: stride) }
    public var outputWidth: Int { convolutionOutputSize(width, filter: kernelWidth, padding: padding, stride: stride) }
    public var inputCount: Int { batch * channels * height * width }
    public var filterCount: Int { filters * channels * kernelHeight * kernelWidth }
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
