import Backprop
import LinearAlgebra
import Randomness
import Validation

// MARK: - Embedding

/// A table of learned vectors, one per token: index k → row k of E (V × D).
///
/// The input holds token indices (whole numbers stored as Doubles) in any shape, a
/// sequence (T, B) say; the output has that shape with D added, (T, B, D). Looking a row
/// up is the same as multiplying a one-hot vector by E, without the V − 1 multiplications
/// by zero. Backward is a scatter-add: each position's gradient is added to the row it
/// read, so a token seen twice collects both. Indices are not differentiable: the
/// returned input gradient is zeros.
public struct Embedding: Layer {
    /// E (V × D).
    public var table: Parameter
    private var indices: [Int]?
    private var inputShape: [Int] = []

    /// V, the number of tokens.
    public var vocabularySize: Int { table.shape[0] }
    /// D, the length of each token's vector.
    public var dimension: Int { table.shape[1] }

    /// A layer with the given table (V × D); its parameter is named "E" + `name`.
    public init(table: Matrix, name: String = "") {
        self.table = Parameter(name: "E\(name)", shape: [table.rows, table.columns], value: table.values, decays: false)
    }

    /// Rows drawn from N(0, 1), as PyTorch's `nn.Embedding`.
    public init(vocabulary: Int, dimension: Int, using generator: inout SeededGenerator, name: String = "") {
        require(vocabulary > 0 && dimension > 0, "Embedding: sizes must be positive, got \(vocabulary) × \(dimension)")
        self.init(table: Matrix(rows: vocabulary, columns: dimension, values: generator.normals(vocabulary * dimension)), name: name)
    }

    /// The indices in `x`, checked: whole numbers in 0..<V.
    func tokenIndices(_ x: Tensor) -> [Int] {
        x.values.enumerated().map { position, value in
            guard let index = Int(exactly: value), (0..<vocabularySize).contains(index) else {
                requirementFailed("Embedding \(table.name): entry \(position) of the input is \(value), not a token index 0..<\(vocabularySize)")
            }
            return index
        }
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let tokens = tokenIndices(x), d = dimension
        var y = [Double](repeating: 0, count: tokens.count * d)
        for (position, token) in tokens.enumerated() {
            for j in 0..<d { y[position * d + j] = table.value[token * d + j] }
        }
        if mode == .training { (indices, inputShape) = (tokens, x.shape) }
        return Tensor(shape: x.shape + [d], values: y).laidOut(x.layout)
    }

    /// ∂L/∂E[k] += Σ over the positions holding token k of their gradient.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: indices.map { _ in inputShape + [dimension] }, layer: "Embedding \(table.name)")
        let d = dimension
        for (position, token) in indices!.enumerated() {
            for j in 0..<d { table.gradient[token * d + j] += outputGradient.values[position * d + j] }
        }
        return Tensor(shape: inputShape)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&table)
    }
}

/// Token indices (T, B) as one-hot vectors (T, B, V): what the baselines feed an LSTM.
public func oneHotSequence(_ tokens: [[Int]], vocabulary: Int) -> Tensor {
    let (steps, batch) = (tokens.count, tokens.first?.count ?? 0)
    var values = [Double](repeating: 0, count: steps * batch * vocabulary)
    for t in 0..<steps {
        require(tokens[t].count == batch, "oneHotSequence: step \(t) has \(tokens[t].count) tokens, step 0 has \(batch)")
        for n in 0..<batch {
            require((0..<vocabulary).contains(tokens[t][n]), "oneHotSequence: token \(tokens[t][n]) at step \(t) is not in 0..<\(vocabulary)")
            values[(t * batch + n) * vocabulary + tokens[t][n]] = 1
        }
    }
    return Tensor(shape: [steps, batch, vocabulary], values: values)
}

// MARK: - Reshaping sequences

/// (T, B, F) → (T·B, F): every step of every sequence as one row, so that a dense layer
/// and a row-wise loss apply at every step. Step t of sequence n becomes row t·B + n.
public struct SequenceRows: Layer {
    private var inputShape: [Int]?

    /// The layer; it has no settings.
    public init() {}

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        require(x.rank == 3, "SequenceRows: input \(x.shapeDescription) is not a sequence (time × batch × features)")
        if mode == .training { inputShape = x.shape }
        return x.reshaped([x.shape[0] * x.shape[1], x.shape[2]])
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: inputShape.map { [$0[0] * $0[1], $0[2]] }, layer: "SequenceRows")
        return outputGradient.reshaped(inputShape!)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}

/// (T, B, F) → (B, F): the last step only, for a sequence that ends in one answer. The
/// backward pass sends the gradient to step T and zeros to every other step.
public struct LastStep: Layer {
    private var inputShape: [Int]?

    /// The layer; it has no settings.
    public init() {}

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        require(x.rank == 3, "LastStep: input \(x.shapeDescription) is not a sequence (time × batch × features)")
        x.requireLayout(.timeFirst, "LastStep")
        require(x.shape[0] > 0, "LastStep: input \(x.shapeDescription) has no time steps, so it has no last one")
        if mode == .training { inputShape = x.shape }
        let size = x.shape[1] * x.shape[2]
        return Tensor(shape: [x.shape[1], x.shape[2]], values: Array(x.values.suffix(size)))
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: inputShape.map { [$0[1], $0[2]] }, layer: "LastStep")
        let shape = inputShape!
        return Tensor(shape: shape, values: [Double](repeating: 0, count: shape.reduce(1, *) - outputGradient.count) + outputGradient.values)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}

// MARK: - Bidirectional

/// Two recurrent layers over one sequence, one reading it forwards and one backwards, their
/// states concatenated at each step: output (T, B, H_f + H_b), step t holding the forward
/// layer's hₜ (from x₁…xₜ) then the backward layer's (from x_T…xₜ). Each step sees the
/// whole sequence. Backward: the gradient is split, the second half reversed in time and
/// sent through the backward layer, and the two input gradients added (the second
/// reversed back).
public struct Bidirectional<Forward: Layer, Backward: Layer>: Layer {
    /// The layer that reads the sequence from first step to last.
    public var forwardLayer: Forward
    /// The layer that reads the sequence from last step to first.
    public var backwardLayer: Backward
    private var widths: (forward: Int, backward: Int)?

    /// The two layers: the first reads the sequence forwards, the second backwards.
    public init(_ forwardLayer: Forward, _ backwardLayer: Backward) {
        self.forwardLayer = forwardLayer
        self.backwardLayer = backwardLayer
    }
}

extension Bidirectional where Forward == AnyLayer, Backward == AnyLayer {
    /// Two recurrent layers of any kinds, chosen at run time (`[any RecurrentLayer]` from a
    /// menu, say), each boxed in an ``/Backprop/AnyLayer``.
    public init(_ forwardLayer: any RecurrentLayer, _ backwardLayer: any RecurrentLayer) {
        self.init(AnyLayer(forwardLayer), AnyLayer(backwardLayer))
    }
}

extension Bidirectional {

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        require(x.rank == 3, "Bidirectional: input \(x.shapeDescription) is not a sequence (time × batch × features)")
        x.requireLayout(.timeFirst, "Bidirectional")
        let ahead = forwardLayer.forward(x, mode: mode)
        let behind = reversedInTime(backwardLayer.forward(reversedInTime(x), mode: mode))
        let (steps, batch, hf, hb) = (x.shape[0], x.shape[1], ahead.shape[2], behind.shape[2])
        var y = [Double](repeating: 0, count: steps * batch * (hf + hb))
        for row in 0..<(steps * batch) {
            for k in 0..<hf { y[row * (hf + hb) + k] = ahead.values[row * hf + k] }
            for k in 0..<hb { y[row * (hf + hb) + hf + k] = behind.values[row * hb + k] }
        }
        if mode == .training { widths = (hf, hb) }
        return Tensor(shape: [steps, batch, hf + hb], values: y).laidOut(.timeFirst)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let (hf, hb) = widths else { requirementFailed("Bidirectional.backward: no training-mode forward pass to go back through") }
        require(
            outputGradient.rank == 3 && outputGradient.shape[2] == hf + hb,
            "Bidirectional.backward: the gradient \(outputGradient.shapeDescription) does not match the output (time × batch × \(hf + hb))")
        let (steps, batch) = (outputGradient.shape[0], outputGradient.shape[1])
        var ahead = [Double](repeating: 0, count: steps * batch * hf), behind = [Double](repeating: 0, count: steps * batch * hb)
        for row in 0..<(steps * batch) {
            for k in 0..<hf { ahead[row * hf + k] = outputGradient.values[row * (hf + hb) + k] }
            for k in 0..<hb { behind[row * hb + k] = outputGradient.values[row * (hf + hb) + hf + k] }
        }
        let dxAhead = forwardLayer.backward(Tensor(shape: [steps, batch, hf], values: ahead))
        let dxBehind = reversedInTime(backwardLayer.backward(reversedInTime(Tensor(shape: [steps, batch, hb], values: behind))))
        return Tensor(shape: dxAhead.shape, values: zip(dxAhead.values, dxBehind.values).map(+))
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        forwardLayer.visitParameters(body)
        backwardLayer.visitParameters(body)
    }

    /// "forward." and "backward." in front of the two layers' names.
    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        forwardLayer.visitNamedParameters(prefix: prefix + "forward.", body)
        backwardLayer.visitNamedParameters(prefix: prefix + "backward.", body)
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        forwardLayer.visitBuffers(prefix: prefix + "forward.", body)
        backwardLayer.visitBuffers(prefix: prefix + "backward.", body)
    }
}

/// A sequence (T, …) with its steps in reverse order.
public func reversedInTime(_ x: Tensor) -> Tensor {
    require(x.rank >= 1, "reversedInTime: \(x.shapeDescription) has no time axis to reverse")
    guard x.shape[0] > 0 else { return x }
    let step = x.count / x.shape[0]
    var values: [Double] = []
    values.reserveCapacity(x.count)
    for t in stride(from: x.shape[0] - 1, through: 0, by: -1) { values += x.values[(t * step)..<((t + 1) * step)] }
    return Tensor(shape: x.shape, values: values)
}
