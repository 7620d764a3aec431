import Backprop
import LinearAlgebra
import Randomness
import Validation

/// The output size of a transposed convolution along one axis: input `n`, filter `f`,
/// stride `s`, padding `p`, output padding `op` (PyTorch's `ConvTranspose2d` rule):
///
/// ```
/// output = (n − 1)·s − 2p + f + op
/// ```
/// It inverts ``convolutionOutputSize(_:filter:padding:stride:)``: a convolution of the
/// output size with the same f, s, p gives back n. Several sizes convolve to the same n
/// when s > 1 (the convolution's rounding down forgets which); `op`, from 0 to s − 1,
/// chooses among them. Stops with the sizes named when the result would be below 1.
public func transposedConvolutionOutputSize(_ n: Int, filter f: Int, padding p: Int = 0, stride s: Int = 1, outputPadding op: Int = 0) -> Int {
    require(n > 0 && f > 0, "transposed convolution: the input size \(n) and the filter size \(f) must be positive")
    require(s > 0, "transposed convolution: the stride must be positive, got \(s)")
    require(p >= 0, "transposed convolution: the padding must not be negative, got \(p)")
    require(
        op >= 0 && op < s,
        "transposed convolution: the output padding must be in 0..<stride (0..<\(s)), got \(op): it only picks among the sizes a stride-\(s) convolution maps to the same size"
    )
    let size = (n - 1) * s - 2 * p + f + op
    require(
        size > 0,
        "transposed convolution: an input of \(n) with filter \(f), stride \(s), padding \(p) and output padding \(op) gives \(size) positions: the padding crops more than there is"
    )
    return size
}

/// A 2-D transposed convolution ("deconvolution"): each input pixel stamps the filter,
/// scaled by its value, onto the output, `stride` pixels apart. A decoder grows images
/// with it: stride 2 doubles height and width.
///
/// ```
/// x: (B, C_in, H, W)     w: (C_in, C_out, KH, KW)     b: (C_out)     y: (B, C_out, OH, OW)
/// y[n, o, i·s + u − p, j·s + v − p] += x[n, c, i, j] · w[c, o, u, v]     for every c, i, j, u, v
/// y[n, o, ·, ·] += b[o]
/// OH = (H − 1)·s − 2p + KH + op, OW likewise
/// ```
/// Targets outside 0..<OH (or OW) are dropped: padding p crops p rows from each side of the
/// full stamp, and the output padding op adds rows at the bottom (and columns at the right)
/// that only some stamps reach. The weight layout is PyTorch's `ConvTranspose2d.weight`,
/// (in channels, out channels, kh, kw): note the order, the reverse of ``Conv2D``'s.
///
/// It is the adjoint of a convolution with the same weights: for ``Conv2D`` with filters
/// w (F = C_in, C = C_out, KH, KW), ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩. That is why its input
/// gradient is a convolution of ∂L/∂y with w, and a convolution's input gradient is a
/// transposed convolution. ``referenceForward(_:)`` and ``referenceBackward(_:input:)`` are
/// the formula's loops, as written here; ``forward(_:mode:)`` and ``backward(_:)`` compute
/// the same sums through that adjoint convolution's fast parts (one matrix product and a
/// scatter, ``Conv2D``'s tiled forward, one transposed product), and the tests hold them
/// equal.
public struct ConvTranspose2D: Layer {
    /// w, shape (C_in, C_out, KH, KW). Decays.
    public var weight: Parameter
    /// b, shape (C_out). Does not decay.
    public var bias: Parameter
    /// How far apart the stamps of neighbouring input pixels land in the output.
    public let stride: Int
    /// The rows and columns cropped from each side of the output (PyTorch's `padding`).
    public let padding: Int
    /// Extra rows and columns added on one side of the output, to reach the size a stride-s
    /// convolution started from (PyTorch's `output_padding`).
    public let outputPadding: Int
    /// x of the last training-mode forward pass.
    private var input: Tensor?

    /// C_in, the input's channels.
    public var inChannels: Int { weight.shape[0] }
    /// C_out, the output's channels.
    public var outChannels: Int { weight.shape[1] }
    /// KH, the filter's height.
    public var kernelHeight: Int { weight.shape[2] }
    /// KW, the filter's width.
    public var kernelWidth: Int { weight.shape[3] }

    /// A layer with the given weights, (C_in, C_out, KH, KW) row-major, and biases (C_out);
    /// its parameters are named "K" and "b" followed by `name`.
    public init(weight: Tensor, bias: [Double], stride: Int = 1, padding: Int = 0, outputPadding: Int = 0, name: String = "") {
        require(
            weight.rank == 4 && weight.count > 0,
            "ConvTranspose2D: the weight must be (in channels, out channels, height, width), got \(weight.shapeDescription)")
        require(
            bias.count == weight.shape[1],
            "ConvTranspose2D: a weight \(weight.shapeDescription) has \(weight.shape[1]) output channels and needs as many biases, got \(bias.count)")
        require(stride > 0, "ConvTranspose2D: the stride must be positive, got \(stride)")
        require(padding >= 0, "ConvTranspose2D: the padding must not be negative, got \(padding)")
        require(
            outputPadding >= 0 && outputPadding < stride,
            "ConvTranspose2D: the output padding must be in 0..<stride (0..<\(stride)), got \(outputPadding)")
        self.weight = Parameter(name: "K\(name)", shape: weight.shape, value: weight.values, decays: true)
        self.bias = Parameter(name: "b\(name)", shape: [weight.shape[1]], value: bias, decays: false)
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
    }

    /// A layer with weights drawn by `initialization` with fan-in C_in·KH·KW, the number of
    /// terms in each output's sum at stride 1 (stride s leaves about 1/s² of them), and zero
    /// biases. (PyTorch's default initialization counts C_out·KH·KW for this layout, the
    /// weight tensor's second axis; the numbers differ, the idea is the same.)
    public init(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        initialization: Initialization, using generator: inout SeededGenerator, name: String = ""
    ) {
        require(
            inChannels > 0 && outChannels > 0 && kernel > 0,
            "ConvTranspose2D: channels and kernel must be positive, got \(inChannels) → \(outChannels), \(kernel)×\(kernel)")
        let values = initialization.weights(inputs: inChannels * kernel * kernel, outputs: outChannels, using: &generator)
        self.init(
            weight: Tensor(shape: [inChannels, outChannels, kernel, kernel], values: values), bias: [Double](repeating: 0, count: outChannels),
            stride: stride, padding: padding, outputPadding: outputPadding, name: name)
    }

    /// The output shape for an input shape, or an error naming both.
    public func outputShape(_ shape: [Int]) -> [Int] {
        require(
            shape.count == 4 && shape[1] == inChannels,
            "ConvTranspose2D \(weight.name) \(Tensor.describe(weight.shape)): input \(Tensor.describe(shape)) does not fit: it needs (batch × \(inChannels) × height × width)"
        )
        return [
            shape[0], outChannels,
            transposedConvolutionOutputSize(shape[2], filter: kernelHeight, padding: padding, stride: stride, outputPadding: outputPadding),
            transposedConvolutionOutputSize(shape[3], filter: kernelWidth, padding: padding, stride: stride, outputPadding: outputPadding),
        ]
    }

    /// The convolution this layer is the adjoint of: filters w read as (F = C_in, C = C_out,
    /// KH, KW), the same stride and padding, no bias. It maps images of this layer's output
    /// size to images of its input size.
    var adjoint: Conv2D {
        Conv2D(
            filters: Tensor(shape: weight.shape, values: weight.value), bias: [Double](repeating: 0, count: inChannels), stride: stride,
            padding: padding)
    }

    /// x (B, C, H, W) as the rows of a (B·H·W) × C matrix: one row per pixel position, one
    /// column per channel.
    static func pixelRows(_ x: Tensor) -> Matrix {
        let (batch, channels, positions) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var rows = [Double](repeating: 0, count: x.count)
        x.values.withUnsafeBufferPointer { xs in
            rows.withUnsafeMutableBufferPointer { rows in
                for n in 0..<batch {
                    for c in 0..<channels {
                        for p in 0..<positions { rows[(n * positions + p) * channels + c] = xs[(n * channels + c) * positions + p] }
                    }
                }
            }
        }
        return Matrix(rows: batch * positions, columns: channels, values: rows)
    }

    /// y, through the adjoint convolution: every input pixel's stamp of the filter is one
    /// row of X · w (X: the pixels as rows, `pixelRows(_:)`; w as a C_in × (C_out·KH·KW)
    /// matrix), and adding the stamps where they land is the convolution's col2im, the
    /// step that sends a patch's gradient back onto the pixels it was read from. Then the
    /// bias.
    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let out = outputShape(x.shape)
        let conv = adjoint
        let stamps = matmul(Self.pixelRows(x), conv.filterMatrix)  // row (n, i, j): x[n, :, i, j] · w, every (o, u, v)
        var y = conv.col2im(stamps, inputShape: out).values
        let plane = out[2] * out[3]
        y.withUnsafeMutableBufferPointer { y in
            for n in 0..<out[0] {
                for o in 0..<out[1] {
                    let b = bias.value[o], start = (n * out[1] + o) * plane
                    for index in start..<(start + plane) { y[index] += b }
                }
            }
        }
        if mode == .training { input = x }
        return Tensor(shape: out, values: y)
    }

    /// From g = ∂L/∂y, through the adjoint convolution (the formulas are those of
    /// ``referenceBackward(_:input:)``): ∂L/∂x is that convolution of g (its tiled forward
    /// pass), ∂L/∂w += Xᵀ · patches(g) with X the input's pixels as rows, ∂L/∂b += the sums
    /// of g over every position.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: input.map(\.shape).map(outputShape), layer: "ConvTranspose2D \(weight.name)")
        let x = input!
        var conv = adjoint
        let g = outputGradient
        let plane = g.shape[2] * g.shape[3]
        for n in 0..<g.shape[0] {
            for o in 0..<outChannels {
                let start = (n * outChannels + o) * plane
                var sum = 0.0
                for index in start..<(start + plane) { sum += g.values[index] }
                bias.gradient[o] += sum
            }
        }
        addTransposedProduct(Self.pixelRows(x), conv.im2col(g), into: &weight.gradient)  // ∂L/∂w += Xᵀ · patches(g)
        return conv.forward(g, mode: .inference)  // ∂L/∂x: the convolution of g with w
    }

    /// y by the formula's loops: every input pixel's stamp of the filter, added where it
    /// lands, plus the bias. The reference the fast ``forward(_:mode:)`` is tested against.
    public func referenceForward(_ x: Tensor) -> Tensor {
        let out = outputShape(x.shape)
        let (batch, height, width, oh, ow) = (x.shape[0], x.shape[2], x.shape[3], out[2], out[3])
        let (ci, co, kh, kw, s, p) = (inChannels, outChannels, kernelHeight, kernelWidth, stride, padding)
        var y = [Double](repeating: 0, count: out.reduce(1, *))
        for n in 0..<batch {
            for o in 0..<co {
                for index in 0..<(oh * ow) { y[(n * co + o) * oh * ow + index] = bias.value[o] }
                for c in 0..<ci {
                    for i in 0..<height {
                        for j in 0..<width {
                            let pixel = x.values[((n * ci + c) * height + i) * width + j]
                            for u in 0..<kh {
                                let r = i * s + u - p
                                guard r >= 0 && r < oh else { continue }
                                for v in 0..<kw {
                                    let q = j * s + v - p
                                    guard q >= 0 && q < ow else { continue }
                                    y[((n * co + o) * oh + r) * ow + q] += pixel * weight.value[((c * co + o) * kh + u) * kw + v]
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: out, values: y)
    }

    /// From g = ∂L/∂y to the gradients of w, b and x, by the formula's loops: each reads g
    /// where the stamp of input pixel (i, j) landed. The reference the fast ``backward(_:)``
    /// is tested against.
    ///
    /// ```
    /// ∂L/∂x[n, c, i, j] = Σ_o,u,v g[n, o, i·s + u − p, j·s + v − p] · w[c, o, u, v]    a convolution of g
    /// ∂L/∂w[c, o, u, v] += Σ_n,i,j x[n, c, i, j] · g[n, o, i·s + u − p, j·s + v − p]
    /// ∂L/∂b[o]          += Σ_n,r,q g[n, o, r, q]
    /// ```
    /// (over the positions that land inside the output, as in the forward pass).
    public func referenceBackward(_ outputGradient: Tensor, input x: Tensor) -> (weight: [Double], bias: [Double], input: Tensor) {
        let out = outputShape(x.shape)
        require(
            outputGradient.shape == out,
            "ConvTranspose2D \(weight.name).referenceBackward: the gradient \(outputGradient.shapeDescription) does not match the output \(Tensor.describe(out))"
        )
        var (weightGradient, biasGradient) = ([Double](repeating: 0, count: weight.count), [Double](repeating: 0, count: outChannels))
        let (batch, height, width, oh, ow) = (x.shape[0], x.shape[2], x.shape[3], outputGradient.shape[2], outputGradient.shape[3])
        let (ci, co, kh, kw, s, p) = (inChannels, outChannels, kernelHeight, kernelWidth, stride, padding)
        let g = outputGradient.values
        var dx = [Double](repeating: 0, count: x.count)
        for n in 0..<batch {
            for o in 0..<co {
                for index in 0..<(oh * ow) { biasGradient[o] += g[(n * co + o) * oh * ow + index] }
                for c in 0..<ci {
                    for i in 0..<height {
                        for j in 0..<width {
                            let at = ((n * ci + c) * height + i) * width + j
                            for u in 0..<kh {
                                let r = i * s + u - p
                                guard r >= 0 && r < oh else { continue }
                                for v in 0..<kw {
                                    let q = j * s + v - p
                                    guard q >= 0 && q < ow else { continue }
                                    let upstream = g[((n * co + o) * oh + r) * ow + q]
                                    let w = ((c * co + o) * kh + u) * kw + v
                                    dx[at] += upstream * weight.value[w]
                                    weightGradient[w] += x.values[at] * upstream
                                }
                            }
                        }
                    }
                }
            }
        }
        return (weightGradient, biasGradient, Tensor(shape: x.shape, values: dx))
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&weight)
        body(&bias)
    }
}
