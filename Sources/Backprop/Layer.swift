import LinearAlgebra
import Validation

/// Whether a forward pass is part of training or a prediction.
///
/// Most layers compute the same thing either way. Those that do not: dropout drops units
/// only in training; batch normalization uses the batch's statistics in training and its
/// running ones at inference. Only a training-mode pass keeps what the backward pass needs.
public enum Mode: Sendable {
    /// Learning: dropout drops, batch normalization uses the batch's statistics, and the
    /// layer keeps what its backward pass needs.
    case training
    /// Predicting: every layer is a fixed function of its input, and keeps nothing.
    case inference
}

/// The one protocol every layer of every chapter conforms to: a forward pass, a backward
/// pass, and its parameters.
///
/// ```
/// forward:   y = f(x; θ)                  keeps what backward needs (training mode)
/// backward:  given ∂L/∂y                  θ.gradient += ∂L/∂θ   (accumulates)
///                                         returns ∂L/∂x         (for the layer below)
/// ```
/// The backward pass belongs to the most recent training-mode forward pass. It always
/// returns ∂L/∂x, also for the first layer of a model: a GAN's generator learns through
/// the discriminator's input gradient, a VAE's encoder through the decoder's.
///
/// A layer is a value: copying a model copies its parameters and what it remembers.
/// Composite layers (``Sequential``, a residual block, a recurrent layer over time) are
/// layers too, built from other layers.
public protocol Layer: Sendable {
    /// y = f(x). In `.training` mode the layer remembers what ``backward(_:)`` needs.
    mutating func forward(_ x: Tensor, mode: Mode) -> Tensor

    /// Adds ∂L/∂θ into every parameter's gradient and returns ∂L/∂x, given ∂L/∂y for the
    /// output of the last training-mode ``forward(_:mode:)``.
    mutating func backward(_ outputGradient: Tensor) -> Tensor

    /// The backward pass when ∂L/∂x is not wanted, because the input is data that nobody
    /// trains: adds the parameter gradients and returns nothing. The training loop calls
    /// this on the whole model. By default it runs ``backward(_:)`` and drops ∂L/∂x; a layer
    /// that can save work overrides it (a dense layer skips the product δW, which for the
    /// first layer of the digits network is a fifth of all the arithmetic of a step).
    mutating func backwardSkippingInputGradient(_ outputGradient: Tensor)

    /// Calls `body` with every parameter, always in the same order, to read or change it.
    /// Optimizers, penalties, gradient checks and parameter counts all go through here.
    mutating func visitParameters(_ body: (inout Parameter) -> Void)

    /// Calls `body` with every parameter and its full name in the model: `prefix`, the
    /// keys of the layers it sits in, then its own name ("encoder.0.W1").
    ///
    /// By default a layer's parameters are named `prefix` + ``/Backprop/Parameter/name``. A layer
    /// built from other layers (``/Backprop/Sequential``, a residual block, a transformer block)
    /// overrides this to put each part's key in front ("0.", "attention."), so that names
    /// are unique in any model: checkpoints and optimizer state are saved under them.
    /// The order is the order of ``visitParameters(_:)``.
    mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void)

    /// Calls `body` with every buffer and its full name: numbers a layer keeps and a
    /// checkpoint must save, but that no optimizer steps (batch normalization's running
    /// statistics, a dropout layer's generator). None by default; a layer built from
    /// other layers passes the call on to each part with its key, as for parameters.
    mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void)
}

extension Layer {
    public mutating func backwardSkippingInputGradient(_ outputGradient: Tensor) {
        _ = backward(outputGradient)
    }

    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        visitParameters { parameter in body(prefix + parameter.name, &parameter) }
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {}

    /// The parameters, in visiting order (copies: changing them changes nothing).
    public var parameters: [Parameter] {
        var copy = self
        var list: [Parameter] = []
        copy.visitParameters { list.append($0) }
        return list
    }

    /// How many numbers training can change.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Sets every parameter's gradient to zero.
    public mutating func zeroGradients() {
        visitParameters { $0.zeroGradient() }
    }

    /// The inference-mode output for a batch, leaving the layer as it is.
    public func predict(_ x: Tensor) -> Tensor {
        var copy = self
        return copy.forward(x, mode: .inference)
    }

    /// The inference-mode output for one sample of `features` values.
    public func predict(_ x: [Double]) -> [Double] {
        predict(Tensor(shape: [1, x.count], values: x)).values
    }
}

/// Checks that a layer's input has the rank and trailing sizes it needs, naming both shapes.
public func expectShape(_ x: Tensor, features: Int, layer: @autoclosure () -> String) {
    require(
        x.rank == 2 && x.shape[1] == features,
        "\(layer()): input \(x.shapeDescription) does not fit: it needs (batch × \(features))")
}

/// Checks that an upstream gradient has the shape of the output it belongs to.
public func expectGradientShape(_ gradient: Tensor, output shape: [Int]?, layer: @autoclosure () -> String) {
    guard let shape else { requirementFailed("\(layer()).backward: no training-mode forward pass to go back through") }
    require(
        gradient.shape == shape,
        "\(layer()).backward: the gradient \(gradient.shapeDescription) does not match the output \(Tensor(shape: shape).shapeDescription)")
}
