import Validation

/// A trainable array of numbers with its name, its shape and its accumulated gradient.
///
/// ```
/// value      θ, flat and row-major in `shape`
/// gradient   ∂L/∂θ, the same length; backward passes add into it (+=), the training
///            loop sets it to zero before each batch
/// ```
/// Accumulating rather than overwriting is what lets one weight receive gradient from
/// several places: a recurrent cell's weights from every time step, one model from two
/// loss terms. (micrograd's `Value.grad` works the same way.)
///
/// Parameters are values, like the layers that hold them, so copying a model copies its
/// numbers. Copies keep the same ``id``: the id names "this parameter of this model",
/// and an optimizer keeps its per-parameter state (a velocity, Adam's m and v) under it.

public struct Parameter: Sendable {
    /// How reports and gradient checks name it: "W1", "b1", "γ2", "W_xh".
    public var name: String
    /// The size of each axis: (outputs, inputs) for a dense layer's weights, (units) for a bias.
    public let shape: [Int]
    /// θ, row-major.
    public var value: [Double]
    /// ∂L/∂θ, accumulated by the backward passes since it was last zeroed.
    public var gradient: [Double]
    /// Whether weight penalties and weight decay apply: true for weights, false for
    /// biases and for batch normalization's γ and β, which do not make a network any more
    /// able to memorize and which a penalty would only pull away from their neutral values.
    public var decays: Bool
    /// Whether optimizers leave it alone (transfer learning freezes pretrained layers).
    /// Its gradient is still computed, so the layers below still learn.
    public var frozen: Bool
    /// The parameter's identity, kept by copies; optimizers key their state by it.
    public let id: ParameterID

    /// A parameter with the given value, a zero gradient and a new identity.
    public init(name: String, shape: [Int], value: [Double], decays: Bool, frozen: Bool = false) {
        let count = shape.reduce(1, *)
        require(
            value.count == count,
            "Parameter \(name): shape \(shape.map(String.init).joined(separator: "×")) needs \(count) values, got \(value.count)")
        self.name = name
        self.shape = shape
        self.value = value
        self.gradient = [Double](repeating: 0, count: count)
        self.decays = decays
        self.frozen = frozen
        self.id = ParameterID()
    }

    /// The number of values.
    public var count: Int { value.count }

    /// Sets the gradient back to zero, as the training loop does before each batch.
    public mutating func zeroGradient() {
        for i in gradient.indices { gradient[i] = 0 }
    }
}

/// The identity of a parameter: equal for a parameter and its copies, different for
/// parameters created separately.
///
/// An object is used only for its identity (`===`); it holds nothing. Keeping a
/// reference to it, rather than a bare number, means no two parameters alive at the same
/// time can ever share an id.
public final class ParameterID: Hashable, Sendable {
    init() {}

    public static func == (a: ParameterID, b: ParameterID) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
