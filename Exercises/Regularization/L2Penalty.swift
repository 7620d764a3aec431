import ExerciseSupport
import Foundation

// Exercise 5.1 — The L2 penalty and its gradient
//
//     Ω = (λ/2) Σᵢ wᵢ²          ∂Ω/∂wᵢ = λ wᵢ
//
// Example: w = [1, −2, 0, 0.5], λ = 0.1 → Ω = 0.05 · (1 + 4 + 0 + 0.25) = 0.2625,
//          gradient [0.1, −0.2, 0, 0.05].
// Hint: the ½ is there so that the 2 from differentiating w² cancels.

/// (λ/2) Σ w² and its gradient λw.
public func l2Penalty(weights: [Double], lambda: Double) throws -> (penalty: Double, gradient: [Double]) {
    throw NotAttempted()
}
