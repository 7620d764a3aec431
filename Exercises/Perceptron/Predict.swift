import ExerciseSupport
import Foundation

// Exercise 1.2 — The perceptron's prediction
//
// Rosenblatt's perceptron fires (outputs 1) when its weighted sum reaches zero, and
// stays silent (outputs 0) otherwise:
//
//     ŷ = step(w·x + b),   step(z) = 1 if z ≥ 0, else 0
//
// Example: inputs [1, 1], weights [1, 1], bias -1.5 → z = 0.5 → 1
// Hint: compute z first (you may call your `weightedSum` from exercise 1.1 with `try`).
// Watch the boundary: z = 0 exactly must give 1.

/// The perceptron's output, 1 or 0, for the given inputs.
public func predict(inputs: [Double], weights: [Double], bias: Double) throws -> Int {
    throw NotAttempted()
}
