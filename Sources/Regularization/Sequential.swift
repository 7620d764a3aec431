import Activations
import Backprop
import Datasets
import LinearAlgebra
import Optimizers
import Randomness

/// A network as a list of layers applied in order, where a layer may also be a batch
/// normalization, a separate activation or a dropout, which behave differently in
/// training and at inference.
///
/// Batch normalization goes between a linear dense layer and its activation:
/// `.dense(linear) → .batchNorm → .activation(.relu)`. Dropout goes after an activation.
public struct Sequential: Sendable {
    public enum Layer: Sendable {
        case dense(DenseLayer)
        case batchNorm(BatchNorm)
        case activation(Activation)
        case dropout(Dropout)
    }

    /// What one layer's training-mode forward pass keeps for its backward pass.
    public enum Cache: Sendable {
        case dense(DenseLayer.Cache)
        case batchNorm(BatchNorm.Cache)
        case activation(input: Matrix)
        case dropout(mask: [Double])
    }

    /// One layer's parameter gradients (none for activations and dropout).
    public enum LayerGradients: Sendable {
        case dense(DenseLayer.Gradients)
        case batchNorm(BatchNorm.Gradients)
        case none
    }

    public var layers: [Layer]

    public init(_ layers: [Layer]) {
        precondition(!layers.isEmpty, "Sequential: needs at least one layer")
        self.layers = layers
    }

    /// Dense layers of `sizes` with `hidden` activations and a linear output, and
    /// optionally batch normalization before each hidden activation and dropout after it.
    public init(
        sizes: [Int], hidden: Activation, batchNorm: Bool = false, dropout: Double? = nil, initialization: Initialization,
        using generator: inout SeededGenerator
    ) {
        precondition(sizes.count >= 2, "Sequential: needs at least an input and an output size, got \(sizes)")
        var layers: [Layer] = []
        for l in 1..<sizes.count {
            let isOutput = l == sizes.count - 1
            let dense = DenseLayer(
                inputs: sizes[l - 1], outputs: sizes[l], activation: isOutput || batchNorm ? nil : hidden,
                initialization: initialization, using: &generator)
            layers.append(.dense(dense))
            if isOutput { break }
            if batchNorm { layers += [.batchNorm(BatchNorm(features: sizes[l])), .activation(hidden)] }
            if let dropout { layers.append(.dropout(Dropout(rate: dropout))) }
        }
        self.init(layers)
    }

    // MARK: Forward and backward

    /// Training mode: dropout draws its masks from `generator`, batch normalization uses
    /// the batch's statistics and updates its running ones.
    public mutating func forwardTraining(_ x: Matrix, using generator: inout SeededGenerator) -> (output: Matrix, caches: [Cache]) {
        var a = x
        var caches: [Cache] = []
        for l in layers.indices {
            switch layers[l] {
            case .dense(let dense):
                let cache = dense.forward(batch: a)
                caches.append(.dense(cache))
                a = cache.output
            case .batchNorm(var norm):
                let (output, cache) = norm.forwardTraining(a)
                layers[l] = .batchNorm(norm)
                caches.append(.batchNorm(cache))
                a = output
            case .activation(let g):
                caches.append(.activation(input: a))
                a.values = g(a.values)
            case .dropout(let dropout):
                let mask = dropout.mask(count: a.values.count, using: &generator)
                caches.append(.dropout(mask: mask))
                a = dropout.forward(a, mask: mask)
            }
        }
        return (a, caches)
    }

    /// Inference mode: no dropout, batch normalization with its running statistics. The
    /// output for a sample does not depend on the rest of the batch or on any randomness.
    public func forwardInference(_ x: Matrix) -> Matrix {
        var a = x
        for layer in layers {
            switch layer {
            case .dense(let dense): a = dense.forward(batch: a).output
            case .batchNorm(let norm): a = norm.forwardInference(a)
            case .activation(let g): a.values = g(a.values)
            case .dropout: break
            }
        }
        return a
    }

    /// Backpropagates ∂L/∂output through the layers of a training-mode forward pass.
    public func backward(_ outputGradient: Matrix, caches: [Cache]) -> [LayerGradients] {
        precondition(caches.count == layers.count, "Sequential.backward: \(caches.count) caches for \(layers.count) layers")
        var upstream = outputGradient
        var gradients = [LayerGradients](repeating: .none, count: layers.count)
        for l in layers.indices.reversed() {
            switch (layers[l], caches[l]) {
            case (.dense(let dense), .dense(let cache)):
                let step = dense.backward(upstream, cache: cache, inputGradient: l > 0)
                gradients[l] = .dense(step.gradients)
                if let input = step.input { upstream = input }
            case (.batchNorm(let norm), .batchNorm(let cache)):
                let (input, normGradients) = norm.backward(upstream, cache: cache)
                gradients[l] = .batchNorm(normGradients)
                upstream = input
            case (.activation(let g), .activation(let input)):
                let slopes = g.derivative(input.values)
                for i in upstream.values.indices { upstream.values[i] *= slopes[i] }
            case (.dropout(let dropout), .dropout(let mask)):
                upstream = dropout.backward(upstream, mask: mask)
            default:
                preconditionFailure("Sequential.backward: cache \(l) does not belong to layer \(l)")
            }
        }
        return gradients
    }

    /// A training-mode forward pass, the mean softmax cross-entropy of the batch, and the
    /// gradients of every layer.
    public mutating func softmaxCrossEntropyGradients(
        batch x: Matrix, labels: [Int], using generator: inout SeededGenerator
    ) -> (loss: Double, gradients: [LayerGradients]) {
        let (output, caches) = forwardTraining(x, using: &generator)
        let (loss, gradient) = softmaxCrossEntropy(logits: output, labels: labels)
        return (loss, backward(gradient, caches: caches))
    }

    // MARK: Evaluation (inference mode)

    /// The mean cross-entropy and the accuracy on a data set.
    public func evaluate(on data: ClassificationSet) -> (loss: Double, accuracy: Double) {
        let logits = forwardInference(batchMatrix(data.inputs, data.inputs.indices))
        let loss = softmaxCrossEntropy(logits: logits, labels: data.labels).loss
        let correct = (0..<logits.rows).filter { argmax(logits.row($0)) == data.labels[$0] }.count
        return (loss, Double(correct) / Double(data.count))
    }

    // MARK: Weights

    /// Every dense layer's weights, one array per layer.
    public var denseWeights: [[Double]] {
        layers.compactMap { if case .dense(let dense) = $0 { dense.weights.values } else { nil } }
    }

    /// The optimizer slots that hold dense weights (not biases, γ or β): what a penalty or
    /// weight decay applies to.
    public var weightSlots: Set<Int> {
        var slots: Set<Int> = []
        var slot = 0
        for layer in layers {
            switch layer {
            case .dense: slots.insert(slot); slot += 2
            case .batchNorm: slot += 2
            case .activation, .dropout: break
            }
        }
        return slots
    }

    /// Adds a penalty's gradient to every dense layer's weight gradient; returns Ω summed over the layers.
    public func addPenalty(_ penalty: Penalty, to gradients: inout [LayerGradients]) -> Double {
        guard penalty != .none else { return 0 }
        var total = 0.0
        for l in layers.indices {
            guard case .dense(let dense) = layers[l], case .dense(var g) = gradients[l] else { continue }
            total += penalty.value(dense.weights.values)
            let extra = penalty.gradient(dense.weights.values)
            for i in extra.indices { g.weights.values[i] += extra[i] }
            gradients[l] = .dense(g)
        }
        return total
    }
}

extension Sequential: Trainable {
    /// Per dense layer its weights then its biases, per batch normalization γ then β.
    public static func arrays(of gradients: [LayerGradients]) -> [[Double]] {
        gradients.flatMap { gradient -> [[Double]] in
            switch gradient {
            case .dense(let g): [g.weights.values, g.biases]
            case .batchNorm(let g): [g.gamma, g.beta]
            case .none: []
            }
        }
    }

    public mutating func updateParameters(_ body: (_ slot: Int, _ parameter: inout [Double]) -> Void) {
        var slot = 0
        for l in layers.indices {
            switch layers[l] {
            case .dense(var dense):
                body(slot, &dense.weights.values)
                body(slot + 1, &dense.biases)
                layers[l] = .dense(dense)
                slot += 2
            case .batchNorm(var norm):
                body(slot, &norm.gamma)
                body(slot + 1, &norm.beta)
                layers[l] = .batchNorm(norm)
                slot += 2
            case .activation, .dropout:
                break
            }
        }
    }
}
