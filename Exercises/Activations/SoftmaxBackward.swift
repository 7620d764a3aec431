import ExerciseSupport
import Foundation

// Exercise 2.8 — The backward pass of softmax
//
// Given the output s = softmax(z) and the upstream gradient g = ∂L/∂s, return ∂L/∂z.
// The Jacobian is ∂sᵢ/∂zⱼ = sᵢ (δᵢⱼ − sⱼ), where δᵢⱼ is 1 when i = j and 0 otherwise, so
//
//     ∂L/∂zᵢ = Σⱼ gⱼ ∂sⱼ/∂zᵢ = sᵢ (gᵢ − Σⱼ gⱼ sⱼ)
//
// Example: s = [0.5, 0.5], g = [1, 0] → Σ gⱼsⱼ = 0.5 → [0.25, −0.25].
// Hint: compute the dot product Σ gⱼ sⱼ once, outside the loop. The check compares
// your answer with central finite differences of L(z) = g·softmax(z).

/// ∂L/∂z for a softmax with output s and upstream gradient g = ∂L/∂s.
public func softmaxBackward(output: [Double], upstream: [Double]) throws -> [Double] {
    throw NotAttempted()
}
