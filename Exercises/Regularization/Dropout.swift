import ExerciseSupport
import Foundation

// Exercise 5.2 — Inverted dropout, forward and backward
//
// `draws` holds one uniform random number in [0, 1) per input value (the caller draws
// them, so that the result can be checked). Value i is dropped when drawsᵢ < rate:
//
//     maskᵢ = 0                   if drawsᵢ < rate
//     maskᵢ = 1 / (1 − rate)      otherwise
//     outputᵢ = inputᵢ · maskᵢ
//
// The backward pass lets the gradient through where the value went through, with the
// same scale: ∂L/∂inputᵢ = upstreamᵢ · maskᵢ.
// Example: input [1, 2, 3, 4], draws [0.9, 0.1, 0.5, 0.3], rate 0.4
//          → mask [1/0.6, 0, 1/0.6, 0] → output [1.6667, 0, 5, 0].
// Hint: scale the survivors by 1/(1 − rate), not by (1 − rate): inference then needs no change.

/// Training-mode inverted dropout: returns the output and the mask it used.
public func dropoutForward(input: [Double], draws: [Double], rate: Double) throws -> (output: [Double], mask: [Double]) {
    throw NotAttempted()
}

/// ∂L/∂input from ∂L/∂output and the mask of the forward pass.
public func dropoutBackward(upstream: [Double], mask: [Double]) throws -> [Double] {
    throw NotAttempted()
}
