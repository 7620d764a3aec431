import struct Perceptron.Neuron
import struct Perceptron.PerceptronTraining

// Solution 1.4 — Training until convergence.

/// Trains a perceptron with the learning rule until an epoch makes no mistake.
public func trainPerceptron(
    inputs: [[Double]], labels: [Int], learningRate: Double, maxEpochs: Int
) throws -> PerceptronTraining {
    var weights = [Double](repeating: 0, count: inputs.first?.count ?? 0)
    var bias = 0.0
    var mistakesPerEpoch: [Int] = []
    for _ in 0..<maxEpochs {
        var mistakes = 0
        for (x, y) in zip(inputs, labels) {
            if try predict(inputs: x, weights: weights, bias: bias) != y {
                mistakes += 1
            }
            (weights, bias) = try perceptronUpdate(
                weights: weights, bias: bias, inputs: x, target: y, learningRate: learningRate)
        }
        mistakesPerEpoch.append(mistakes)
        if mistakes == 0 { break }
    }
    return PerceptronTraining(
        neuron: Neuron(weights: weights, bias: bias), epochs: mistakesPerEpoch.count,
        converged: mistakesPerEpoch.last == 0, mistakesPerEpoch: mistakesPerEpoch)
}
