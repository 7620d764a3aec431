import ExerciseSupport
import Foundation

import enum Activations.Activation

// Exercise 3.3 — A dense layer's backward pass, for one input
//
// The forward pass computed z = W x + b and a = g(z). Given upstream = ∂L/∂a, return
//
//     δⱼ           = upstreamⱼ · g′(zⱼ)           g′ is activation.derivative(z)
//     ∂L/∂W[j][i]  = δⱼ · xᵢ                       (same shape as W)
//     ∂L/∂bⱼ       = δⱼ
//     ∂L/∂xᵢ       = Σⱼ W[j][i] · δⱼ               (that is Wᵀ δ)
//
// Example: W = [[1, 2]], x = [3, 1], z = [5.5], upstream = [2], ReLU (g′ = 1 here)
//          → δ = [2], ∂L/∂W = [[6, 2]], ∂L/∂b = [2], ∂L/∂x = [2, 4].
// Hint: ∂L/∂x sums over the units j: each input feeds every unit.

/// The gradients of W, b and x, given the layer's input, its pre-activation z and ∂L/∂a.
public func denseBackward(
    weights: [[Double]], input: [Double], preactivation: [Double], upstream: [Double], activation: Activation
) throws -> (weights: [[Double]], biases: [Double], input: [Double]) {
    throw NotAttempted()
}
