import Backprop
import Foundation
import LinearAlgebra
import Perceptron
import Randomness
import Validation

/// A gated recurrent unit layer over a sequence (T, B, F) → (T, B, H), PyTorch's
/// convention, gates stacked [r | z | n]:
///
/// ```
/// r  = σ(xₜ W_xrᵀ + b_xr + hₜ₋₁ W_hrᵀ + b_hr)            reset gate
/// z  = σ(xₜ W_xzᵀ + b_xz + hₜ₋₁ W_hzᵀ + b_hz)            update gate
/// n  = tanh(xₜ W_xnᵀ + b_xn + r ⊙ (hₜ₋₁ W_hnᵀ + b_hn))   candidate
/// hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁
/// ```
/// The reset gate multiplies the hidden part *after* its product with W_hn, as in PyTorch
/// and cuDNN. The original paper (Cho et al., 2014) resets the state first,
/// n = tanh(x W_xnᵀ + (r ⊙ hₜ₋₁) W_hnᵀ + b); the two are different functions, so weights
/// only carry over within one convention. This one keeps both biases (b_x and b_h are
/// PyTorch's `bias_ih_l0` and `bias_hh_l0`): b_hn sits inside the reset.
///
/// Backward, with δh = ∂L/∂hₜ (gₜ plus what step t + 1 sends back) and m = hₜ₋₁ W_hnᵀ + b_hn:
///
/// ```
/// da_n = δh ⊙ (1 − z) ⊙ (1 − n²)
/// da_z = δh ⊙ (hₜ₋₁ − n) ⊙ z(1 − z)
/// da_r = da_n ⊙ m ⊙ r(1 − r)
/// input part  [da_r | da_z | da_n]       → ∂L/∂W_x, ∂L/∂b_x, ∂L/∂xₜ
/// hidden part [da_r | da_z | da_n ⊙ r]   → ∂L/∂W_h, ∂L/∂b_h, and (· W_h) to hₜ₋₁
/// ∂L/∂hₜ₋₁ = δh ⊙ z + [hidden part] W_h
/// ```
public struct GRULayer: RecurrentLayer {
    /// W_x (3H × F), PyTorch's `weight_ih_l0`.
    public var inputWeights: Parameter
    /// W_h (3H × H), PyTorch's `weight_hh_l0`.
    public var hiddenWeights: Parameter
    /// b_x (3H), PyTorch's `bias_ih_l0`.
    public var inputBias: Parameter
    /// b_h (3H), PyTorch's `bias_hh_l0`.
    public var hiddenBias: Parameter
    /// h₀ for the next forward pass (B × H); nil: zeros.
    public var initialState: RecurrentState?
    /// h_T of the last forward pass.
    public private(set) var finalState: RecurrentState?
    /// ∂L/∂h₀ from the last backward pass.
    public private(set) var initialStateGradient: RecurrentState?
    public var finalStateGradient: RecurrentState?
    /// ‖∂L/∂hₜ‖ for t = 1…T from the last backward pass.
    public private(set) var hiddenGradientNorms: [Double] = []
    /// The gates r z n after their activations, m = h W_hnᵀ + b_hn, and every h.
    private var cache: (x: Tensor, gates: [Double], m: [Double], h: [Double], h0: [Double])?

    /// F, the size of each step's input.
    public var inputSize: Int { inputWeights.shape[1] }
    /// H, the size of the hidden state.
    public var hiddenSize: Int { hiddenWeights.shape[1] }

    /// A layer with the given W_x (3H × F), W_h (3H × H), b_x and b_h (3H each), gates
    /// stacked [r | z | n]; shapes that do not fit stop naming them.
    public init(inputWeights: Matrix, hiddenWeights: Matrix, inputBias: [Double], hiddenBias: [Double], name: String = "") {
        let h = hiddenWeights.columns
        require(hiddenWeights.rows == 3 * h, "GRULayer: W_h must be (3H × H), got \(hiddenWeights.shapeDescription)")
        require(inputWeights.rows == 3 * h, "GRULayer: W_x \(inputWeights.shapeDescription) needs \(3 * h) rows, 3 gates × \(h) units")
        require(
            inputBias.count == 3 * h && hiddenBias.count == 3 * h,
            "GRULayer: 3 gates × \(h) units need \(3 * h) biases each, got \(inputBias.count) and \(hiddenBias.count)")
        self.inputWeights = Parameter(name: "Wx\(name)", shape: [3 * h, inputWeights.columns], value: inputWeights.values, decays: true)
        self.hiddenWeights = Parameter(name: "Wh\(name)", shape: [3 * h, h], value: hiddenWeights.values, decays: true)
        self.inputBias = Parameter(name: "bx\(name)", shape: [3 * h], value: inputBias, decays: false)
        self.hiddenBias = Parameter(name: "bh\(name)", shape: [3 * h], value: hiddenBias, decays: false)
    }

    /// Weights and biases uniform in ±1/√H, as PyTorch initializes `nn.GRU`.
    public init(inputs: Int, hidden: Int, using generator: inout SeededGenerator, name: String = "") {
        require(inputs > 0 && hidden > 0, "GRULayer: sizes must be positive, got \(inputs) → \(hidden)")
        self.init(
            inputWeights: Matrix(rows: 3 * hidden, columns: inputs, values: recurrentWeights(3 * hidden * inputs, hidden: hidden, using: &generator)),
            hiddenWeights: Matrix(rows: 3 * hidden, columns: hidden, values: recurrentWeights(3 * hidden * hidden, hidden: hidden, using: &generator)),
            inputBias: recurrentWeights(3 * hidden, hidden: hidden, using: &generator),
            hiddenBias: recurrentWeights(3 * hidden, hidden: hidden, using: &generator), name: name)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let (steps, batch) = expectSequence(x, features: inputSize, layer: "GRULayer \(inputWeights.name)")
        let hs = hiddenSize, stepSize = batch * hs
        let h0 = startingState(initialState, batch: batch, hidden: hs, cell: false, layer: "GRULayer").h
        var gates = inputProjection(x, inputWeights, bias: inputBias.value)  // xₜ W_xᵀ + b_x; becomes r z n
        let hiddenT = transposedWeights(hiddenWeights), bh = hiddenBias.value
        var m = [Double](repeating: 0, count: steps * stepSize), h = m
        var previous = h0
        for t in 0..<steps {
            let recurrent = recurrentProduct(previous, batch: batch, hiddenT)  // hₜ₋₁ W_hᵀ, (B × 3H)
            for n in 0..<batch {
                let row = (t * batch + n) * 3 * hs, hiddenRow = n * 3 * hs
                for k in 0..<hs {
                    let r = sigmoid(gates[row + k] + recurrent[hiddenRow + k] + bh[k])
                    let z = sigmoid(gates[row + hs + k] + recurrent[hiddenRow + hs + k] + bh[hs + k])
                    let reset = recurrent[hiddenRow + 2 * hs + k] + bh[2 * hs + k]  // m = hₜ₋₁ W_hnᵀ + b_hn
                    let candidate = tanh(gates[row + 2 * hs + k] + r * reset)
                    (gates[row + k], gates[row + hs + k], gates[row + 2 * hs + k]) = (r, z, candidate)
                    m[t * stepSize + n * hs + k] = reset
                    h[t * stepSize + n * hs + k] = (1 - z) * candidate + z * previous[n * hs + k]
                }
            }
            previous = Array(h[(t * stepSize)..<((t + 1) * stepSize)])
        }
        finalState = RecurrentState(hidden: Tensor(shape: [batch, hs], values: previous))
        if mode == .training { cache = (x, gates, m, h, h0) }
        return Tensor(shape: [steps, batch, hs], values: h).laidOut(.timeFirst)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: cache.map { [$0.x.shape[0], $0.x.shape[1], hiddenSize] }, layer: "GRULayer \(inputWeights.name)")
        let (x, gates, m, h, h0) = cache!
        let (steps, batch, hs) = (x.shape[0], x.shape[1], hiddenSize)
        let stepSize = batch * hs
        var daInput = [Double](repeating: 0, count: steps * 3 * stepSize), daHidden = daInput
        // what step t + 1 sends back to hₜ
        var next = startingState(finalStateGradient, batch: batch, hidden: hs, cell: false, layer: "GRULayer \(inputWeights.name) final-state gradient").h
        hiddenGradientNorms = [Double](repeating: 0, count: steps)
        let hiddenMatrix = Matrix(rows: 3 * hs, columns: hs, values: hiddenWeights.value)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            var direct = [Double](repeating: 0, count: stepSize)  // δh ⊙ z: straight to hₜ₋₁
            var normSquared = 0.0
            for n in 0..<batch {
                let row = (t * batch + n) * 3 * hs
                for k in 0..<hs {
                    let at = t * stepSize + n * hs + k
                    let (r, z, candidate) = (gates[row + k], gates[row + hs + k], gates[row + 2 * hs + k])
                    let previous = t > 0 ? h[at - stepSize] : h0[n * hs + k]
                    let deltaH = outputGradient.values[at] + next[n * hs + k]
                    normSquared += deltaH * deltaH
                    let daN = deltaH * (1 - z) * (1 - candidate * candidate)
                    let daZ = deltaH * (previous - candidate) * z * (1 - z)
                    let daR = daN * m[at] * r * (1 - r)
                    (daInput[row + k], daInput[row + hs + k], daInput[row + 2 * hs + k]) = (daR, daZ, daN)
                    (daHidden[row + k], daHidden[row + hs + k], daHidden[row + 2 * hs + k]) = (daR, daZ, daN * r)
                    direct[n * hs + k] = deltaH * z
                }
            }
            hiddenGradientNorms[t] = normSquared.squareRoot()
            let stepGates = Matrix(rows: batch, columns: 3 * hs, values: Array(daHidden[(t * 3 * stepSize)..<((t + 1) * 3 * stepSize)]))
            let throughWeights = matmul(stepGates, hiddenMatrix).values
            for k in 0..<stepSize { next[k] = direct[k] + throughWeights[k] }
        }
        initialStateGradient = RecurrentState(hidden: Tensor(shape: [batch, hs], values: next))
        for r in 0..<(steps * batch) {
            for k in 0..<(3 * hs) { hiddenBias.gradient[k] += daHidden[r * 3 * hs + k] }
        }
        let previous = h0 + h.prefix((steps - 1) * stepSize)
        return finishBackward(
            inputGradients: daInput, hiddenGradients: daHidden, x: x, previous: Array(previous), inputWeights: &inputWeights,
            hiddenWeights: &hiddenWeights, bias: &inputBias)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&inputWeights)
        body(&hiddenWeights)
        body(&inputBias)
        body(&hiddenBias)
    }
}

// MARK: - The other way of writing the update

extension GRULayer {
    /// This layer written in the other convention for the update gate.
    ///
    /// PyTorch (and this chapter) write hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁: z keeps the old state.
    /// Cho et al. (2014), Keras's documentation and the seeds write hₜ = (1 − z′) ⊙ hₜ₋₁ +
    /// z′ ⊙ n: z′ takes the new one. They are the same model with z′ = 1 − z, and since
    /// 1 − σ(a) = σ(−a), that is the update gate's rows of both weight matrices and both
    /// biases negated. This returns those weights; run them with ``forwardUpdateTakesNew(_:)``.
    public var updateGateFlipped: GRULayer {
        var flipped = self
        let (h, d) = (hiddenSize, inputSize)
        for i in (h * d)..<(2 * h * d) { flipped.inputWeights.value[i].negate() }
        for i in (h * h)..<(2 * h * h) { flipped.hiddenWeights.value[i].negate() }
        for i in h..<(2 * h) {
            flipped.inputBias.value[i].negate()
            flipped.hiddenBias.value[i].negate()
        }
        return flipped
    }

    /// The states of one sequence (one sample, from h₀ = 0) under the seeds' update,
    /// hₜ = (1 − z′) ⊙ hₜ₋₁ + z′ ⊙ n, with the gates computed as in ``forward(_:mode:)``.
    /// Written one step at a time: a reference for the convention, not a layer.
    public func forwardUpdateTakesNew(_ sequence: [[Double]]) -> [[Double]] {
        let (h, d) = (hiddenSize, inputSize)
        require(sequence.allSatisfy { $0.count == d }, "GRULayer.forwardUpdateTakesNew: every step needs \(d) inputs")
        func σ(_ a: Double) -> Double { 1 / (1 + exp(-a)) }
        let (wx, wh, bx, bh) = (inputWeights.value, hiddenWeights.value, inputBias.value, hiddenBias.value)
        var state = [Double](repeating: 0, count: h)
        var states: [[Double]] = []
        for x in sequence {
            func input(_ row: Int) -> Double { (0..<d).reduce(bx[row]) { $0 + wx[row * d + $1] * x[$1] } }
            func hidden(_ row: Int) -> Double { (0..<h).reduce(bh[row]) { $0 + wh[row * h + $1] * state[$1] } }
            state = (0..<h).map { k in
                let r = σ(input(k) + hidden(k))
                let zTakesNew = σ(input(h + k) + hidden(h + k))
                let candidate = tanh(input(2 * h + k) + r * hidden(2 * h + k))
                return (1 - zTakesNew) * state[k] + zTakesNew * candidate
            }
            states.append(state)
        }
        return states
    }
}
