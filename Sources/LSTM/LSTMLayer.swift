import Backprop
import Foundation
import LinearAlgebra
import Perceptron
import Randomness
import Validation

/// The order of an LSTM's four gates in its stacked weights: PyTorch's [i | f | g | o].
///
/// W_x is (4H × F) and W_h (4H × H): rows 0..<H belong to the input gate i, H..<2H to the
/// forget gate f, 2H..<3H to the candidate g, 3H..<4H to the output gate o. Course
/// material often stacks them [i | f | o | g] instead (CS231n's assignment, for one);
/// ``reordered(_:from:to:hidden:)`` moves the row blocks from one order to the other.
public enum LSTMGate: Int, CaseIterable, Sendable {
    /// i = σ(…): how much of the candidate enters the cell.
    case input = 0
    /// f = σ(…): how much of the old cell is kept.
    case forget
    /// g = tanh(…): the candidate values.
    case candidate
    /// o = σ(…): how much of tanh(c) becomes the hidden state.
    case output

    /// PyTorch's order, the one ``LSTMLayer`` uses.
    public static let pytorchOrder: [LSTMGate] = [.input, .forget, .candidate, .output]
    /// The order [i | f | o | g] found in much course material.
    public static let ifogOrder: [LSTMGate] = [.input, .forget, .output, .candidate]

    /// Weights (4H rows) or a bias (4H entries) stacked gate by gate in `from` order,
    /// rearranged into `to` order: the four equal blocks change places, nothing else.
    public static func reordered(_ values: [Double], from: [LSTMGate], to: [LSTMGate], hidden: Int) -> [Double] {
        require(
            Set(from).count == 4 && Set(to).count == 4,
            "LSTMGate.reordered: each order must name the four gates once, got \(from) and \(to)")
        require(hidden > 0, "LSTMGate.reordered: the hidden size must be positive, got \(hidden)")
        require(values.count % (4 * hidden) == 0, "LSTMGate.reordered: \(values.count) numbers are not 4 blocks of \(hidden) rows")
        let block = values.count / 4
        return to.flatMap { gate in
            let position = from.firstIndex(of: gate)!
            return values[(position * block)..<((position + 1) * block)]
        }
    }
}

/// A long short-term memory layer over a sequence (T, B, F) → (T, B, H), gates in
/// PyTorch's order [i | f | g | o] (see ``LSTMGate``):
///
/// ```
/// a  = xₜ W_xᵀ + hₜ₋₁ W_hᵀ + b             (B × 4H), split into a_i a_f a_g a_o
/// i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
/// cₜ = f ⊙ cₜ₋₁ + i ⊙ g                    the cell state: kept, then written
/// hₜ = o ⊙ tanh(cₜ)                         what the layer shows
/// ```
/// Backward through time carries two gradients, δh = ∂L/∂hₜ and δc = ∂L/∂cₜ:
///
/// ```
/// δh  = gₜ + (daₜ₊₁ W_h)
/// δc  = δh ⊙ o ⊙ (1 − tanh²cₜ) + δcₜ₊₁ ⊙ fₜ₊₁      the cell's gradient is carried
/// da_o = δh ⊙ tanh(cₜ) ⊙ o(1 − o)      da_i = δc ⊙ g ⊙ i(1 − i)
/// da_f = δc ⊙ cₜ₋₁ ⊙ f(1 − f)           da_g = δc ⊙ i ⊙ (1 − g²)
/// ```
/// then the same sums over steps as every recurrent layer (W_x, W_h, b, x). Along the cell
/// the gradient is multiplied by f at each step, not by a weight matrix and a tanh′: with
/// f near 1 it travels far. That is why the forget gate's bias starts at 1 here
/// (Jozefowicz, Zaremba and Sutskever, 2015): σ(1) ≈ 0.73 keeps most of the cell from
/// the start, where a bias near 0 would halve it at every step. PyTorch draws every bias
/// uniformly in ±1/√H instead.
public struct LSTMLayer: RecurrentLayer {
    /// W_x (4H × F), PyTorch's `weight_ih_l0`.
    public var inputWeights: Parameter
    /// W_h (4H × H), PyTorch's `weight_hh_l0`.
    public var hiddenWeights: Parameter
    /// b (4H) = PyTorch's `bias_ih_l0 + bias_hh_l0`.
    public var bias: Parameter
    /// h₀ and c₀ for the next forward pass (B × H each); nil: zeros.
    public var initialState: RecurrentState?
    /// h_T and c_T of the last forward pass, to carry into the next chunk.
    public private(set) var finalState: RecurrentState?
    /// ∂L/∂h₀ and ∂L/∂c₀ from the last backward pass.
    public private(set) var initialStateGradient: RecurrentState?
    public var finalStateGradient: RecurrentState?
    /// ‖∂L/∂hₜ‖ for t = 1…T from the last backward pass.
    public private(set) var hiddenGradientNorms: [Double] = []
    private var cache: (x: Tensor, gates: [Double], c: [Double], h: [Double], h0: [Double], c0: [Double])?

    /// F, the size of each step's input.
    public var inputSize: Int { inputWeights.shape[1] }
    /// H, the size of the hidden and cell states.
    public var hiddenSize: Int { hiddenWeights.shape[1] }

    /// A layer with the given weights, stacked [i | f | g | o].
    public init(inputWeights: Matrix, hiddenWeights: Matrix, bias: [Double], name: String = "") {
        let h = hiddenWeights.columns
        require(hiddenWeights.rows == 4 * h, "LSTMLayer: W_h must be (4H × H), got \(hiddenWeights.shapeDescription)")
        require(inputWeights.rows == 4 * h, "LSTMLayer: W_x \(inputWeights.shapeDescription) needs \(4 * h) rows, 4 gates × \(h) units")
        require(bias.count == 4 * h, "LSTMLayer: 4 gates × \(h) units need \(4 * h) biases, got \(bias.count)")
        self.inputWeights = Parameter(name: "Wx\(name)", shape: [4 * h, inputWeights.columns], value: inputWeights.values, decays: true)
        self.hiddenWeights = Parameter(name: "Wh\(name)", shape: [4 * h, h], value: hiddenWeights.values, decays: true)
        self.bias = Parameter(name: "b\(name)", shape: [4 * h], value: bias, decays: false)
    }

    /// Weights uniform in ±1/√H (PyTorch's default); biases 0 except the forget gate's,
    /// `forgetBias` (1 by default; see the type's notes).
    public init(inputs: Int, hidden: Int, forgetBias: Double = 1, using generator: inout SeededGenerator, name: String = "") {
        require(inputs > 0 && hidden > 0, "LSTMLayer: sizes must be positive, got \(inputs) → \(hidden)")
        var bias = [Double](repeating: 0, count: 4 * hidden)
        for k in hidden..<(2 * hidden) { bias[k] = forgetBias }
        self.init(
            inputWeights: Matrix(rows: 4 * hidden, columns: inputs, values: recurrentWeights(4 * hidden * inputs, hidden: hidden, using: &generator)),
            hiddenWeights: Matrix(rows: 4 * hidden, columns: hidden, values: recurrentWeights(4 * hidden * hidden, hidden: hidden, using: &generator)),
            bias: bias, name: name)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let (steps, batch) = expectSequence(x, features: inputSize, layer: "LSTMLayer \(inputWeights.name)")
        let hs = hiddenSize, stepSize = batch * hs
        let (h0, c0) = startingState(initialState, batch: batch, hidden: hs, cell: true, layer: "LSTMLayer")
        var gates = inputProjection(x, inputWeights, bias: bias.value)  // xₜ W_xᵀ + b, every step; becomes i f g o
        let hiddenT = transposedWeights(hiddenWeights)
        var c = [Double](repeating: 0, count: steps * stepSize), h = c
        var (previousH, previousC) = (h0, c0)
        for t in 0..<steps {
            let recurrent = recurrentProduct(previousH, batch: batch, hiddenT)  // hₜ₋₁ W_hᵀ, (B × 4H)
            for n in 0..<batch {
                let row = (t * batch + n) * 4 * hs  // this sample's 4H gate values at step t
                for k in 0..<hs {
                    let i = sigmoid(gates[row + k] + recurrent[n * 4 * hs + k])
                    let f = sigmoid(gates[row + hs + k] + recurrent[n * 4 * hs + hs + k])
                    let g = tanh(gates[row + 2 * hs + k] + recurrent[n * 4 * hs + 2 * hs + k])
                    let o = sigmoid(gates[row + 3 * hs + k] + recurrent[n * 4 * hs + 3 * hs + k])
                    (gates[row + k], gates[row + hs + k], gates[row + 2 * hs + k], gates[row + 3 * hs + k]) = (i, f, g, o)
                    let cell = f * previousC[n * hs + k] + i * g
                    c[t * stepSize + n * hs + k] = cell
                    h[t * stepSize + n * hs + k] = o * tanh(cell)
                }
            }
            previousH = Array(h[(t * stepSize)..<((t + 1) * stepSize)])
            previousC = Array(c[(t * stepSize)..<((t + 1) * stepSize)])
        }
        finalState = RecurrentState(hidden: Tensor(shape: [batch, hs], values: previousH), cell: Tensor(shape: [batch, hs], values: previousC))
        if mode == .training { cache = (x, gates, c, h, h0, c0) }
        return Tensor(shape: [steps, batch, hs], values: h).laidOut(.timeFirst)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: cache.map { [$0.x.shape[0], $0.x.shape[1], hiddenSize] }, layer: "LSTMLayer \(inputWeights.name)")
        let (x, gates, c, h, h0, c0) = cache!
        let (steps, batch, hs) = (x.shape[0], x.shape[1], hiddenSize)
        let stepSize = batch * hs
        var da = [Double](repeating: 0, count: steps * 4 * stepSize)
        // daₜ₊₁ W_h and δcₜ₊₁ ⊙ fₜ₊₁; after step T, the final state's gradient from outside
        var (nextH, nextC) = startingState(
            finalStateGradient, batch: batch, hidden: hs, cell: true, layer: "LSTMLayer \(inputWeights.name) final-state gradient")
        hiddenGradientNorms = [Double](repeating: 0, count: steps)
        let hiddenMatrix = Matrix(rows: 4 * hs, columns: hs, values: hiddenWeights.value)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            var normSquared = 0.0
            for n in 0..<batch {
                let row = (t * batch + n) * 4 * hs
                for k in 0..<hs {
                    let at = t * stepSize + n * hs + k
                    let (i, f, g, o) = (gates[row + k], gates[row + hs + k], gates[row + 2 * hs + k], gates[row + 3 * hs + k])
                    let tanhC = tanh(c[at])
                    let previousC = t > 0 ? c[at - stepSize] : c0[n * hs + k]
                    let deltaH = outputGradient.values[at] + nextH[n * hs + k]
                    normSquared += deltaH * deltaH
                    let deltaC = deltaH * o * (1 - tanhC * tanhC) + nextC[n * hs + k]
                    da[row + k] = deltaC * g * i * (1 - i)
                    da[row + hs + k] = deltaC * previousC * f * (1 - f)
                    da[row + 2 * hs + k] = deltaC * i * (1 - g * g)
                    da[row + 3 * hs + k] = deltaH * tanhC * o * (1 - o)
                    nextC[n * hs + k] = deltaC * f
                }
            }
            hiddenGradientNorms[t] = normSquared.squareRoot()
            let stepGates = Matrix(rows: batch, columns: 4 * hs, values: Array(da[(t * 4 * stepSize)..<((t + 1) * 4 * stepSize)]))
            nextH = matmul(stepGates, hiddenMatrix).values
        }
        initialStateGradient = RecurrentState(
            hidden: Tensor(shape: [batch, hs], values: nextH), cell: Tensor(shape: [batch, hs], values: nextC))
        let previous = h0 + h.prefix((steps - 1) * stepSize)
        return finishBackward(
            inputGradients: da, x: x, previous: Array(previous), inputWeights: &inputWeights, hiddenWeights: &hiddenWeights, bias: &bias)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&inputWeights)
        body(&hiddenWeights)
        body(&bias)
    }
}
