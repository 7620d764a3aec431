import Backprop
import LinearAlgebra
import Validation

/// LeakyReLU with a chosen slope for negative inputs: y = x for x > 0, slope · x otherwise.
///
/// GANs use slope 0.2 (Radford et al., 2015, and the seeds), so that the discriminator
/// passes a gradient back for every input, negative ones included: the generator learns
/// only through that gradient. (Chapter 2's `leakyReLU` keeps the common default 0.01;
/// PyTorch's `nn.LeakyReLU(0.2)` is this layer with slope 0.2.)
///
/// ```
/// forward:   y = x if x > 0, else slope · x
/// backward:  ∂L/∂x = ∂L/∂y if x > 0, else slope · ∂L/∂y
/// ```
public struct LeakyReLU: Layer {
    /// The slope for negative inputs.
    public let slope: Double
    /// x of the last training-mode pass.
    private var input: Tensor?

    /// A LeakyReLU with the given slope (0.2 by default, the DCGAN's).
    public init(slope: Double = 0.2) {
        require(slope.isFinite && slope >= 0 && slope < 1, "LeakyReLU: the slope must be in [0, 1), got \(slope)")
        self.slope = slope
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        if mode == .training { input = x }
        var y = x.values
        let slope = self.slope
        y.withUnsafeMutableBufferPointer { y in
            for i in y.indices { y[i] *= y[i] > 0 ? 1 : slope }  // a select, not a branch; NaN stays NaN
        }
        return Tensor(shape: x.shape, values: y)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: input?.shape, layer: "LeakyReLU")
        var g = outputGradient.values
        let (x, slope) = (input!.values, self.slope)
        x.withUnsafeBufferPointer { x in
            g.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] *= x[i] > 0 ? 1 : slope }
            }
        }
        return Tensor(shape: outputGradient.shape, values: g)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}
