import Activations
import LinearAlgebra

/// An activation function applied to every element: y = g(x), any shape.
///
/// ```
/// forward:   yᵢ = g(xᵢ)
/// backward:  ∂L/∂xᵢ = ∂L/∂yᵢ · g′(xᵢ)        the chain rule, element by element
/// ```
/// This is the only way the model core applies an activation: a dense layer followed by
/// an activation layer is the z = Wx + b, a = g(z) of the chapter. The backward pass
/// needs g′ at the pre-activation z, so that is what the forward pass keeps.
public struct ActivationLayer: Layer {
    /// g, applied to every element.
    public var function: Activation
    /// x (the pre-activation z) of the last training-mode forward pass.
    private var input: Tensor?

    /// A layer applying `function` to every element.
    public init(_ function: Activation) {
        self.function = function
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        if mode == .training { input = x }  // cache for the backward pass
        return Tensor(shape: x.shape, values: function(x.values))
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: input?.shape, layer: "ActivationLayer(\(function.name))")
        return Tensor(shape: outputGradient.shape, values: function.backward(input!.values, outputGradient.values))  // δ ⊙ g′(x)
    }

    /// No parameters.
    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}
