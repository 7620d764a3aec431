import Backprop
import LinearAlgebra
import Randomness
import Validation

/// A transformer encoder block on sequences (B, T, d): self-attention and a position-wise
/// feed-forward network, each wrapped in a residual connection and a layer normalization.
///
/// ```
/// post-LN (the original transformer, PyTorch's default norm_first=False):
///     Z = LN₁(X + MHA(X))            Y = LN₂(Z + FFN(Z))
/// pre-LN (GPT-2 and most models since, norm_first=True):
///     Z = X + MHA(LN₁(X))            Y = Z + FFN(LN₂(Z))
/// FFN(z) = ReLU(z W₁ᵀ + b₁) W₂ᵀ + b₂, the same two dense layers at every position
/// ```
/// Pre-LN leaves a clean residual path from input to output: the identity carries the
/// gradient through every block untouched, which is why deep stacks of it train without
/// a learning-rate warm-up. Backward goes through the same pieces in reverse; each
/// residual adds its two paths' gradients.
public struct EncoderBlock: Layer {
    /// The self-attention sublayer.
    public var attention: MultiHeadAttention
    /// The layer norm of the attention sublayer.
    public var attentionNorm: LayerNorm
    /// Dense(d → ff), ReLU, Dense(ff → d), applied to every position as a row.
    public var feedForward: Sequential
    /// The layer norm of the feed-forward sublayer.
    public var feedForwardNorm: LayerNorm
    /// Whether each sublayer normalizes its input (pre-LN) rather than the residual sum
    /// (post-LN, the original transformer's and PyTorch's default).
    public let preNorm: Bool
    private var shape: [Int]?

    /// A block from its attention and feed-forward parts, with layer norms of the attention's
    /// width; post-LN unless `preNorm`.
    public init(attention: MultiHeadAttention, feedForward: Sequential, preNorm: Bool = false, name: String = "") {
        self.attention = attention
        self.feedForward = feedForward
        attentionNorm = LayerNorm(features: attention.features, name: "\(name)a")
        feedForwardNorm = LayerNorm(features: attention.features, name: "\(name)f")
        self.preNorm = preNorm
    }

    /// A block with random weights: PyTorch's attention initialization (see
    /// ``MultiHeadAttention``), He for the first dense layer, Xavier for the second.
    public init(
        features d: Int, heads: Int, feedForward ff: Int, preNorm: Bool = false, dropout: Double = 0,
        using generator: inout SeededGenerator, name: String = ""
    ) {
        self.init(
            attention: MultiHeadAttention(features: d, heads: heads, dropout: dropout, using: &generator, name: name),
            feedForward: Sequential([
                Dense(inputs: d, outputs: ff, initialization: .he, using: &generator, name: "\(name)1"), ActivationLayer(.relu),
                Dense(inputs: ff, outputs: d, initialization: .xavier, using: &generator, name: "\(name)2"),
            ]),
            preNorm: preNorm, name: name)
    }

    /// d, the width of every position's vector.
    public var features: Int { attention.features }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        x.requireLayout(.batchFirst, "EncoderBlock")
        require(x.rank == 3 && x.shape[2] == features, "EncoderBlock: input \(x.shapeDescription) does not fit: it needs (batch × time × \(features))")
        if mode == .training { shape = x.shape }
        if preNorm {
            let z = add(x, attention.forward(attentionNorm.forward(x, mode: mode), mode: mode))
            return add(z, positionWise(feedForwardNorm.forward(z, mode: mode), mode: mode))
        }
        let z = attentionNorm.forward(add(x, attention.forward(x, mode: mode)), mode: mode)
        return feedForwardNorm.forward(add(z, positionWise(z, mode: mode)), mode: mode)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: shape, layer: "EncoderBlock")
        if preNorm {
            let gz = add(outputGradient, feedForwardNorm.backward(positionWiseBackward(outputGradient)))  // Y = Z + FFN(LN₂(Z))
            return add(gz, attentionNorm.backward(attention.backward(gz)))  // Z = X + MHA(LN₁(X))
        }
        let gSum = feedForwardNorm.backward(outputGradient)  // through LN₂ to Z + FFN(Z)
        let gz = add(gSum, positionWiseBackward(gSum))
        let gxSum = attentionNorm.backward(gz)  // through LN₁ to X + MHA(X)
        return add(gxSum, attention.backward(gxSum))
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        attention.visitParameters(body)
        attentionNorm.visitParameters(body)
        feedForward.visitParameters(body)
        feedForwardNorm.visitParameters(body)
    }

    /// Each part's parameters under its property's name: "attention.Wq", "attentionNorm.γa",
    /// "feedForward.0.W1", "feedForwardNorm.γf".
    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        attention.visitNamedParameters(prefix: prefix + "attention.", body)
        attentionNorm.visitNamedParameters(prefix: prefix + "attentionNorm.", body)
        feedForward.visitNamedParameters(prefix: prefix + "feedForward.", body)
        feedForwardNorm.visitNamedParameters(prefix: prefix + "feedForwardNorm.", body)
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        attention.visitBuffers(prefix: prefix + "attention.", body)
        feedForward.visitBuffers(prefix: prefix + "feedForward.", body)
    }

    /// The feed-forward network on every position: (B, T, d) as (B·T) rows and back.
    mutating func positionWise(_ z: Tensor, mode: Mode) -> Tensor {
        feedForward.forward(z.reshaped([z.shape[0] * z.shape[1], z.shape[2]]), mode: mode).reshaped(z.shape)
    }

    mutating func positionWiseBackward(_ g: Tensor) -> Tensor {
        feedForward.backward(g.reshaped([g.shape[0] * g.shape[1], g.shape[2]])).reshaped(g.shape)
    }
}

/// a + b, element by element (same shapes).
func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor(shape: a.shape, values: LinearAlgebra.add(a.values, b.values))
}
