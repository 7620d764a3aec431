import Foundation

// Solution 1.5 — A sigmoid neuron a = σ(w·x + b).

/// The output σ(w·x + b) of a sigmoid neuron.
public func sigmoidNeuron(inputs: [Double], weights: [Double], bias: Double) throws -> Double {
    let z = try weightedSum(inputs: inputs, weights: weights, bias: bias)
    // For z < −709, e^(−z) overflows to +∞ and 1/(1 + ∞) = 0 is the right limit;
    // e^z / (1 + e^z) would give ∞/∞ = NaN for large positive z.
    return 1 / (1 + exp(-z))
}
