import Backprop
import LinearAlgebra
import Validation

/// Layer normalization over the last axis: each position's d features normalized by their
/// own mean and variance, then scaled and shifted by learned γ and β (d each).
///
/// ```
/// μ = (1/d) Σⱼ xⱼ      σ² = (1/d) Σⱼ (xⱼ − μ)²      (biased: divided by d, as PyTorch)
/// x̂ⱼ = (xⱼ − μ) / √(σ² + ε)      yⱼ = γⱼ x̂ⱼ + βⱼ      ε = 1e-5 (PyTorch's default)
/// ```
/// Unlike batch normalization it uses no statistics across the batch, so it computes the
/// same thing in training and inference, for a batch of one, and at every position of a
/// sequence. Backward, with g = ∂L/∂y and ĝ = g ⊙ γ:
///
/// ```
/// ∂L/∂γ += Σ over positions g ⊙ x̂      ∂L/∂β += Σ over positions g
/// ∂L/∂x  = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / √(σ² + ε)
/// ```
public struct LayerNorm: Layer {
    /// γ (d), starting at 1. Does not decay.
    public var gamma: Parameter
    /// β (d), starting at 0. Does not decay.
    public var beta: Parameter
    /// ε, added to σ² under the root (1e-5, PyTorch's default).
    public let epsilon: Double
    /// x̂ and 1/√(σ² + ε) of every position of the last training-mode pass.
    private var cache: (normalized: [Double], inverseDeviation: [Double], shape: [Int])?

    /// d, the values normalized together at each position.
    public var features: Int { gamma.count }

    /// A layer normalizing `features` values per position, γ = 1 and β = 0 to start; its
    /// parameters are named "γ" and "β" + `name`.
    public init(features: Int, epsilon: Double = 1e-5, name: String = "") {
        require(features > 0, "LayerNorm: needs at least one feature, got \(features)")
        gamma = Parameter(name: "γ\(name)", shape: [features], value: [Double](repeating: 1, count: features), decays: false)
        beta = Parameter(name: "β\(name)", shape: [features], value: [Double](repeating: 0, count: features), decays: false)
        self.epsilon = epsilon
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let d = features
        require(x.rank >= 1 && x.shape.last == d, "LayerNorm \(gamma.name): input \(x.shapeDescription) does not end in the \(d) features it normalizes")
        let positions = x.count / d
        var y = [Double](repeating: 0, count: x.count), normalized = y
        var inverseDeviation = [Double](repeating: 0, count: positions)
        for p in 0..<positions {
            let row = x.values[(p * d)..<((p + 1) * d)]
            var mean = row.reduce(0, +) / Double(d)
            var variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
            var inverse = 1 / (variance + epsilon).squareRoot()
            if !(mean.isFinite && variance.isFinite), row.allSatisfy(\.isFinite) {
                // The sums overflowed although every x fits (values near ±1e300): normalize
                // x/s with s the largest |x|, which gives the same x̂, and keep 1/(s σ_s) for
                // the backward pass. ε/s² is then far below anything a Double can add.
                let s = row.map(abs).max()!
                let scaled = row.map { $0 / s }
                mean = scaled.reduce(0, +) / Double(d)
                variance = scaled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
                let scaledInverse = 1 / (variance + epsilon / s / s).squareRoot()
                inverse = scaledInverse / s
                for j in 0..<d {
                    let n = (scaled[j] - mean) * scaledInverse
                    normalized[p * d + j] = n
                    y[p * d + j] = gamma.value[j] * n + beta.value[j]
                }
                inverseDeviation[p] = inverse
                continue
            }
            inverseDeviation[p] = inverse
            for j in 0..<d {
                let n = (x.values[p * d + j] - mean) * inverse
                normalized[p * d + j] = n
                y[p * d + j] = gamma.value[j] * n + beta.value[j]
            }
        }
        if mode == .training { cache = (normalized, inverseDeviation, x.shape) }
        return Tensor(shape: x.shape, values: y)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: cache?.shape, layer: "LayerNorm \(gamma.name)")
        let (normalized, inverseDeviation, shape) = cache!
        let d = features, g = outputGradient.values
        var dx = [Double](repeating: 0, count: g.count)
        for p in 0..<(g.count / d) {
            var meanG = 0.0, meanGX = 0.0
            for j in 0..<d {
                let gHat = g[p * d + j] * gamma.value[j]
                meanG += gHat
                meanGX += gHat * normalized[p * d + j]
                gamma.gradient[j] += g[p * d + j] * normalized[p * d + j]
                beta.gradient[j] += g[p * d + j]
            }
            (meanG, meanGX) = (meanG / Double(d), meanGX / Double(d))
            for j in 0..<d {
                let gHat = g[p * d + j] * gamma.value[j]
                dx[p * d + j] = (gHat - meanG - normalized[p * d + j] * meanGX) * inverseDeviation[p]
            }
        }
        return Tensor(shape: shape, values: dx)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&gamma)
        body(&beta)
    }
}
