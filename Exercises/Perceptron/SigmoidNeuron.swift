import ExerciseSupport
import Foundation

// Exercise 1.5 — A sigmoid neuron
//
// Replace the step by the sigmoid, a smooth step whose output lies strictly between 0 and 1:
//
//     a = σ(w·x + b),   σ(z) = 1 / (1 + e^(−z))
//
// Example: inputs [1.5, -0.5, 2], weights [0.4, -0.6, 0.2], bias 0.1
//          → z = 0.6 + 0.3 + 0.4 + 0.1 = 1.4 → σ(1.4) ≈ 0.8022
// Hint: `exp` comes from Foundation. The checks include z = ±1000, where the answer
// must still be a number in [0, 1]: write σ so that an overflow to infinity ends up
// as 1/∞ = 0, never as ∞/∞ = NaN.

/// The output σ(w·x + b) of a sigmoid neuron.
public func sigmoidNeuron(inputs: [Double], weights: [Double], bias: Double) throws -> Double {
    throw NotAttempted()
}
