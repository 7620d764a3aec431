import Foundation
import Validation

// Legend: x = inputs, w = weights, b = bias, z = weighted sum (pre-activation),
// ŷ = the neuron's output, y = the target, η = learning rate.

/// An artificial neuron: a weight per input and a bias.
///
/// Like a biological neuron that fires when the signals arriving through its synapses
/// add up past a threshold, an artificial neuron weighs each input, adds them up with a
/// bias, and passes the total through an activation function:
/// ```
/// z = w·x + b = Σᵢ wᵢxᵢ + b
/// ŷ = g(z)
/// ```
/// With the step function for g this is Rosenblatt's perceptron (1958); with the sigmoid
/// it is a smooth neuron whose output can be read as a probability.
public struct Neuron: Sendable, Equatable {
    /// w: one weight per input.
    public var weights: [Double]
    /// b, added to the weighted sum; −b is the threshold the sum must reach to fire.
    public var bias: Double

    /// A neuron with the given weights and bias.
    public init(weights: [Double], bias: Double) {
        self.weights = weights
        self.bias = bias
    }

    /// A neuron with all weights and the bias at zero.
    public init(inputCount: Int) {
        self.init(weights: Array(repeating: 0, count: inputCount), bias: 0)
    }

    /// z = w·x + b.
    public func weightedSum(_ x: [Double]) -> Double {
        Perceptron.weightedSum(inputs: x, weights: weights, bias: bias)
    }

    /// The perceptron's output: step(w·x + b), 1 or 0.
    public func predict(_ x: [Double]) -> Int {
        step(weightedSum(x))
    }

    /// The sigmoid neuron's output: σ(w·x + b), in (0, 1).
    public func sigmoidOutput(_ x: [Double]) -> Double {
        sigmoid(weightedSum(x))
    }
}

/// The weighted sum of a neuron's inputs plus its bias.
///
/// ```
/// z = w·x + b = Σᵢ wᵢxᵢ + b
/// ```
/// The inputs and weights must have the same length; otherwise the error names
/// both lengths.
public func weightedSum(inputs x: [Double], weights w: [Double], bias b: Double) -> Double {
    require(
        x.count == w.count,
        "weightedSum: \(x.count) inputs but \(w.count) weights; there must be one weight per input")
    var z = b
    for i in 0..<x.count {
        z += w[i] * x[i]
    }
    return z
}

/// The Heaviside step function used by the perceptron.
///
/// ```
/// step(z) = 1 if z ≥ 0, else 0
/// ```
/// z = 0 counts as firing: the decision line w·x + b = 0 itself belongs to class 1.
public func step(_ z: Double) -> Int {
    z >= 0 ? 1 : 0
}

/// The logistic sigmoid, a smooth step from 0 to 1.
///
/// ```
/// σ(z) = 1 / (1 + e^(−z))
/// ```
/// Written this way it is safe for any finite z: for z below about −709, e^(−z)
/// overflows to +∞ and the result is 1/∞ = 0, the correct limit. The rearranged
/// e^z / (1 + e^z) would instead give ∞/∞ = NaN for z above about 709.
public func sigmoid(_ z: Double) -> Double {
    1 / (1 + exp(-z))
}
