import Foundation

import enum Activations.Activation

// Solutions 3.1–3.6. Each function matches its exercise in Exercises/Backprop.

/// 3.1 g(W x + b) for one input.
public func denseForward(weights: [[Double]], biases: [Double], input: [Double], activation: Activation) throws -> [Double] {
    var output: [Double] = []
    for j in weights.indices {
        var z = biases[j]
        for i in input.indices { z += weights[j][i] * input[i] }
        output.append(activation(z))
    }
    return output
}

/// 3.2 Binary cross-entropy (mean) and its gradient, with predictions clamped to [ε, 1 − ε].
public func binaryCrossEntropy(predictions: [Double], targets: [Double]) throws -> (loss: Double, gradient: [Double]) {
    let epsilon = 1e-12, n = Double(predictions.count)
    var loss = 0.0
    var gradient: [Double] = []
    for (p, y) in zip(predictions, targets) {
        let q = min(max(p, epsilon), 1 - epsilon)
        loss -= y * log(q) + (1 - y) * log(1 - q)
        gradient.append((q - y) / (q * (1 - q)) / n)
    }
    return (loss / n, gradient)
}

/// 3.3 The backward pass of one dense layer for one input.
public func denseBackward(
    weights: [[Double]], input: [Double], preactivation: [Double], upstream: [Double], activation: Activation
) throws -> (weights: [[Double]], biases: [Double], input: [Double]) {
    let delta = preactivation.indices.map { upstream[$0] * activation.derivative(preactivation[$0]) }
    let weightGradient = delta.map { d in input.map { d * $0 } }
    var inputGradient = [Double](repeating: 0, count: input.count)
    for j in weights.indices {
        for i in input.indices { inputGradient[i] += weights[j][i] * delta[j] }
    }
    return (weightGradient, delta, inputGradient)
}

/// 3.4 softmax(z) − one-hot(label).
public func softmaxCrossEntropyGradient(logits: [Double], label: Int) throws -> [Double] {
    let largest = logits.max()!
    let exponentials = logits.map { exp($0 - largest) }
    let sum = exponentials.reduce(0, +)
    return exponentials.indices.map { exponentials[$0] / sum - ($0 == label ? 1 : 0) }
}

/// 3.5 One forward pass, one backward pass, one gradient-descent step of the 2-3-1 sigmoid network.
public func backpropStep(
    w1: [[Double]], b1: [Double], w2: [Double], b2: Double, input: [Double], target: Double, learningRate: Double
) throws -> (w1: [[Double]], b1: [Double], w2: [Double], b2: Double) {
    func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
    let a1 = w1.indices.map { j in sigmoid(b1[j] + zip(w1[j], input).map(*).reduce(0, +)) }
    let output = sigmoid(b2 + zip(w2, a1).map(*).reduce(0, +))
    let delta2 = (output - target) * output * (1 - output)
    let delta1 = a1.indices.map { j in w2[j] * delta2 * a1[j] * (1 - a1[j]) }
    let newW1 = w1.indices.map { j in input.indices.map { i in w1[j][i] - learningRate * delta1[j] * input[i] } }
    let newB1 = b1.indices.map { b1[$0] - learningRate * delta1[$0] }
    let newW2 = w2.indices.map { w2[$0] - learningRate * delta2 * a1[$0] }
    return (newW1, newB1, newW2, b2 - learningRate * delta2)
}

/// 3.6 (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε for every component i.
public func centralDifferenceGradient(of f: ([Double]) -> Double, at x: [Double], epsilon: Double) throws -> [Double] {
    var probe = x
    var gradient: [Double] = []
    for i in x.indices {
        probe[i] = x[i] + epsilon
        let plus = f(probe)
        probe[i] = x[i] - epsilon
        let minus = f(probe)
        probe[i] = x[i]
        gradient.append((plus - minus) / (2 * epsilon))
    }
    return gradient
}
