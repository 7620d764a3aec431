import ExerciseSupport
import Foundation

// Exercise 1.1 — The weighted sum
//
// A neuron multiplies each input by its weight, adds the products up, and adds its bias:
//
//     z = w·x + b = w₁x₁ + w₂x₂ + … + wₙxₙ + b
//
// Replace the `throw` line with your code and run `swift test` to check it.
// Example: inputs [1, 2], weights [0.5, -0.3], bias 0.1 → 0.5 − 0.6 + 0.1 = 0.0
// Hint: a `for i in 0..<inputs.count` loop with a running total that starts at the bias.

/// The weighted sum z = w·x + b of a neuron's inputs.
public func weightedSum(inputs: [Double], weights: [Double], bias: Double) throws -> Double {
    throw NotAttempted()
}
