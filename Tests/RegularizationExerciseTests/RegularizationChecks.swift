import Backprop
import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Regularization

/// The checks of Chapter 5's exercises: fixed and random inputs compared with this
/// chapter's penalties, dropout, batch normalization and early stopping, backward passes
/// compared with central differences, and hints computed from the usual slips.
public enum RegularizationChecks {
    static let seed: UInt64 = 1995

    // MARK: 5.1

    public static func l2Penalty(_ answer: ([Double], Double) throws -> (penalty: Double, gradient: [Double])) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        let cases = [([1.0, -2, 0, 0.5], 0.1), ([], 0.3)] + (0..<15).map { _ in (rng.uniforms(rng.int(in: 1..<10), in: -3..<3), rng.uniform(in: 0.001..<1)) }
        return runCheck { check in
            for (w, lambda) in cases {
                let input = "weights \(shortList(w)), λ = \(lambda)"
                let (penalty, gradient) = try answer(w, lambda)
                let expected = Penalty.l2(lambda).value(w)
                try check.expect(
                    penalty, equals: expected, input: input,
                    hints: [
                        Hint(ifActual: 2 * expected, "the penalty is (λ/2) Σ w², with the ½"),
                        Hint(ifActual: Penalty.l1(lambda).value(w), "that is L1, λ Σ |w|: square the weights"),
                    ],
                    otherwise: "(λ/2) Σ wᵢ²")
                try check.expect(
                    gradient, equals: Penalty.l2(lambda).gradient(w), input: input,
                    hints: [Hint(ifActual: w.map { 2 * lambda * $0 }, "with the ½ in Ω the gradient is λw, not 2λw")],
                    otherwise: "∂Ω/∂wᵢ = λ wᵢ")
                if !w.isEmpty {
                    try check.expectGradient("∂Ω/∂w", at: w, analytic: gradient, input: input, hint: "the gradient does not match the penalty") {
                        (try? answer($0, lambda).penalty) ?? .nan
                    }
                }
            }
        }
    }

    // MARK: 5.2

    public static func dropout(
        forward: ([Double], [Double], Double) throws -> (output: [Double], mask: [Double]),
        backward: ([Double], [Double]) throws -> [Double]
    ) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        var cases = [([1.0, 2, 3, 4], [0.9, 0.1, 0.5, 0.3], 0.4)]
        for _ in 0..<15 {
            let n = rng.int(in: 1..<12)
            cases.append((rng.uniforms(n, in: -3..<3), rng.uniforms(n, in: 0..<1), [0.1, 0.25, 0.5, 0.8][rng.int(below: 4)]))
        }
        return runCheck { check in
            for (x, draws, rate) in cases {
                let input = "input \(shortList(x)), draws \(shortList(draws)), rate \(rate)"
                let mask = Dropout.mask(draws: draws, rate: rate)
                var dropout = Dropout(rate: rate, seed: 0)
                let expected = dropout.forward(Tensor(shape: [1, x.count], values: x), mask: mask).values
                let (output, actualMask) = try forward(x, draws, rate)
                try check.expect(
                    output, equals: expected, input: input,
                    hints: [
                        Hint(ifActual: zip(x, draws).map { $1 < rate ? 0 : $0 }, "scale the survivors by 1/(1 − rate)"),
                        Hint(ifActual: zip(x, draws).map { $1 < rate ? 0 : $0 * (1 - rate) }, "scale by 1/(1 − rate), not by (1 − rate)"),
                        Hint(
                            ifActual: zip(x, draws).map { $1 < rate ? $0 / (1 - rate) : 0 }, "drop a value when its draw is below the rate, keep it otherwise"),
                    ],
                    otherwise: "outputᵢ = inputᵢ · maskᵢ, maskᵢ = 0 if drawsᵢ < rate else 1/(1 − rate)")
                try check.expect(
                    actualMask, equals: mask, input: input,
                    hints: [Hint(ifActual: draws, "the mask holds 0 or 1/(1 − rate) per value, not the draws themselves")],
                    otherwise: "return the mask: 0 or 1/(1 − rate) per value")
                let upstream = rng.uniforms(x.count, in: -1..<1)
                let gradient = try backward(upstream, mask)
                try check.expect(
                    gradient, equals: dropout.backward(Tensor(shape: [1, x.count], values: upstream)).values,
                    input: input + ", upstream \(shortList(upstream))",
                    hints: [Hint(ifActual: upstream, "the gradient passes only where the value did, scaled the same: upstream ⊙ mask")],
                    otherwise: "∂L/∂inputᵢ = upstreamᵢ · maskᵢ")
                try check.expectGradient("∂L/∂input", at: x, analytic: gradient, input: input, hint: "backward does not match forward") { probe in
                    zip(upstream, (try? forward(probe, draws, rate).output) ?? [.nan]).map(*).reduce(0, +)
                }
            }
        }
    }

    // MARK: 5.3 and 5.4

    struct NormCase {
        var batch: [[Double]]
        var gamma: [Double], beta: [Double], runningMean: [Double], runningVariance: [Double]
        var description: String {
            "batch [\(batch.map { shortList($0) }.joined(separator: ", "))], γ \(shortList(gamma)), β \(shortList(beta)), running mean \(shortList(runningMean)), running variance \(shortList(runningVariance))"
        }
        var layer: BatchNorm {
            var norm = BatchNorm(features: gamma.count)
            norm.gamma.value = gamma
            norm.beta.value = beta
            norm.runningMean = runningMean
            norm.runningVariance = runningVariance
            return norm
        }
    }

    static func normCases() -> [NormCase] {
        var rng = SeededGenerator(seed: seed)
        return [NormCase(batch: [[1], [2], [3], [4]], gamma: [2], beta: [1], runningMean: [0], runningVariance: [1])]
            + (0..<12).map { _ in
                let n = rng.int(in: 2..<7), features = rng.int(in: 1..<4)
                return NormCase(
                    batch: (0..<n).map { _ in rng.uniforms(features, in: -3..<5) }, gamma: rng.uniforms(features, in: 0.5..<2),
                    beta: rng.uniforms(features, in: -1..<1), runningMean: rng.uniforms(features, in: -1..<1),
                    runningVariance: rng.uniforms(features, in: 0.5..<2))
            }
    }

    public static func batchNormForward(_ answer: BatchNormForwardAnswer) -> CheckOutcome {
        runCheck { check in
            for c in normCases() {
                let x = Matrix(c.batch)
                var trained = c.layer
                let expected = trained.forward(Tensor(x), mode: .training)
                let actual = try answer(c.batch, c.gamma, c.beta, c.runningMean, c.runningVariance, 0.9, 1e-5, true)
                let n = Double(c.batch.count)
                var unbiased = c.layer
                unbiased.runningMean = (0..<x.columns).map { j in mean(c.batch.map { $0[j] }) }
                unbiased.runningVariance = (0..<x.columns).map { j in
                    let m = mean(c.batch.map { $0[j] })
                    return c.batch.map { ($0[j] - m) * ($0[j] - m) }.reduce(0, +) / (n - 1)
                }
                let usedRunning = c.layer.predict(Tensor(x))
                try check.expect(
                    actual.output.flatMap { $0 }, equals: expected.values, input: c.description + " — training mode",
                    hints: [
                        Hint(ifActual: unbiased.predict(Tensor(x)).values, "divide the variance by N, not N − 1"),
                        Hint(ifActual: usedRunning.values, "in training mode normalize with the batch's own mean and variance"),
                    ],
                    otherwise: "yᵢⱼ = γⱼ (xᵢⱼ − μⱼ)/√(σ²ⱼ + ε) + βⱼ with the batch's μ and σ²")
                let swapped = zip(trained.runningMean, c.runningMean).map { new, old in
                    // what 0.1 · running + 0.9 · batch would give
                    0.1 * old + 0.9 * (new - 0.9 * old) / 0.1
                }
                try check.expect(
                    actual.runningMean + actual.runningVariance, equals: trained.runningMean + trained.runningVariance,
                    input: c.description + " — running statistics after a training step",
                    hints: [Hint(ifActual: swapped + actual.runningVariance, "running ← momentum · running + (1 − momentum) · batch")],
                    otherwise: "running ← 0.9 · running + 0.1 · batch statistic, for the mean and the variance")
                let inference = try answer(c.batch, c.gamma, c.beta, c.runningMean, c.runningVariance, 0.9, 1e-5, false)
                try check.expect(
                    inference.output.flatMap { $0 }, equals: usedRunning.values, input: c.description + " — inference mode",
                    hints: [Hint(ifActual: expected.values, "in inference mode use the running mean and variance, not the batch's")],
                    otherwise: "yᵢⱼ = γⱼ (xᵢⱼ − running meanⱼ)/√(running varianceⱼ + ε) + βⱼ")
                try check.expect(
                    inference.runningMean + inference.runningVariance, equals: c.runningMean + c.runningVariance,
                    input: c.description + " — inference mode", otherwise: "inference leaves the running statistics unchanged")
            }
        }
    }

    public static func batchNormBackward(_ answer: BatchNormBackwardAnswer) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        return runCheck { check in
            for (k, c) in normCases().enumerated() {
                let x = Matrix(c.batch)
                let upstream = k == 0 ? [[1.0], [1], [1], [1]] : (0..<x.rows).map { _ in rng.uniforms(x.columns, in: -1..<1) }
                var reference = c.layer
                _ = reference.forward(Tensor(x), mode: .training)
                let referenceInput = reference.backward(Tensor(Matrix(upstream)))
                let inverseDeviation = (0..<x.columns).map { j in
                    let m = mean(c.batch.map { $0[j] })
                    return 1 / (c.batch.map { ($0[j] - m) * ($0[j] - m) }.reduce(0, +) / Double(x.rows) + 1e-5).squareRoot()
                }
                let actual = try answer(c.batch, upstream, c.gamma, 1e-5)
                let input = c.description + ", upstream [\(upstream.map { shortList($0) }.joined(separator: ", "))]"
                let naive = (0..<x.rows).flatMap { i in (0..<x.columns).map { j in c.gamma[j] * inverseDeviation[j] * upstream[i][j] } }
                try check.expect(
                    actual.beta, equals: reference.beta.gradient, input: input + " — ∂L/∂β", otherwise: "∂L/∂βⱼ = Σᵢ gᵢⱼ")
                try check.expect(
                    actual.gamma, equals: reference.gamma.gradient, input: input + " — ∂L/∂γ",
                    hints: [
                        Hint(
                            ifActual: (0..<x.columns).map { j in (0..<x.rows).map { upstream[$0][j] * c.batch[$0][j] }.reduce(0, +) },
                            "multiply by x̂, the normalized input, not x")
                    ],
                    otherwise: "∂L/∂γⱼ = Σᵢ gᵢⱼ x̂ᵢⱼ")
                try check.expect(
                    actual.input.flatMap { $0 }, equals: referenceInput.values, input: input + " — ∂L/∂x",
                    hints: [Hint(ifActual: naive, "that treats μ and σ² as constants: every xᵢ also moves them")],
                    otherwise: "∂L/∂xᵢⱼ = γⱼ/(N √(σ²ⱼ + ε)) · (N gᵢⱼ − Σₖ gₖⱼ − x̂ᵢⱼ Σₖ gₖⱼ x̂ₖⱼ)")
                let flatUpstream = upstream.flatMap { $0 }
                guard k > 0 else { continue }  // the worked example's gradient is exactly 0: no relative error to measure
                try check.expectGradient("∂L/∂x", at: x.values, analytic: actual.input.flatMap { $0 }, input: input) { probe in
                    var layer = c.layer
                    return dot(flatUpstream, layer.forward(Tensor(shape: [x.rows, x.columns], values: probe), mode: .training).values)
                }
            }
        }
    }

    // MARK: 5.5

    public static func earlyStoppingEpochs(_ answer: ([Double], Int, Double) throws -> (stopAfter: Int?, keep: Int)) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        var cases: [([Double], Int, Double)] = [
            ([1.0, 0.8, 0.7, 0.69, 0.72, 0.75, 0.71, 0.9], 3, 0.02), ([1.0, 0.8, 0.7, 0.69, 0.72, 0.75, 0.71, 0.9], 3, 0),
            ([1.0, 0.9, 0.8, 0.7], 2, 0), ([0.5], 1, 0), ([0.5, 0.6], 1, 0), ([1, 1, 1, 1], 3, 0),
        ]
        for _ in 0..<20 {
            var loss = 2.0
            let losses = (0..<rng.int(in: 3..<30)).map { _ in
                loss += rng.uniform(in: -0.2..<0.12)
                return loss
            }
            cases.append((losses, rng.int(in: 1..<6), [0, 0.01, 0.05][rng.int(below: 3)]))
        }
        func reference(_ losses: [Double], _ patience: Int, _ minimum: Double) -> (stopAfter: Int?, keep: Int) {
            var stopper = EarlyStopping(patience: patience, minimumImprovement: minimum)
            for (index, loss) in losses.enumerated() where stopper.shouldStop(afterEpoch: index + 1, validationLoss: loss) {
                return (index + 1, stopper.best!.epoch)
            }
            return (nil, stopper.best!.epoch)
        }
        return runCheck { check in
            for (losses, patience, minimum) in cases {
                let input = "losses \(shortList(losses, limit: 30)), patience \(patience), minimum improvement \(minimum)"
                let expected = reference(losses, patience, minimum)
                let actual = try answer(losses, patience, minimum)
                let ignoresMinimum = reference(losses, patience, 0)
                let hint: String? =
                    actual.keep == expected.keep - 1 && actual.stopAfter == expected.stopAfter.map({ $0 - 1 })
                    ? "epochs count from 1: the first loss in the list is epoch 1"
                    : minimum > 0 && actual.stopAfter == ignoresMinimum.stopAfter && actual.keep == ignoresMinimum.keep
                        ? "an improvement must beat the best by more than the minimum improvement"
                        : actual.stopAfter.map { expected.stopAfter.map { $0 + 1 } == $0 } == true
                            ? "stop as soon as the count of epochs without improvement reaches patience" : nil
                try check.expect(actual.stopAfter, equals: expected.stopAfter, input: input + " — the epoch to stop after", hint: hint)
                try check.expect(
                    actual.keep, equals: expected.keep, input: input + " — the epoch to keep",
                    hint: hint ?? "keep the epoch with the best loss so far, not the last one")
            }
        }
    }
}
