// Solution 1.1 — The weighted sum z = w·x + b.

/// The weighted sum z = w·x + b of a neuron's inputs.
public func weightedSum(inputs: [Double], weights: [Double], bias: Double) throws -> Double {
    var z = bias
    for i in 0..<inputs.count {
        z += weights[i] * inputs[i]
    }
    return z
}
