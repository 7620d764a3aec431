import ExerciseSupport
import Foundation

// Exercise 2.3 — Leaky ReLU
//
//     LeakyReLU(z) = z if z > 0, else α z
//
// A plain ReLU outputs 0 for every negative input, and its gradient there is 0 too: a
// unit pushed into the negative side for every input stops learning (it "dies"). The
// leaky version keeps a small slope α (0.01 by default) on the negative side.
// Example: leakyReLU(−2, slope: 0.01) = −0.02; leakyReLU(3, slope: 0.01) = 3.

/// The leaky ReLU of z with the given negative-side slope.
public func leakyReLU(_ z: Double, slope: Double) throws -> Double {
    throw NotAttempted()
}
