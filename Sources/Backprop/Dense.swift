import LinearAlgebra
import Randomness
import Validation

/// A fully connected (affine) layer: every output unit sees every input.
///
/// ```
/// one input:   zⱼ = bⱼ + Σᵢ Wⱼᵢ xᵢ           W: (outputs × inputs), b: (outputs)
/// a batch:     Z = X Wᵀ + b                   X: (batch × inputs), Z: (batch × outputs)
/// ```
/// Row j of W holds the weights into unit j: the (out, in) layout of PyTorch's
/// `nn.Linear`, so its `weight` tensor can be copied in as it is. (Some course material
/// stores the transpose, (in × out), and writes X W; the numbers are the same.)
///
/// The layer is linear. A nonlinearity is a layer of its own, ``ActivationLayer``,
/// placed after it in a ``Sequential``.
public struct Dense: Layer {
    /// W, shape (outputs, inputs). Decays.
    public var weight: Parameter
    /// b, shape (outputs). Does not decay.
    public var bias: Parameter
    /// X of the last training-mode forward pass.
    private var input: Tensor?

    /// A layer with the given weights (outputs × inputs) and biases; its parameters are
    /// named "W" and "b" followed by `name` ("W1", "b1").
    public init(weights: Matrix, biases: [Double], name: String = "") {
        require(
            biases.count == weights.rows,
            "Dense: weights \(weights.shapeDescription) need \(weights.rows) biases, got \(biases.count)")
        weight = Parameter(name: "W\(name)", shape: [weights.rows, weights.columns], value: weights.values, decays: true)
        bias = Parameter(name: "b\(name)", shape: [weights.rows], value: biases, decays: false)
    }

    /// A layer with weights drawn by `initialization` and zero biases.
    public init(inputs: Int, outputs: Int, initialization: Initialization, using generator: inout SeededGenerator, name: String = "") {
        require(inputs > 0 && outputs > 0, "Dense: needs at least one input and one output, got \(inputs) → \(outputs)")
        let values = initialization.weights(inputs: inputs, outputs: outputs, using: &generator)
        self.init(
            weights: Matrix(rows: outputs, columns: inputs, values: values), biases: [Double](repeating: 0, count: outputs),
            name: name)
    }

    /// The number of inputs, W's columns.
    public var inputCount: Int { weight.shape[1] }
    /// The number of outputs (units), W's rows.
    public var outputCount: Int { weight.shape[0] }
    /// W as a matrix (outputs × inputs).
    public var weights: Matrix { Matrix(rows: outputCount, columns: inputCount, values: weight.value) }

    /// z = W x + b for one input, written out as the two loops of the definition. The
    /// batch forward pass computes the same numbers with one matrix product.
    public func affine(_ x: [Double]) -> [Double] {
        require(
            x.count == inputCount,
            "Dense: input of size \(x.count) does not fit weights \(weights.shapeDescription), which expect \(inputCount)")
        var z = bias.value
        for j in 0..<outputCount {
            for i in 0..<inputCount {
                z[j] += weight.value[j * inputCount + i] * x[i]
            }
        }
        return z
    }

    /// Z = X Wᵀ + b for a batch, one sample per row: row r of Z is W xᵣ + b.
    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        expectShape(x, features: inputCount, layer: "Dense \(weight.name) \(weights.shapeDescription)")
        var z = matmul(x.matrix, transposeOf: weights).values  // X Wᵀ: (batch × outputs), row-major
        addToEveryRow(bias.value, of: &z)  // + b, for every sample r
        if mode == .training { input = x }  // cache for the backward pass
        return Tensor(shape: [x.shape[0], outputCount], values: z)
    }

    /// From δ = ∂L/∂Z to the gradients of W, b and X.
    ///
    /// ```
    /// ∂L/∂W += δᵀ X        Σ over samples r of δᵣ xᵣᵀ
    /// ∂L/∂b += Σᵣ δᵣ        b is added to every sample, so its gradient sums over them
    /// ∂L/∂X  = δ W          how the loss changes with this layer's input
    /// ```
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        backwardSkippingInputGradient(outputGradient)
        return Tensor(matmul(outputGradient.matrix, weights))  // ∂L/∂X = δ W
    }

    /// ∂L/∂W and ∂L/∂b only.
    public mutating func backwardSkippingInputGradient(_ outputGradient: Tensor) {
        expectGradientShape(outputGradient, output: input.map { [$0.shape[0], outputCount] }, layer: "Dense \(weight.name)")
        let delta = outputGradient.matrix, x = input!.matrix
        addTransposedProduct(delta, x, into: &weight.gradient)  // ∂L/∂W += δᵀ X
        addColumnSums(of: delta.values, into: &bias.gradient)  // ∂L/∂b += Σᵣ δᵣ
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&weight)
        body(&bias)
    }
}
