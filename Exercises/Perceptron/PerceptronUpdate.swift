import ExerciseSupport
import Foundation

// Exercise 1.3 — The perceptron learning rule
//
// After seeing one example (x, y), the perceptron corrects itself by
//
//     ŷ = step(w·x + b)
//     w ← w + η (y − ŷ) x
//     b ← b + η (y − ŷ)
//
// where η is the learning rate. A right answer (y = ŷ) changes nothing.
// Example: weights [0, 0], bias 0, inputs [1, 1], target 0, η = 0.5:
//          ŷ = step(0) = 1, so y − ŷ = −1 → weights [-0.5, -0.5], bias -0.5
// Hint: the bias is a weight whose input is always 1 — it gets the same correction.

/// The weights and bias after one application of the perceptron learning rule.
public func perceptronUpdate(
    weights: [Double], bias: Double, inputs: [Double], target: Int, learningRate: Double
) throws -> (weights: [Double], bias: Double) {
    throw NotAttempted()
}
