import ExerciseSupport
import Foundation

import struct Perceptron.Neuron
import struct Perceptron.PerceptronTraining

// Exercise 1.4 — Training until convergence
//
// Start from zero weights and a zero bias. Repeat epochs — one pass over the examples,
// in the order given — applying the learning rule to every example. Count the examples
// the perceptron got wrong during the epoch (before correcting them). Stop after the
// first epoch with no mistake, or after `maxEpochs` epochs, whichever comes first.
//
// Return a `PerceptronTraining` (defined in the Perceptron module):
//     PerceptronTraining(neuron: Neuron(weights: w, bias: b), epochs: epochsRun,
//                        converged: lastEpochHadNoMistakes, mistakesPerEpoch: counts)
//
// Example: AND with η = 0.5 converges after 6 epochs; XOR never does, and stops at maxEpochs.
// Hint: your `perceptronUpdate` from exercise 1.3 does the inner step. Count epochs
// from 1, and include the final mistake-free epoch in the count.

/// Trains a perceptron with the learning rule until an epoch makes no mistake.
public func trainPerceptron(
    inputs: [[Double]], labels: [Int], learningRate: Double, maxEpochs: Int
) throws -> PerceptronTraining {
    throw NotAttempted()
}
