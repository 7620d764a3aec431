import Autoencoders
import ExerciseSupport
import Foundation

// Exercise 9.7 — The importance-weighted bound for one image
//
// K codes were drawn for one image, zₖ = μ + σ ⊙ εₖ, and decoded: `logLikelihoods[k]` is
// log p(x | zₖ). Return the bound
//
//     log p(x) ≥ log (1/K) Σₖ wₖ,     log wₖ = log p(x | zₖ) + log N(zₖ; 0, I) − log N(zₖ; μ, σ²)
//     log N(z; 0, I)  = Σⱼ −½ (zⱼ² + log 2π)
//     log N(z; μ, σ²) = Σⱼ −½ (εⱼ² + log σⱼ² + log 2π)        since (z − μ)/σ = ε
//
// `latents` and `noise` hold the K codes and their ε, one row of `logVariance.count` each.
// Log-likelihoods are around −20 to −1000: e^−1000 is 0 in a Double, so take the log of
// the mean as m + log (1/K) Σₖ exp(log wₖ − m), with m the largest log wₖ.
// Example: K = 1 with log p(x | z) = −3, z = ε = [0], log σ² = [0] → log w = −3
// Hint: the log of a mean is not the mean of the logs (that would be the ELBO).

/// log (1/K) Σₖ p(x | zₖ) p(zₖ) / q(zₖ | x), in nats.
public func importanceWeightedLogLikelihood(
    logLikelihoods: [Double], latents: [[Double]], noise: [[Double]], logVariance: [Double]
) throws -> Double {
    throw NotAttempted()
}
