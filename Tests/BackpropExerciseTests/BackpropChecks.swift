import Activations
import Backprop
import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness

/// The checks of Chapter 3's exercises: the lesson's worked numbers, edge cases, seeded
/// random shapes compared with the chapter's own layers and losses, and every gradient
/// compared with central finite differences.
public enum BackpropChecks {
    static let seed: UInt64 = 1986

    /// A random layer: weights (outputs × inputs) as nested rows, biases, an input.
    static func randomLayers(_ count: Int) -> [(w: [[Double]], b: [Double], x: [Double], g: Activation)] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { k in
            let inputs = rng.int(in: 1..<6), outputs = rng.int(in: 1..<5)
            let w = (0..<outputs).map { _ in rng.uniforms(inputs, in: -1..<1) }
            return (w, rng.uniforms(outputs, in: -0.5..<0.5), rng.uniforms(inputs, in: -2..<2), Activation.allCases[k % Activation.allCases.count])
        }
    }

    /// The chapter's dense layer followed by its activation layer (none: linear), as a model.
    static func layer(_ w: [[Double]], _ b: [Double], _ g: Activation?) -> Sequential {
        var layers: [any Layer] = [Dense(weights: Matrix(w), biases: b)]
        if let g { layers.append(ActivationLayer(g)) }
        return Sequential(layers)
    }

    /// The chapter's backward pass for one input: ∂L/∂W (outputs × inputs), ∂L/∂b, ∂L/∂x.
    static func backward(_ w: [[Double]], _ b: [Double], _ g: Activation?, x: [Double], upstream: [Double])
        -> (weights: Matrix, biases: [Double], input: [Double])
    {
        var model = layer(w, b, g)
        _ = model.forward(Tensor(shape: [1, x.count], values: x), mode: .training)
        let input = model.backward(Tensor(shape: [1, upstream.count], values: upstream))
        let parameters = model.parameters
        return (Matrix(rows: w.count, columns: x.count, values: parameters[0].gradient), parameters[1].gradient, input.values)
    }

    // MARK: 3.1

    public static func denseForward(_ answer: ([[Double]], [Double], [Double], Activation) throws -> [Double]) -> CheckOutcome {
        let cases = [([[1.0, 2], [0, -1]], [0.5, 0.0], [3.0, 1], Activation.relu)] + randomLayers(20)
        return runCheck { check in
            for (w, b, x, g) in cases {
                let input = "weights \(w), biases \(shortList(b)), input \(shortList(x)), \(g.name)"
                let linear = layer(w, b, nil).predict(x)
                let square = w.count == x.count
                try check.expect(
                    try answer(w, b, x, g), equals: layer(w, b, g).predict(x), input: input,
                    hints: [
                        Hint(ifActual: linear, "that is z = Wx + b: apply the activation to each zⱼ"),
                        Hint(ifActual: layer(w, b.map { _ in 0 }, g).predict(x), "add the bias bⱼ to each unit's sum"),
                    ]
                        + (square
                            ? [Hint(ifActual: layer(Matrix(w).transposed.nestedRows, b, g).predict(x), "W is transposed: unit j uses row j, weights[j][i]")]
                            : []),
                    otherwise: "aⱼ = g(bⱼ + Σᵢ weights[j][i] · inputᵢ)")
            }
        }
    }

    // MARK: 3.2

    public static func binaryCrossEntropy(_ answer: ([Double], [Double]) throws -> (loss: Double, gradient: [Double])) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        var cases: [([Double], [Double])] = [
            ([0.9, 0.2, 0.8, 0.6, 0.1], [1, 0, 1, 1, 0]), ([0.9, 0.2], [1, 0]), ([1, 0, 0.5], [1, 0, 1]), ([0, 1], [1, 0]),
        ]
        for _ in 0..<15 {
            let n = rng.int(in: 1..<8)
            cases.append((rng.uniforms(n, in: 0.01..<0.99), (0..<n).map { _ in Double(rng.int(below: 2)) }))
        }
        return runCheck { check in
            for (p, y) in cases {
                let (loss, gradient) = try answer(p, y)
                let input = "predictions \(shortList(p)), targets \(shortList(y))"
                let n = Double(p.count)
                let expected = Backprop.binaryCrossEntropy(p, y)
                try check.expect(
                    loss, equals: expected, input: input,
                    hints: [
                        Hint(ifActual: expected * n, "that is the sum: divide by n for the mean"),
                        Hint(ifActual: -expected, "the sign is flipped: L = −(1/n) Σ …"),
                    ],
                    otherwise: loss.isFinite ? "−(1/n) Σ [y log p + (1 − y) log(1 − p)]" : "log 0 = −∞: clamp p into [1e-12, 1 − 1e-12] first")
                let expectedGradient = binaryCrossEntropyGradient(p, y)
                try check.expect(
                    gradient, equals: expectedGradient, tolerance: Tolerance(relative: 1e-9, absolute: 1e-9), input: input,
                    hints: [
                        Hint(ifActual: expectedGradient.map { $0 * n }, "the gradient of the mean carries the 1/n too"),
                        Hint(ifActual: expectedGradient.map { -$0 }, "the sign is flipped: (p − y) / (p(1 − p)) / n"),
                        Hint(
                            ifActual: p.indices.map { (p[$0] - y[$0]) / n },
                            "(p − y)/n is the gradient with respect to the logit z behind a sigmoid; "
                                + "with respect to p, divide by p(1 − p) as well"),
                    ],
                    otherwise: gradient.allSatisfy(\.isFinite)
                        ? "∂L/∂pᵢ = (pᵢ − yᵢ) / (pᵢ(1 − pᵢ)) / n" : "division by 0 at p = 0 or 1: use the clamped p in the gradient too")
                if p.allSatisfy({ (0.01...0.99).contains($0) }) {
                    try check.expectGradient("∂L/∂p", at: p, analytic: gradient, input: input, hint: "the gradient does not match the loss") {
                        (try? answer($0, y).loss) ?? .nan
                    }
                }
            }
        }
    }

    // MARK: 3.3

    public static func denseBackward(_ answer: ([[Double]], [Double], [Double], [Double], Activation) throws -> DenseGradients) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        let cases = [([[1.0, 2]], [0.5], [3.0, 1], Activation.relu)] + randomLayers(20)
        return runCheck { check in
            for (w, b, x, g) in cases {
                let z = layer(w, b, nil).predict(x)
                let upstream = w.count == 1 && x == [3, 1] ? [2.0] : rng.uniforms(w.count, in: -1..<1)
                let reference = backward(w, b, g, x: x, upstream: upstream)
                let input = "weights \(w), input \(shortList(x)), z \(shortList(z)), upstream \(shortList(upstream)), \(g.name)"
                let actual = try answer(w, x, z, upstream, g)
                let flatWeights = actual.weights.flatMap { $0 }
                let noSlope = backward(w, b, nil, x: x, upstream: upstream)
                try check.expect(
                    flatWeights, equals: reference.weights.values, input: input + " — ∂L/∂W",
                    hints: [
                        Hint(ifActual: noSlope.weights.values, "multiply the upstream gradient by g′(z) first: δ = upstream ⊙ g′(z)"),
                        Hint(ifActual: reference.weights.transposed.values, "∂L/∂W has W's shape: row j is δⱼ · x"),
                    ],
                    otherwise: "∂L/∂W[j][i] = δⱼ xᵢ with δⱼ = upstreamⱼ g′(zⱼ)")
                try check.expect(
                    actual.biases, equals: reference.biases, input: input + " — ∂L/∂b",
                    hints: [Hint(ifActual: upstream, "multiply by g′(z): ∂L/∂b = δ = upstream ⊙ g′(z)")], otherwise: "∂L/∂bⱼ = δⱼ")
                try check.expect(
                    actual.input, equals: reference.input, input: input + " — ∂L/∂x",
                    // Only when δ itself was right (∂L/∂W fits): otherwise the slip is in δ, named above.
                    hints: mismatch(flatWeights, reference.weights.values, tolerance: .standard) == nil
                        ? [Hint(ifActual: noSlope.input, "use δ, not the upstream gradient: ∂L/∂x = Wᵀ δ")] : [],
                    otherwise: "∂L/∂xᵢ = Σⱼ W[j][i] δⱼ")
                // L(W, x) = upstream · g(Wx + b): check both gradients against central differences
                func loss(_ w: [[Double]], _ x: [Double]) -> Double { dot(upstream, layer(w, b, g).predict(x)) }
                if !g.hasKinkAtZero || z.allSatisfy({ abs($0) > 1e-4 }) {
                    try check.expectGradient("∂L/∂W", at: w.flatMap { $0 }, analytic: flatWeights, input: input) { flat in
                        loss(Matrix(rows: w.count, columns: x.count, values: flat).nestedRows, x)
                    }
                    try check.expectGradient("∂L/∂x", at: x, analytic: actual.input, input: input) { loss(w, $0) }
                }
            }
        }
    }

    // MARK: 3.4

    public static func softmaxCrossEntropyGradient(_ answer: ([Double], Int) throws -> [Double]) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        var cases: [([Double], Int)] = [([2, 1, 0.1], 0), ([1000, 0, -1000], 1), ([0, 0], 1), ([3], 0)]
        for _ in 0..<15 {
            let n = rng.int(in: 2..<8)
            cases.append((rng.uniforms(n, in: -5..<5), rng.int(below: n)))
        }
        return runCheck { check in
            for (z, label) in cases {
                let expected = Backprop.softmaxCrossEntropy(logits: Matrix([z]), labels: [label]).gradient.values
                let probabilities = softmax(z)
                let actual = try answer(z, label)
                try check.expect(
                    actual, equals: expected, input: "logits \(shortList(z)), class \(label)",
                    hints: [
                        Hint(ifActual: probabilities, "subtract the one-hot target: softmax(z) − y"),
                        Hint(ifActual: expected.map { -$0 }, "the sign is flipped: softmax(z) − y, not y − softmax(z)"),
                        Hint(ifActual: expected.map { $0 / Double(z.count) }, "for one sample there is no mean to take: not by the number of classes"),
                    ],
                    otherwise: actual.contains { $0.isNaN } ? "NaN: e^z overflowed; subtract max(z) before exponentiating" : "softmax(z)ₖ − yₖ")
                try check.expectGradient("∂L/∂z", at: z, analytic: actual, input: "logits \(shortList(z)), class \(label)") {
                    Backprop.softmaxCrossEntropy(logits: Matrix([$0]), labels: [label]).loss
                }
            }
        }
    }

    // MARK: 3.5

    static func tinyNetwork(_ p: TinyParameters) -> Sequential {
        Sequential(weights: [Matrix(p.w1), Matrix([p.w2])], biases: [p.b1, [p.b2]], hidden: .sigmoid, output: .sigmoid)
    }

    static func parameters(_ network: Sequential) -> TinyParameters {
        let dense = network.denseLayers
        return (dense[0].weights.nestedRows, dense[0].bias.value, dense[1].weight.value, dense[1].bias.value[0])
    }

    static func flat(_ p: TinyParameters) -> [Double] { p.w1.flatMap { $0 } + p.b1 + p.w2 + [p.b2] }

    /// The reference: the chapter's network, one backward pass, one descent step.
    static func referenceStep(_ p: TinyParameters, _ x: [Double], _ y: Double, _ rate: Double) -> TinyParameters {
        var network = tinyNetwork(p)
        let output = network.forward(Tensor(shape: [1, x.count], values: x), mode: .training)
        _ = network.backward(Tensor(shape: [1, 1], values: [output.values[0] - y]))
        var sgd = SGD(learningRate: rate)
        sgd.step(&network)
        return parameters(network)
    }

    /// A plausible ordering bug: w² is updated first and δ¹ then uses the new w².
    static func staleStep(_ p: TinyParameters, _ x: [Double], _ y: Double, _ rate: Double) -> TinyParameters {
        let outputs = tinyNetwork(p).outputs(Tensor(shape: [1, x.count], values: x))
        let a1 = outputs[1].values, output = outputs[3].values[0]
        let delta2 = (output - y) * output * (1 - output)
        let newW2 = p.w2.indices.map { p.w2[$0] - rate * delta2 * a1[$0] }
        let delta1 = a1.indices.map { newW2[$0] * delta2 * a1[$0] * (1 - a1[$0]) }
        return (
            p.w1.indices.map { j in x.indices.map { p.w1[j][$0] - rate * delta1[j] * x[$0] } },
            p.b1.indices.map { p.b1[$0] - rate * delta1[$0] }, newW2, p.b2 - rate * delta2
        )
    }

    public static func backpropStep(_ answer: (TinyParameters, [Double], Double, Double) throws -> TinyParameters) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        var cases: [(TinyParameters, [Double], Double, Double)] = [
            (([[0.5, -0.3], [0.8, 0.2], [-0.1, 0.9]], [0.1, 0.2, -0.1], [-0.2, 0.4, 0.6], 0.3), [1, 2], 0.5, 1)
        ]
        for _ in 0..<10 {
            let p: TinyParameters = (
                (0..<3).map { _ in rng.uniforms(2, in: -1..<1) }, rng.uniforms(3, in: -0.5..<0.5), rng.uniforms(3, in: -1..<1), rng.uniform(in: -0.5..<0.5)
            )
            cases.append((p, rng.uniforms(2, in: -2..<2), rng.uniform(in: 0..<1), [0.1, 0.5, 2][rng.int(below: 3)]))
        }
        return runCheck { check in
            for (p, x, y, rate) in cases {
                let expected = flat(referenceStep(p, x, y, rate))
                let before = flat(p)
                let actual = flat(try answer(p, x, y, rate))
                let ascent = zip(before, expected).map { 2 * $0 - $1 }
                let stale = staleStep(p, x, y, rate)
                try check.expect(
                    actual, equals: expected,
                    input: "W¹ \(p.w1), b¹ \(shortList(p.b1)), w² \(shortList(p.w2)), b² \(p.b2), x \(shortList(x)), y \(y), η \(rate)",
                    hints: [
                        Hint(ifActual: before, "nothing changed: subtract η times each gradient"),
                        Hint(ifActual: ascent, "the step goes uphill: θ ← θ − η ∂L/∂θ, with a minus"),
                        Hint(ifActual: flat(stale), "δ¹ used the updated w²: compute every gradient before changing any parameter"),
                    ],
                    otherwise: "compare your δ², δ¹ with the lesson's section 3 (δ² = 0.045771 for its numbers)")
            }
        }
    }

    // MARK: 3.6

    public static func centralDifferenceGradient(_ answer: (([Double]) -> Double, [Double], Double) throws -> [Double]) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        let functions: [(String, @Sendable ([Double]) -> Double)] = [
            ("x₀² + 3x₁", { $0[0] * $0[0] + 3 * $0[1] }),
            ("Σ sin(xᵢ) xᵢ²", { $0.map { sin($0) * $0 * $0 }.reduce(0, +) }),
            ("e^(x₀ x₁) + x₁³", { exp($0[0] * $0[1]) + $0[1] * $0[1] * $0[1] }),
        ]
        return runCheck { check in
            for (name, f) in functions {
                for x in [[1.0, 2]] + (0..<4).map({ _ in rng.uniforms(2 + rng.int(below: 3), in: -1.5..<1.5) }) {
                    for epsilon in [1e-5, 1e-3] {
                        let expected = numericalGradient(at: x, epsilon: epsilon, of: f)
                        let forward = x.indices.map { i -> Double in
                            var probe = x
                            probe[i] += epsilon
                            return (f(probe) - f(x)) / epsilon
                        }
                        try check.expect(
                            try answer(f, x, epsilon), equals: expected, tolerance: Tolerance(relative: 1e-8, absolute: 1e-8),
                            input: "f = \(name), x = \(shortList(x)), ε = \(epsilon)",
                            hints: [
                                Hint(ifActual: forward, "that is the one-sided difference: use f(x + εeᵢ) − f(x − εeᵢ)"),
                                Hint(ifActual: expected.map { 2 * $0 }, "divide by 2ε: the two points are 2ε apart"),
                            ],
                            otherwise: "(f(x + εeᵢ) − f(x − εeᵢ)) / 2ε, moving only component i")
                    }
                }
            }
        }
    }
}
