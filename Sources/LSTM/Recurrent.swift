import Backprop
import Foundation
import LinearAlgebra
import Perceptron
import Randomness
import Validation

// MARK: - Layouts, stated once
//
// A sequence is a tensor (T, B, F): time, then batch, then features, as in PyTorch's
// default (`batch_first=False`). Step t is then one contiguous B × F matrix, which is
// what a recurrent layer walks. The layers here return every step's hidden state,
// (T, B, H).
//
// Weights are PyTorch's: a layer with G gates (RNN 1, GRU 3, LSTM 4) has
//
//   W_x (G·H × F)   the input weights,  PyTorch's `weight_ih_l0`
//   W_h (G·H × H)   the hidden weights, PyTorch's `weight_hh_l0`
//
// rows grouped gate by gate, each gate's H rows together, so a step is
// a = xₜ W_xᵀ + hₜ₋₁ W_hᵀ + b for a batch of row vectors. PyTorch keeps two biases, b_ih
// and b_hh; for the RNN and the LSTM only their sum matters, and that sum is our one b
// (copy b_ih + b_hh). The GRU needs both, because its reset gate multiplies the hidden
// part alone: there b_x and b_h are PyTorch's b_ih and b_hh.

/// The state a recurrent layer starts from and ends in: the hidden state h (B × H), and an
/// LSTM's cell state c (B × H), nil for the other layers.
public struct RecurrentState: Sendable, Equatable {
    /// h, (B × H).
    public var hidden: Tensor
    /// c, (B × H): an LSTM's cell state; nil for the other layers.
    public var cell: Tensor?

    /// A state from h and, for an LSTM, c.
    public init(hidden: Tensor, cell: Tensor? = nil) {
        self.hidden = hidden
        self.cell = cell
    }
}

/// A layer that walks a sequence with a state: the RNN, the LSTM and the GRU.
///
/// The state it starts from can be set (to carry it from one chunk of a long text to the
/// next), the state it ends in read, and after a backward pass the gradient with respect
/// to the starting state and the size of the gradient that reached each step.
public protocol RecurrentLayer: Layer {
    /// h₀ (and c₀) for the next forward pass, (B × H) each; nil: zeros.
    var initialState: RecurrentState? { get set }
    /// The state after the last step of the last forward pass.
    var finalState: RecurrentState? { get }
    /// ∂L/∂h₀ (and ∂L/∂c₀) from the last backward pass.
    var initialStateGradient: RecurrentState? { get }
    /// ∂L/∂h_T (and ∂L/∂c_T) for the next backward pass, (B × H) each, added to what the
    /// outputs' gradient sends to the last step; nil: none. An encoder whose final state
    /// starts a decoder receives the decoder's ∂L/∂h₀ here.
    var finalStateGradient: RecurrentState? { get set }
    /// ‖∂L/∂hₜ‖ for t = 1…T from the last backward pass, over the whole batch: the gradient
    /// reaching each step from the loss there and from every later step.
    var hiddenGradientNorms: [Double] { get }
}

/// Uniform weights in ±1/√H, PyTorch's default for its recurrent layers.
func recurrentWeights(_ count: Int, hidden: Int, using generator: inout SeededGenerator) -> [Double] {
    let bound = 1 / Double(hidden).squareRoot()
    return generator.uniforms(count, in: -bound..<bound)
}

/// The shape checks every recurrent layer makes on its input.
func expectSequence(_ x: Tensor, features: Int, layer: @autoclosure () -> String) -> (steps: Int, batch: Int) {
    x.requireLayout(.timeFirst, layer())
    require(
        x.rank == 3 && x.shape[2] == features && x.shape[0] > 0,
        "\(layer()): input \(x.shapeDescription) does not fit: it needs (time × batch × \(features))")
    return (x.shape[0], x.shape[1])
}

/// The starting state, checked against the batch, or zeros.
func startingState(_ state: RecurrentState?, batch: Int, hidden: Int, cell: Bool, layer: String) -> (h: [Double], c: [Double]) {
    guard let state else {
        let zeros = [Double](repeating: 0, count: batch * hidden)
        return (zeros, cell ? zeros : [])
    }
    require(
        state.hidden.shape == [batch, hidden],
        "\(layer): the initial hidden state \(state.hidden.shapeDescription) does not fit a batch of \(batch): it needs (\(batch) × \(hidden))")
    if cell {
        require(
            state.cell?.shape == [batch, hidden],
            "\(layer): the initial cell state \(state.cell.map(\.shapeDescription) ?? "(missing)") does not fit: it needs (\(batch) × \(hidden))")
    }
    return (state.hidden.values, state.cell?.values ?? [])
}

/// X W_xᵀ + b for every step at once: the input's part of every gate, (T·B × G·H). The
/// input does not depend on the recurrence, so it is one matrix product for the sequence.
func inputProjection(_ x: Tensor, _ weights: Parameter, bias: [Double]) -> [Double] {
    let rows = x.shape[0] * x.shape[1]
    var a = matmul(Matrix(rows: rows, columns: x.shape[2], values: x.values), transposeOf: Matrix(weights)).values
    addToEveryRow(bias, of: &a)
    return a
}

/// Wᵀ of a (rows × columns) parameter, as a matrix.
func transposedWeights(_ weights: Parameter) -> Matrix { Matrix(weights).transposed }

extension Matrix {
    /// A (rows × columns) parameter's values as a matrix.
    init(_ weights: Parameter) { self.init(rows: weights.shape[0], columns: weights.shape[1], values: weights.value) }
}

/// h W_hᵀ for a batch of hidden states (B × H): the recurrent part of every gate.
func recurrentProduct(_ h: [Double], batch: Int, _ transposedHidden: Matrix) -> [Double] {
    matmul(Matrix(rows: batch, columns: transposedHidden.rows, values: h), transposedHidden).values
}

/// The sums every recurrent backward pass ends with, over all steps at once, given the
/// gates' gradients DA (T·B × G·H), the inputs X (T·B × F) and the previous hidden states
/// H₋ (T·B × H, row t holds hₜ₋₁):
///
/// ```
/// ∂L/∂W_x += DAᵀ X      ∂L/∂W_h += DA_hᵀ H₋      ∂L/∂b += Σ rows of DA      ∂L/∂X = DA W_x
/// ```
/// DA_h is DA except in a GRU, whose candidate gate reaches h W_hᵀ through the reset gate.
func finishBackward(
    inputGradients da: [Double], hiddenGradients daHidden: [Double]? = nil, x: Tensor, previous: [Double],
    inputWeights: inout Parameter, hiddenWeights: inout Parameter, bias: inout Parameter
) -> Tensor {
    let rows = x.shape[0] * x.shape[1], width = inputWeights.shape[0], hidden = hiddenWeights.shape[1]
    let gates = Matrix(rows: rows, columns: width, values: da)
    let hiddenGates = daHidden.map { Matrix(rows: rows, columns: width, values: $0) } ?? gates
    addTransposedProduct(gates, Matrix(rows: rows, columns: x.shape[2], values: x.values), into: &inputWeights.gradient)
    addTransposedProduct(hiddenGates, Matrix(rows: rows, columns: hidden, values: previous), into: &hiddenWeights.gradient)
    for r in 0..<rows {
        for k in 0..<width { bias.gradient[k] += da[r * width + k] }
    }
    let dx = matmul(gates, Matrix(rows: width, columns: x.shape[2], values: inputWeights.value))
    return Tensor(shape: x.shape, values: dx.values)
}

// MARK: - The vanilla RNN

/// A vanilla recurrent layer over a sequence (T, B, F) → (T, B, H):
///
/// ```
/// hₜ = tanh(xₜ W_xᵀ + hₜ₋₁ W_hᵀ + b)        h₀ = 0 unless `initialState` is set
/// ```
/// Backward through time, from the last step to the first, with δₜ = ∂L/∂hₜ collecting
/// the output's gradient at t and what step t + 1 sends back:
///
/// ```
/// δₜ  = gₜ + (daₜ₊₁ W_h)          daₜ = δₜ ⊙ (1 − hₜ²)         (tanh′ at the output hₜ)
/// ∂L/∂W_x += Σₜ daₜᵀ xₜ   ∂L/∂W_h += Σₜ daₜᵀ hₜ₋₁   ∂L/∂b += Σₜ daₜ   ∂L/∂xₜ = daₜ W_x
/// ```
/// The product over steps of ∂hₜ/∂hₜ₋₁ = diag(1 − hₜ²) W_h is what makes gradients
/// vanish or explode over long distances.
public struct RNNLayer: RecurrentLayer {
    /// W_x (H × F), PyTorch's `weight_ih_l0`.
    public var inputWeights: Parameter
    /// W_h (H × H), PyTorch's `weight_hh_l0`.
    public var hiddenWeights: Parameter
    /// b (H) = PyTorch's `bias_ih_l0 + bias_hh_l0`.
    public var bias: Parameter
    /// h₀ for the next forward pass (B × H); nil: zeros.
    public var initialState: RecurrentState?
    /// h_T of the last forward pass, to carry into the next chunk of a long sequence.
    public private(set) var finalState: RecurrentState?
    /// ∂L/∂h₀ from the last backward pass.
    public private(set) var initialStateGradient: RecurrentState?
    public var finalStateGradient: RecurrentState?
    /// ‖∂L/∂hₜ‖ for t = 1…T from the last backward pass (all of the batch), the gradient
    /// reaching each step from every later one.
    public private(set) var hiddenGradientNorms: [Double] = []
    private var cache: (x: Tensor, h: [Double], h0: [Double])?

    /// F, the size of each step's input.
    public var inputSize: Int { inputWeights.shape[1] }
    /// H, the size of the hidden state.
    public var hiddenSize: Int { hiddenWeights.shape[1] }

    /// A layer with the given W_x (H × F), W_h (H × H) and b (H); shapes that do not fit stop
    /// naming them.
    public init(inputWeights: Matrix, hiddenWeights: Matrix, bias: [Double], name: String = "") {
        let h = hiddenWeights.columns
        require(hiddenWeights.rows == h, "RNNLayer: W_h must be (H × H), got \(hiddenWeights.shapeDescription)")
        require(inputWeights.rows == h, "RNNLayer: W_x \(inputWeights.shapeDescription) needs \(h) rows, one per hidden unit")
        require(bias.count == h, "RNNLayer: \(h) hidden units need \(h) biases, got \(bias.count)")
        self.inputWeights = Parameter(name: "Wx\(name)", shape: [h, inputWeights.columns], value: inputWeights.values, decays: true)
        self.hiddenWeights = Parameter(name: "Wh\(name)", shape: [h, h], value: hiddenWeights.values, decays: true)
        self.bias = Parameter(name: "b\(name)", shape: [h], value: bias, decays: false)
    }

    /// Weights and biases uniform in ±1/√H, as PyTorch initializes `nn.RNN`.
    public init(inputs: Int, hidden: Int, using generator: inout SeededGenerator, name: String = "") {
        require(inputs > 0 && hidden > 0, "RNNLayer: sizes must be positive, got \(inputs) → \(hidden)")
        self.init(
            inputWeights: Matrix(rows: hidden, columns: inputs, values: recurrentWeights(hidden * inputs, hidden: hidden, using: &generator)),
            hiddenWeights: Matrix(rows: hidden, columns: hidden, values: recurrentWeights(hidden * hidden, hidden: hidden, using: &generator)),
            bias: recurrentWeights(hidden, hidden: hidden, using: &generator), name: name)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let (steps, batch) = expectSequence(x, features: inputSize, layer: "RNNLayer \(inputWeights.name)")
        let hs = hiddenSize, stepSize = batch * hs
        let h0 = startingState(initialState, batch: batch, hidden: hs, cell: false, layer: "RNNLayer").h
        var a = inputProjection(x, inputWeights, bias: bias.value)  // xₜ W_xᵀ + b, every step
        let hiddenT = transposedWeights(hiddenWeights)
        var h = [Double](repeating: 0, count: steps * stepSize)
        var previous = h0
        for t in 0..<steps {
            let recurrent = recurrentProduct(previous, batch: batch, hiddenT)  // hₜ₋₁ W_hᵀ
            for k in 0..<stepSize {
                a[t * stepSize + k] += recurrent[k]
                h[t * stepSize + k] = tanh(a[t * stepSize + k])
            }
            previous = Array(h[(t * stepSize)..<((t + 1) * stepSize)])
        }
        finalState = RecurrentState(hidden: Tensor(shape: [batch, hs], values: previous))
        if mode == .training { cache = (x, h, h0) }
        return Tensor(shape: [steps, batch, hs], values: h).laidOut(.timeFirst)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: cache.map { [$0.x.shape[0], $0.x.shape[1], hiddenSize] }, layer: "RNNLayer \(inputWeights.name)")
        let (x, h, h0) = cache!
        let (steps, batch, hs) = (x.shape[0], x.shape[1], hiddenSize)
        let stepSize = batch * hs
        var da = [Double](repeating: 0, count: steps * stepSize)
        // daₜ₊₁ W_h: what step t + 1 sends back to hₜ (from outside after step T)
        var next = startingState(finalStateGradient, batch: batch, hidden: hs, cell: false, layer: "RNNLayer \(inputWeights.name) final-state gradient").h
        hiddenGradientNorms = [Double](repeating: 0, count: steps)
        let hiddenMatrix = Matrix(rows: hs, columns: hs, values: hiddenWeights.value)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            var delta = [Double](repeating: 0, count: stepSize)
            for k in 0..<stepSize {
                delta[k] = outputGradient.values[t * stepSize + k] + next[k]  // δₜ = gₜ + daₜ₊₁ W_h
                let ht = h[t * stepSize + k]
                da[t * stepSize + k] = delta[k] * (1 - ht * ht)  // tanh′ from the output: 1 − hₜ²
            }
            hiddenGradientNorms[t] = norm(delta)
            next = matmul(Matrix(rows: batch, columns: hs, values: Array(da[(t * stepSize)..<((t + 1) * stepSize)])), hiddenMatrix).values
        }
        initialStateGradient = RecurrentState(hidden: Tensor(shape: [batch, hs], values: next))
        let previous = h0 + h.prefix((steps - 1) * stepSize)  // row t: hₜ₋₁
        return finishBackward(
            inputGradients: da, x: x, previous: Array(previous), inputWeights: &inputWeights, hiddenWeights: &hiddenWeights, bias: &bias)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&inputWeights)
        body(&hiddenWeights)
        body(&bias)
    }
}
