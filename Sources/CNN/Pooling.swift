import Backprop
import LinearAlgebra
import Validation

/// Max or average pooling over k×k windows (or k_h × k_w) moved `stride` at a time,
/// channel by channel.
///
/// ```
/// x: (B, C, H, W)   →   y: (B, C, OH, OW),   OH = ⌊(H − k_h)/s_h⌋ + 1, OW = ⌊(W − k_w)/s_w⌋ + 1
/// max:      y[n, c, i, j] = max over the window of x[n, c, i·s_h + u, j·s_w + v]
/// average:  y[n, c, i, j] = (1/(k_h k_w)) Σ over the window of x[n, c, i·s_h + u, j·s_w + v]
/// ```
/// Backward, max: the whole gradient of an output goes to the one input that was the
/// maximum; on a tie, to the first of the tied inputs in reading order (row by row, left
/// to right), as in PyTorch's CPU kernel. The others get 0: a small change to them does
/// not change the maximum. Backward, average: each input of the window gets g/(k_h k_w). Where
/// windows overlap (stride < k) an input collects from each window it belongs to.
/// Pooling has no parameters and no padding.
public struct Pool2D: Layer {
    /// Which statistic of a window the layer takes.
    public enum Kind: Sendable {
        /// The largest value (the gradient goes to the first maximum).
        case max
        /// The mean.
        case average
    }

    /// Max or average.
    public let kind: Kind
    /// The window's height and width (k_h, k_w); PyTorch's `kernel_size`.
    public let window: (height: Int, width: Int)
    /// How far the window moves down and across (s_h, s_w); PyTorch's `stride`.
    public let strides: (rows: Int, columns: Int)
    /// The input shape of the last training-mode forward pass and, for max pooling, the
    /// index in x of each output's maximum.
    private var inputShape: [Int]?
    private var winners: [Int] = []

    /// Pooling over `size`×`size` windows; the stride defaults to the size (windows that
    /// tile the image without overlap).
    public init(_ kind: Kind, size: Int, stride: Int? = nil) {
        self.init(kind, window: (size, size), strides: stride.map { ($0, $0) })
    }

    /// Pooling over windows of `window.height` × `window.width`; the strides default to the
    /// window (no overlap). A (1, 2) window halves only the width.
    public init(_ kind: Kind, window: (height: Int, width: Int), strides: (rows: Int, columns: Int)? = nil) {
        require(window.height > 0 && window.width > 0, "Pool2D: the window must be at least 1 × 1, got \(window.height) × \(window.width)")
        self.kind = kind
        self.window = window
        self.strides = strides ?? (window.height, window.width)
        require(
            self.strides.rows > 0 && self.strides.columns > 0,
            "Pool2D: the strides must be positive, got \(self.strides.rows) down and \(self.strides.columns) across")
    }

    /// The window's size when it is square (k × k); nil for a k_h × k_w window.
    public var size: Int? { window.height == window.width ? window.height : nil }
    /// The stride when it is the same down and across; nil otherwise.
    public var stride: Int? { strides.rows == strides.columns ? strides.rows : nil }

    /// The output shape for an input of `shape` (B, C, H, W).
    public func outputShape(_ shape: [Int]) -> [Int] {
        require(shape.count == 4, "Pool2D: input \(Tensor.describe(shape)) is not (batch × channels × height × width)")
        require(
            shape[2] >= window.height && shape[3] >= window.width,
            "Pool2D: a \(window.height) × \(window.width) window does not fit the \(shape[2]) × \(shape[3]) images of \(Tensor.describe(shape))")
        return [
            shape[0], shape[1], convolutionOutputSize(shape[2], filter: window.height, stride: strides.rows),
            convolutionOutputSize(shape[3], filter: window.width, stride: strides.columns),
        ]
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let out = outputShape(x.shape)
        let (height, width, oh, ow) = (x.shape[2], x.shape[3], out[2], out[3])
        let (kh, kw, sh, sw) = (window.height, window.width, strides.rows, strides.columns)
        let xs = x.values
        var y = [Double](repeating: 0, count: out.reduce(1, *))
        var best = [Int](repeating: 0, count: kind == .max ? y.count : 0)
        for plane in 0..<(out[0] * out[1]) {  // one (sample, channel) image at a time
            for i in 0..<oh {
                for j in 0..<ow {
                    let o = (plane * oh + i) * ow + j
                    var sum = 0.0, winner = -1
                    for u in 0..<kh {
                        for v in 0..<kw {
                            let index = (plane * height + i * sh + u) * width + j * sw + v
                            sum += xs[index]
                            // strictly greater: on a tie the first in reading order stays
                            if winner < 0 || xs[index] > xs[winner] || (xs[index].isNaN && !xs[winner].isNaN) { winner = index }
                        }
                    }
                    if kind == .max {
                        y[o] = xs[winner]
                        best[o] = winner
                    } else {
                        y[o] = sum / Double(kh * kw)
                        if y[o].isInfinite {
                            // The sum overflowed although the mean may fit (a window near ±1.8e308).
                            y[o] = meanAvoidingOverflow(
                                (0..<(kh * kw)).map { xs[(plane * height + i * sh + $0 / kw) * width + j * sw + $0 % kw] })
                        }
                    }
                }
            }
        }
        if mode == .training {
            inputShape = x.shape
            winners = best
        }
        return Tensor(shape: out, values: y)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let shape = inputShape else { requirementFailed("Pool2D.backward: no training-mode forward pass to go back through") }
        let out = outputShape(shape)
        expectGradientShape(outputGradient, output: out, layer: "Pool2D")
        let (height, width, oh, ow) = (shape[2], shape[3], out[2], out[3])
        let (kh, kw, sh, sw) = (window.height, window.width, strides.rows, strides.columns)
        let g = outputGradient.values
        var dx = [Double](repeating: 0, count: shape.reduce(1, *))
        switch kind {
        case .max:
            for o in g.indices { dx[winners[o]] += g[o] }  // all of it to the maximum
        case .average:
            let share = 1 / Double(kh * kw)
            for plane in 0..<(out[0] * out[1]) {
                for i in 0..<oh {
                    for j in 0..<ow {
                        let gradient = g[(plane * oh + i) * ow + j] * share
                        for u in 0..<kh {
                            for v in 0..<kw { dx[(plane * height + i * sh + u) * width + j * sw + v] += gradient }
                        }
                    }
                }
            }
        }
        return Tensor(shape: shape, values: dx)
    }

    /// No parameters.
    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}

/// Changes the shape of each sample and nothing else: `Reshape([1, 8, 8])` turns a batch
/// of 64-pixel rows (B, 64) into images (B, 1, 8, 8); `Reshape.flatten` turns feature maps
/// (B, C, H, W) into rows (B, C·H·W) for a dense layer. The values keep their order, so
/// the backward pass just gives the gradient the input's shape back.
public struct Reshape: Layer {
    /// The shape of one sample after the layer; nil: flatten to one axis.
    public let sampleShape: [Int]?
    private var inputShape: [Int]?

    /// A layer that gives each sample the shape `sampleShape` (same number of values).
    public init(_ sampleShape: [Int]) {
        require(!sampleShape.isEmpty && sampleShape.allSatisfy { $0 > 0 }, "Reshape: the sample shape must be positive sizes, got \(sampleShape)")
        self.sampleShape = sampleShape
    }

    private init(flattening: Void) {
        sampleShape = nil
    }

    /// (B, …) → (B, everything else multiplied out).
    public static var flatten: Reshape { Reshape(flattening: ()) }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        require(x.rank >= 2, "Reshape: input \(x.shapeDescription) has no batch axis")
        let perSample = x.shape.dropFirst().reduce(1, *)
        let target = sampleShape ?? [perSample]
        require(
            target.reduce(1, *) == perSample,
            "Reshape: a sample of \(Tensor(shape: Array(x.shape.dropFirst())).shapeDescription) (\(perSample) values) "
                + "cannot become \(Tensor(shape: target).shapeDescription) (\(target.reduce(1, *)) values)")
        if mode == .training { inputShape = x.shape }
        return x.reshaped([x.shape[0]] + target)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let shape = inputShape else { requirementFailed("Reshape.backward: no training-mode forward pass to go back through") }
        require(
            outputGradient.count == shape.reduce(1, *),
            "Reshape.backward: the gradient \(outputGradient.shapeDescription) does not match the output of input \(Tensor.describe(shape))")
        return outputGradient.reshaped(shape)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}

/// Global average pooling: each channel's map averaged to one number, (B, C, H, W) →
/// (B, C). The seeds' CNNs end with it (Keras's `GlobalAveragePooling2D`; PyTorch's
/// `nn.AdaptiveAvgPool2d(1)` followed by a flatten): a classifier head on C numbers
/// instead of C·H·W, with no parameters and no dependence on where in the image a feature
/// was found.
///
/// ```
/// forward:   y[n, c] = (1 / HW) Σᵢⱼ x[n, c, i, j]
/// backward:  ∂L/∂x[n, c, i, j] = ∂L/∂y[n, c] / HW     every position shares the gradient
/// ```
///
/// It is average pooling with one window the size of the whole map, then a flatten; it is
/// written that way, so it shares ``Pool2D``'s sums (and their guard against overflow).
public struct GlobalAveragePool: Layer {
    /// The pooling of the last training-mode forward pass, whose window fitted its maps.
    private var pool: Pool2D?

    /// The layer; it has no settings.
    public init() {}

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        require(x.rank == 4, "GlobalAveragePool: needs a batch of maps (B, C, H, W), got \(x.shapeDescription)")
        require(x.shape[2] > 0 && x.shape[3] > 0, "GlobalAveragePool: maps of \(x.shape[2]) × \(x.shape[3]) have no positions to average")
        var whole = Pool2D(.average, window: (x.shape[2], x.shape[3]))
        let y = whole.forward(x, mode: mode)
        if mode == .training { pool = whole }
        return Tensor(shape: [x.shape[0], x.shape[1]], values: y.values)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard var pool else { requirementFailed("GlobalAveragePool.backward: no training-mode forward pass to go back through") }
        require(
            outputGradient.rank == 2,
            "GlobalAveragePool.backward: the gradient \(outputGradient.shapeDescription) is not (batch × channels)")
        return pool.backward(Tensor(shape: outputGradient.shape + [1, 1], values: outputGradient.values))
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}

/// A residual block: H(x) = F(x) + x, with F any layers whose output has x's shape.
///
/// ```
/// forward:   y = F(x) + x
/// backward:  ∂L/∂x = F.backward(∂L/∂y) + ∂L/∂y      the identity path passes g unchanged
/// ```
/// The skip connection gives the gradient a path around F on which nothing multiplies it,
/// so even through many blocks it reaches the first layers undiminished; F only has to
/// learn the change to x, which starts near 0.
public struct Residual: Layer {
    /// F, the layers whose output is added to their input.
    public var body: Sequential

    /// A block x + F(x), F being `layers` in order; F's output must have x's shape.
    public init(_ layers: [any Layer]) {
        body = Sequential(layers)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let fx = body.forward(x, mode: mode)
        require(
            fx.shape == x.shape,
            "Residual: F(x) \(fx.shapeDescription) cannot be added to x \(x.shapeDescription): the shapes differ")
        var y = fx.values
        for i in y.indices { y[i] += x.values[i] }
        return Tensor(shape: x.shape, values: y)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        let throughBody = body.backward(outputGradient)
        var dx = throughBody.values
        for i in dx.indices { dx[i] += outputGradient.values[i] }  // + the identity path
        return Tensor(shape: outputGradient.shape, values: dx)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        self.body.visitParameters(body)
    }

    /// F's parameters under "body.": "body.0.K1".
    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        self.body.visitNamedParameters(prefix: prefix + "body.", body)
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        self.body.visitBuffers(prefix: prefix + "body.", body)
    }
}
