import LinearAlgebra
import NumericChecks
import Validation

/// Checks a layer's backward pass against central differences: every parameter, then the input.
///
/// The backward pass runs once on a copy of `model`: a training-mode forward pass of
/// `input`, `loss` of the output for L and ∂L/∂y, then `backward`, which gives ∂L/∂θ for
/// every parameter and ∂L/∂x. Then each number of each parameter, and of the input, is
/// nudged by ±ε on a fresh copy of `model`, and the loss recomputed:
///
/// ```
/// ∂L/∂θᵢ ≈ (L(θ + ε eᵢ) − L(θ − ε eᵢ)) / 2ε
/// ```
/// Every forward pass starts from a copy of `model` as it was given, so a layer that draws
/// random numbers in training mode (dropout) draws the same ones every time. The results
/// are named after the parameters ("W1", "γ2"), and "x" for the input, with the worst
/// index and its analytic and numeric values.
public func checkGradients<Model: Layer>(
    _ model: Model, input: Tensor, epsilon: Double = 1e-5, tolerance: Double = 1e-7,
    loss: (Tensor) -> (loss: Double, gradient: Tensor)
) -> [GradientCheckResult] {
    var analytic = model
    analytic.zeroGradients()
    let inputGradient = analytic.backward(loss(analytic.forward(input, mode: .training)).gradient)

    func lossOf(_ probe: Model, _ x: Tensor) -> Double {
        var probe = probe
        return loss(probe.forward(x, mode: .training)).loss
    }
    var results = checkParameterGradients(model, analytic: analytic, epsilon: epsilon, tolerance: tolerance) { lossOf($0, input) }
    results.append(
        checkGradient("x", at: input.values, analytic: inputGradient.values, epsilon: epsilon, tolerance: tolerance) { values in
            lossOf(model, Tensor(shape: input.shape, values: values))
        })
    return results
}

/// Checks the parameter gradients that `analytic` holds (a copy of `model` after its
/// backward pass) against central differences of `loss`, any function of the whole model:
/// for losses that are not one forward pass's output (a VAE's two terms through a drawn ε,
/// a GAN's generator loss through the discriminator). Parameter k is nudged on a fresh
/// copy of `model`; the results are named after the parameters.
public func checkParameterGradients<Model: Layer>(
    _ model: Model, analytic: Model, epsilon: Double = 1e-5, tolerance: Double = 1e-7, loss: (Model) -> Double
) -> [GradientCheckResult] {
    analytic.parameters.enumerated().map { k, parameter in
        checkGradient(parameter.name, at: parameter.value, analytic: parameter.gradient, epsilon: epsilon, tolerance: tolerance) { values in
            var probe = model
            var index = 0
            probe.visitParameters { p in
                if index == k { p.value = values }
                index += 1
            }
            return loss(probe)
        }
    }
}

/// The loss L = Σ c ⊙ y for a fixed c, with ∂L/∂y = c: weighting every output differently,
/// it exercises every path of a layer's backward pass, which is what a gradient check wants
/// (``checkGradients(_:input:epsilon:tolerance:loss:)``). It is linear in y, so a layer
/// that is itself linear (a convolution, a matrix product) gives central differences
/// without truncation error.
public func weightedOutputLoss(_ c: [Double]) -> (Tensor) -> (loss: Double, gradient: Tensor) {
    { y in
        require(y.count == c.count, "weightedOutputLoss: \(c.count) weights for an output \(y.shapeDescription)")
        return (zip(c, y.values).map { $0 * $1 }.reduce(0, +), Tensor(shape: y.shape, values: c))
    }
}
