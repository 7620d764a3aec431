import ExerciseSupport
import Foundation

import enum Activations.Activation

// Exercise 3.1 — A dense layer's forward pass, for one input
//
// W has one row per output unit: weights[j][i] is the weight from input i to unit j.
//
//     zⱼ = bⱼ + Σᵢ weights[j][i] · inputᵢ
//     aⱼ = g(zⱼ)               g = activation, called as activation(z)
//
// Example: weights [[1, 2], [0, -1]], biases [0.5, 0], input [3, 1], ReLU
//          → z = [1·3 + 2·1 + 0.5, 0·3 − 1·1 + 0] = [5.5, −1] → a = [5.5, 0].
// Hint: one loop over the units j, and inside it one loop over the inputs i.

/// g(W x + b) for one input x.
public func denseForward(weights: [[Double]], biases: [Double], input: [Double], activation: Activation) throws -> [Double] {
    throw NotAttempted()
}
