// Solution 1.2 — The perceptron's prediction ŷ = step(w·x + b).

/// The perceptron's output, 1 or 0, for the given inputs.
public func predict(inputs: [Double], weights: [Double], bias: Double) throws -> Int {
    let z = try weightedSum(inputs: inputs, weights: weights, bias: bias)
    return z >= 0 ? 1 : 0  // z = 0 lies on the decision line, which belongs to class 1
}
