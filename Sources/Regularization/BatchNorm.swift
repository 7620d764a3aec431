import Backprop
import LinearAlgebra
import Validation

/// Batch normalization over a batch of rows: each feature (column) is standardized with
/// the batch's own mean and variance, then scaled and shifted by learned γ and β.
///
/// ```
/// μⱼ = (1/N) Σᵢ xᵢⱼ        σ²ⱼ = (1/N) Σᵢ (xᵢⱼ − μⱼ)²        (biased: divided by N)
/// x̂ᵢⱼ = (xᵢⱼ − μⱼ) / √(σ²ⱼ + ε)
/// yᵢⱼ = γⱼ x̂ᵢⱼ + βⱼ
/// ```
/// In training the statistics come from the batch, and running averages of them are kept:
/// running ← momentum · running + (1 − momentum) · batch. At inference the running
/// averages are used instead, so a sample's output does not depend on the rest of its
/// batch, and the layer is an ordinary fixed affine map.
///
/// The running variance averages the biased batch variance. PyTorch's `BatchNorm1d`
/// averages the unbiased one (divided by N − 1) and writes its momentum the other way
/// round: its 0.1 is this 0.9.
public struct BatchNorm: Layer {
    /// γ, one per feature, starting at 1. Does not decay.
    public var gamma: Parameter
    /// β, one per feature, starting at 0. Does not decay.
    public var beta: Parameter
    /// The running average of the batch means, used at inference.
    public var runningMean: [Double]
    /// The running average of the batch variance (biased), used at inference.
    public var runningVariance: [Double]
    /// How much of the running averages each batch keeps (0.9: running ← 0.9 running + 0.1
    /// batch).
    public var momentum: Double
    /// Keeps √(σ² + ε) away from 0 when a feature is constant over the batch.
    public var epsilon: Double
    /// x̂ of the last training-mode forward pass, (batch × features).
    public private(set) var normalized: Matrix?
    /// 1 / √(σ² + ε) per feature, from the last training-mode forward pass.
    private var inverseDeviation: [Double] = []
    /// Holds the layer in inference mode while the rest of the model trains (a frozen
    /// pretrained layer in transfer learning, PyTorch's `bn.eval()` inside a training
    /// model): a training-mode pass then normalizes with the running statistics and leaves
    /// them as they are, and its backward pass is that fixed affine map's.
    public var heldInInference = false
    /// Whether the last training-mode pass was a held one.
    private var lastPassHeld = false

    /// γ = 1, β = 0 (the identity on standardized inputs); running mean 0 and variance 1.
    /// The parameters are named "γ" and "β" followed by `name`.
    public init(features: Int, momentum: Double = 0.9, epsilon: Double = 1e-5, name: String = "") {
        require(features > 0, "BatchNorm: needs at least one feature, got \(features)")
        gamma = Parameter(name: "γ\(name)", shape: [features], value: [Double](repeating: 1, count: features), decays: false)
        beta = Parameter(name: "β\(name)", shape: [features], value: [Double](repeating: 0, count: features), decays: false)
        runningMean = [Double](repeating: 0, count: features)
        runningVariance = [Double](repeating: 1, count: features)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    /// The number of features (columns) normalized.
    public var features: Int { gamma.count }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        expectShape(x, features: features, layer: "BatchNorm")
        switch mode {
        case .training where heldInInference: return Tensor(forwardHeld(x.matrix))
        case .training: return Tensor(forwardTraining(x.matrix))
        case .inference: return Tensor(forwardInference(x.matrix))
        }
    }

    /// A training-mode pass held in inference: the running statistics normalize and stay
    /// unchanged; x̂ and 1/√(σ² + ε) are kept for the backward pass as usual.
    mutating func forwardHeld(_ x: Matrix) -> Matrix {
        var normalized = x
        inverseDeviation = runningVariance.map { 1 / ($0 + epsilon).squareRoot() }
        for j in 0..<features {
            for i in 0..<x.rows { normalized[i, j] = (x[i, j] - runningMean[j]) * inverseDeviation[j] }
        }
        self.normalized = normalized
        lastPassHeld = true
        return forwardInference(x)
    }

    /// Training mode: normalizes with the batch's statistics and updates the running ones.
    mutating func forwardTraining(_ x: Matrix) -> Matrix {
        require(x.rows > 1, "BatchNorm: a training batch needs at least 2 rows to have a variance, got \(x.rows)")
        let n = Double(x.rows)
        var normalized = x, output = x
        inverseDeviation = [Double](repeating: 0, count: features)
        for j in 0..<features {
            var mean = 0.0
            for i in 0..<x.rows { mean += x[i, j] }
            mean /= n
            if mean.isInfinite {
                // The sum overflowed although every x is finite (a batch near ±1e308):
                // add x/N instead, which cannot overflow when the mean itself fits.
                mean = 0
                for i in 0..<x.rows { mean += x[i, j] / n }
            }
            var variance = 0.0
            for i in 0..<x.rows { variance += (x[i, j] - mean) * (x[i, j] - mean) }
            variance /= n
            inverseDeviation[j] = 1 / (variance + epsilon).squareRoot()
            for i in 0..<x.rows {
                normalized[i, j] = (x[i, j] - mean) * inverseDeviation[j]
                output[i, j] = gamma.value[j] * normalized[i, j] + beta.value[j]
            }
            runningMean[j] = momentum * runningMean[j] + (1 - momentum) * mean
            runningVariance[j] = momentum * runningVariance[j] + (1 - momentum) * variance
        }
        self.normalized = normalized  // cache for the backward pass
        lastPassHeld = false
        return output
    }

    /// Inference mode: normalizes with the running statistics; each row independently.
    func forwardInference(_ x: Matrix) -> Matrix {
        var output = x
        for j in 0..<features {
            let inverseDeviation = 1 / (runningVariance[j] + epsilon).squareRoot()
            for i in 0..<x.rows {
                output[i, j] = gamma.value[j] * (x[i, j] - runningMean[j]) * inverseDeviation + beta.value[j]
            }
        }
        return output
    }

    /// The backward pass of the last training-mode forward pass.
    ///
    /// ```
    /// ∂L/∂βⱼ += Σᵢ gᵢⱼ          ∂L/∂γⱼ += Σᵢ gᵢⱼ x̂ᵢⱼ          (g = ∂L/∂y)
    /// ∂L/∂xᵢⱼ = (γⱼ / (N √(σ²ⱼ + ε))) · (N gᵢⱼ − Σₖ gₖⱼ − x̂ᵢⱼ Σₖ gₖⱼ x̂ₖⱼ)
    /// ```
    /// The last line is longer than a plain scaling because every x in the batch moves
    /// the mean and variance that every other x̂ was computed with.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: normalized.map { [$0.rows, $0.columns] }, layer: "BatchNorm")
        let g = outputGradient.matrix, normalized = normalized!
        let n = Double(g.rows)
        var input = g
        for j in 0..<features {
            var sumG = 0.0, sumGX = 0.0
            for i in 0..<g.rows {
                sumG += g[i, j]
                sumGX += g[i, j] * normalized[i, j]
            }
            beta.gradient[j] += sumG
            gamma.gradient[j] += sumGX
            if lastPassHeld {  // fixed statistics: y = γ x̂ + β is affine in x
                for i in 0..<g.rows { input[i, j] = gamma.value[j] * inverseDeviation[j] * g[i, j] }
                continue
            }
            let scale = gamma.value[j] * inverseDeviation[j] / n
            for i in 0..<g.rows {
                input[i, j] = scale * (n * g[i, j] - sumG - normalized[i, j] * sumGX)
            }
        }
        return Tensor(input)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&gamma)
        body(&beta)
    }

    /// The running mean and variance, named "runningMean" and "runningVariance" followed by
    /// the layer's name, as its parameters are.
    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        let suffix = String(gamma.name.dropFirst())  // the name given to init, after "γ"
        body("\(prefix)runningMean\(suffix)", &runningMean)
        body("\(prefix)runningVariance\(suffix)", &runningVariance)
        require(
            runningMean.count == features && runningVariance.count == features,
            "BatchNorm: running statistics of \(runningMean.count) and \(runningVariance.count) values for \(features) features")
    }
}
