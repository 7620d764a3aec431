import Activations
import Backprop
import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Optimizers
import Practice
import Randomness

/// The checks of Chapter 11's exercises, against this chapter's library
/// (`ConfusionMatrix` and `ClassificationReport`, tested against scikit-learn;
/// `ImageTransform.shifted`; `deadFraction`), the chapters' own layers, loss and
/// optimizer for the transfer step, and closed forms for the log-uniform draw.
enum PracticeExerciseChecks {
    static let seed: UInt64 = 2012  // "Random Search for Hyper-Parameter Optimization"

    // MARK: 11.1

    /// (truth, predicted, classCount): the file's example, a class that never occurs, one never
    /// predicted, and random ones with unbalanced classes.
    static func labelCases() -> [(truth: [Int], predicted: [Int], classes: Int)] {
        var rng = SeededGenerator(seed: seed)
        var list: [(truth: [Int], predicted: [Int], classes: Int)] = [
            ([0, 0, 1, 2], [0, 1, 1, 1], 3),
            ([0, 1, 1, 0, 1], [1, 1, 0, 0, 1], 4),  // classes 2 and 3 never occur
            ([2, 2, 0, 1, 2, 0], [2, 0, 0, 0, 2, 0], 3),  // class 1 never predicted
        ]
        for (n, k) in [(20, 4), (37, 6), (12, 2)] {
            let truth = (0..<n).map { _ in rng.int(below: k) }
            list.append((truth, truth.map { rng.uniform(in: 0..<1) < 0.6 ? $0 : rng.int(below: k) }, k))
        }
        return list
    }

    static func confusionMatrix(_ answer: ([Int], [Int], Int) throws -> [[Int]]) -> CheckOutcome {
        runCheck { check in
            for c in labelCases() {
                let input = "truth \(c.truth), predicted \(c.predicted), classCount \(c.classes)"
                let actual = try answer(c.truth, c.predicted, c.classes)
                let expected = ConfusionMatrix(truth: c.truth, predicted: c.predicted, classCount: c.classes).counts
                let transposed = (0..<c.classes).map { p in (0..<c.classes).map { t in expected[t][p] } }
                let hint =
                    actual == transposed
                    ? "rows are the true class and columns the prediction: counts[truth][predicted]"
                    : actual.count < c.classes
                        ? "every class in 0..<classCount gets a row and a column, also one that never occurs"
                        : "count each (truth, prediction) pair once, in counts[truth][predicted]"
                try check.expect(
                    actual.map { $0.map(Double.init) }.flatMap { $0 }, equals: expected.flatMap { $0.map(Double.init) }, tolerance: .exact,
                    input: input, otherwise: hint)
            }
        }
    }

    // MARK: 11.2

    static func precisionRecallF1(_ answer: ([[Int]]) throws -> (precision: [Double], recall: [Double], f1: [Double], macro: [Double])) -> CheckOutcome {
        runCheck { check in
            var cases = [[[2, 1], [0, 1]]]
            for c in labelCases() { cases.append(ConfusionMatrix(truth: c.truth, predicted: c.predicted, classCount: c.classes).counts) }
            for counts in cases {
                let input = "counts \(counts)"
                let actual = try answer(counts)
                let report = ClassificationReport(ConfusionMatrix(counts: counts))
                let (p, r, f) = (report.classes.map(\.precision), report.classes.map(\.recall), report.classes.map(\.f1))
                let macro = report.average(.macro)
                let weighted = report.average(.weighted)
                let swapped = "precision and recall are swapped: precision divides by the column (all predicted c), recall by the row (all truly c)"
                let zeroDivision = "a ratio 0/0 (a class never predicted, or never present) counts as 0, not NaN"
                try check.expect(
                    actual.precision, equals: p, input: input,
                    hints: [Hint(ifActual: r, swapped)],
                    otherwise: actual.precision.allSatisfy(\.isFinite) ? "TP / (TP + FP), with FP down the column" : zeroDivision)
                try check.expect(
                    actual.recall, equals: r, input: input,
                    hints: [Hint(ifActual: p, swapped)],
                    otherwise: actual.recall.allSatisfy(\.isFinite) ? "TP / (TP + FN), with FN along the row" : zeroDivision)
                try check.expect(
                    actual.f1, equals: f, input: input,
                    hints: [Hint(ifActual: zip(p, r).map { ($0 + $1) / 2 }, "F1 is the harmonic mean 2PR/(P + R), not the plain mean (P + R)/2")],
                    otherwise: actual.f1.allSatisfy(\.isFinite) ? "F1 = 2PR/(P + R), and 0 when P + R = 0" : zeroDivision)
                try check.expect(
                    actual.macro, equals: [macro.precision, macro.recall, macro.f1], input: input,
                    hints: [
                        Hint(
                            ifActual: [weighted.precision, weighted.recall, weighted.f1],
                            "each class weighted by its support is the weighted average; the macro average counts every class the same"),
                        Hint(ifActual: [macro.recall, macro.precision, macro.f1], swapped),
                        Hint(
                            ifActual: [macro.precision, macro.recall, 2 * macro.precision * macro.recall / (macro.precision + macro.recall)],
                            "macro F1 is the mean of the per-class F1s (scikit-learn's), not the F1 of the macro precision and recall"),
                    ],
                    otherwise: "[mean of the precisions, mean of the recalls, mean of the F1s]")
            }
        }
    }

    // MARK: 11.3

    static func logUniform(_ answer: (Double, Double, Double) throws -> Double) -> CheckOutcome {
        runCheck { check in
            var rng = SeededGenerator(seed: seed + 3)
            var cases: [(Double, Double, Double)] = [(0.5, 0.001, 0.1), (0, 1e-4, 1), (1, 1e-4, 1), (0.25, 2, 32)]
            for _ in 0..<6 { cases.append((rng.uniform(in: 0..<1), exp(rng.uniform(in: -12 ..< -2)), exp(rng.uniform(in: -1..<3)))) }
            for (u, low, high) in cases {
                let input = "u \(u), low \(low), high \(high)"
                let actual = try answer(u, low, high)
                let expected = low * pow(high / low, u)  // the same point, written as a · (b/a)^u
                try check.expect(
                    actual, equals: expected, input: input,
                    hints: [
                        Hint(ifActual: low + u * (high - low), "that is a uniform draw in η itself: most draws land in the top decade; draw log η uniformly"),
                        Hint(ifActual: exp(u * log(high)), "log a is missing: u = 0 must give a"),
                        Hint(ifActual: high * pow(low / high, u), "u = 0 must give a (low) and u = 1 must give b (high)"),
                    ],
                    otherwise: "exp(log a + u (log b − log a))")
            }
        }
    }

    // MARK: 11.4

    struct TransferCase {
        var w1: [Double], b1: [Double], w2: [Double], b2: [Double], inputs: [[Double]], labels: [Int], rate: Double, scale: Double
        var description: String {
            "w1 \(shortList(w1)), b1 \(shortList(b1)), w2 \(shortList(w2)), b2 \(shortList(b2)), inputs \(inputs.map { shortList($0) }), "
                + "labels \(labels), learningRate \(rate), backboneScale \(scale)"
        }
    }

    /// The first case by hand-sized numbers; then D = 2–4, H = 2–5, K = 2–4, batches of 1–6,
    /// with the backbone frozen (0), at a tenth, or at full rate (1), and biases that kill some units.
    static func transferCases() -> [TransferCase] {
        var rng = SeededGenerator(seed: seed + 4)
        var list = [
            TransferCase(
                w1: [1, -1, 0.5, 2], b1: [0, -0.5], w2: [1, 0, -1, 1], b2: [0, 0], inputs: [[1, 0.5], [-1, 2]], labels: [0, 1], rate: 0.5, scale: 0)
        ]
        for (d, h, k, n, scale) in [(3, 4, 3, 5, 0.0), (2, 5, 2, 1, 0.1), (4, 3, 4, 6, 0.1), (3, 2, 3, 4, 1.0), (2, 4, 2, 3, 0.0)] {
            list.append(
                TransferCase(
                    w1: rng.normals(h * d), b1: rng.uniforms(h, in: -1..<0.5), w2: rng.normals(k * h), b2: rng.uniforms(k, in: -0.5..<0.5),
                    inputs: (0..<n).map { _ in rng.normals(d) }, labels: (0..<n).map { _ in rng.int(below: k) }, rate: [0.1, 0.5, 1][rng.int(below: 3)],
                    scale: scale))
        }
        return list
    }

    /// One step through the chapters' layers: Dense → ReLU → Dense, softmax cross-entropy
    /// (mean), SGD with the backbone frozen (scale 0) or in a parameter group at the scale.
    static func transferReference(_ c: TransferCase, backboneScale: Double? = nil, headScale: Double = 1, batchMean: Bool = true) -> (
        w1: [Double], b1: [Double], w2: [Double], b2: [Double]
    ) {
        let scale = backboneScale ?? c.scale
        let (d, h, k) = (c.inputs[0].count, c.b1.count, c.b2.count)
        var model = Sequential([
            Dense(weights: Matrix(rows: h, columns: d, values: c.w1), biases: c.b1, name: "backbone"), ActivationLayer(.relu),
            Dense(weights: Matrix(rows: k, columns: h, values: c.w2), biases: c.b2, name: "head"),
        ])
        let x = Tensor(shape: [c.inputs.count, d], values: c.inputs.flatMap { $0 })
        var gradient = SoftmaxCrossEntropy().evaluate(model.forward(x, mode: .training), c.labels).gradient
        if !batchMean { gradient = Tensor(shape: gradient.shape, values: gradient.values.map { $0 * Double(c.inputs.count) }) }
        model.backwardSkippingInputGradient(gradient)
        if scale == 0 { model.setFrozen(true, namesStartingWith: "0.") }
        var groups: [ParameterGroups<SGD>.Group] = scale == 0 ? [] : [.init(prefixes: ["0."], learningRateScale: scale)]
        if headScale != 1 { groups.append(.init(prefixes: ["2."], learningRateScale: headScale)) }
        var sgd = ParameterGroups(SGD(learningRate: c.rate), groups: groups)
        sgd.step(&model)
        let p = model.namedParameters.map(\.parameter.value)
        return (p[0], p[1], p[2], p[3])
    }

    static func transferStep(
        _ answer: ([Double], [Double], [Double], [Double], [[Double]], [Int], Double, Double) throws -> (w1: [Double], b1: [Double], w2: [Double], b2: [Double])
    ) -> CheckOutcome {
        runCheck { check in
            for c in transferCases() {
                let actual = try answer(c.w1, c.b1, c.w2, c.b2, c.inputs, c.labels, c.rate, c.scale)
                let expected = transferReference(c)
                let fullRate = transferReference(c, backboneScale: 1)
                let summed = transferReference(c, batchMean: false)
                let swappedScale = transferReference(c, backboneScale: 1, headScale: c.scale == 0 ? 1e-300 : c.scale)
                func close(_ a: [Double], _ b: [Double]) -> Bool { mismatch(a, b, tolerance: .standard) == nil }
                if c.scale != 1 && close(actual.w1, fullRate.w1) && (actual.w2 == c.w2 || close(actual.w2, swappedScale.w2)) {
                    try check.fail(
                        "the backbone stepped at the full η and the head at η · backboneScale", input: c.description,
                        hint: "backboneScale slows the backbone, not the head: the head steps at the full η")
                    continue
                }
                let frozenStepped =
                    c.scale == 0
                    ? "the backbone is frozen (backboneScale 0): W1 and b1 must come back exactly as they were"
                    : "the backbone steps at η · backboneScale, not at η"
                try check.expect(
                    actual.w1, equals: expected.w1, tolerance: c.scale == 0 ? .exact : .standard, input: c.description,
                    hints: [Hint(ifActual: fullRate.w1, frozenStepped), Hint(ifActual: summed.w1, "the loss is a mean over the batch: divide ∂L/∂z by B")],
                    otherwise: c.scale == 0 ? frozenStepped : "W1 ← W1 − η · backboneScale · Σ ∂L/∂u xᵀ, with ∂L/∂u = 0 where u ≤ 0")
                try check.expect(
                    actual.b1, equals: expected.b1, tolerance: c.scale == 0 ? .exact : .standard, input: c.description,
                    hints: [Hint(ifActual: fullRate.b1, frozenStepped)],
                    otherwise: c.scale == 0 ? frozenStepped : "b1 ← b1 − η · backboneScale · Σ ∂L/∂u")
                try check.expect(
                    actual.w2, equals: expected.w2, input: c.description,
                    hints: [
                        Hint(ifActual: c.w2, "the new head must take its step: only the backbone is frozen or slowed"),
                        Hint(ifActual: swappedScale.w2, "backboneScale slows the backbone, not the head: the head steps at the full η"),
                        Hint(ifActual: summed.w2, "the loss is a mean over the batch: divide ∂L/∂z by B"),
                    ],
                    otherwise: "W2 ← W2 − η Σ ∂L/∂z hᵀ, ∂L/∂z = (softmax(z) − onehot)/B, every gradient at the weights before the step")
                try check.expect(
                    actual.b2, equals: expected.b2, input: c.description,
                    hints: [Hint(ifActual: c.b2, "the new head must take its step: only the backbone is frozen or slowed")],
                    otherwise: "b2 ← b2 − η Σ ∂L/∂z")
            }
        }
    }

    // MARK: 11.5

    static func shifted(_ answer: ([Double], Int, Int, Int) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            var rng = SeededGenerator(seed: seed + 5)
            var cases: [([Double], Int, Int, Int)] = [([1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 1, 0), ([1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 0, -1)]
            for (side, dx, dy) in [(4, 1, 2), (5, -2, 1), (8, -1, -1), (8, 3, 0), (3, 0, 0), (4, 5, 0)] {
                cases.append(((0..<(side * side)).map { _ in Double(rng.int(below: 17)) }, side, dx, dy))
            }
            for (image, side, dx, dy) in cases {
                let input = "image \(shortList(image)), side \(side), dx \(dx), dy \(dy)"
                let actual = try answer(image, side, dx, dy)
                let expected = ImageTransform.shifted(image, side: side, dx: Double(dx), dy: Double(dy))
                func modulo(_ a: Int) -> Int { ((a % side) + side) % side }
                let wrapped = (0..<(side * side)).map { i in image[modulo(i / side - dy) * side + modulo(i % side - dx)] }
                try check.expect(
                    actual, equals: expected, tolerance: .exact, input: input,
                    hints: [
                        Hint(ifActual: wrapped, "the shift wraps around: pixels that leave one side must not come back on the other; uncovered pixels are 0"),
                        Hint(
                            ifActual: ImageTransform.shifted(image, side: side, dx: Double(-dx), dy: Double(-dy)),
                            "the direction is reversed: output[r][c] = input[r − dy][c − dx] moves the image right and down"),
                        Hint(
                            ifActual: ImageTransform.shifted(image, side: side, dx: Double(dy), dy: Double(dx)),
                            "dx moves along a row (the column index c), dy down the rows (the row index r)"),
                    ],
                    otherwise: "output[r][c] = input[r − dy][c − dx] inside the image, 0 elsewhere")
            }
        }
    }

    // MARK: 11.6

    static func deadFraction(_ answer: ([Double], Int, Int, Int) throws -> Double) -> CheckOutcome {
        runCheck { check in
            var rng = SeededGenerator(seed: seed + 6)
            var cases: [([Double], Int, Int, Int)] = [([0, 1, 0, 0, 0, 2], 2, 3, 1)]
            for (batch, units, positions) in [(4, 5, 1), (3, 4, 4), (1, 6, 1), (5, 3, 9), (2, 8, 2)] {
                // ReLU outputs with some units dead everywhere and others zero in only some samples.
                let dead = Set((0..<units).filter { _ in rng.uniform(in: 0..<1) < 0.4 })
                let values = (0..<(batch * units * positions)).map { i -> Double in
                    let unit = (i / positions) % units
                    return dead.contains(unit) || rng.uniform(in: 0..<1) < 0.5 ? 0 : rng.uniform(in: 0.1..<2)
                }
                cases.append((values, batch, units, positions))
            }
            for (output, batch, units, positions) in cases {
                let input = "output \(shortList(output)), batch \(batch), units \(units), positions \(positions)"
                let actual = try answer(output, batch, units, positions)
                let expected = Practice.deadFraction(Tensor(shape: [batch, units, positions], values: output))
                let zeroShare = Double(output.filter { $0 == 0 }.count) / Double(output.count)
                let deadInSome =
                    Double(
                        (0..<units).filter { u in (0..<batch).contains { n in (0..<positions).allSatisfy { output[(n * units + u) * positions + $0] == 0 } } }
                            .count) / Double(units)
                let firstPosition =
                    Double((0..<units).filter { u in (0..<batch).allSatisfy { output[($0 * units + u) * positions] == 0 } }.count) / Double(units)
                try check.expect(
                    actual, equals: expected, input: input,
                    hints: [
                        Hint(ifActual: zeroShare, "that is the share of zero outputs; a unit is dead only when it is 0 for every sample and position"),
                        Hint(ifActual: deadInSome, "a unit that is 0 for some samples but not all is alive: dead means 0 for every sample"),
                        Hint(ifActual: firstPosition, "every position of a unit counts (output[(n · units + u) · positions + p]), not only the first"),
                    ],
                    otherwise: "the share of units u with output 0 at every sample n and position p")
            }
        }
    }

    // MARK: 11.7

    static func updateRatio(_ answer: ([Double], [Double], Double) throws -> Double?) -> CheckOutcome {
        runCheck { check in
            var rng = SeededGenerator(seed: seed + 7)
            var cases: [([Double], [Double], Double)] = [([3, 4], [0.6, 0.8], 0.01)]
            for (n, rate) in [(6, 0.1), (20, 0.003), (1, 1.0), (12, 0.5)] { cases.append((rng.normals(n), rng.normals(n).map { $0 * 0.1 }, rate)) }
            cases.append((rng.normals(5).map { $0 * 1e4 }, rng.normals(5).map { $0 * 1e-7 }, 1e-3))  // large weights, tiny gradients
            cases.append((rng.normals(7).map { $0 * 1e-5 }, rng.normals(7).map { $0 * 50 }, 2))  // tiny weights, large gradients
            for (w, g, rate) in cases {
                let input = "weights \(shortList(w)), gradient \(shortList(g)), learningRate \(rate)"
                let actual = try answer(w, g, rate)
                func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
                let expected = rate * norm(g) / norm(w)
                guard let value = actual else {
                    try check.fail("returned nil for weights that are not all 0; expected \(expected)", input: input, hint: "nil only when every weight is 0")
                    continue
                }
                try check.expect(
                    value, equals: expected, input: input,
                    hints: [
                        Hint(ifActual: norm(g) / norm(w), "η is missing: the update is η g, not g"),
                        Hint(
                            ifActual: rate * rate * g.reduce(0) { $0 + $1 * $1 } / w.reduce(0) { $0 + $1 * $1 },
                            "those are squared norms: take the square roots"),
                        Hint(
                            ifActual: rate * g.reduce(0) { $0 + abs($1) } / w.reduce(0) { $0 + abs($1) },
                            "sums of absolute values are not the Euclidean norms √(Σ x²)"),
                    ],
                    otherwise: "η √(Σ g²) / √(Σ w²)")
            }
            let input = "weights [0.0, 0.0, 0.0], gradient [0.1, -0.2, 0.3], learningRate 0.1"
            let zero = try answer([0, 0, 0], [0.1, -0.2, 0.3], 0.1)
            if let zero {
                try check.fail(
                    "returned \(zero) for weights that are all 0; expected nil", input: input,
                    hint: "weights that are all 0 have no size to compare with: return nil")
            }
        }
    }
}
