import Activations
import LinearAlgebra
import Randomness
import Validation

/// Layers applied one after another; itself a ``Layer``.
///
/// ```
/// forward:   a⁰ = x,  aˡ = layerₗ(aˡ⁻¹),  y = aᴸ          first layer to last
/// backward:  gᴸ = ∂L/∂y,  gˡ⁻¹ = layerₗ.backward(gˡ)       last layer to first
/// ```
/// The backward pass visits the layers in exactly the reverse order of the forward pass:
/// each turns the gradient with respect to its output into the gradients of its own
/// parameters and the gradient with respect to its input, which is the gradient with
/// respect to the output of the layer below. What comes out at the bottom is ∂L/∂x.
///
/// The layers can be of any kind, from any chapter: dense, activation, batch
/// normalization, dropout, convolution, another `Sequential`.
public struct Sequential: Layer {
    /// The layers, first to last.
    public var layers: [any Layer]

    /// Layers to apply in order; an empty list stops with a message.
    public init(_ layers: [any Layer]) {
        require(!layers.isEmpty, "Sequential: needs at least one layer")
        self.layers = layers
    }

    /// Dense layers of `sizes` (inputs first), with a `hidden` activation layer after
    /// every dense layer but the last and `output` after the last (nil: raw scores).
    ///
    /// `Sequential(sizes: [64, 64, 10], hidden: .relu, …)` is the digits network: 64
    /// pixels → 64 ReLU units → 10 class scores. The dense layers' parameters are named
    /// W1, b1, W2, b2, … in order.
    public init(
        sizes: [Int], hidden: Activation, output: Activation? = nil, initialization: Initialization,
        using generator: inout SeededGenerator
    ) {
        require(sizes.count >= 2, "Sequential: sizes need an input and an output size, got \(sizes)")
        self.init(
            sizes: sizes, hidden: hidden, output: output,
            dense: { l in Dense(inputs: sizes[l - 1], outputs: sizes[l], initialization: initialization, using: &generator, name: "\(l)") })
    }

    /// Dense layers with the given weights (each outputs × inputs) and biases (zero if
    /// nil), and the activations of ``init(sizes:hidden:output:initialization:using:)``.
    public init(weights: [Matrix], biases: [[Double]]? = nil, hidden: Activation, output: Activation? = nil) {
        let biases = biases ?? weights.map { [Double](repeating: 0, count: $0.rows) }
        require(
            !weights.isEmpty && weights.count == biases.count, "Sequential: \(weights.count) weight matrices but \(biases.count) bias vectors")
        self.init(
            sizes: [weights[0].columns] + weights.map(\.rows), hidden: hidden, output: output,
            dense: { l in Dense(weights: weights[l - 1], biases: biases[l - 1], name: "\(l)") })
    }

    private init(sizes: [Int], hidden: Activation, output: Activation?, dense: (Int) -> Dense) {
        var layers: [any Layer] = []
        for l in 1..<sizes.count {
            let layer = dense(l)
            require(
                layer.inputCount == sizes[l - 1],
                "Sequential: layer \(l) weights \(layer.weights.shapeDescription) expect \(layer.inputCount) inputs "
                    + "but the layer below gives \(sizes[l - 1])")
            layers.append(layer)
            if let g = l == sizes.count - 1 ? output : hidden { layers.append(ActivationLayer(g)) }
        }
        self.init(layers)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        var a = x
        for l in layers.indices { a = layers[l].forward(a, mode: mode) }
        return a
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        var gradient = outputGradient
        for l in layers.indices.reversed() { gradient = layers[l].backward(gradient) }  // reverse order
        return gradient
    }

    /// The same reverse sweep, without ∂L/∂x at the bottom: the first layer skips it.
    public mutating func backwardSkippingInputGradient(_ outputGradient: Tensor) {
        var gradient = outputGradient
        for l in layers.indices.dropFirst().reversed() { gradient = layers[l].backward(gradient) }
        layers[0].backwardSkippingInputGradient(gradient)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        for l in layers.indices { layers[l].visitParameters(body) }
    }

    /// Layer l's parameters are named "l." and then their names in the layer: "0.W1",
    /// "0.b1", "2.W2" for the digits network (layer 1 is its ReLU).
    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        for l in layers.indices { layers[l].visitNamedParameters(prefix: "\(prefix)\(l).", body) }
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        for l in layers.indices { layers[l].visitBuffers(prefix: "\(prefix)\(l).", body) }
    }

    /// Layer `index` as the type it is, or a stop naming the type it has.
    public func layer<Kind: Layer>(_ index: Int, as kind: Kind.Type) -> Kind {
        require(layers.indices.contains(index), "Sequential.layer: no layer \(index); the model has layers 0..<\(layers.count)")
        guard let layer = layers[index] as? Kind else {
            requirementFailed("Sequential.layer: layer \(index) is a \(type(of: layers[index])), not a \(Kind.self)")
        }
        return layer
    }

    /// Changes layer `index` in place as the type it is (a stop naming the type it has).
    public mutating func updateLayer<Kind: Layer>(_ index: Int, as kind: Kind.Type, _ change: (inout Kind) -> Void) {
        var layer = self.layer(index, as: kind)
        change(&layer)
        layers[index] = layer
    }

    /// Every layer's output for `x` in inference mode, first layer first.
    public func outputs(_ x: Tensor) -> [Tensor] {
        var copy = self
        var a = x
        return copy.layers.indices.map { l in
            a = copy.layers[l].forward(a, mode: .inference)
            return a
        }
    }

    /// The dense layers, in order.
    public var denseLayers: [Dense] { layers.compactMap { $0 as? Dense } }
}
