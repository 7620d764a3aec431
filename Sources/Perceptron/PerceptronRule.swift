import Validation

/// The perceptron learning rule: one correction after one example.
///
/// ```
/// ŷ = step(w·x + b)
/// w ← w + η (y − ŷ) x
/// b ← b + η (y − ŷ)
/// ```
/// When the prediction is right, y − ŷ = 0 and nothing changes. When the neuron stayed
/// silent on a positive example (y − ŷ = +1), the weights move toward x, so w·x grows
/// next time; on a false alarm (y − ŷ = −1) they move away from x.

public func perceptronUpdate(
    weights w: [Double], bias b: Double, inputs x: [Double], target y: Int, learningRate η: Double
) -> (weights: [Double], bias: Double) {
    let error = Double(y - step(weightedSum(inputs: x, weights: w, bias: b)))
    var w = w
    for i in 0..<w.count {
        w[i] += η * error * x[i]
    }
    return (w, b + η * error)
}

/// What a run of the perceptron rule ended with.
public struct PerceptronTraining: Sendable, Equatable {
    /// The final neuron.
    public var neuron: Neuron
    /// How many epochs ran, counting the last, error-free one when it converged.
    public var epochs: Int
    /// Whether an epoch went by without a single mistake.
    public var converged: Bool
    /// The number of misclassified examples in each epoch (before they were corrected).
    public var mistakesPerEpoch: [Int]

    /// A training result from its parts.
    public init(neuron: Neuron, epochs: Int, converged: Bool, mistakesPerEpoch: [Int]) {
        self.neuron = neuron
        self.epochs = epochs
        self.converged = converged
        self.mistakesPerEpoch = mistakesPerEpoch
    }
}

/// One application of the learning rule during training, as `trainPerceptron` reports it.
public struct PerceptronStep: Sendable {
    /// The pass over the data this step belongs to, from 0.
    public let epoch: Int
    /// The sample the rule looked at.
    public let input: [Double]
    /// The label the sample should get, 0 or 1.
    public let target: Int
    /// The prediction before the update.
    public let prediction: Int
    /// The neuron after the update.
    public let neuron: Neuron
}

/// Trains a perceptron with the learning rule, visiting the examples in order, until an
/// epoch makes no mistake or `maxEpochs` have run.
///
/// Starts from all-zero weights and bias. On linearly separable data the perceptron
/// convergence theorem (Novikoff, 1962) guarantees it stops: at most (R/γ)² mistakes,
/// where R bounds ‖x‖ and γ is the margin of the best separating line. On data no line
/// separates (XOR) it never stops by itself, which is why `maxEpochs` is required.
/// `onStep`, when given, sees every single update (the lesson prints them as a trace).
public func trainPerceptron(
    inputs: [[Double]], labels: [Int], learningRate η: Double, maxEpochs: Int,
    onStep: ((PerceptronStep) -> Void)? = nil
) -> PerceptronTraining {
    require(
        inputs.count == labels.count,
        "trainPerceptron: \(inputs.count) inputs but \(labels.count) labels")
    require(!inputs.isEmpty, "trainPerceptron: no examples to learn from")
    var neuron = Neuron(inputCount: inputs[0].count)
    var mistakesPerEpoch: [Int] = []
    for epoch in 1...max(maxEpochs, 1) {
        var mistakes = 0
        for (x, y) in zip(inputs, labels) {
            let prediction = neuron.predict(x)
            if prediction != y { mistakes += 1 }
            (neuron.weights, neuron.bias) = perceptronUpdate(
                weights: neuron.weights, bias: neuron.bias, inputs: x, target: y, learningRate: η)
            onStep?(PerceptronStep(epoch: epoch, input: x, target: y, prediction: prediction, neuron: neuron))
        }
        mistakesPerEpoch.append(mistakes)
        if mistakes == 0 {
            return PerceptronTraining(neuron: neuron, epochs: epoch, converged: true, mistakesPerEpoch: mistakesPerEpoch)
        }
    }
    return PerceptronTraining(
        neuron: neuron, epochs: mistakesPerEpoch.count, converged: false, mistakesPerEpoch: mistakesPerEpoch)
}
