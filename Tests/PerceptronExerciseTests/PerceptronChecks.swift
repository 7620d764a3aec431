import Datasets
import ExerciseSupport
import LinearAlgebra
import NumericChecks
import Perceptron
import Randomness

/// The checks of Chapter 1's exercises.
///
/// Each check runs fixed cases (the worked examples, and the edge cases a wrong answer
/// trips over) and seeded random cases, compares with the chapter's reference
/// implementation, and recognises a few plausible mistakes to give a hint.
public enum PerceptronChecks {
    /// Random cases are drawn from this seed, so every failure reproduces.
    static let seed: UInt64 = 1958

    /// Random (inputs, weights, bias) with 1…6 inputs.
    static func randomNeurons(_ count: Int) -> [(x: [Double], w: [Double], b: Double)] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let n = rng.int(in: 1..<7)
            return (rng.uniforms(n, in: -2..<2), rng.uniforms(n, in: -2..<2), rng.uniform(in: -1..<1))
        }
    }

    /// Whether an answer equals a predicted wrong answer, up to round-off (an answer
    /// computed in another order differs in the last bits).
    static func matches(_ actual: [Double], _ wrong: [Double]) -> Bool {
        mismatch(actual, wrong) == nil
    }

    static func describe(_ x: [Double], _ w: [Double], _ b: Double) -> String {
        "inputs \(shortList(x)), weights \(shortList(w)), bias \(b)"
    }

    // MARK: 1.1

    public static func weightedSum(_ answer: ([Double], [Double], Double) throws -> Double) -> CheckOutcome {
        let fixed: [(x: [Double], w: [Double], b: Double)] = [
            ([1, 2], [0.5, -0.3], 0.1),  // the lesson's example: 0.5 − 0.6 + 0.1 = 0
            ([1.5, -0.5, 2], [0.4, -0.6, 0.2], 0.1),  // 1.4
            ([], [], 0.7),  // no inputs: just the bias
        ]
        return runCheck { check in
            for (x, w, b) in fixed + randomNeurons(20) {
                let expected = Perceptron.weightedSum(inputs: x, weights: w, bias: b)
                let products = dot(x, w)
                try check.expect(
                    try answer(x, w, b), equals: expected, input: describe(x, w, b),
                    hints: [
                        Hint(ifActual: products, "the bias is missing: z = w·x + b"),
                        Hint(ifActual: products - b, "the bias should be added, not subtracted"),
                        Hint(ifActual: products + Double(x.count) * b, "add the bias once, outside the loop"),
                    ],
                    otherwise: "multiply each input by its own weight, sum the products, add the bias")
            }
        }
    }

    // MARK: 1.2

    public static func predict(_ answer: ([Double], [Double], Double) throws -> Int) -> CheckOutcome {
        let fixed: [(x: [Double], w: [Double], b: Double)] = [
            ([1, 1], [1, 1], -1.5),  // z = 0.5 → 1
            ([1, 0], [1, 1], -1.5),  // z = −0.5 → 0
            ([1, 1], [1, -1], 0),  // z = 0 exactly → 1
            ([2, 3], [0.5, -0.5], 0.5),  // z = 0 exactly → 1
            ([0, 0], [1, 1], -0.1),  // only the bias decides → 0
        ]
        let all = fixed + randomNeurons(20)
        return runCheck { check in
            let answers = try all.map { x, w, b in try answer(x, w, b) }
            let zs = all.map { x, w, b in Perceptron.weightedSum(inputs: x, weights: w, bias: b) }
            let failing = all.indices.filter { answers[$0] != step(zs[$0]) }
            // Named only when it explains every case the answer got wrong (see diagnose).
            let hint =
                diagnose(
                    failing: failing,
                    slips: [
                        ("the perceptron fires when z ≥ 0, so use ≥, not > (z = 0 exactly here)", { zs[$0] == 0 }),
                        ("the output is flipped: 1 when z ≥ 0, 0 when z < 0", { _ in failing.count == all.count }),
                        (
                            "the bias is part of the sum: z = w·x + b, added",
                            { i in
                                let (x, w, b) = all[i]
                                let dot = Perceptron.weightedSum(inputs: x, weights: w, bias: 0)
                                return answers[i] == step(dot) || answers[i] == step(dot - b)
                            }
                        ),
                        ("the answer must be 0 or 1", { ![0, 1].contains(answers[$0]) }),
                    ]) ?? "1 when w·x + b ≥ 0, else 0"
            for (i, (x, w, b)) in all.enumerated() {
                try check.expect(answers[i], equals: step(zs[i]), input: describe(x, w, b) + " (z = \(zs[i]))", hint: hint)
            }
        }
    }

    // MARK: 1.3

    public static func perceptronUpdate(
        _ answer: ([Double], Double, [Double], Int, Double) throws -> (weights: [Double], bias: Double)
    ) -> CheckOutcome {
        var cases: [(w: [Double], b: Double, x: [Double], y: Int, rate: Double)] = [
            ([0, 0], 0, [1, 1], 0, 0.1),  // a false alarm: weights move away from x
            ([0, 0], -0.5, [1, 1], 1, 0.1),  // a miss: weights move toward x
            ([0.3, 0.2], -0.1, [1, 0], 1, 0.5),  // right already: nothing changes
            ([0.3, 0.2], -0.1, [0, 0], 0, 0.5),  // a miss with zero input: only the bias moves
        ]
        for (x, w, b) in randomNeurons(20) {
            cases.append((w, b, x, x.count % 2, 0.25))
        }
        return runCheck { check in
            for (w, b, x, y, rate) in cases {
                let expected = Perceptron.perceptronUpdate(weights: w, bias: b, inputs: x, target: y, learningRate: rate)
                let actual = try answer(w, b, x, y, rate)
                let error = Double(y - step(Perceptron.weightedSum(inputs: x, weights: w, bias: b)))
                func flat(_ u: (weights: [Double], bias: Double)) -> [Double] { u.weights + [u.bias] }
                let flipped = zip(w + [b], x + [1]).map { $0 - rate * error * $1 }
                let biasForgotten = Array(flat(expected).dropLast()) + [b]
                let alwaysUpdated = zip(w + [b], x + [1]).map { $0 + rate * Double(y) * $1 }
                try check.expect(
                    flat(actual), equals: flat(expected),
                    input: "weights \(shortList(w)), bias \(b), inputs \(shortList(x)), target \(y), η = \(rate) "
                        + "(comparing [weights…, bias])",
                    hints: [
                        Hint(ifActual: flipped, "the correction has the wrong sign: use (y − ŷ), target minus prediction"),
                        Hint(ifActual: biasForgotten, "the bias must be corrected too: b ← b + η (y − ŷ)"),
                        Hint(ifActual: alwaysUpdated, "scale by the error (y − ŷ), not by the target y"),
                    ],
                    otherwise: "compute ŷ = step(w·x + b) first; every weight moves by η (y − ŷ) xᵢ")
            }
        }
    }

    // MARK: 1.4

    public static func trainPerceptron(
        _ answer: ([[Double]], [Int], Double, Int) throws -> PerceptronTraining
    ) -> CheckOutcome {
        var problems: [(name: String, inputs: [[Double]], labels: [Int], rate: Double, maxEpochs: Int)] =
            LogicGate.allCases.map { gate in
                // η = 0.5 keeps every sum exact, so the order in which an answer adds
                // things up cannot flip a decision at z = 0
                (gate.name, LogicGate.inputs, gate.truthTable, 0.5, gate == .xor ? 12 : 100)
            }
        var rng = SeededGenerator(seed: seed)
        for trial in 0..<3 {
            // two well-separated clouds of points: separable, so training must converge
            var inputs: [[Double]] = []
            var labels: [Int] = []
            for i in 0..<16 {
                let label = i % 2
                let center = label == 1 ? [2.0, 1.0] : [-1.0, -2.0]
                inputs.append(center.map { $0 + rng.uniform(in: -0.8..<0.8) })
                labels.append(label)
            }
            problems.append(("random separable set #\(trial + 1)", inputs, labels, 0.5, 100))
        }
        return runCheck { check in
            for (name, inputs, labels, rate, maxEpochs) in problems {
                let expected = Perceptron.trainPerceptron(
                    inputs: inputs, labels: labels, learningRate: rate, maxEpochs: maxEpochs)
                let actual = try answer(inputs, labels, rate, maxEpochs)
                let input = "\(name), η = \(rate), maxEpochs = \(maxEpochs)"
                let epochHint: String
                if actual.epochs == expected.epochs + 1 || actual.epochs == expected.epochs - 1 {
                    epochHint = "off by one: count epochs from 1 and include the last, mistake-free epoch"
                } else if actual.epochs == maxEpochs && expected.converged {
                    epochHint = "stop after the first epoch without a mistake"
                } else {
                    epochHint = "start from zero weights, visit the examples in order, and stop after a clean epoch"
                }
                try check.expect(actual.epochs, equals: expected.epochs, input: input + ": epochs run", hint: epochHint)
                try check.expect(
                    actual.converged, equals: expected.converged, input: input + ": converged",
                    hint: "converged means the last epoch had no mistakes")
                try check.expect(
                    actual.mistakesPerEpoch, equals: expected.mistakesPerEpoch, input: input + ": mistakes per epoch",
                    hint: "count an example as a mistake when the prediction before its update was wrong")
                try check.expect(
                    actual.neuron.weights + [actual.neuron.bias],
                    equals: expected.neuron.weights + [expected.neuron.bias],
                    input: input + ": final [weights…, bias]",
                    otherwise: "apply the learning rule to every example of every epoch, starting from zeros")
            }
        }
    }

    // MARK: 1.5

    public static func sigmoidNeuron(_ answer: ([Double], [Double], Double) throws -> Double) -> CheckOutcome {
        let fixed: [(x: [Double], w: [Double], b: Double)] = [
            ([1.5, -0.5, 2], [0.4, -0.6, 0.2], 0.1),  // the lesson's example: σ(1.4) ≈ 0.8022
            ([1, 2], [0.5, -0.3], 0.1),  // z ≈ 0: σ = 0.5
            ([1000], [1], 0),  // z = 1000: σ = 1, not NaN
            ([-1000], [1], 0),  // z = −1000: σ = 0, not NaN
            ([3], [-1], 0.5),  // z = −2.5
        ]
        return runCheck { check in
            for (x, w, b) in fixed + randomNeurons(20) {
                let z = Perceptron.weightedSum(inputs: x, weights: w, bias: b)
                let actual = try answer(x, w, b)
                try check.expect(
                    actual, equals: sigmoid(z), input: describe(x, w, b) + " (z = \(z))",
                    hints: [
                        Hint(ifActual: sigmoid(z - b), "the bias is missing from z"),
                        Hint(ifActual: 1 - sigmoid(z), "the sign in the exponent is flipped: σ(z) = 1 / (1 + e^(−z))"),
                        Hint(ifActual: z, "that is z itself: pass it through σ"),
                    ],
                    otherwise: actual.isNaN
                        ? "NaN: an infinity was divided by an infinity; use 1 / (1 + e^(−z))"
                        : "σ(z) = 1 / (1 + e^(−z)) with z = w·x + b")
            }
        }
    }

    // MARK: 1.6

    public static func sigmoidNeuronGradient(
        _ answer: ([Double], [Double], Double) throws -> (weights: [Double], bias: Double)
    ) -> CheckOutcome {
        let fixed: [(x: [Double], w: [Double], b: Double)] = [
            ([1.5, -0.5, 2], [0.4, -0.6, 0.2], 0.1),
            ([0, 0], [0.3, -0.2], 0),  // zero inputs: only the bias has a gradient
        ]
        return runCheck { check in
            let all = fixed + randomNeurons(15)
            let answers = try all.map { x, w, b in try answer(x, w, b) }
            let activations = all.map { x, w, b in sigmoid(Perceptron.weightedSum(inputs: x, weights: w, bias: b)) }
            func right(_ i: Int) -> (weights: [Double], bias: Double) {
                let slope = activations[i] * (1 - activations[i])
                return (all[i].x.map { slope * $0 }, slope)
            }
            let failing = all.indices.filter { !matches(answers[$0].weights + [answers[$0].bias], right($0).weights + [right($0).bias]) }
            // Named only when it explains every case the answer got wrong (see diagnose).
            let hint =
                diagnose(
                    failing: failing,
                    slips: [
                        (
                            "that is σ(z)·x; the slope is σ′(z) = σ(z)(1 − σ(z))",
                            { i in
                                matches(answers[i].weights + [answers[i].bias], all[i].x.map { activations[i] * $0 } + [activations[i]])
                            }
                        ),
                        ("each ∂a/∂wᵢ needs its input: σ′(z)·xᵢ", { i in matches(answers[i].weights, all[i].x.map { _ in right(i).bias }) }),
                        (
                            "∂a/∂b = σ′(z): the bias enters z with the factor 1",
                            { i in
                                matches(answers[i].weights, right(i).weights) && !matches([answers[i].bias], [right(i).bias])
                            }
                        ),
                    ]) ?? "∂a/∂wᵢ = σ′(z)·xᵢ and ∂a/∂b = σ′(z)"
            for (i, (x, w, b)) in all.enumerated() {
                // the gradient, weights then bias, against central differences of the output
                try check.expectGradient(
                    "[∂a/∂w…, ∂a/∂b]", at: w + [b], analytic: answers[i].weights + [answers[i].bias], input: describe(x, w, b), hint: hint
                ) { p in
                    sigmoid(Perceptron.weightedSum(inputs: x, weights: Array(p.dropLast()), bias: p.last!))
                }
            }
        }
    }
}
