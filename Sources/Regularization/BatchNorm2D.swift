import Backprop
import LinearAlgebra
import Validation

/// Batch normalization for images (N, C, H, W): one mean and variance per channel, taken
/// over the batch and every position (N·H·W values each), as PyTorch's `BatchNorm2d`.
///
/// ```
/// μ_c = mean of x[n, c, i, j] over n, i, j        σ²_c likewise (biased: divided by N·H·W)
/// y[n, c, i, j] = γ_c (x[n, c, i, j] − μ_c) / √(σ²_c + ε) + β_c
/// ```
/// A channel is a feature seen at many positions, so this is exactly ``BatchNorm`` on the
/// rows of a (N·H·W) × C matrix, one row per pixel of every image: the layer rearranges
/// x into those rows, runs a ``BatchNorm`` on them, and rearranges back, forward and
/// backward. Everything else is that layer's: γ and β, running statistics, momentum,
/// training and inference modes, the full backward pass, `heldInInference`.
///
/// Convention, the same as ``BatchNorm``'s: the running variance averages the biased batch
/// variance, and running ← 0.9 · running + 0.1 · batch. PyTorch averages the unbiased one
/// (× m/(m − 1), with m = N·H·W values per channel) and writes the momentum as 0.1. After
/// one step from running variance r₀, PyTorch's r = 0.9 r₀ + 0.1 · v · m/(m − 1) and this
/// layer's r = 0.9 r₀ + 0.1 · v, for the same batch variance v: the tests compare them
/// through that conversion. Outputs and gradients do not depend on it.
public struct BatchNorm2D: Layer {
    /// The normalization of the pixel rows, one feature per channel.
    public var rows: BatchNorm
    /// The shape of the last training-mode input, for the backward pass.
    private var inputShape: [Int]?

    /// γ = 1, β = 0; running mean 0 and variance 1. Parameters "γ" and "β" + `name`.
    public init(channels: Int, momentum: Double = 0.9, epsilon: Double = 1e-5, name: String = "") {
        require(channels > 0, "BatchNorm2D: needs at least one channel, got \(channels)")
        rows = BatchNorm(features: channels, momentum: momentum, epsilon: epsilon, name: name)
    }

    /// The number of channels C.
    public var channels: Int { rows.features }

    /// Whether a training-mode pass normalizes with the running statistics (see ``BatchNorm``).
    public var heldInInference: Bool {
        get { rows.heldInInference }
        set { rows.heldInInference = newValue }
    }

    /// x (N, C, H, W) as a (N·H·W) × C matrix: row (n, i, j), column c.
    static func pixelRows(_ x: Tensor) -> Tensor {
        let (batch, channels, positions) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var values = [Double](repeating: 0, count: x.count)
        for n in 0..<batch {
            for c in 0..<channels {
                for p in 0..<positions { values[(n * positions + p) * channels + c] = x.values[(n * channels + c) * positions + p] }
            }
        }
        return Tensor(shape: [batch * positions, channels], values: values)
    }

    /// The rows of ``pixelRows(_:)`` back into (N, C, H, W) of `shape`.
    static func images(_ rows: Tensor, shape: [Int]) -> Tensor {
        let (batch, channels, positions) = (shape[0], shape[1], shape[2] * shape[3])
        var values = [Double](repeating: 0, count: rows.count)
        for n in 0..<batch {
            for c in 0..<channels {
                for p in 0..<positions { values[(n * channels + c) * positions + p] = rows.values[(n * positions + p) * channels + c] }
            }
        }
        return Tensor(shape: shape, values: values)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        require(
            x.rank == 4 && x.shape[1] == channels,
            "BatchNorm2D: input \(x.shapeDescription) does not fit: it needs (batch × \(channels) × height × width)")
        if mode == .training { inputShape = x.shape }
        return Self.images(rows.forward(Self.pixelRows(x), mode: mode), shape: x.shape)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: inputShape, layer: "BatchNorm2D")
        return Self.images(rows.backward(Self.pixelRows(outputGradient)), shape: outputGradient.shape)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        rows.visitParameters(body)
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        rows.visitBuffers(prefix: prefix, body)
    }
}
