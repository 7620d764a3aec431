import ExerciseSupport
import Foundation

// Exercise 4.1 — One step of SGD with momentum (the velocity form)
//
// The velocity v remembers the recent steps; each new step adds to it:
//
//     vᵢ ← β vᵢ − η gᵢ
//     θᵢ ← θᵢ + vᵢ
//
// Return the new parameters and the new velocity: the caller passes that velocity back in
// at the next step (it starts as all zeros).
// Example: θ = [1], g = [1], v = [0], η = 0.1, β = 0.9 → v = [−0.1], θ = [0.9];
//          then with g = [1] again: v = 0.9·(−0.1) − 0.1 = −0.19, θ = 0.9 − 0.19 = 0.71.
// Hint: this is not the exponential-average form v ← βv + (1 − β)g, θ ← θ − ηv.

/// One momentum step: returns the new parameters and the new velocity.
public func momentumStep(
    parameters: [Double], gradient: [Double], velocity: [Double], learningRate: Double, beta: Double
) throws -> (parameters: [Double], velocity: [Double]) {
    throw NotAttempted()
}
