import ExerciseSupport
import Foundation

// Exercise 4.3 — One Adam step, with bias correction
//
// m and v are running averages of the gradient and of its square (both start as zeros);
// t is the number of this step: 1 for the first step, 2 for the second, …
//
//     mᵢ ← β₁ mᵢ + (1 − β₁) gᵢ            vᵢ ← β₂ vᵢ + (1 − β₂) gᵢ²
//     m̂ᵢ = mᵢ / (1 − β₁ᵗ)                 v̂ᵢ = vᵢ / (1 − β₂ᵗ)
//     θᵢ ← θᵢ − η m̂ᵢ / (√v̂ᵢ + ε)
//
// Return the new parameters, m and v (the corrected m̂ and v̂ are not stored).
// Example: θ = [1], g = [2], m = v = [0], t = 1, η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8
//          → m = 0.2, v = 0.004, m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4, θ = 1 − 0.1·2/(2 + ε) ≈ 0.9.
// Hint: pow(β, Double(t)) from Foundation computes βᵗ.

/// One Adam step (step number `t`, counting from 1): returns the new parameters, m and v.
public func adamStep(
    parameters: [Double], gradient: [Double], m: [Double], v: [Double], t: Int,
    learningRate: Double, beta1: Double, beta2: Double, epsilon: Double
) throws -> (parameters: [Double], m: [Double], v: [Double]) {
    throw NotAttempted()
}
