import Backprop
import ExerciseSupport
import Foundation
import NumericChecks
import Optimizers
import Randomness

/// The checks of Chapter 4's exercises: each answer is run for several steps, threading
/// its own state from one step to the next as a training loop would, and compared after
/// every step with this chapter's optimizers on the same gradients. Hints recognise the
/// usual slips by computing what they would give.
public enum OptimizersChecks {
    static let seed: UInt64 = 1990
    static let steps = 6

    /// A starting point and a run of gradients: the lesson's hand-worked case, then random ones.
    struct Run {
        var start: [Double]
        var gradients: [[Double]]
        var description: String { "θ₀ = \(shortList(start)), gradients \(gradients.map { shortList($0) }.joined(separator: ", "))" }
    }

    static func runs(handWorked: Run) -> [Run] {
        var rng = SeededGenerator(seed: seed)
        return [handWorked]
            + (0..<12).map { _ in
                let n = rng.int(in: 1..<6)
                return Run(start: rng.uniforms(n, in: -2..<2), gradients: (0..<steps).map { _ in rng.uniforms(n, in: -3..<3) })
            }
    }

    /// θ after each step of a library optimizer on `run` (one parameter).
    static func reference(_ optimizer: some Optimizer, _ run: Run) -> [[Double]] {
        var optimizer = optimizer
        var theta = Parameter(name: "θ", shape: [run.start.count], value: run.start, decays: false)
        return run.gradients.map { g in
            theta.gradient = g
            optimizer.update(&theta)
            return theta.value
        }
    }

    /// θ after each step of a rule written out here, carrying `state` along: the slips the hints name.
    static func variant(_ run: Run, _ step: (inout [Double], [Double], inout [[Double]], Int) -> Void) -> [[Double]] {
        var theta = run.start
        var state = [[Double]](repeating: [Double](repeating: 0, count: run.start.count), count: 2)
        return run.gradients.indices.map { k in
            step(&theta, run.gradients[k], &state, k + 1)
            return theta
        }
    }

    static func zeros(_ n: Int) -> [Double] { [Double](repeating: 0, count: n) }

    // MARK: 4.1

    public static func momentumStep(_ answer: MomentumAnswer) -> CheckOutcome {
        let (rate, beta) = (0.1, 0.9)
        let cases = runs(handWorked: Run(start: [1], gradients: [[1], [1], [1]]))
        return runCheck { check in
            for run in cases {
                let expected = reference(Momentum(learningRate: rate, beta: beta, form: .velocity), run)
                let average = reference(Momentum(learningRate: rate, beta: beta, form: .exponentialAverage), run)
                let plain = reference(SGD(learningRate: rate), run)
                let uphill = variant(run) { theta, g, state, _ in
                    for i in theta.indices { state[0][i] = beta * state[0][i] + rate * g[i]; theta[i] += state[0][i] }
                }
                var theta = run.start, velocity = zeros(run.start.count)
                for k in run.gradients.indices {
                    (theta, velocity) = try answer(theta, run.gradients[k], velocity, rate, beta)
                    try check.expect(
                        theta, equals: expected[k], input: "\(run.description), η = \(rate), β = \(beta) — θ after step \(k + 1)",
                        hints: [
                            Hint(ifActual: average[k], "that is the exponential-average form; use v ← βv − ηg, then θ ← θ + v"),
                            Hint(ifActual: plain[k], "that is plain SGD: return the new velocity, so the next step starts from it"),
                            Hint(ifActual: uphill[k], "the step goes uphill: v ← βv − ηg"),
                        ],
                        otherwise: "v ← βv − ηg, then θ ← θ + v with the new v")
                }
            }
        }
    }

    // MARK: 4.2

    public static func rmspropStep(_ answer: RMSpropAnswer) -> CheckOutcome {
        let (rate, rho, epsilon) = (0.01, 0.9, 1e-8)
        let cases = runs(handWorked: Run(start: [1], gradients: [[2], [2]]))
        return runCheck { check in
            for run in cases {
                let expected = reference(RMSprop(learningRate: rate, rho: rho, epsilon: epsilon), run)
                let noRoot = variant(run) { theta, g, state, _ in
                    for i in theta.indices {
                        state[0][i] = rho * state[0][i] + (1 - rho) * g[i] * g[i]
                        theta[i] -= rate * g[i] / (state[0][i] + epsilon)
                    }
                }
                let noOneMinus = variant(run) { theta, g, state, _ in
                    for i in theta.indices {
                        state[0][i] = rho * state[0][i] + g[i] * g[i]
                        theta[i] -= rate * g[i] / (state[0][i].squareRoot() + epsilon)
                    }
                }
                let staleAverage = variant(run) { theta, g, state, _ in
                    for i in theta.indices {
                        theta[i] -= rate * g[i] / (state[0][i].squareRoot() + epsilon)
                        state[0][i] = rho * state[0][i] + (1 - rho) * g[i] * g[i]
                    }
                }
                var theta = run.start, s = zeros(run.start.count)
                for k in run.gradients.indices {
                    (theta, s) = try answer(theta, run.gradients[k], s, rate, rho, epsilon)
                    try check.expect(
                        theta, equals: expected[k], input: "\(run.description), η = \(rate), ρ = \(rho) — θ after step \(k + 1)",
                        hints: [
                            Hint(ifActual: noRoot[k], "divide by the square root of s: g / (√s + ε)"),
                            Hint(ifActual: noOneMinus[k], "the new squared gradient is weighted by (1 − ρ): s ← ρs + (1 − ρ)g²"),
                            Hint(ifActual: staleAverage[k], "update s first, then use the new s in the step"),
                        ],
                        otherwise: theta.allSatisfy(\.isFinite)
                            ? "s ← ρs + (1 − ρ)g², then θ ← θ − ηg / (√s + ε)" : "not finite: is ε added outside √s, and s carried from step to step?")
                }
            }
        }
    }

    // MARK: 4.3

    public static func adamStep(_ answer: AdamAnswer) -> CheckOutcome {
        let (rate, beta1, beta2, epsilon) = (0.1, 0.9, 0.999, 1e-8)
        let cases = runs(handWorked: Run(start: [1], gradients: [[2], [1]]))
        return runCheck { check in
            for run in cases {
                let expected = reference(Adam(learningRate: rate, beta1: beta1, beta2: beta2, epsilon: epsilon), run)
                func adamVariant(correction: (Int) -> (Double, Double)) -> [[Double]] {
                    variant(run) { theta, g, state, t in
                        let (c1, c2) = correction(t)
                        for i in theta.indices {
                            state[0][i] = beta1 * state[0][i] + (1 - beta1) * g[i]
                            state[1][i] = beta2 * state[1][i] + (1 - beta2) * g[i] * g[i]
                            theta[i] -= rate * (state[0][i] / c1) / ((state[1][i] / c2).squareRoot() + epsilon)
                        }
                    }
                }
                let uncorrected = adamVariant { _ in (1, 1) }
                let firstOnly = adamVariant { t in (1 - pow(beta1, Double(t)), 1) }
                let shifted = adamVariant { t in (1 - pow(beta1, Double(t + 1)), 1 - pow(beta2, Double(t + 1))) }
                var theta = run.start, m = zeros(run.start.count), v = zeros(run.start.count)
                for k in run.gradients.indices {
                    (theta, m, v) = try answer(theta, run.gradients[k], m, v, k + 1, rate, beta1, beta2, epsilon)
                    try check.expect(
                        theta, equals: expected[k],
                        input: "\(run.description), η = \(rate), β₁ = \(beta1), β₂ = \(beta2), ε = \(epsilon) — θ after step t = \(k + 1)",
                        hints: [
                            Hint(ifActual: uncorrected[k], "m and v are not bias-corrected: divide by 1 − β₁ᵗ and 1 − β₂ᵗ"),
                            Hint(ifActual: firstOnly[k], "v needs its correction too: v̂ = v / (1 − β₂ᵗ)"),
                            Hint(ifActual: shifted[k], "t is the number of this step: the first step uses t = 1, not t + 1"),
                        ],
                        otherwise: theta.allSatisfy(\.isFinite)
                            ? "m, v updated first; then θ ← θ − η m̂ / (√v̂ + ε)"
                            : "not finite: at t = 0, 1 − β⁰ = 0 — the first step is t = 1")
                }
            }
        }
    }

    // MARK: 4.4

    public static func cosineAnnealing(_ answer: @Sendable (Double, Double, Int, Int) throws -> Double) -> CheckOutcome {
        var cases: [(initial: Double, minimum: Double, epoch: Int, period: Int)] = [
            (1, 0.1, 0, 10), (1, 0.1, 5, 10), (1, 0.1, 10, 10), (1, 0.1, 25, 10), (0.1, 0, 3, 4), (0.5, 0.05, 7, 1),
        ]
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<20 {
            let period = rng.int(in: 1..<60)
            cases.append((rng.uniform(in: 0.01..<1), rng.uniform(in: 0..<0.01), rng.int(in: 0..<(2 * period)), period))
        }
        return runCheck { check in
            for c in cases {
                let expected = Schedule.cosine(period: c.period, minimum: c.minimum).learningRate(initial: c.initial, at: c.epoch)
                let noMinimum = 0.5 * c.initial * (1 + cos(Double.pi * Double(min(c.epoch, c.period)) / Double(c.period)))
                let notHeld = c.minimum + 0.5 * (c.initial - c.minimum) * (1 + cos(Double.pi * Double(c.epoch) / Double(c.period)))
                let fullCosine = c.minimum + 0.5 * (c.initial - c.minimum) * (1 + cos(2 * Double.pi * Double(min(c.epoch, c.period)) / Double(c.period)))
                try check.expect(
                    try answer(c.initial, c.minimum, c.epoch, c.period), equals: expected,
                    input: "η₀ = \(c.initial), η_min = \(c.minimum), epoch \(c.epoch), period \(c.period)",
                    hints: [
                        Hint(ifActual: noMinimum, "the curve ends at η_min, not 0: η_min + ½(η₀ − η_min)(1 + cos(π t/T))"),
                        Hint(ifActual: notHeld, "after the period η stays at η_min: use min(t, T)"),
                        Hint(ifActual: fullCosine, "half a cosine: the angle is π t/T, not 2π t/T"),
                        Hint(
                            ifActual: c.minimum + 0.5 * (c.initial - c.minimum) * (1 + cos(Double.pi * Double(c.epoch / c.period))),
                            "t/T divides Ints and rounds down: convert to Double first"),
                    ],
                    otherwise: "η_min + ½(η₀ − η_min)(1 + cos(π · min(t, T)/T))")
            }
        }
    }

    // MARK: 4.6

    public static func reduceOnPlateau(_ answer: @Sendable ([Double], Double, Double, Int, Double) throws -> [Double]) -> CheckOutcome {
        var cases: [(losses: [Double], initial: Double, factor: Double, patience: Int, threshold: Double)] = [
            ([1, 1, 1, 1, 1], 0.1, 0.5, 1, 0),
            ([1.0, 0.9, 0.95, 0.91, 0.92, 0.899, 0.8999, 0.89991, 0.9, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75], 0.1, 0.5, 2, 1e-3),
            ([3, 2.5, 2.4999, 2.49, 2.489, 2.4889, 2.48889, 2.4, 2.39999, 2.39998], 1, 0.1, 0, 1e-4),
        ]
        var rng = SeededGenerator(seed: seed + 6)
        for _ in 0..<6 {
            var loss = 2.0
            let losses = (0..<25).map { _ in
                loss *= rng.uniform(in: 0.97..<1.02)
                return loss
            }
            cases.append((losses, rng.uniform(in: 0.01..<1), [0.1, 0.5, 0.2][rng.int(below: 3)], rng.int(in: 0..<4), [0, 1e-3, 1e-2][rng.int(below: 3)]))
        }
        // Losses of very different sizes: the relative threshold scales with them.
        cases.append(([2e6, 1.9995e6, 1.9999e6, 1.99e6, 1.98999e6, 1.98998e6, 1.98997e6], 0.5, 0.5, 1, 1e-3))
        cases.append(([3e-8, 2.9e-8, 2.8999e-8, 2.89989e-8, 2.5e-8, 2.49999e-8, 2.49998e-8, 2.49997e-8], 0.05, 0.1, 1, 1e-4))
        return runCheck { check in
            for c in cases {
                var plateau = ReduceOnPlateau(factor: c.factor, patience: c.patience, threshold: c.threshold)
                var rate = c.initial
                var expected: [Double] = []
                for loss in c.losses {
                    expected.append(rate)
                    rate = plateau.step(validationLoss: loss, learningRate: rate)
                }
                try check.expect(
                    try answer(c.losses, c.initial, c.factor, c.patience, c.threshold), equals: expected,
                    input: "losses \(shortList(c.losses)), initialRate \(c.initial), factor \(c.factor), patience \(c.patience), threshold \(c.threshold)",
                    hints: [
                        Hint(
                            ifActual: plateauRates(c.losses, c.initial, c.factor, c.patience, c.threshold, atPatience: true),
                            "the cut comes after more than `patience` bad epochs (bad > patience), not after `patience` of them (that is Keras's rule)"),
                        Hint(
                            ifActual: plateauRates(c.losses, c.initial, c.factor, c.patience, c.threshold, sameEpoch: true),
                            "a cut applies from the next epoch on: record the epoch's rate before looking at its loss"),
                        Hint(
                            ifActual: plateauRates(c.losses, c.initial, c.factor, c.patience, c.threshold, noReset: true),
                            "after a cut the count of bad epochs starts again from 0"),
                        Hint(
                            ifActual: plateauRates(c.losses, c.initial, c.factor, c.patience, c.threshold, absolute: true),
                            "the threshold is relative: improved means loss < best · (1 − threshold), not best − threshold"),
                    ],
                    otherwise: "rates[k] is the rate epoch k trained with; cut by `factor` once bad > patience, then bad = 0")
            }
        }
    }

    /// The rates of reduce-on-plateau with one rule changed, for the hints (and the wrong
    /// answers): cut after `patience` bad epochs, an absolute threshold, the count not reset
    /// after a cut, or the cut applied to the epoch that caused it.
    static func plateauRates(
        _ losses: [Double], _ initial: Double, _ factor: Double, _ patience: Int, _ threshold: Double,
        atPatience: Bool = false, absolute: Bool = false, noReset: Bool = false, sameEpoch: Bool = false
    ) -> [Double] {
        var (rate, best, bad) = (initial, Double?.none, 0)
        var rates: [Double] = []
        for loss in losses {
            if !sameEpoch { rates.append(rate) }
            if let b = best, !(loss < (absolute ? b - threshold : b * (1 - threshold))) {
                bad += 1
            } else {
                best = loss
                bad = 0
            }
            if atPatience ? bad >= patience && bad > 0 : bad > patience {
                rate *= factor
                if !noReset { bad = 0 }
            }
            if sameEpoch { rates.append(rate) }
        }
        return rates
    }

    // MARK: 4.5

    public static func clipByGlobalNorm(_ answer: @Sendable ([[Double]], Double) throws -> [[Double]]) -> CheckOutcome {
        var cases: [(gradients: [[Double]], maxNorm: Double)] = [
            ([[3, 0], [4]], 1), ([[3, 0], [4]], 10), ([[3, 0], [4]], 5), ([[0.3, -0.4], [0, 1.2]], 2), ([[3, 0], [0, 0, 12], [4]], 1),
        ]
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<20 {
            let arrays = (0..<rng.int(in: 1..<5)).map { _ in rng.uniforms(rng.int(in: 1..<6), in: -3..<3) }
            cases.append((arrays, rng.uniform(in: 0.5..<6)))
        }
        return runCheck { check in
            for c in cases {
                let input = "gradients \(c.gradients.map { shortList($0) }), maxNorm \(c.maxNorm)"
                var expected = c.gradients
                Optimizers.clipByGlobalNorm(&expected, maxNorm: c.maxNorm)
                let perArray = c.gradients.map { array in
                    var one = [array]
                    Optimizers.clipByGlobalNorm(&one, maxNorm: c.maxNorm)
                    return one[0]
                }
                let norm = globalNorm(c.gradients)
                let alwaysScaled = c.gradients.map { $0.map { $0 * c.maxNorm / norm } }
                let actual = try answer(c.gradients, c.maxNorm)
                try check.expect(
                    actual.map(\.count), equals: c.gradients.map(\.count), input: input,
                    hint: "return one array per gradient array, each with its own length")
                try check.expect(
                    actual.flatMap { $0 }, equals: expected.flatMap { $0 }, input: input,
                    hints: [
                        Hint(ifActual: perArray.flatMap { $0 }, "one factor for all arrays: use the global norm over every array"),
                        Hint(ifActual: alwaysScaled.flatMap { $0 }, "a gradient already within maxNorm is returned unchanged"),
                        Hint(ifActual: c.gradients.flatMap { $0 }, "this gradient is longer than maxNorm: scale it by maxNorm / ‖g‖"),
                    ],
                    otherwise: "if ‖g‖ > maxNorm, multiply every entry by maxNorm / ‖g‖")
            }
        }
    }
}
