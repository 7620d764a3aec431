/// The gradient of a sigmoid neuron's output with respect to its weights and bias.
///
/// With a = σ(z) and z = w·x + b, the chain rule gives
/// ```
/// ∂a/∂wᵢ = σ′(z) · xᵢ,   ∂a/∂b = σ′(z),   where σ′(z) = σ(z)(1 − σ(z))
/// ```
/// Unlike the step function, whose derivative is zero everywhere it exists, the sigmoid
/// tells every weight which way to move — the property backpropagation (Chapter 3) needs.
public func sigmoidNeuronGradient(
    inputs x: [Double], weights w: [Double], bias b: Double
) -> (weights: [Double], bias: Double) {
    let a = sigmoid(weightedSum(inputs: x, weights: w, bias: b))
    let slope = a * (1 - a)  // σ′(z), at most 0.25 (at z = 0)
    return (x.map { slope * $0 }, slope)
}
