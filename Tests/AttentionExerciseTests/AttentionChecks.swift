import Activations
import Attention
import Backprop
import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness

/// The checks of Chapter 8's exercises: one sequence at a time against this chapter's
/// `scaledDotProductAttention`, its backward, `sinusoidalPositionalEncoding` and
/// `LayerNorm` (themselves tested against PyTorch); backward passes also against central
/// differences; hints computed from the usual slips: the missing 1/√d_k, the mask applied
/// after the softmax, the softmax over the wrong axis, heads taken as every h-th column,
/// the variance divided by d − 1.
enum AttentionExerciseChecks {
    static let seed: UInt64 = 2017  // "Attention Is All You Need"

    /// One attention problem: Q, K, V and the mask, with their sizes.
    struct Case {
        var q: [Double], k: [Double], v: [Double], dk: Int, dv: Int, allowed: [Bool]?
        var tq: Int { q.count / dk }
        var tk: Int { k.count / dk }
        var description: String {
            "queries \(shortList(q)), keys \(shortList(k)), values \(shortList(v)), keyWidth \(dk), valueWidth \(dv), "
                + "allowed \(allowed.map { shortList($0.map { $0 ? 1 : 0 }) } ?? "nil")"
        }
        func matrix(_ values: [Double], _ columns: Int) -> Matrix { Matrix(rows: values.count / columns, columns: columns, values: values) }
        /// The library's attention: output and weights.
        var reference: (output: [Double], weights: [Double]) {
            let r = scaledDotProductAttention(queries: matrix(q, dk), keys: matrix(k, dk), values: matrix(v, dv)) { i, j in allowed?[i * tk + j] ?? true }
            return (r.output.values, r.weights.values)
        }
    }

    /// The exercise file's example, then random problems: square and not, with and without
    /// a causal or a random (never empty) mask.
    static func cases() -> [Case] {
        var rng = SeededGenerator(seed: seed)
        var list = [Case(q: [1, 0], k: [1, 0, 0, 1], v: [1, 2], dk: 2, dv: 1, allowed: nil)]
        for (tq, tk, dk, dv, masking) in [(3, 3, 4, 2, 1), (2, 5, 3, 3, 0), (4, 4, 2, 5, 2), (5, 3, 6, 1, 0)] {
            var allowed: [Bool]? = nil
            if masking == 1 { allowed = (0..<(tq * tk)).map { $0 % tk <= $0 / tk } }
            if masking == 2 { allowed = (0..<(tq * tk)).map { index in index % tk == index / tk || rng.uniform() < 0.6 } }
            list.append(
                Case(
                    q: rng.uniforms(tq * dk, in: -2..<2), k: rng.uniforms(tk * dk, in: -2..<2), v: rng.uniforms(tk * dv, in: -1..<1), dk: dk, dv: dv,
                    allowed: allowed))
        }
        return list
    }

    /// Attention computed with one slip.
    enum Slip { case noScale, maskAfterSoftmax, softmaxOverQueries, unshiftedExp }

    static func slipped(_ c: Case, _ slip: Slip) -> (output: [Double], weights: [Double]) {
        let (tq, tk, dk) = (c.tq, c.tk, c.dk)
        var scores = [Double](repeating: 0, count: tq * tk)
        for i in 0..<tq {
            for j in 0..<tk {
                let dot = (0..<dk).map { c.q[i * dk + $0] * c.k[j * dk + $0] }.reduce(0, +)
                scores[i * tk + j] = slip == .noScale ? dot : dot / Double(dk).squareRoot()
            }
        }
        var weights = scores
        let hidden = { (i: Int, j: Int) in !(c.allowed?[i * tk + j] ?? true) }
        if slip == .softmaxOverQueries {
            for j in 0..<tk {
                let column = (0..<tq).map { hidden($0, j) ? -Double.infinity : scores[$0 * tk + j] }
                let p = column.allSatisfy { $0 == -.infinity } ? column.map { _ in 0.0 } : softmax(column)
                for i in 0..<tq { weights[i * tk + j] = p[i].isNaN ? 0 : p[i] }
            }
        } else {
            for i in 0..<tq {
                let row = (0..<tk).map { slip != .maskAfterSoftmax && hidden(i, $0) ? -Double.infinity : scores[i * tk + $0] }
                let exps = row.map { exp($0) }  // the unshifted slip: e^s itself, which overflows past s ≈ 709
                let p = slip == .unshiftedExp ? exps.map { $0 / exps.reduce(0, +) } : softmax(row)
                for j in 0..<tk { weights[i * tk + j] = slip == .maskAfterSoftmax && hidden(i, j) ? 0 : p[j] }
            }
        }
        let output = (0..<(tq * c.dv)).map { index in (0..<tk).map { weights[index / c.dv * tk + $0] * c.v[$0 * c.dv + index % c.dv] }.reduce(0, +) }
        return (output, weights)
    }

    // MARK: 8.1

    static func forward(_ answer: ([Double], [Double], [Double], Int, Int, [Bool]?) throws -> (output: [Double], weights: [Double])) -> CheckOutcome {
        // Besides cases(): scores in the thousands, where e^s overflows unless each row's
        // largest score is subtracted first (the softmax's weights are the same either way).
        var rng = SeededGenerator(seed: seed + 1)
        let large = Case(q: rng.uniforms(12, in: -40..<40), k: rng.uniforms(16, in: -40..<40), v: rng.uniforms(8, in: -1..<1), dk: 4, dv: 2, allowed: nil)
        return runCheck { check in
            for c in cases() + [large] {
                let actual = try answer(c.q, c.k, c.v, c.dk, c.dv, c.allowed)
                let expected = c.reference
                if !(actual.weights + actual.output).allSatisfy(\.isFinite) && (expected.weights + expected.output).allSatisfy(\.isFinite) {
                    try check.fail(
                        "the weights or the output are not finite numbers, although the answer is: \(shortList(actual.weights))", input: c.description,
                        hint: "subtract each row's largest score before exp: e^s overflows past s ≈ 709, and ∞/∞ is NaN")
                    continue
                }
                let slips: [(Slip, String)] = [
                    (.noScale, "missing 1/√d_k: divide the scores Q Kᵀ by √d_k before the softmax"),
                    (.maskAfterSoftmax, "the mask is applied after the softmax: hide the keys (score −∞) before it, so each row still sums to 1"),
                    (.softmaxOverQueries, "the softmax runs over the wrong axis: each query's row (over the keys) must sum to 1"),
                ]
                let wrong = slips.map { (slipped(c, $0.0), $0.1) }
                try check.expect(
                    actual.weights, equals: expected.weights, input: c.description, hints: wrong.map { Hint(ifActual: $0.0.weights, $0.1) },
                    otherwise: "A = softmax of each row of Q Kᵀ / √d_k, hidden keys −∞")
                try check.expect(
                    actual.output, equals: expected.output, input: c.description, hints: wrong.map { Hint(ifActual: $0.0.output, $0.1) },
                    otherwise: "O = A V")
            }
        }
    }

    // MARK: 8.2

    static func backward(_ answer: ([Double], [Double], [Double], [Double], [Double], Int, Int) throws -> (queries: [Double], keys: [Double], values: [Double]))
        -> CheckOutcome
    {
        var rng = SeededGenerator(seed: seed + 2)
        return runCheck { check in
            for (index, c) in cases().enumerated() {
                let g = index == 0 ? [1.0] : rng.uniforms(c.tq * c.dv, in: -1..<1)
                let weights = c.reference.weights
                let input = c.description + ", outputGradient \(shortList(g)), weights \(shortList(weights))"
                let actual = try answer(g, c.q, c.k, c.v, weights, c.dk, c.dv)
                let expected = scaledDotProductAttentionBackward(
                    c.matrix(g, c.dv), queries: c.matrix(c.q, c.dk), keys: c.matrix(c.k, c.dk), values: c.matrix(c.v, c.dv), weights: c.matrix(weights, c.tk))
                let unscaled = expected.queries.values.map { $0 * Double(c.dk).squareRoot() }
                // the softmax's backward without its row sum: ∂L/∂S = A ⊙ ∂L/∂A
                let dA = matmul(c.matrix(g, c.dv), c.matrix(c.v, c.dv).transposed)
                let noRowSum = Matrix(rows: c.tq, columns: c.tk, values: zip(weights, dA.values).map { $0 * $1 / Double(c.dk).squareRoot() })
                let withoutRowSum = matmul(noRowSum, c.matrix(c.k, c.dk)).values
                try check.expect(actual.values, equals: expected.values.values, input: input, otherwise: "∂L/∂V = Aᵀ G")
                try check.expect(
                    actual.queries, equals: expected.queries.values, input: input,
                    hints: [
                        Hint(ifActual: unscaled, "missing 1/√d_k: the scores were divided by √d_k, so their gradient is too"),
                        Hint(ifActual: withoutRowSum, "the softmax's backward: ∂L/∂S = A ⊙ (∂L/∂A − Σ_j ∂L/∂A ⊙ A), the row sum subtracted"),
                    ],
                    otherwise: "∂L/∂Q = ∂L/∂S K / √d_k")
                try check.expect(actual.keys, equals: expected.keys.values, input: input, otherwise: "∂L/∂K = ∂L/∂Sᵀ Q / √d_k")
                try check.expectGradient("∂L/∂Q", at: c.q, analytic: actual.queries, input: input) { q in
                    var moved = c
                    moved.q = q
                    return zip(g, moved.reference.output).map { $0 * $1 }.reduce(0, +)
                }
            }
        }
    }

    // MARK: 8.3

    static func causal(_ answer: (Int) throws -> [Bool]) -> CheckOutcome {
        runCheck { check in
            for length in [1, 3, 5, 8] {
                let actual = try answer(length)
                let expected = (0..<(length * length)).map { $0 % length <= $0 / length }
                let hint: String =
                    actual == (0..<(length * length)).map { $0 % length >= $0 / length }
                    ? "rows are queries: query i sees keys 0…i, the lower triangle"
                    : actual == (0..<(length * length)).map { $0 % length < $0 / length }
                        ? "a position may see itself: keys 0…i, the diagonal included"
                        : "allowed[i·T + j] = (j ≤ i)"
                try check.expect(actual, equals: expected, input: "length \(length)", hint: hint)
            }
        }
    }

    // MARK: 8.4

    static func heads(split: ([Double], Int, Int) throws -> [Double], merge: ([Double], Int, Int) throws -> [Double]) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 4)
        return runCheck { check in
            for (length, d, h) in [(1, 4, 2), (2, 4, 2), (3, 6, 3), (4, 8, 2), (5, 12, 4)] {
                let x = length == 2 ? (1...8).map(Double.init) : rng.uniforms(length * d, in: -1..<1)
                let input = "x \(shortList(x)), length \(length), heads \(h)"
                let dh = d / h
                let expected = (0..<(length * d)).map { index in
                    let (j, t, c) = (index / (length * dh), index / dh % length, index % dh)
                    return x[t * d + j * dh + c]
                }
                let interleaved = (0..<(length * d)).map { index in
                    let (j, t, c) = (index / (length * dh), index / dh % length, index % dh)
                    return x[t * d + c * h + j]  // every h-th column
                }
                try check.expect(
                    try split(x, length, h), equals: expected, input: input,
                    hints: [Hint(ifActual: interleaved, "head j is a block of neighbouring columns j·d_h ..< (j+1)·d_h, not every h-th column")],
                    otherwise: "element (j, t, c) at (j·T + t)·d_h + c comes from x[t, j·d_h + c]")
                try check.expect(
                    try merge(expected, length, h), equals: x, input: "split \(shortList(expected)), length \(length), heads \(h)",
                    otherwise: "mergeHeads must undo splitHeads")
            }
        }
    }

    // MARK: 8.5

    static func positions(_ answer: (Int, Int) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            for (positions, features) in [(2, 4), (5, 6), (16, 8), (3, 7)] {
                let actual = try answer(positions, features)
                let expected = sinusoidalPositionalEncoding(positions: positions, features: features).values
                func variant(_ exponent: (Int) -> Double, swap: Bool = false) -> [Double] {
                    (0..<(positions * features)).map { index in
                        let (p, k) = (index / features, index % features)
                        let angle = Double(p) / pow(10000, exponent(k))
                        return (k % 2 == 0) != swap ? sin(angle) : cos(angle)
                    }
                }
                let d = Double(features)
                try check.expect(
                    actual, equals: expected, input: "positions \(positions), features \(features)",
                    hints: [
                        Hint(ifActual: variant({ Double($0) / d }), "the exponent is 2i/d with i = k/2 rounded down: both features of a pair share one rate"),
                        Hint(ifActual: variant({ Double(2 * ($0 / 2)) / d }, swap: true), "sin goes on the even features (2i), cos on the odd ones"),
                        Hint(ifActual: variant({ Double($0 / 2) / d }), "the exponent is 2i/d, not i/d"),
                    ],
                    otherwise: "PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))")
            }
        }
    }

    // MARK: 8.7

    struct PoolingCase {
        var states: [[Double]], w: [Double], b: [Double], v: [Double], g: [Double]
        var description: String {
            "states \(states.map { shortList($0) }), weights \(shortList(w)), bias \(shortList(b)), scorer \(shortList(v)), outputGradient \(shortList(g))"
        }
        var layer: AttentionPooling { AttentionPooling(weight: Matrix(rows: b.count, columns: states[0].count, values: w), bias: b, scorer: v) }
        var input: Tensor { Tensor(shape: [states.count, 1, states[0].count], values: states.flatMap { $0 }) }
        /// L = g · c as a function of all the numbers, for central differences.
        func loss(states s: [[Double]]? = nil, w w2: [Double]? = nil, b b2: [Double]? = nil, v v2: [Double]? = nil) -> Double {
            var moved = self
            (moved.states, moved.w, moved.b, moved.v) = (s ?? states, w2 ?? w, b2 ?? b, v2 ?? v)
            var pooling = moved.layer
            return zip(g, pooling.forward(moved.input, mode: .inference).values).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    /// The file's one-state example, then T = 2–6, H = 1–4, a = 1–3.
    static func poolingCases() -> [PoolingCase] {
        var rng = SeededGenerator(seed: seed + 7)
        var list = [PoolingCase(states: [[0.5, -1]], w: [1, 2, 3, 4], b: [0.1, -0.1], v: [1, -1], g: [1, 2])]
        for (t, h, a, size) in [(3, 2, 2, 1.0), (5, 4, 3, 1), (2, 1, 1, 1), (6, 3, 2, 1), (4, 2, 3, 1), (4, 3, 2, 20)] {
            // The last case: states and scorer of size 20, so the scores reach the hundreds and the softmax must shift.
            list.append(
                PoolingCase(
                    states: (0..<t).map { _ in rng.normals(h).map { $0 * size } }, w: rng.normals(a * h), b: rng.normals(a),
                    v: rng.normals(a).map { $0 * 2 * size },
                    g: rng.normals(h).map { -$0 }))
        }
        return list
    }

    static func pooling(
        _ answer: ([[Double]], [Double], [Double], [Double], [Double]) throws -> (states: [[Double]], weights: [Double], bias: [Double], scorer: [Double])
    ) -> CheckOutcome {
        runCheck { check in
            for c in poolingCases() {
                let actual = try answer(c.states, c.w, c.b, c.v, c.g)
                var layer = c.layer
                _ = layer.forward(c.input, mode: .training)
                let dx = layer.backward(Tensor(shape: [1, c.g.count], values: c.g)).values
                let alpha = layer.lastWeights[0]
                let h = c.states[0].count
                let averageOnly = c.states.indices.flatMap { j in c.g.map { alpha[j] * $0 } }
                try check.expect(
                    actual.states.flatMap { $0 }, equals: dx, input: c.description,
                    hints: [Hint(ifActual: averageOnly, "hⱼ also moves its own score: add Wᵀ ∂L/∂uⱼ to αⱼ g")],
                    otherwise: "∂L/∂hⱼ = αⱼ g + Wᵀ ∂L/∂uⱼ")
                let noJacobianScale = noSoftmaxJacobian(c)
                try check.expect(
                    actual.scorer, equals: layer.scorer.gradient, input: c.description,
                    hints: [
                        Hint(ifActual: noJacobianScale.v, "the softmax's Jacobian: ∂L/∂eⱼ = αⱼ (∂L/∂αⱼ − Σₖ αₖ ∂L/∂αₖ), the weighted mean subtracted")
                    ],
                    otherwise: "∂L/∂v = Σⱼ ∂L/∂eⱼ tⱼ")
                try check.expect(
                    actual.weights, equals: layer.weight.gradient, input: c.description,
                    hints: [
                        Hint(ifActual: noJacobianScale.w, "the softmax's Jacobian: ∂L/∂eⱼ = αⱼ (∂L/∂αⱼ − Σₖ αₖ ∂L/∂αₖ), the weighted mean subtracted"),
                        Hint(ifActual: withoutTanhDerivative(c), "tanh's derivative: ∂L/∂uⱼ = ∂L/∂eⱼ v ⊙ (1 − tⱼ²)"),
                    ],
                    otherwise: "∂L/∂W = Σⱼ ∂L/∂uⱼ hⱼᵀ")
                try check.expect(actual.bias, equals: layer.bias.gradient, input: c.description, otherwise: "∂L/∂b = Σⱼ ∂L/∂uⱼ")
                if c.states.count > 1 && c.states.allSatisfy({ $0.allSatisfy { abs($0) < 10 } }) {  // central differences lose their digits at large scores
                    try check.expectGradient("∂L/∂W", at: c.w, analytic: actual.weights, input: c.description) { c.loss(w: $0) }
                    try check.expectGradient("∂L/∂h", at: c.states.flatMap { $0 }, analytic: actual.states.flatMap { $0 }, input: c.description) { flat in
                        c.loss(states: c.states.indices.map { Array(flat[($0 * h)..<(($0 + 1) * h)]) })
                    }
                }
            }
        }
    }

    /// The gradients of W and v if ∂L/∂eⱼ were taken as αⱼ ∂L/∂αⱼ (the mean not subtracted).
    static func noSoftmaxJacobian(_ c: PoolingCase) -> (w: [Double], v: [Double]) {
        gradients(c, subtractMean: false, tanhDerivative: true)
    }

    static func withoutTanhDerivative(_ c: PoolingCase) -> [Double] { gradients(c, subtractMean: true, tanhDerivative: false).w }

    static func gradients(_ c: PoolingCase, subtractMean: Bool, tanhDerivative: Bool) -> (w: [Double], v: [Double]) {
        let (h, a) = (c.states[0].count, c.b.count)
        let t = c.states.map { s in (0..<a).map { i in tanh((0..<h).reduce(c.b[i]) { $0 + c.w[i * h + $1] * s[$1] }) } }
        let e = t.map { zip(c.v, $0).reduce(0) { $0 + $1.0 * $1.1 } }
        let exps = e.map { exp($0 - e.max()!) }
        let alpha = exps.map { $0 / exps.reduce(0, +) }
        let dAlpha = c.states.map { zip(c.g, $0).reduce(0) { $0 + $1.0 * $1.1 } }
        let mean = subtractMean ? zip(alpha, dAlpha).reduce(0) { $0 + $1.0 * $1.1 } : 0
        var (dw, dv) = ([Double](repeating: 0, count: a * h), [Double](repeating: 0, count: a))
        for j in c.states.indices {
            let dE = alpha[j] * (dAlpha[j] - mean)
            for i in 0..<a {
                dv[i] += dE * t[j][i]
                let dU = dE * c.v[i] * (tanhDerivative ? 1 - t[j][i] * t[j][i] : 1)
                for k in 0..<h { dw[i * h + k] += dU * c.states[j][k] }
            }
        }
        return (dw, dv)
    }

    // MARK: 8.6

    static func layerNorm(
        forward: ([Double], Int, [Double], [Double], Double) throws -> [Double],
        backward: ([Double], [Double], Int, [Double], Double) throws -> (input: [Double], scale: [Double], shift: [Double])
    ) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 6)
        return runCheck { check in
            for (rows, d, epsilon) in [(1, 2, 0.0), (3, 4, 1e-5), (2, 6, 1e-5), (4, 3, 0.1)] {
                let x = rows == 1 ? [1.0, 3] : rng.uniforms(rows * d, in: -2..<2)
                let (gamma, beta) = rows == 1 ? ([1.0, 1], [0.0, 0]) : (rng.uniforms(d, in: 0.5..<1.5), rng.uniforms(d, in: -0.5..<0.5))
                let g = rows == 1 ? [1.0, 0] : rng.uniforms(rows * d, in: -1..<1)
                var norm = LayerNorm(features: d, epsilon: epsilon)
                norm.gamma.value = gamma
                norm.beta.value = beta
                let input = "x \(shortList(x)), features \(d), scale \(shortList(gamma)), shift \(shortList(beta)), epsilon \(epsilon)"
                let expected = norm.forward(Tensor(shape: [rows, d], values: x), mode: .training).values
                var unbiased = LayerNorm(features: d, epsilon: epsilon)  // the variance over d − 1: rescale x̂ by √((d−1)/d) before γ, β
                unbiased.gamma.value = gamma.map { $0 * (Double(d - 1) / Double(d)).squareRoot() }
                unbiased.beta.value = beta
                let outside = (0..<(rows * d)).map { index -> Double in  // ε added after the square root
                    let row = Array(x[(index / d * d)..<(index / d * d + d)])
                    let mean = row.reduce(0, +) / Double(d)
                    let deviation = (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)).squareRoot() + epsilon
                    return gamma[index % d] * (x[index] - mean) / deviation + beta[index % d]
                }
                try check.expect(
                    try forward(x, d, gamma, beta, epsilon), equals: expected, input: input,
                    hints: [
                        Hint(ifActual: unbiased.predict(Tensor(shape: [rows, d], values: x)).values, "the variance divides by d (biased), not d − 1"),
                        Hint(ifActual: outside, "ε goes inside the square root: √(σ² + ε)"),
                    ],
                    otherwise: "y = γ (x − μ)/√(σ² + ε) + β, each row on its own")
                let dx = norm.backward(Tensor(shape: [rows, d], values: g)).values
                let actual = try backward(g, x, d, gamma, epsilon)
                let backInput = input + ", outputGradient \(shortList(g))"
                try check.expect(actual.scale, equals: norm.gamma.gradient, input: backInput, otherwise: "∂L/∂γ = Σ over rows of g ⊙ x̂")
                try check.expect(actual.shift, equals: norm.beta.gradient, input: backInput, otherwise: "∂L/∂β = Σ over rows of g")
                let naive = (0..<(rows * d)).map { index -> Double in  // ∂L/∂x as if μ and σ were constants
                    let row = Array(x[(index / d * d)..<(index / d * d + d)])
                    let mean = row.reduce(0, +) / Double(d)
                    let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
                    return g[index] * gamma[index % d] / (variance + epsilon).squareRoot()
                }
                try check.expect(
                    actual.input, equals: dx, input: backInput,
                    hints: [Hint(ifActual: naive, "μ and σ depend on x too: subtract mean(ĝ) and x̂ ⊙ mean(ĝ ⊙ x̂) before dividing")],
                    otherwise: "∂L/∂x = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / √(σ² + ε)")
                if epsilon > 0 {
                    try check.expectGradient("∂L/∂x", at: x, analytic: actual.input, input: backInput) { moved in
                        zip(g, norm.predict(Tensor(shape: [rows, d], values: moved)).values).map { $0 * $1 }.reduce(0, +)
                    }
                }
            }
        }
    }
}
