import ExerciseSupport
import Foundation

// Exercise 1.6 — How the sigmoid neuron's output responds to its weights
//
// For a = σ(z) with z = w·x + b, the chain rule gives
//
//     ∂a/∂wᵢ = σ′(z) · xᵢ,    ∂a/∂b = σ′(z),    σ′(z) = σ(z) (1 − σ(z))
//
// The check compares your answer with central finite differences,
// (a(w + ε) − a(w − ε)) / 2ε, for every weight and the bias.
// Hint: compute a = σ(z) once; σ′(z) = a (1 − a) needs no second exponential.

/// The gradient of σ(w·x + b) with respect to each weight and to the bias.
public func sigmoidNeuronGradient(
    inputs: [Double], weights: [Double], bias: Double
) throws -> (weights: [Double], bias: Double) {
    throw NotAttempted()
}
