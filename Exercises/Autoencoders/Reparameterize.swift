import Autoencoders
import ExerciseSupport
import Foundation

// Exercise 9.1 — The reparameterization trick, forward
//
// The encoder gives a mean μ and a log-variance log σ² for every latent coordinate. A
// code is drawn as
//
//     z = μ + σ ⊙ ε,   σ = exp(½ log σ²),   ε ~ N(0, 1) drawn by the caller
//
// element by element, so that z is a function of μ and log σ² a gradient can pass through.
// Example: μ = [1, 0], log σ² = [0, log 4], ε = [0.5, −1] → σ = [1, 2] → z = [1.5, −2]
// Hint: the encoder outputs the log of the variance, not σ itself.

/// z = μ + exp(½ log σ²) ⊙ ε.
public func reparameterizeSample(mean: [Double], logVariance: [Double], noise: [Double]) throws -> [Double] {
    throw NotAttempted()
}
