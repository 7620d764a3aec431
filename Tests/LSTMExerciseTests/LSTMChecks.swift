import Activations
import Backprop
import ExerciseSupport
import Foundation
import LSTM
import LinearAlgebra
import NumericChecks
import Randomness

/// The checks of Chapter 7's exercises: one-sample steps compared with this chapter's
/// layers (RNNLayer, LSTMLayer, GRULayer, Embedding, themselves tested against PyTorch)
/// run for one step of a batch of one; backward passes also against central differences;
/// hints computed from the usual slips: tanh′ taken of the wrong value, the gradient
/// through hₜ₋₁ dropped, the cell state's gradient not carried, the gates in another
/// order, the GRU's reset in the paper's place.
enum LSTMChecks {
    static let seed: UInt64 = 1997  // Hochreiter and Schmidhuber's LSTM

    /// One step's sizes and numbers: input x (F), previous state h (H), and for an LSTM the
    /// previous cell c (H); weights for G gates, W_x (G·H × F), W_h (G·H × H), biases (G·H).
    struct Case {
        var x: [Double], h: [Double], c: [Double]
        var wx: [Double], wh: [Double], bx: [Double], bh: [Double]
        var hidden: Int { h.count }
        var features: Int { x.count }
        var description: String {
            "x \(shortList(x)), hPrevious \(shortList(h)), cPrevious \(shortList(c)), inputWeights \(shortList(wx)), "
                + "hiddenWeights \(shortList(wh)), bias \(shortList(bx))" + (bh.isEmpty ? "" : ", hiddenBias \(shortList(bh))")
        }
        /// A one-step sequence (1, 1, F) and a state (1, H).
        var sequence: Tensor { Tensor(shape: [1, 1, features], values: x) }
        func state(_ values: [Double]) -> Tensor { Tensor(shape: [1, hidden], values: values) }
        func matrix(_ values: [Double], columns: Int) -> Matrix { Matrix(rows: values.count / columns, columns: columns, values: values) }
        var rnn: RNNLayer {
            var layer = RNNLayer(inputWeights: matrix(wx, columns: features), hiddenWeights: matrix(wh, columns: hidden), bias: bx)
            layer.initialState = RecurrentState(hidden: state(h))
            return layer
        }
        var lstm: LSTMLayer {
            var layer = LSTMLayer(inputWeights: matrix(wx, columns: features), hiddenWeights: matrix(wh, columns: hidden), bias: bx)
            layer.initialState = RecurrentState(hidden: state(h), cell: state(c))
            return layer
        }
        var gru: GRULayer {
            var layer = GRULayer(inputWeights: matrix(wx, columns: features), hiddenWeights: matrix(wh, columns: hidden), inputBias: bx, hiddenBias: bh)
            layer.initialState = RecurrentState(hidden: state(h))
            return layer
        }
    }

    /// The exercise files' worked example (its own sizes), then random sizes (F, H) with
    /// F ≠ H, so that a transposed weight matrix cannot go unnoticed; the last case has
    /// inputs, weights and a cell state well outside ±1 (saturated gates, |c| up to 6, gate
    /// inputs past ±709, where σ written as exp(z) / (1 + exp(z)) gives ∞/∞ = NaN).
    static func cases(gates: Int, example: Case) -> [Case] {
        var rng = SeededGenerator(seed: seed + UInt64(gates))
        var list = [example]
        for (f, h, scale) in [(3, 2, 1.0), (2, 4, 1.0), (5, 3, 1.0), (4, 3, 6.0)] {
            let wide = scale > 1 ? 300.0 : 1.0  // the input weights' scale in the wide case
            list.append(
                Case(
                    x: rng.uniforms(f, in: -scale..<scale), h: rng.uniforms(h, in: -1..<1),
                    c: gates == 4 ? rng.uniforms(h, in: -scale..<scale) : [],
                    wx: rng.uniforms(gates * h * f, in: -wide..<wide), wh: rng.uniforms(gates * h * h, in: -1..<1),
                    bx: rng.uniforms(gates * h, in: -0.5 * scale..<0.5 * scale),
                    bh: gates == 3 ? rng.uniforms(gates * h, in: -0.5 * scale..<0.5 * scale) : []))
        }
        return list
    }

    static func σ(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// M v for a (rows × v.count) row-major M; with `transposed`, Mᵀ v for a (v.count × columns) M.
    static func product(_ m: [Double], _ v: [Double], transposed: Bool = false) -> [Double] {
        let matrix = Matrix(rows: transposed ? v.count : m.count / v.count, columns: transposed ? m.count / v.count : v.count, values: m)
        return matvec(transposed ? matrix.transposed : matrix, v)
    }

    /// a bᵀ, row-major.
    static func outer(_ a: [Double], _ b: [Double]) -> [Double] { a.flatMap { x in b.map { x * $0 } } }

    // MARK: 7.1

    static let rnnExample = Case(x: [1], h: [0, 0], c: [], wx: [1, 0.5], wh: [0.3, -0.2, 0.1, 0.4], bx: [0, 0], bh: [])

    static func rnnStep(_ answer: ([Double], [Double], [Double], [Double], [Double]) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            for c in cases(gates: 1, example: rnnExample) {
                let actual = try answer(c.x, c.h, c.wx, c.wh, c.bx)
                let expected = c.rnn.predict(c.sequence).values
                let a = zip(zip(product(c.wx, c.x), product(c.wh, c.h)), c.bx).map { $0.0 + $0.1 + $1 }
                // W_x read as if it were F × H: element (i, j) taken from j·H + i
                let recurrent = product(c.wh, c.h)
                var transposed = [Double](repeating: 0, count: c.hidden)
                for i in 0..<c.hidden {
                    var sum = recurrent[i] + c.bx[i]
                    for j in 0..<c.features { sum += c.wx[j * c.hidden + i] * c.x[j] }
                    transposed[i] = tanh(sum)
                }
                let transposedWx: [Double]? = c.features == c.hidden ? nil : transposed
                try check.expect(
                    actual, equals: expected, input: c.description,
                    hints: [
                        Hint(ifActual: a, "apply tanh to the sum: hₜ = tanh(a)"),
                        Hint(ifActual: zip(product(c.wx, c.x), c.bx).map { tanh($0 + $1) }, "the previous state is missing: add W_h hₜ₋₁"),
                        Hint(ifActual: zip(product(c.wx, c.x), product(c.wh, c.h)).map { tanh($0 + $1) }, "add the bias b"),
                    ] + (transposedWx.map { [Hint(ifActual: $0, "W_x is H × F: row i starts at i·F (x.count), not i·H")] } ?? []),
                    otherwise: "hₜ[i] = tanh(Σ_j W_x[i, j] x[j] + Σ_k W_h[i, k] hₜ₋₁[k] + b[i])")
            }
        }
    }

    // MARK: 7.2

    typealias RNNStepGradients = (input: [Double], hPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double])

    /// The step's gradients from the RNN layer: L = Σ δ ⊙ h over one step.
    static func rnnStepGradients(_ c: Case, _ delta: [Double]) -> RNNStepGradients {
        var layer = c.rnn
        _ = layer.forward(c.sequence, mode: .training)
        let dx = layer.backward(Tensor(shape: [1, 1, c.hidden], values: delta))
        return (dx.values, layer.initialStateGradient!.hidden.values, layer.inputWeights.gradient, layer.hiddenWeights.gradient, layer.bias.gradient)
    }

    static func rnnStepBackward(_ answer: ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> RNNStepGradients) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 12)
        return runCheck { check in
            for c in cases(gates: 1, example: Case(x: [1], h: [0], c: [], wx: [1], wh: [2], bx: [0], bh: [])) {
                let h = c.rnn.predict(c.sequence).values
                let delta = c.features == 1 && c.hidden == 1 ? [1.0] : rng.uniforms(c.hidden, in: -1..<1)
                let input = c.description + ", h \(shortList(h)), hGradient \(shortList(delta))"
                let actual = try answer(c.x, c.h, h, delta, c.wx, c.wh)
                let expected = rnnStepGradients(c, delta)
                let tanhOfOutput = zip(delta, h).map { $0 * (1 - tanh($1) * tanh($1)) }  // tanh′ taken of h itself
                let noDerivative = delta
                let derivativeHints = [
                    Hint(ifActual: tanhOfOutput, "tanh′ taken of the wrong value: h is already tanh(a), so tanh′(a) = 1 − h², not 1 − tanh(h)²"),
                    Hint(ifActual: noDerivative, "multiply by tanh′(a) = 1 − h² first: da = δ ⊙ (1 − h²)"),
                ]
                try check.expect(actual.bias, equals: expected.bias, input: input, hints: derivativeHints, otherwise: "∂L/∂b = da = δ ⊙ (1 − h²)")
                try check.expect(actual.inputWeights, equals: expected.inputWeights, input: input, otherwise: "∂L/∂W_x[i, j] = da[i] · x[j]")
                try check.expect(actual.hiddenWeights, equals: expected.hiddenWeights, input: input, otherwise: "∂L/∂W_h[i, k] = da[i] · hₜ₋₁[k]")
                try check.expect(actual.input, equals: expected.input, input: input, otherwise: "∂L/∂x = W_xᵀ da: ∂L/∂x[j] = Σ_i W_x[i, j] da[i]")
                let untransposed = product(c.wh, expected.bias)  // W_h da instead of W_hᵀ da
                try check.expect(
                    actual.hPrevious, equals: expected.hPrevious, input: input,
                    hints: [Hint(ifActual: untransposed, "∂L/∂hₜ₋₁ = W_hᵀ da (the transpose): Σ_i W_h[i, k] da[i]")],
                    otherwise: "∂L/∂hₜ₋₁ = W_hᵀ da")
                try check.expectGradient("∂L/∂W_x", at: c.wx, analytic: actual.inputWeights, input: input) { wx in
                    var moved = c
                    moved.wx = wx
                    return zip(delta, moved.rnn.predict(moved.sequence).values).map { $0 * $1 }.reduce(0, +)
                }
            }
        }
    }

    // MARK: 7.3

    /// A sequence for BPTT: xs, the outputs from h₀, and each step's loss gradient.
    struct Sequence {
        var step: Case
        var xs: [[Double]], hs: [[Double]], gradients: [[Double]]
        var tensor: Tensor { Tensor(shape: [xs.count, 1, step.features], values: xs.flatMap { $0 }) }
        var description: String {
            "xs \(shortList(xs.flatMap { $0 })) (\(xs.count) steps), h0 \(shortList(step.h)), outputGradients \(shortList(gradients.flatMap { $0 })), "
                + "inputWeights \(shortList(step.wx)), hiddenWeights \(shortList(step.wh)), bias \(shortList(step.bx))"
        }
    }

    static func sequences() -> [Sequence] {
        var rng = SeededGenerator(seed: seed + 13)
        var list: [Sequence] = []
        let example = Case(x: [1], h: [0], c: [], wx: [1], wh: [0.5], bx: [0], bh: [])
        for (k, c) in ([example] + cases(gates: 1, example: example).dropFirst()).enumerated() {
            let steps = k == 0 ? 2 : 4 + k
            let xs = k == 0 ? [[1.0], [0.0]] : (0..<steps).map { _ in rng.uniforms(c.features, in: -1..<1) }
            let gradients = k == 0 ? [[0.0], [1.0]] : (0..<steps).map { _ in rng.uniforms(c.hidden, in: -1..<1) }
            var s = Sequence(step: c, xs: xs, hs: [], gradients: gradients)
            let out = c.rnn.predict(s.tensor).values
            s.hs = (0..<steps).map { Array(out[($0 * c.hidden)..<(($0 + 1) * c.hidden)]) }
            list.append(s)
        }
        return list
    }

    typealias BPTTGradients = (inputWeights: [Double], hiddenWeights: [Double], bias: [Double], h0: [Double])

    /// Every step's gradients taken alone, as if hₜ₋₁ were a constant: the recurrence dropped.
    static func truncated(_ s: Sequence) -> BPTTGradients {
        var sums: BPTTGradients = (
            [Double](repeating: 0, count: s.step.wx.count), [Double](repeating: 0, count: s.step.wh.count), [Double](repeating: 0, count: s.step.hidden), []
        )
        for t in s.xs.indices {
            var c = s.step
            c.x = s.xs[t]
            if t > 0 { c.h = s.hs[t - 1] }
            let g = rnnStepGradients(c, s.gradients[t])
            sums.inputWeights = zip(sums.inputWeights, g.inputWeights).map(+)
            sums.hiddenWeights = zip(sums.hiddenWeights, g.hiddenWeights).map(+)
            sums.bias = zip(sums.bias, g.bias).map(+)
            if t == 0 { sums.h0 = g.hPrevious }
        }
        return sums
    }

    static func backwardThroughTime(_ answer: ([[Double]], [[Double]], [Double], [[Double]], [Double], [Double]) throws -> BPTTGradients) -> CheckOutcome {
        runCheck { check in
            for s in sequences() {
                let actual = try answer(s.xs, s.hs, s.step.h, s.gradients, s.step.wx, s.step.wh)
                var layer = s.step.rnn
                _ = layer.forward(s.tensor, mode: .training)
                _ = layer.backward(Tensor(shape: [s.xs.count, 1, s.step.hidden], values: s.gradients.flatMap { $0 }))
                let dropped = truncated(s)
                let hint = "the gradient through hₜ₋₁ is dropped: δₜ = gₜ + W_hᵀ daₜ₊₁, walking from the last step back"
                try check.expect(
                    actual.bias, equals: layer.bias.gradient, input: s.description, hints: [Hint(ifActual: dropped.bias, hint)], otherwise: "∂L/∂b = Σₜ daₜ")
                try check.expect(
                    actual.inputWeights, equals: layer.inputWeights.gradient, input: s.description, hints: [Hint(ifActual: dropped.inputWeights, hint)],
                    otherwise: "∂L/∂W_x = Σₜ daₜ xₜᵀ")
                try check.expect(
                    actual.hiddenWeights, equals: layer.hiddenWeights.gradient, input: s.description, hints: [Hint(ifActual: dropped.hiddenWeights, hint)],
                    otherwise: "∂L/∂W_h = Σₜ daₜ hₜ₋₁ᵀ, with h₀ for the first step")
                try check.expect(
                    actual.h0, equals: layer.initialStateGradient!.hidden.values, input: s.description, hints: [Hint(ifActual: dropped.h0, hint)],
                    otherwise: "∂L/∂h₀ = W_hᵀ da₁, what the first step sends back")
            }
        }
    }

    // MARK: 7.4

    static let lstmExample = Case(x: [1], h: [0], c: [1], wx: [0, 0, 0, 0], wh: [0, 0, 0, 0], bx: [0, 0, 1, 0], bh: [])

    /// The slips of an LSTM step.
    enum LSTMSlip { case none, gatesIFOG, noTanhOnCell, sigmoidCandidate, overflowingSigmoid }

    /// One LSTM step as the formulas read, or with a slip.
    static func lstmStep(_ c: Case, _ slip: LSTMSlip = .none) -> (h: [Double], c: [Double], a: [Double]) {
        let n = c.hidden
        let a = zip(zip(product(c.wx, c.x), product(c.wh, c.h)), c.bx).map { $0.0 + $0.1 + $1 }
        var h = [Double](repeating: 0, count: n), cell = h
        for k in 0..<n {
            // [i | f | o | g] read where PyTorch's order has [i | f | g | o]
            let (gRow, oRow) = slip == .gatesIFOG ? (3 * n + k, 2 * n + k) : (2 * n + k, 3 * n + k)
            // exp(z) / (1 + exp(z)): σ on paper, ∞/∞ = NaN past z ≈ 709
            func gate(_ z: Double) -> Double { slip == .overflowingSigmoid ? exp(z) / (1 + exp(z)) : σ(z) }
            let (i, f, o) = (gate(a[k]), gate(a[n + k]), gate(a[oRow]))
            let g = slip == .sigmoidCandidate ? gate(a[gRow]) : tanh(a[gRow])
            cell[k] = f * c.c[k] + i * g
            h[k] = o * (slip == .noTanhOnCell ? cell[k] : tanh(cell[k]))
        }
        return (h, cell, a)
    }

    static func lstmStep(_ answer: ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> (h: [Double], c: [Double])) -> CheckOutcome {
        runCheck { check in
            for c in cases(gates: 4, example: lstmExample) {
                let actual = try answer(c.x, c.h, c.c, c.wx, c.wh, c.bx)
                var layer = c.lstm
                let h = layer.forward(c.sequence, mode: .inference).values
                let cell = layer.finalState!.cell!.values
                let hints = [
                    Hint(
                        ifActual: lstmStep(c, .gatesIFOG).h,
                        "the gate order: this chapter stacks [i | f | g | o] (PyTorch's), so g is the third block and o the fourth"),
                    Hint(ifActual: lstmStep(c, .noTanhOnCell).h, "hₜ = o ⊙ tanh(cₜ): the cell goes through tanh before the output gate"),
                    Hint(ifActual: lstmStep(c, .sigmoidCandidate).h, "the candidate g uses tanh, not σ: it can be negative"),
                ]
                // The cell's own predictions for the slips that change it (the missing tanh changes only h).
                let cellHints = [
                    Hint(ifActual: lstmStep(c, .gatesIFOG).1, hints[0].message), Hint(ifActual: lstmStep(c, .sigmoidCandidate).1, hints[2].message),
                ]
                let overflow = (actual.c + actual.h).contains { !$0.isFinite }
                let nanHelp = "NaN or ∞ from finite inputs: an exp overflowed (past z ≈ 709); σ(z) = 1 / (1 + exp(−z)) stays finite"
                try check.expect(
                    actual.c, equals: cell, input: c.description, hints: cellHints, otherwise: overflow ? nanHelp : "cₜ = f ⊙ cₜ₋₁ + i ⊙ g")
                try check.expect(actual.h, equals: h, input: c.description, hints: hints, otherwise: overflow ? nanHelp : "hₜ = o ⊙ tanh(cₜ)")
            }
        }
    }

    // MARK: 7.5

    typealias LSTMStepGradients = (input: [Double], hPrevious: [Double], cPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double])

    /// The step's gradients by the formulas; `carried: false` drops δc_next (the slip);
    /// `wrongTanh` takes tanh′ as 1 − c² instead of 1 − tanh²c; `withoutForget` sends δc to
    /// cₜ₋₁ without the × f.
    static func lstmBackward(
        _ c: Case, _ dh: [Double], _ dcNext: [Double], carried: Bool = true, wrongTanh: Bool = false, withoutForget: Bool = false
    ) -> LSTMStepGradients {
        let n = c.hidden
        let (_, cell, a) = lstmStep(c)
        var da = [Double](repeating: 0, count: 4 * n), dcPrevious = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let (i, f, g, o) = (σ(a[k]), σ(a[n + k]), tanh(a[2 * n + k]), σ(a[3 * n + k]))
            let t = tanh(cell[k])
            let derivative = wrongTanh ? 1 - cell[k] * cell[k] : 1 - t * t
            let dc = dh[k] * o * derivative + (carried ? dcNext[k] : 0)
            (da[k], da[n + k], da[2 * n + k], da[3 * n + k]) = (dc * g * i * (1 - i), dc * c.c[k] * f * (1 - f), dc * i * (1 - g * g), dh[k] * t * o * (1 - o))
            dcPrevious[k] = withoutForget ? dc : dc * f
        }
        return (product(c.wx, da, transposed: true), product(c.wh, da, transposed: true), dcPrevious, outer(da, c.x), outer(da, c.h), da)
    }

    static func lstmStepBackward(
        _ answer: ([Double], [Double], [Double], [Double], [Double], [Double], [Double], [Double]) throws -> LSTMStepGradients
    ) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 15)
        return runCheck { check in
            for (k, c) in cases(gates: 4, example: lstmExample).enumerated() {
                let dh = k == 0 ? [1.0] : rng.uniforms(c.hidden, in: -1..<1)
                let dcNext = k == 0 ? [0.0] : rng.uniforms(c.hidden, in: -1..<1)
                let input = c.description + ", hGradient \(shortList(dh)), cGradient \(shortList(dcNext))"
                let actual = try answer(c.x, c.h, c.c, c.wx, c.wh, c.bx, dh, dcNext)
                let expected = lstmBackward(c, dh, dcNext)
                let notCarried = lstmBackward(c, dh, dcNext, carried: false), wrongTanh = lstmBackward(c, dh, dcNext, wrongTanh: true)
                let noForget = lstmBackward(c, dh, dcNext, withoutForget: true)
                let carriedHint = "the cell state's gradient is not carried: δc = δh ⊙ o ⊙ (1 − tanh²cₜ) + δc_next"
                let tanhHint = "tanh′ taken of the wrong value: the derivative of tanh(cₜ) is 1 − tanh²(cₜ), not 1 − cₜ²"
                let forgetHint = "cₜ = f ⊙ cₜ₋₁ + i ⊙ g, so the gradient reaching cₜ₋₁ is δc ⊙ f: the × f is missing"
                // The hint for ∂L/∂cₜ₋₁ follows from what the answer did there.
                let cPreviousHint =
                    actual.cPrevious == notCarried.cPrevious
                    ? carriedHint
                    : actual.cPrevious == wrongTanh.cPrevious
                        ? tanhHint
                        : actual.cPrevious == noForget.cPrevious ? forgetHint : "∂L/∂cₜ₋₁ = δc ⊙ f, with δc = δh ⊙ o ⊙ (1 − tanh²cₜ) + δc_next"
                try check.expect(
                    actual.bias, equals: expected.bias, input: input,
                    hints: [Hint(ifActual: notCarried.bias, carriedHint), Hint(ifActual: wrongTanh.bias, tanhHint)],
                    otherwise: "∂L/∂b = da = [da_i | da_f | da_g | da_o]")
                try check.expect(
                    actual.cPrevious, equals: expected.cPrevious, input: input,
                    hints: [
                        Hint(ifActual: notCarried.cPrevious, carriedHint), Hint(ifActual: wrongTanh.cPrevious, tanhHint),
                        Hint(ifActual: noForget.cPrevious, forgetHint),
                    ],
                    otherwise: "∂L/∂cₜ₋₁ = δc ⊙ f")
                try check.expect(actual.inputWeights, equals: expected.inputWeights, input: input, otherwise: "∂L/∂W_x = da xᵀ")
                try check.expect(actual.hiddenWeights, equals: expected.hiddenWeights, input: input, otherwise: "∂L/∂W_h = da hₜ₋₁ᵀ")
                try check.expect(actual.input, equals: expected.input, input: input, otherwise: "∂L/∂x = W_xᵀ da")
                try check.expect(actual.hPrevious, equals: expected.hPrevious, input: input, otherwise: "∂L/∂hₜ₋₁ = W_hᵀ da")
                // Independently of the formulas above: central differences of L = Σ δh ⊙ hₜ + Σ δc_next ⊙ cₜ
                // through the chapter's LSTM layer.
                func loss(_ changed: Case) -> Double {
                    var layer = changed.lstm
                    let h = layer.forward(changed.sequence, mode: .inference).values
                    return zip(dh, h).map { $0 * $1 }.reduce(0, +) + zip(dcNext, layer.finalState!.cell!.values).map { $0 * $1 }.reduce(0, +)
                }
                try check.expectGradient("∂L/∂W_x", at: c.wx, analytic: actual.inputWeights, input: input) { v in
                    var changed = c
                    changed.wx = v
                    return loss(changed)
                }
                try check.expectGradient("∂L/∂cₜ₋₁", at: c.c, analytic: actual.cPrevious, input: input, hint: cPreviousHint) { v in
                    var changed = c
                    changed.c = v
                    return loss(changed)
                }
            }
        }
    }

    // MARK: 7.6

    static let gruExample = Case(x: [1], h: [1], c: [], wx: [0, 0, 1], wh: [0, 0, 1], bx: [0, 0, 0], bh: [0, 0, 0])

    /// The slips of a GRU step.
    enum GRUSlip { case paperReset, swappedUpdate, resetOutsideBias }

    static func gruStep(_ c: Case, _ slip: GRUSlip) -> [Double] {
        let n = c.hidden
        let ax = zip(product(c.wx, c.x), c.bx).map(+), ah = zip(product(c.wh, c.h), c.bh).map(+)
        let resets = (0..<n).map { σ(ax[$0] + ah[$0]) }
        return (0..<n).map { k in
            let (r, z) = (resets[k], σ(ax[n + k] + ah[n + k]))
            let hidden: Double
            switch slip {
            case .paperReset:  // W_hn (r ⊙ hₜ₋₁) + b_hn: every unit's state reset by its own gate first
                hidden = (0..<n).map { c.wh[(2 * n + k) * n + $0] * resets[$0] * c.h[$0] }.reduce(0, +) + c.bh[2 * n + k]
            case .resetOutsideBias: hidden = r * (ah[2 * n + k] - c.bh[2 * n + k]) + c.bh[2 * n + k]  // r ⊙ (W_hn hₜ₋₁) + b_hn
            case .swappedUpdate: hidden = r * ah[2 * n + k]
            }
            let candidate = tanh(ax[2 * n + k] + hidden)
            return slip == .swappedUpdate ? z * candidate + (1 - z) * c.h[k] : (1 - z) * candidate + z * c.h[k]
        }
    }

    static func gruStep(_ answer: ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            for c in cases(gates: 3, example: gruExample) {
                let actual = try answer(c.x, c.h, c.wx, c.wh, c.bx, c.bh)
                try check.expect(
                    actual, equals: c.gru.predict(c.sequence).values, input: c.description,
                    hints: [
                        Hint(
                            ifActual: gruStep(c, .paperReset),
                            "this is the paper's reset, before the product; here (PyTorch's) it multiplies the hidden part after it: r ⊙ (W_hn hₜ₋₁ + b_hn)"),
                        Hint(ifActual: gruStep(c, .swappedUpdate), "z and 1 − z are swapped: hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁ (z = 1 keeps the old state)"),
                        Hint(ifActual: gruStep(c, .resetOutsideBias), "b_hn is inside the reset: r ⊙ (W_hn hₜ₋₁ + b_hn)"),
                    ],
                    otherwise: "n = tanh(ax_n + r ⊙ ah_n), hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁")
            }
        }
    }

    // MARK: 7.7

    /// The index for u under probabilities p: the first cumulative sum above u.
    static func draw(_ p: [Double], _ u: Double) -> Int {
        var cumulative = 0.0
        for (k, pk) in p.enumerated() {
            cumulative += pk
            if cumulative > u { return k }
        }
        return p.count - 1
    }

    static func sampling(_ answer: ([Double], Double, Double) throws -> Int) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 17)
        var cases: [([Double], Double, Double)] = [
            ([0, log(3)], 1, 0.2), ([0, log(3)], 1, 0.3), ([0, log(3)], 0.5, 0.2), ([1000, 999, 990], 1, 0.5), ([1000, 999, 990], 2, 0.9),
        ]
        for _ in 0..<12 {
            cases.append((rng.uniforms(5, in: -3..<3), [0.3, 0.7, 1, 1.5, 3][rng.int(below: 5)], rng.uniform()))
        }
        return runCheck { check in
            let answers = try cases.map { z, temperature, u in try answer(z, temperature, u) }
            let expected = cases.map { z, temperature, u in draw(softmax(z.map { $0 / temperature }), u) }
            let failing = cases.indices.filter { answers[$0] != expected[$0] }
            // Named only when it explains every case the answer got wrong (see diagnose).
            let hint =
                diagnose(
                    failing: failing,
                    slips: [
                        ("subtract the largest score before exp: exp(1000) is inf, and inf/inf is nan", { cases[$0].0.max()! > 700 }),
                        (
                            "divide the scores by T, do not multiply: T < 1 must sharpen",
                            { i in
                                let (z, temperature, u) = cases[i]
                                return answers[i] == draw(softmax(z.map { $0 * temperature }), u)
                            }
                        ),
                        ("use the temperature: p ∝ exp(z / T)", { i in answers[i] == draw(softmax(cases[i].0), cases[i].2) }),
                        (
                            "draw with u: the largest score is only the limit T → 0",
                            { i in
                                let z = cases[i].0
                                return answers[i] == z.indices.max(by: { z[$0] < z[$1] })
                            }
                        ),
                    ]) ?? "the first k with p₀ + … + pₖ > u"
            for (i, (z, temperature, u)) in cases.enumerated() {
                try check.expect(answers[i], equals: expected[i], input: "logits \(z), temperature \(temperature), uniform \(u)", hint: hint)
            }
        }
    }

    // MARK: 7.8

    static func embedding(_ answer: ([Int], [Double], Int, Int) throws -> [Double]) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 18)
        var cases: [(tokens: [Int], vocabulary: Int, dimension: Int)] = [([2, 0, 2], 3, 2)]
        for (v, d, n) in [(5, 3, 8), (7, 2, 12), (4, 4, 3)] { cases.append(((0..<n).map { _ in rng.int(below: v) }, v, d)) }
        return runCheck { check in
            for (k, c) in cases.enumerated() {
                let gradient = k == 0 ? [1, 10, 100, 1000, 2, 20] : rng.uniforms(c.tokens.count * c.dimension, in: -1..<1)
                let input = "tokens \(c.tokens), outputGradient \(shortList(gradient)), vocabulary \(c.vocabulary), dimension \(c.dimension)"
                let actual = try answer(c.tokens, gradient, c.vocabulary, c.dimension)
                var layer = Embedding(table: Matrix(rows: c.vocabulary, columns: c.dimension, repeating: 0))
                _ = layer.forward(Tensor(shape: [c.tokens.count], values: c.tokens.map(Double.init)), mode: .training)
                _ = layer.backward(Tensor(shape: [c.tokens.count, c.dimension], values: gradient))
                var overwritten = [Double](repeating: 0, count: c.vocabulary * c.dimension)
                for (position, token) in c.tokens.enumerated() {
                    for j in 0..<c.dimension { overwritten[token * c.dimension + j] = gradient[position * c.dimension + j] }
                }
                try check.expect(
                    actual, equals: layer.table.gradient, input: input,
                    hints: [Hint(ifActual: overwritten, "add, do not overwrite: a token seen twice collects both gradients")],
                    otherwise: "∂L/∂E[tₖ] += row k of ∂L/∂y")
            }
        }
    }

    // MARK: 7.9

    struct StackedCase {
        var x: [[Double]], wx1: [Double], wh1: [Double], b1: [Double], wx2: [Double], wh2: [Double], b2: [Double], mask: [[Double]]
        var description: String {
            "sequence \(x.map { shortList($0) }), inputWeights1 \(shortList(wx1)), hiddenWeights1 \(shortList(wh1)), bias1 \(shortList(b1)), "
                + "inputWeights2 \(shortList(wx2)), hiddenWeights2 \(shortList(wh2)), bias2 \(shortList(b2)), mask \(mask.map { shortList($0) })"
        }
        /// The chapter's RNN layers with the mask where `place` says: between the layers (right),
        /// also inside layer 1's recurrence, after the top layer, or nowhere.
        enum Place { case between, alsoInRecurrence, afterTop, nowhere }
        func reference(_ place: Place = .between) -> [Double] {
            let (f, h1, h2, steps) = (x[0].count, b1.count, b2.count, x.count)
            var first = RNNLayer(inputWeights: Matrix(rows: h1, columns: f, values: wx1), hiddenWeights: Matrix(rows: h1, columns: h1, values: wh1), bias: b1)
            var second = RNNLayer(inputWeights: Matrix(rows: h2, columns: h1, values: wx2), hiddenWeights: Matrix(rows: h2, columns: h2, values: wh2), bias: b2)
            var lower: [Double]
            if place == .alsoInRecurrence {  // step by step, the dropped state fed back
                lower = []
                var state = [Double](repeating: 0, count: h1)
                for t in 0..<steps {
                    first.initialState = RecurrentState(hidden: Tensor(shape: [1, h1], values: state))
                    let out = first.forward(Tensor(shape: [1, 1, f], values: x[t]), mode: .inference).values
                    state = zip(out, mask[t]).map(*)
                    lower += state
                }
            } else {
                lower = first.forward(Tensor(shape: [steps, 1, f], values: x.flatMap { $0 }), mode: .inference).values
                if place == .between { lower = zip(lower, mask.flatMap { $0 }).map(*) }
            }
            let top = second.forward(Tensor(shape: [steps, 1, h1], values: lower), mode: .inference).values
            return place == .afterTop ? zip(top, mask.flatMap { Array($0.prefix(h2)) }).map(*) : top
        }
    }

    /// The file's example size first, then F = 1–3, H₁ = 2–4, H₂ = 1–3, T = 2–6, p = 0.5 or 0.2.
    static func stackedCases() -> [StackedCase] {
        var rng = SeededGenerator(seed: seed + 9)
        return [(1, 2, 2, 3, 0.5), (2, 3, 1, 4, 0.5), (3, 4, 3, 6, 0.2), (1, 2, 2, 2, 0.2), (2, 3, 3, 5, 0.5)].map { f, h1, h2, t, p in
            StackedCase(
                x: (0..<t).map { _ in rng.normals(f) }, wx1: rng.uniforms(h1 * f, in: -1..<1), wh1: rng.uniforms(h1 * h1, in: -1..<1),
                b1: rng.uniforms(h1, in: -0.5..<0.5),
                wx2: rng.uniforms(h2 * h1, in: -1..<1), wh2: rng.uniforms(h2 * h2, in: -1..<1), b2: rng.uniforms(h2, in: -0.5..<0.5),
                mask: (0..<t).map { _ in (0..<h1).map { _ in rng.uniform(in: 0..<1) < p ? 0 : 1 / (1 - p) } })
        }
    }

    static func stacked(_ answer: ([[Double]], [Double], [Double], [Double], [Double], [Double], [Double], [[Double]]) throws -> [[Double]]) -> CheckOutcome {
        runCheck { check in
            for c in stackedCases() {
                let actual = try answer(c.x, c.wx1, c.wh1, c.b1, c.wx2, c.wh2, c.b2, c.mask).flatMap { $0 }
                try check.expect(
                    actual, equals: c.reference(), input: c.description,
                    hints: [
                        Hint(ifActual: c.reference(.alsoInRecurrence), "layer 1's recurrence uses the undropped h¹ₜ₋₁: only layer 2's input is dropped"),
                        Hint(
                            ifActual: c.reference(.afterTop),
                            "nothing is dropped after the last layer: the mask goes on layer 1's outputs, the input of layer 2"),
                        Hint(ifActual: c.reference(.nowhere), "the mask is missing: layer 2 reads h¹ₜ ⊙ mask[t]"),
                    ],
                    otherwise: "h²ₜ = tanh(W²_x (h¹ₜ ⊙ mask[t]) + W²_h h²ₜ₋₁ + b²), h¹ₜ from the undropped recurrence")
            }
        }
    }
}
