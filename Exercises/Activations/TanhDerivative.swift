import ExerciseSupport
import Foundation

// Exercise 2.2 — The derivative of tanh
//
//     tanh′(z) = 1 − tanh²(z)
//
// Example: tanh′(0) = 1; tanh′(2) ≈ 0.0707.
// Hint: `tanh` comes from Foundation. Square the value, then subtract from 1.

/// tanh′(z), the slope of tanh at z.
public func tanhDerivative(_ z: Double) throws -> Double {
    throw NotAttempted()
}
