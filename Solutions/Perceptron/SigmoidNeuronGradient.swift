// Solution 1.6 — ∂a/∂w = σ′(z)·x and ∂a/∂b = σ′(z), with σ′(z) = σ(z)(1 − σ(z)).

/// The gradient of σ(w·x + b) with respect to each weight and to the bias.
public func sigmoidNeuronGradient(
    inputs: [Double], weights: [Double], bias: Double
) throws -> (weights: [Double], bias: Double) {
    let a = try sigmoidNeuron(inputs: inputs, weights: weights, bias: bias)
    let slope = a * (1 - a)
    return (inputs.map { slope * $0 }, slope)
}
