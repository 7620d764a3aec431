import ExerciseSupport
import Foundation

// Exercise 4.4 — Cosine annealing
//
// The learning rate glides from η₀ (`initial`) down to η_min (`minimum`) along half a
// cosine over `period` epochs, and stays at η_min after that:
//
//     η(t) = η_min + ½ (η₀ − η_min)(1 + cos(π · min(t, T) / T))        T = period
//
// Example: η₀ = 1, η_min = 0.1, T = 10: η(0) = 1, η(5) = 0.1 + 0.45·(1 + 0) = 0.55,
//          η(10) = 0.1, η(25) = 0.1.
// Hint: cos and Double.pi come from Foundation; convert t and T to Double before dividing.

/// The cosine-annealed learning rate at epoch `epoch` (counting from 0).
public func cosineAnnealing(initial: Double, minimum: Double, epoch: Int, period: Int) throws -> Double {
    throw NotAttempted()
}
