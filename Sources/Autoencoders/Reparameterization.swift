import Foundation
import Validation

// The two pieces of arithmetic that make a VAE trainable, each with its backward pass.
//
// The encoder gives, for every latent coordinate, a mean μ and a log-variance log σ²
// (a log, so that any real number is a valid output and σ² = exp(log σ²) > 0).
//
//   reparameterization:  z = μ + σ ⊙ ε,   σ = exp(½ log σ²),   ε ~ N(0, I) drawn outside
//     ∂z/∂μ = 1            ∂z/∂log σ² = ½ σ ε
//
//   KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²)      closed form, in nats
//     ∂KL/∂μ = μ           ∂KL/∂log σ² = ½ (σ² − 1)
//
// Drawing z directly from N(μ, σ²) would leave no path for a gradient back to μ and σ: the
// draw is not a function of them. Drawing ε first and computing z from it moves the
// randomness to an input, and z becomes a differentiable function of μ and log σ².

/// z = μ + exp(½ log σ²) ⊙ ε, element by element.
public func reparameterize(mean: [Double], logVariance: [Double], noise: [Double]) -> [Double] {
    requireSameCount("reparameterize", mean: mean, logVariance: logVariance, noise: noise)
    return mean.indices.map { i in mean[i] + exp(0.5 * logVariance[i]) * noise[i] }
}

/// ∂L/∂μ and ∂L/∂log σ² of ``reparameterize(mean:logVariance:noise:)``, given ∂L/∂z:
/// ∂L/∂μ = ∂L/∂z and ∂L/∂log σ² = ∂L/∂z ⊙ ½ σ ε.
public func reparameterizeBackward(
    mean: [Double], logVariance: [Double], noise: [Double], zGradient: [Double]
) -> (mean: [Double], logVariance: [Double]) {
    requireSameCount("reparameterizeBackward", mean: mean, logVariance: logVariance, noise: noise)
    require(
        zGradient.count == mean.count,
        "reparameterizeBackward: ∂L/∂z has \(zGradient.count) values for \(mean.count) latent values")
    let logVarianceGradient = mean.indices.map { i in zGradient[i] * 0.5 * exp(0.5 * logVariance[i]) * noise[i] }
    return (zGradient, logVarianceGradient)
}

/// KL(N(μ, σ²) ‖ N(0, I)) summed over every value given, in nats:
/// −½ Σ (1 + log σ² − μ² − exp(log σ²)). Each term is ≥ 0, and 0 only at μ = 0, log σ² = 0.
public func gaussianKL(mean: [Double], logVariance: [Double]) -> Double {
    require(
        mean.count == logVariance.count,
        "gaussianKL: \(mean.count) means and \(logVariance.count) log-variances; one of each per latent value")
    var sum = 0.0
    for i in mean.indices { sum += -0.5 * (1 + logVariance[i] - mean[i] * mean[i] - exp(logVariance[i])) }
    return sum
}

/// The gradient of ``gaussianKL(mean:logVariance:)``: μ, and ½ (exp(log σ²) − 1).
public func gaussianKLGradient(mean: [Double], logVariance: [Double]) -> (mean: [Double], logVariance: [Double]) {
    require(
        mean.count == logVariance.count,
        "gaussianKLGradient: \(mean.count) means and \(logVariance.count) log-variances; one of each per latent value")
    return (mean, logVariance.map { 0.5 * (exp($0) - 1) })
}

/// log N(x; 0, 1) summed over `x`: −½ Σ (x² + log 2π).
public func standardNormalLogDensity(_ x: [Double]) -> Double {
    x.reduce(0) { $0 - 0.5 * ($1 * $1 + log(2 * Double.pi)) }
}

/// log (1/K) Σₖ exp(wₖ), computed as m + log (1/K) Σₖ exp(wₖ − m) with m = max w, so that
/// weights of −1000 (a likelihood of e^−1000) do not all underflow to 0.
public func logMeanExp(_ w: [Double]) -> Double {
    require(!w.isEmpty, "logMeanExp: no values")
    let m = w.max()!
    guard m.isFinite else { return m }  // every weight −∞ (or one +∞, or a NaN): the answer is that
    return m + log(w.reduce(0) { $0 + exp($1 - m) } / Double(w.count))
}

private func requireSameCount(_ function: String, mean: [Double], logVariance: [Double], noise: [Double]) {
    require(
        mean.count == logVariance.count && mean.count == noise.count,
        "\(function): \(mean.count) means, \(logVariance.count) log-variances and \(noise.count) noise values; one of each per latent value")
}
