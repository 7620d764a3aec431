import ExerciseSupport
import Foundation

// Exercise 4.2 — One RMSprop step
//
// s is a running average of each parameter's squared gradient (it starts as all zeros):
//
//     sᵢ ← ρ sᵢ + (1 − ρ) gᵢ²
//     θᵢ ← θᵢ − η gᵢ / (√sᵢ + ε)
//
// Return the new parameters and the new s, which the caller passes back in next time.
// Example: θ = [1], g = [2], s = [0], η = 0.01, ρ = 0.9, ε = 1e-8
//          → s = 0.1·4 = 0.4, θ = 1 − 0.01·2/(√0.4 + 1e-8) ≈ 0.968377.
// Hint: ε goes outside the square root, and s is updated before it is used.

/// One RMSprop step: returns the new parameters and the new average of squared gradients.
public func rmspropStep(
    parameters: [Double], gradient: [Double], squareAverage: [Double], learningRate: Double, rho: Double, epsilon: Double
) throws -> (parameters: [Double], squareAverage: [Double]) {
    throw NotAttempted()
}
