// Solution 1.3 — The perceptron learning rule.

/// The weights and bias after one application of the perceptron learning rule.
public func perceptronUpdate(
    weights: [Double], bias: Double, inputs: [Double], target: Int, learningRate: Double
) throws -> (weights: [Double], bias: Double) {
    let prediction = try predict(inputs: inputs, weights: weights, bias: bias)
    let error = Double(target - prediction)  // +1, 0 or −1
    var newWeights = weights
    for i in 0..<weights.count {
        newWeights[i] += learningRate * error * inputs[i]
    }
    return (newWeights, bias + learningRate * error)
}
