import LinearAlgebra

/// Batch normalization over a batch of rows: each feature (column) is standardized with
/// the batch's own mean and variance, then scaled and shifted by learned γ and β.
///
/// ```
/// μⱼ = (1/N) Σᵢ xᵢⱼ        σ²ⱼ = (1/N) Σᵢ (xᵢⱼ − μⱼ)²
/// x̂ᵢⱼ = (xᵢⱼ − μⱼ) / √(σ²ⱼ + ε)
/// yᵢⱼ = γⱼ x̂ᵢⱼ + βⱼ
/// ```
/// In training the statistics come from the batch, and running averages of them are kept:
/// running ← momentum · running + (1 − momentum) · batch. At inference the running
/// averages are used instead, so a sample's output does not depend on the rest of its
/// batch, and the layer is an ordinary fixed affine map.
public struct BatchNorm: Sendable, Equatable {
    public var gamma: [Double]
    public var beta: [Double]
    public var runningMean: [Double]
    public var runningVariance: [Double]
    public var momentum: Double
    public var epsilon: Double

    /// γ = 1, β = 0 (the identity on standardized inputs); running mean 0 and variance 1.
    public init(features: Int, momentum: Double = 0.9, epsilon: Double = 1e-5) {
        gamma = [Double](repeating: 1, count: features)
        beta = [Double](repeating: 0, count: features)
        runningMean = [Double](repeating: 0, count: features)
        runningVariance = [Double](repeating: 1, count: features)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var features: Int { gamma.count }

    /// What the backward pass needs from a training-mode forward pass.
    public struct Cache: Sendable {
        public var normalized: Matrix
        public var inverseDeviation: [Double]
    }

    /// The gradients for γ and β.
    public struct Gradients: Sendable, Equatable {
        public var gamma: [Double]
        public var beta: [Double]
    }

    func checkShape(_ x: Matrix, _ caller: String) {
        precondition(
            x.columns == features, "BatchNorm.\(caller): batch \(x.shapeDescription) does not fit \(features) features")
    }

    /// Training mode: normalizes with the batch's statistics and updates the running ones.
    public mutating func forwardTraining(_ x: Matrix) -> (output: Matrix, cache: Cache) {
        checkShape(x, "forwardTraining")
        precondition(x.rows > 1, "BatchNorm.forwardTraining: needs a batch of at least 2 rows, got \(x.rows)")
        let n = Double(x.rows)
        var normalized = x, output = x
        var inverseDeviation = [Double](repeating: 0, count: features)
        for j in 0..<features {
            var mean = 0.0
            for i in 0..<x.rows { mean += x[i, j] }
            mean /= n
            var variance = 0.0
            for i in 0..<x.rows { variance += (x[i, j] - mean) * (x[i, j] - mean) }
            variance /= n
            inverseDeviation[j] = 1 / (variance + epsilon).squareRoot()
            for i in 0..<x.rows {
                normalized[i, j] = (x[i, j] - mean) * inverseDeviation[j]
                output[i, j] = gamma[j] * normalized[i, j] + beta[j]
            }
            runningMean[j] = momentum * runningMean[j] + (1 - momentum) * mean
            runningVariance[j] = momentum * runningVariance[j] + (1 - momentum) * variance
        }
        return (output, Cache(normalized: normalized, inverseDeviation: inverseDeviation))
    }

    /// Inference mode: normalizes with the running statistics; each row independently.
    public func forwardInference(_ x: Matrix) -> Matrix {
        checkShape(x, "forwardInference")
        var output = x
        for j in 0..<features {
            let inverseDeviation = 1 / (runningVariance[j] + epsilon).squareRoot()
            for i in 0..<x.rows {
                output[i, j] = gamma[j] * (x[i, j] - runningMean[j]) * inverseDeviation + beta[j]
            }
        }
        return output
    }

    /// The backward pass of a training-mode forward pass.
    ///
    /// ```
    /// ∂L/∂βⱼ = Σᵢ gᵢⱼ          ∂L/∂γⱼ = Σᵢ gᵢⱼ x̂ᵢⱼ          (g = ∂L/∂y)
    /// ∂L/∂xᵢⱼ = (γⱼ / (N √(σ²ⱼ + ε))) · (N gᵢⱼ − Σₖ gₖⱼ − x̂ᵢⱼ Σₖ gₖⱼ x̂ₖⱼ)
    /// ```
    /// The last line is longer than a plain scaling because every x in the batch moves
    /// the mean and variance that every other x̂ was computed with.
    public func backward(_ upstream: Matrix, cache: Cache) -> (input: Matrix, gradients: Gradients) {
        checkShape(upstream, "backward")
        let n = Double(upstream.rows)
        var input = upstream
        var dGamma = [Double](repeating: 0, count: features), dBeta = dGamma
        for j in 0..<features {
            for i in 0..<upstream.rows {
                dBeta[j] += upstream[i, j]
                dGamma[j] += upstream[i, j] * cache.normalized[i, j]
            }
            let scale = gamma[j] * cache.inverseDeviation[j] / n
            for i in 0..<upstream.rows {
                input[i, j] = scale * (n * upstream[i, j] - dBeta[j] - cache.normalized[i, j] * dGamma[j])
            }
        }
        return (input, Gradients(gamma: dGamma, beta: dBeta))
    }
}
