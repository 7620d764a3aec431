import Autoencoders
import ExerciseSupport
import Foundation

// Exercise 9.3 — The KL term and its gradient
//
// How far q(z | x) = N(μ, σ²) is from the prior N(0, 1), summed over the coordinates, in
// closed form (nats):
//
//     KL = −½ Σⱼ (1 + log σⱼ² − μⱼ² − σⱼ²)        σⱼ² = exp(log σⱼ²)
//
// and its gradient with respect to μ and log σ². KL is never negative, and 0 exactly at
// μ = 0, log σ² = 0.
// Example: μ = [1], log σ² = [0] → KL = ½, ∂KL/∂μ = [1], ∂KL/∂log σ² = [0]
// Hint: differentiate each term by hand; exp(log σ²)′ = exp(log σ²).

/// The KL divergence to N(0, I) and its gradient.
public func klToStandardNormal(mean: [Double], logVariance: [Double]) throws -> (
    kl: Double, meanGradient: [Double], logVarianceGradient: [Double]
) {
    throw NotAttempted()
}
