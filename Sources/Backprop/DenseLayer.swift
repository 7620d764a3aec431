import Activations
import Foundation
import LinearAlgebra
import Randomness

/// How a layer's starting weights are drawn. Biases always start at 0.
public enum Initialization: Sendable, Equatable {
    /// Xavier/Glorot uniform: W ~ U(−r, r) with r = √(6 / (n_in + n_out)).
    ///
    /// Its variance 2 / (n_in + n_out) keeps the signal's variance about the same going
    /// forward (n_in terms) and going backward (n_out terms): the choice for tanh and sigmoid.
    case xavier
    /// He normal: W ~ N(0, 2 / n_in).
    ///
    /// ReLU zeroes about half of its inputs, halving the variance at each layer; twice the
    /// Xavier variance (for n_in = n_out) puts it back. The choice for ReLU networks.
    case he
    /// Every weight 0. All units of a layer then compute the same thing and receive the
    /// same gradient, so they stay identical forever: the symmetry is never broken.
    case zeros
    /// W ~ N(0, σ²) with a fixed σ, to show what too small or too large weights do.
    case normal(standardDeviation: Double)

    /// `outputs × inputs` weights drawn from this distribution, row by row.
    public func weights(inputs: Int, outputs: Int, using generator: inout SeededGenerator) -> [Double] {
        let count = inputs * outputs
        switch self {
        case .xavier:
            let r = (6 / Double(inputs + outputs)).squareRoot()
            return generator.uniforms(count, in: -r..<r)
        case .he:
            return generator.normals(count, mean: 0, standardDeviation: (2 / Double(inputs)).squareRoot())
        case .zeros:
            return [Double](repeating: 0, count: count)
        case .normal(let standardDeviation):
            return generator.normals(count, mean: 0, standardDeviation: standardDeviation)
        }
    }

    public var name: String {
        switch self {
        case .xavier: "Xavier"
        case .he: "He"
        case .zeros: "zeros"
        case .normal(let standardDeviation): "N(0, \(standardDeviation)²)"
        }
    }
}

/// A fully connected layer: every output unit sees every input.
///
/// ```
/// z = W x + b        W: (outputs × inputs), b: (outputs)
/// a = g(z)           g applied to each zⱼ
/// ```
/// Row j of W holds the weights into unit j. With `activation` nil the layer is linear
/// (a = z), as the last layer before a softmax or a regression output is.
public struct DenseLayer: Sendable, Equatable {
    public var weights: Matrix
    public var biases: [Double]
    public var activation: Activation?

    /// A layer with the given weights and biases; `weights` is outputs × inputs.
    public init(weights: Matrix, biases: [Double], activation: Activation?) {
        precondition(
            biases.count == weights.rows,
            "DenseLayer: weights \(weights.shapeDescription) need \(weights.rows) biases, got \(biases.count)")
        self.weights = weights
        self.biases = biases
        self.activation = activation
    }

    /// A layer with weights drawn by `initialization` and zero biases.
    public init(
        inputs: Int, outputs: Int, activation: Activation?, initialization: Initialization,
        using generator: inout SeededGenerator
    ) {
        precondition(inputs > 0 && outputs > 0, "DenseLayer: needs at least one input and one output, got \(inputs) → \(outputs)")
        let values = initialization.weights(inputs: inputs, outputs: outputs, using: &generator)
        self.init(
            weights: Matrix(rows: outputs, columns: inputs, values: values),
            biases: [Double](repeating: 0, count: outputs), activation: activation)
    }

    public var inputCount: Int { weights.columns }
    public var outputCount: Int { weights.rows }
    /// Weights plus biases: (inputs + 1) · outputs.
    public var parameterCount: Int { weights.values.count + biases.count }

    // MARK: One input

    /// z = W x + b for one input, written out: zⱼ = bⱼ + Σᵢ Wⱼᵢ xᵢ.
    public func preactivation(_ x: [Double]) -> [Double] {
        precondition(
            x.count == inputCount,
            "DenseLayer: input of size \(x.count) does not fit weights \(weights.shapeDescription), which expect \(inputCount)")
        var z = biases
        for j in 0..<outputCount {
            for i in 0..<inputCount {
                z[j] += weights.values[j * inputCount + i] * x[i]
            }
        }
        return z
    }

    /// a = g(W x + b) for one input.
    public func forward(_ x: [Double]) -> [Double] {
        let z = preactivation(x)
        return activation.map { $0(z) } ?? z
    }

    // MARK: A batch

    /// What the forward pass of a batch keeps for the backward pass.
    public struct Cache: Sendable {
        /// X, one sample per row: (batch × inputs).
        public var input: Matrix
        /// Z = X Wᵀ + b: (batch × outputs).
        public var preactivation: Matrix
        /// A = g(Z): (batch × outputs).
        public var output: Matrix
    }

    /// The forward pass for a batch, one sample per row of `x`.
    ///
    /// Row r of Z is W xᵣ + b, the single-input formula for every sample at once. Stacked
    /// as rows that is Z = X Wᵀ + b, one matrix product instead of `batch` small ones.
    public func forward(batch x: Matrix) -> Cache {
        precondition(
            x.columns == inputCount,
            "DenseLayer: batch \(x.shapeDescription) does not fit weights \(weights.shapeDescription): "
                + "each sample needs \(inputCount) values, not \(x.columns)")
        var z = matmul(x, weights.transposed)
        for r in 0..<z.rows {
            for j in 0..<z.columns { z.values[r * z.columns + j] += biases[j] }
        }
        var a = z
        if let g = activation { a.values = g(z.values) }
        return Cache(input: x, preactivation: z, output: a)
    }

    /// The gradients of one layer's parameters.
    public struct Gradients: Sendable, Equatable {
        /// ∂L/∂W, the same shape as the weights.
        public var weights: Matrix
        /// ∂L/∂b.
        public var biases: [Double]

        public init(weights: Matrix, biases: [Double]) {
            self.weights = weights
            self.biases = biases
        }
    }

    /// What the backward pass of one layer produces.
    public struct Backward: Sendable {
        /// δ = ∂L/∂Z = ∂L/∂A ⊙ g′(Z): (batch × outputs).
        public var delta: Matrix
        /// ∂L/∂W and ∂L/∂b.
        public var gradients: Gradients
        /// ∂L/∂X = δ W: (batch × inputs), the upstream gradient for the layer below;
        /// nil when not asked for (the first layer's input is the data, which is not trained).
        public var input: Matrix?
    }

    /// The backward pass: from ∂L/∂A (`upstream`) to the gradients of W, b and X.
    ///
    /// ```
    /// δ     = ∂L/∂A ⊙ g′(Z)     the chain rule through the activation, element by element
    /// ∂L/∂W = δᵀ X              Σ over samples r of δᵣ xᵣᵀ
    /// ∂L/∂b = Σᵣ δᵣ              b is added to every sample, so its gradient sums over them
    /// ∂L/∂X = δ W               how the loss changes with this layer's input
    /// ```
    public func backward(_ upstream: Matrix, cache: Cache, inputGradient: Bool = true) -> Backward {
        precondition(
            upstream.rows == cache.output.rows && upstream.columns == cache.output.columns,
            "DenseLayer.backward: upstream gradient \(upstream.shapeDescription) does not match the layer's output \(cache.output.shapeDescription)")
        var delta = upstream
        if let g = activation {
            let slopes = g.derivative(cache.preactivation.values)
            for index in delta.values.indices { delta.values[index] *= slopes[index] }
        }
        var biasGradient = [Double](repeating: 0, count: outputCount)
        for r in 0..<delta.rows {
            for j in 0..<outputCount { biasGradient[j] += delta.values[r * outputCount + j] }
        }
        return Backward(
            delta: delta,
            gradients: Gradients(weights: matmul(delta.transposed, cache.input), biases: biasGradient),
            input: inputGradient ? matmul(delta, weights) : nil)
    }

    /// One step of gradient descent: W ← W − η ∂L/∂W, b ← b − η ∂L/∂b.
    public mutating func descend(_ gradients: Gradients, learningRate: Double) {
        for index in weights.values.indices { weights.values[index] -= learningRate * gradients.weights.values[index] }
        for j in biases.indices { biases[j] -= learningRate * gradients.biases[j] }
    }
}
