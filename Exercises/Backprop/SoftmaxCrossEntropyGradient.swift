import ExerciseSupport
import Foundation

// Exercise 3.4 — The gradient of softmax + cross-entropy
//
// For scores z (the logits) and the true class c, the loss is L = −log softmax(z)_c.
// Chaining the two derivatives, everything cancels to
//
//     ∂L/∂zₖ = softmax(z)ₖ − yₖ        where y is one-hot: yₖ = 1 if k = c, else 0
//
// Example: z = [2, 1, 0.1], class 0 → softmax ≈ [0.6590, 0.2424, 0.0986]
//          → gradient ≈ [−0.3410, 0.2424, 0.0986].
// Hint: compute the softmax stably (subtract max z before e^z): scores like 1000 occur.

/// ∂L/∂z for L = −log softmax(z)[label].
public func softmaxCrossEntropyGradient(logits: [Double], label: Int) throws -> [Double] {
    throw NotAttempted()
}
