import Activations
import LinearAlgebra
import Randomness

/// A multi-layer perceptron: dense layers applied one after another.
///
/// ```
/// a⁰ = x,   z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾,   a⁽ˡ⁾ = g⁽ˡ⁾(z⁽ˡ⁾),   ŷ = a⁽ᴸ⁾
/// ```
public struct Network: Sendable, Equatable {
    public var layers: [DenseLayer]

    /// A network of the given layers; each layer's inputs must match the previous layer's outputs.
    public init(layers: [DenseLayer]) {
        precondition(!layers.isEmpty, "Network: needs at least one layer")
        for l in 1..<layers.count {
            precondition(
                layers[l].inputCount == layers[l - 1].outputCount,
                "Network: layer \(l) weights \(layers[l - 1].weights.shapeDescription) give \(layers[l - 1].outputCount) outputs "
                    + "but layer \(l + 1) weights \(layers[l].weights.shapeDescription) expect \(layers[l].inputCount) inputs")
        }
        self.layers = layers
    }

    /// A network with layer sizes `sizes` (inputs first): `hidden` after every layer but
    /// the last, `output` after the last (nil for raw scores).
    ///
    /// `Network(sizes: [64, 64, 10], hidden: .relu, output: nil, …)` is the digits network:
    /// 64 pixels → 64 ReLU units → 10 class scores.
    public init(
        sizes: [Int], hidden: Activation, output: Activation?, initialization: Initialization,
        using generator: inout SeededGenerator
    ) {
        precondition(sizes.count >= 2, "Network: sizes need an input and an output size, got \(sizes)")
        var layers: [DenseLayer] = []
        for l in 1..<sizes.count {
            layers.append(
                DenseLayer(
                    inputs: sizes[l - 1], outputs: sizes[l], activation: l == sizes.count - 1 ? output : hidden,
                    initialization: initialization, using: &generator))
        }
        self.init(layers: layers)
    }

    /// The layer sizes, inputs first: [64, 64, 10] for the digits network.
    public var sizes: [Int] { [layers[0].inputCount] + layers.map(\.outputCount) }

    /// Σ over layers of (inputs + 1) · outputs.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    // MARK: Forward

    /// ŷ for one input: each layer's output is the next layer's input.
    public func predict(_ x: [Double]) -> [Double] {
        var a = x
        for layer in layers { a = layer.forward(a) }
        return a
    }

    /// The forward pass of a batch (one sample per row), keeping every layer's cache.
    public func forward(batch x: Matrix) -> [DenseLayer.Cache] {
        var caches: [DenseLayer.Cache] = []
        var a = x
        for layer in layers {
            let cache = layer.forward(batch: a)
            caches.append(cache)
            a = cache.output
        }
        return caches
    }

    // MARK: Backward

    /// Backpropagation: from ∂L/∂ŷ (`outputGradient`) to the gradients of every layer.
    ///
    /// The layers are visited last to first. Each turns the gradient with respect to its
    /// output into the gradients of its own weights and biases and the gradient with respect
    /// to its input, which is the gradient with respect to the output of the layer below:
    ///
    /// ```
    /// δ⁽ᴸ⁾ = ∂L/∂ŷ ⊙ g′(z⁽ᴸ⁾)                        (1) the output layer's error
    /// δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ g′(z⁽ˡ⁾)              (2) the error, one layer down
    /// ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾                                  (3)
    /// ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ                          (4)
    /// ```
    /// The result is in layer order: `gradients[l]` belongs to `layers[l]`.
    public func backward(outputGradient: Matrix, caches: [DenseLayer.Cache]) -> [DenseLayer.Backward] {
        precondition(caches.count == layers.count, "Network.backward: \(caches.count) caches for \(layers.count) layers")
        var upstream = outputGradient
        var steps: [DenseLayer.Backward] = []
        for l in layers.indices.reversed() {
            // The first layer's input is the data itself: no gradient needed there.
            let step = layers[l].backward(upstream, cache: caches[l], inputGradient: l > 0)
            steps.append(step)
            if let input = step.input { upstream = input }
        }
        return steps.reversed()
    }

    /// The gradients of every layer for a batch, with softmax + cross-entropy on the
    /// last layer's scores; also returns the batch's mean loss.
    public func softmaxCrossEntropyGradients(batch x: Matrix, labels: [Int]) -> (loss: Double, gradients: [DenseLayer.Gradients]) {
        let caches = forward(batch: x)
        let (loss, outputGradient) = softmaxCrossEntropy(logits: caches[caches.count - 1].output, labels: labels)
        return (loss, backward(outputGradient: outputGradient, caches: caches).map(\.gradients))
    }

    /// The gradients of every layer for a batch under the mean squared error.
    public func meanSquaredErrorGradients(batch x: Matrix, targets: Matrix) -> (loss: Double, gradients: [DenseLayer.Gradients]) {
        let caches = forward(batch: x)
        let output = caches[caches.count - 1].output
        precondition(
            output.rows == targets.rows && output.columns == targets.columns,
            "meanSquaredErrorGradients: outputs \(output.shapeDescription) and targets \(targets.shapeDescription) differ in shape")
        let loss = meanSquaredError(output.values, targets.values)
        let gradient = Matrix(rows: output.rows, columns: output.columns, values: meanSquaredErrorGradient(output.values, targets.values))
        return (loss, backward(outputGradient: gradient, caches: caches).map(\.gradients))
    }

    /// One step of gradient descent on every layer.
    public mutating func descend(_ gradients: [DenseLayer.Gradients], learningRate: Double) {
        precondition(gradients.count == layers.count, "Network.descend: \(gradients.count) gradients for \(layers.count) layers")
        for l in layers.indices { layers[l].descend(gradients[l], learningRate: learningRate) }
    }
}
