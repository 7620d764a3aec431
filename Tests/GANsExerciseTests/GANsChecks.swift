import Backprop
import ExerciseSupport
import Foundation
import GANs
import LinearAlgebra
import NumericChecks
import Randomness
import Regularization

/// The checks of Chapter 10's exercises, against this chapter's library (`GeneratorLoss`,
/// `BinaryCrossEntropyWithLogits`, `Dense`, `BatchNorm2D`, `GaussianRing`, each tested
/// against PyTorch or by hand) and central differences. Logits reach ±800, batch and
/// feature sizes vary, real and generated batches differ in size.
enum GANsExerciseChecks {
    static let seed: UInt64 = 2014  // "Generative Adversarial Nets"

    static func logitCases() -> [[Double]] {
        var rng = SeededGenerator(seed: seed)
        return [[0], [1, -2, 0.5], rng.uniforms(5, in: -4..<4), [800, -800, 30, -30], rng.uniforms(7, in: -10..<10)]
    }

    static func σ(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }

    static func column(_ values: [Double]) -> Tensor { Tensor(shape: [values.count, 1], values: values) }

    // MARK: 10.1

    static func discriminatorLoss(_ answer: ([Double], [Double]) throws -> (loss: Double, realGradient: [Double], fakeGradient: [Double])) -> CheckOutcome {
        runCheck { check in
            let cases = logitCases()
            for (k, real) in cases.enumerated() {
                let fake = cases[(k + 2) % cases.count].map { -$0 / 2 }  // a batch of another size
                let input = "realLogits \(shortList(real)), fakeLogits \(shortList(fake))"
                let actual = try answer(real, fake)
                let bce = BinaryCrossEntropyWithLogits()
                let r = bce.evaluate(column(real), column(real.map { _ in 1 })), f = bce.evaluate(column(fake), column(fake.map { _ in 0 }))
                let swapped = bce.evaluate(column(real), column(real.map { _ in 0 })).loss + bce.evaluate(column(fake), column(fake.map { _ in 1 })).loss
                try check.expect(
                    actual.loss, equals: r.loss + f.loss, input: input,
                    hints: [
                        Hint(ifActual: swapped, "the labels are swapped: real samples have target 1, generated ones 0"),
                        Hint(ifActual: r.loss * Double(real.count) + f.loss * Double(fake.count), "a sum where each batch's loss is a mean"),
                        Hint(ifActual: r.loss, "the generated batch's half of the loss is missing"),
                    ],
                    otherwise: actual.loss.isFinite
                        ? "mean BCE(t_real, 1) + mean BCE(t_fake, 0)" : "∞ or NaN: log σ(t) took log 0; use max(t, 0) − t·y + log(1 + e^(−|t|))")
                try check.expect(
                    actual.realGradient, equals: r.gradient.values, input: input,
                    hints: [Hint(ifActual: real.map { σ($0) / Double(real.count) }, "the labels are swapped: real samples have target 1, generated ones 0")],
                    otherwise: "(σ(t) − 1)/n for a real logit")
                try check.expect(actual.fakeGradient, equals: f.gradient.values, input: input, otherwise: "σ(t)/m for a generated logit")
                if real.allSatisfy({ abs($0) < 50 }) {
                    try check.expectGradient("∂L_D/∂t_real", at: real, analytic: actual.realGradient, input: input) {
                        bce.evaluate(column($0), column($0.map { _ in 1 })).loss + f.loss
                    }
                }
            }
        }
    }

    // MARK: 10.2 and 10.3

    static func generatorLoss(_ kind: GeneratorLoss, _ answer: ([Double]) throws -> (loss: Double, gradient: [Double])) -> CheckOutcome {
        runCheck { check in
            for logits in logitCases() {
                let input = "fakeLogits \(shortList(logits))"
                let actual = try answer(logits)
                let expected = kind.evaluate(column(logits))
                let other: GeneratorLoss = kind == .nonSaturating ? .minimax : .nonSaturating
                let wrongKind = other.evaluate(column(logits))
                let otherHint =
                    kind == .nonSaturating
                    ? "log(1 − D(G(z))) minimized is the minimax loss; the non-saturating one is −log D(G(z))"
                    : "−log D(G(z)) is the non-saturating loss; the minimax one is log(1 − D(G(z))), minimized"
                let formula =
                    kind == .nonSaturating
                    ? "−mean log σ(t) = mean [max(t, 0) − t + log(1 + e^(−|t|))]" : "mean log(1 − σ(t)) = −mean [max(t, 0) + log(1 + e^(−|t|))]"
                try check.expect(
                    actual.loss, equals: expected.loss, input: input,
                    hints: [Hint(ifActual: wrongKind.loss, otherHint), Hint(ifActual: -expected.loss, "the sign: G minimizes this loss")],
                    otherwise: actual.loss.isFinite ? formula : "∞ or NaN from a finite logit: never take log σ(t) or log(1 − σ(t)); use \(formula)")
                try check.expect(
                    actual.gradient, equals: expected.gradient.values, input: input,
                    hints: [
                        Hint(ifActual: wrongKind.gradient.values, otherHint),
                        Hint(ifActual: expected.gradient.values.map { -$0 }, "the sign: G minimizes this loss"),
                    ],
                    otherwise: kind == .nonSaturating ? "∂L_G/∂t = −(1 − σ(t))/m" : "∂L_G/∂t = −σ(t)/m")
                if logits.allSatisfy({ abs($0) < 50 }) {
                    try check.expectGradient("∂L_G/∂t", at: logits, analytic: actual.gradient, input: input) { kind.evaluate(column($0)).loss }
                }
            }
        }
    }

    // MARK: 10.4 and 10.5

    struct LinearCase {
        var real: [[Double]], noise: [[Double]], a: [Double], c: [Double], w: [Double], b: Double, rate: Double
        var d: Int { c.count }
        var k: Int { noise[0].count }
        var generator: Dense { Dense(weights: Matrix(rows: d, columns: k, values: a), biases: c) }
        var discriminator: Dense { Dense(weights: Matrix(rows: 1, columns: d, values: w), biases: [b]) }
        func batch(_ rows: [[Double]]) -> Tensor { Tensor(shape: [rows.count, rows[0].count], values: rows.flatMap { $0 }) }
        var description: String {
            "real \(real.map { shortList($0) }), noise \(noise.map { shortList($0) }), generatorWeights \(shortList(a)), generatorBias \(shortList(c)), "
                + "discriminatorWeights \(shortList(w)), discriminatorBias \(b), learningRate \(rate)"
        }
    }

    /// The files' examples, then d = 1–3, k = 1–4, batches of 1–5 (real and generated of different sizes).
    static func linearCases(forGenerator: Bool) -> [LinearCase] {
        var rng = SeededGenerator(seed: seed + 4)
        var list = [
            forGenerator
                ? LinearCase(real: [[0]], noise: [[1]], a: [0], c: [0], w: [1], b: 0, rate: 1)
                : LinearCase(real: [[1]], noise: [[0]], a: [0], c: [0], w: [0], b: 0, rate: 1)
        ]
        for (d, k, n, m) in [(2, 3, 4, 3), (3, 1, 2, 5), (1, 4, 5, 2), (3, 2, 3, 3)] {
            list.append(
                LinearCase(
                    real: (0..<n).map { _ in rng.uniforms(d, in: -2..<2) }, noise: (0..<m).map { _ in rng.normals(k) }, a: rng.uniforms(d * k, in: -1..<1),
                    c: rng.uniforms(d, in: -1..<1), w: rng.uniforms(d, in: -2..<2), b: rng.uniform(in: -1..<1), rate: [0.1, 0.5, 1][rng.int(below: 3)]))
        }
        return list
    }

    /// D's (w, b) after one SGD step on L_D, through the library's layers; and ∂L_D/∂x_fake.
    static func discriminatorReference(_ c: LinearCase) -> (w: [Double], b: Double, fakeInputGradient: Tensor) {
        var d = c.discriminator
        let fake = c.generator.predict(c.batch(c.noise))
        let bce = BinaryCrossEntropyWithLogits()
        let realLogits = d.forward(c.batch(c.real), mode: .training)
        d.backwardSkippingInputGradient(bce.evaluate(realLogits, Tensor(shape: realLogits.shape, repeating: 1)).gradient)
        let fakeLogits = d.forward(fake, mode: .training)
        let fakeInputGradient = d.backward(bce.evaluate(fakeLogits, Tensor(shape: fakeLogits.shape)).gradient)
        var sgd = SGD(learningRate: c.rate)
        sgd.step(&d)
        return (d.weight.value, d.bias.value[0], fakeInputGradient)
    }

    /// G's (A, c) after one SGD step on `loss` through D (D's input gradient), by the library's layers.
    static func generatorReference(_ c: LinearCase, loss: GeneratorLoss = .nonSaturating) -> (a: [Double], c: [Double], discriminatorGradient: [Double]) {
        var g = c.generator
        let x = g.forward(c.batch(c.noise), mode: .training)
        var probe = c.discriminator
        let t = probe.forward(x, mode: .training)
        let dx = probe.backward(loss.evaluate(t).gradient)
        g.backwardSkippingInputGradient(dx)
        var sgd = SGD(learningRate: c.rate)
        sgd.step(&g)
        return (g.weight.value, g.bias.value, probe.weight.gradient + probe.bias.gradient)
    }

    typealias StepAnswer = ([[Double]], [[Double]], [Double], [Double], [Double], Double, Double) throws -> (
        generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double
    )

    static func discriminatorStep(_ answer: StepAnswer) -> CheckOutcome {
        runCheck { check in
            for c in linearCases(forGenerator: false) {
                let actual = try answer(c.real, c.noise, c.a, c.c, c.w, c.b, c.rate)
                let expected = discriminatorReference(c)
                let unchanged = "the generated batch is data in D's step: G's A and c must come back unchanged"
                try check.expect(actual.generatorWeights, equals: c.a, input: c.description, otherwise: unchanged)
                try check.expect(actual.generatorBias, equals: c.c, input: c.description, otherwise: unchanged)
                // The slips' predictions for D: labels swapped, the generated half left out.
                let swappedStep = swappedLabels(c)
                let realOnly = realHalfOnly(c)
                try check.expect(
                    actual.discriminatorWeights, equals: expected.w, input: c.description,
                    hints: [
                        Hint(ifActual: swappedStep.w, "the labels are swapped: real samples have target 1, generated ones 0"),
                        Hint(ifActual: realOnly.w, "the generated batch's half of the gradient is missing"),
                    ],
                    otherwise: "w ← w − η Σ g x over both batches, g = (σ(t) − 1)/n for real, σ(t)/m for generated")
                try check.expect(
                    actual.discriminatorBias, equals: expected.b, input: c.description,
                    hints: [Hint(ifActual: swappedStep.b, "the labels are swapped: real samples have target 1, generated ones 0")],
                    otherwise: "b ← b − η Σ g over both batches")
            }
        }
    }

    static func swappedLabels(_ c: LinearCase) -> (w: [Double], b: Double) {
        step(c, realTarget: 0, fakeTarget: 1, withFake: true)
    }

    static func realHalfOnly(_ c: LinearCase) -> (w: [Double], b: Double) {
        step(c, realTarget: 1, fakeTarget: 0, withFake: false)
    }

    /// One SGD step of D with given targets, written out (for the hints' predictions).
    static func step(_ c: LinearCase, realTarget: Double, fakeTarget: Double, withFake: Bool) -> (w: [Double], b: Double) {
        let fake = c.noise.map { z in (0..<c.d).map { i in c.c[i] + (0..<c.k).reduce(0) { $0 + c.a[i * c.k + $1] * z[$1] } } }
        var dw = [Double](repeating: 0, count: c.d), db = 0.0
        for (batch, target) in [(c.real, realTarget)] + (withFake ? [(fake, fakeTarget)] : []) {
            for x in batch {
                let t = c.b + zip(c.w, x).reduce(0) { $0 + $1.0 * $1.1 }
                let g = (σ(t) - target) / Double(batch.count)
                for i in 0..<c.d { dw[i] += g * x[i] }
                db += g
            }
        }
        return ((0..<c.d).map { c.w[$0] - c.rate * dw[$0] }, c.b - c.rate * db)
    }

    static func generatorStep(
        _ answer: ([[Double]], [Double], [Double], [Double], Double, Double) throws -> (
            generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double
        )
    ) -> CheckOutcome {
        runCheck { check in
            for c in linearCases(forGenerator: true) {
                let actual = try answer(c.noise, c.a, c.c, c.w, c.b, c.rate)
                let expected = generatorReference(c)
                let minimax = generatorReference(c, loss: .minimax)
                let dUpdated = zip(c.w, expected.discriminatorGradient).map { $0 - c.rate * $1 }
                let unchanged = "G's step uses D without training it: D's w and b must come back unchanged"
                try check.expect(
                    actual.discriminatorWeights, equals: c.w, input: c.description,
                    hints: [Hint(ifActual: dUpdated, "G's step updated D: " + unchanged)], otherwise: unchanged)
                try check.expect(actual.discriminatorBias, equals: c.b, input: c.description, otherwise: unchanged)
                let minimaxHint = "log(1 − D(G(z))) minimized is the minimax loss; the non-saturating one is −log D(G(z))"
                try check.expect(
                    actual.generatorWeights, equals: expected.a, input: c.description,
                    hints: [Hint(ifActual: minimax.a, minimaxHint)],
                    otherwise: "A ← A − η Σ_j (∂L_G/∂t_j · w) z_jᵀ, ∂L_G/∂t_j = −(1 − σ(t_j))/m")
                try check.expect(
                    actual.generatorBias, equals: expected.c, input: c.description, hints: [Hint(ifActual: minimax.c, minimaxHint)],
                    otherwise: "c ← c − η Σ_j ∂L_G/∂t_j · w")
            }
        }
    }

    // MARK: 10.6

    struct NormCase {
        var x: [Double], batch: Int, channels: Int, height: Int, width: Int, gamma: [Double], beta: [Double], epsilon: Double
        var shape: [Int] { [batch, channels, height, width] }
        var layer: BatchNorm2D {
            var layer = BatchNorm2D(channels: channels, epsilon: epsilon)
            layer.rows.gamma.value = gamma
            layer.rows.beta.value = beta
            return layer
        }
        var description: String {
            "x \(shortList(x)), batch \(batch), channels \(channels), height \(height), width \(width), gamma \(shortList(gamma)), beta \(shortList(beta)), epsilon \(epsilon)"
        }
    }

    static func normCases() -> [NormCase] {
        var rng = SeededGenerator(seed: seed + 6)
        var list = [NormCase(x: [1, 3, 10, 10], batch: 1, channels: 2, height: 1, width: 2, gamma: [1, 1], beta: [0, 0], epsilon: 1e-5)]
        for (n, c, h, w) in [(2, 3, 2, 2), (3, 2, 1, 3), (1, 4, 3, 2), (2, 1, 2, 3)] {
            list.append(
                NormCase(
                    x: rng.normals(n * c * h * w).map { $0 * 3 + 2 }, batch: n, channels: c, height: h, width: w, gamma: rng.uniforms(c, in: 0.5..<2),
                    beta: rng.uniforms(c, in: -1..<1), epsilon: 1e-5))
        }
        return list
    }

    /// The forward pass with the statistics taken across the channels at each (n, i, j).
    static func overChannels(_ c: NormCase) -> [Double] {
        let positions = c.height * c.width
        var y = c.x
        for n in 0..<c.batch {
            for p in 0..<positions {
                let indices = (0..<c.channels).map { (n * c.channels + $0) * positions + p }
                let mean = indices.reduce(0) { $0 + c.x[$1] } / Double(c.channels)
                let variance = indices.reduce(0) { $0 + pow(c.x[$1] - mean, 2) } / Double(c.channels)
                for (channel, i) in indices.enumerated() { y[i] = c.gamma[channel] * (c.x[i] - mean) / (variance + c.epsilon).squareRoot() + c.beta[channel] }
            }
        }
        return y
    }

    static func batchNorm(
        forward: ([Double], Int, Int, Int, Int, [Double], [Double], Double) throws -> [Double],
        backward: ([Double], [Double], Int, Int, Int, Int, [Double], Double) throws -> (input: [Double], gamma: [Double], beta: [Double])
    ) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 7)
        return runCheck { check in
            for c in normCases() {
                var layer = c.layer
                let expected = layer.forward(Tensor(shape: c.shape, values: c.x), mode: .training)
                let actual = try forward(c.x, c.batch, c.channels, c.height, c.width, c.gamma, c.beta, c.epsilon)
                // The unbiased variance (÷ (M − 1)) instead of the biased one.
                let m = Double(c.batch * c.height * c.width)
                let unbiased = m > 1 ? unbiasedForward(c) : []
                try check.expect(
                    actual, equals: expected.values, input: c.description,
                    hints: [
                        Hint(ifActual: overChannels(c), "one mean and variance per channel, over the batch and every position, not across the channels"),
                        Hint(ifActual: unbiased, "the variance is the biased one, divided by N·H·W (as in training), not N·H·W − 1"),
                    ],
                    otherwise: "y = γ_c (x − μ_c)/√(σ²_c + ε) + β_c, μ_c and σ²_c over n, i, j")
                let g = rng.normals(c.x.count)
                let gradients = layer.backward(Tensor(shape: c.shape, values: g))
                let input = c.description + ", outputGradient \(shortList(g))"
                let back = try backward(g, c.x, c.batch, c.channels, c.height, c.width, c.gamma, c.epsilon)
                try check.expect(back.beta, equals: layer.rows.beta.gradient, input: input, otherwise: "∂L/∂β_c = Σ g over channel c")
                try check.expect(back.gamma, equals: layer.rows.gamma.gradient, input: input, otherwise: "∂L/∂γ_c = Σ g x̂ over channel c")
                let plain = plainScaling(c, g)
                try check.expect(
                    back.input, equals: gradients.values, input: input,
                    hints: [Hint(ifActual: plain, "every x moves the channel's mean and variance: ∂L/∂x = γ/(M√(σ²+ε)) (M g − Σ g − x̂ Σ g x̂)")],
                    otherwise: "∂L/∂x = (γ_c / (M √(σ²_c + ε))) (M g − Σ g − x̂ Σ g x̂)")
                // (Not on the files' example: its second channel is constant, and the gradient through √(σ² + ε) at σ² = 0 is too steep for differences.)
                if c.height * c.width > 2 {
                    try check.expectGradient("∂L/∂x", at: c.x, analytic: back.input, input: input) { x in
                        var probe = c.layer
                        return zip(probe.forward(Tensor(shape: c.shape, values: x), mode: .training).values, g).reduce(0) { $0 + $1.0 * $1.1 }
                    }
                }
            }
        }
    }

    /// The forward pass with σ² divided by M − 1.
    static func unbiasedForward(_ c: NormCase) -> [Double] {
        let positions = c.height * c.width
        let m = Double(c.batch * positions)
        var y = c.x
        for channel in 0..<c.channels {
            let indices = (0..<c.batch).flatMap { n in (0..<positions).map { (n * c.channels + channel) * positions + $0 } }
            let mean = indices.reduce(0) { $0 + c.x[$1] } / m
            let variance = indices.reduce(0) { $0 + pow(c.x[$1] - mean, 2) } / (m - 1)
            for i in indices { y[i] = c.gamma[channel] * (c.x[i] - mean) / (variance + c.epsilon).squareRoot() + c.beta[channel] }
        }
        return y
    }

    /// ∂L/∂x as if the statistics were constants: γ g / √(σ² + ε).
    static func plainScaling(_ c: NormCase, _ g: [Double]) -> [Double] {
        let positions = c.height * c.width
        let m = Double(c.batch * positions)
        var dx = g
        for channel in 0..<c.channels {
            let indices = (0..<c.batch).flatMap { n in (0..<positions).map { (n * c.channels + channel) * positions + $0 } }
            let mean = indices.reduce(0) { $0 + c.x[$1] } / m
            let variance = indices.reduce(0) { $0 + pow(c.x[$1] - mean, 2) } / m
            for i in indices { dx[i] = c.gamma[channel] * g[i] / (variance + c.epsilon).squareRoot() }
        }
        return dx
    }

    // MARK: 10.7

    static func modes(_ answer: ([[Double]], [[Double]], Double) throws -> (covered: Int, highQuality: Double)) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 8)
        return runCheck { check in
            var cases: [(points: [[Double]], ring: GaussianRing)] = [
                ([[2, 0], [2.1, 0], [0, 0]], GaussianRing(modes: 2, radius: 2, spread: 0.05))
            ]
            // Separates the slips: 20 points at mode 0, one each at modes 1 and 3, and 30 far from
            // every centre but nearest to mode 2 (count 52, so a mode needs 52/16 = 3.25 points).
            let four = GaussianRing(modes: 4, radius: 2, spread: 0.1)
            let separating = [[Double]](repeating: [2, 0], count: 20) + [[0, 2], [0, -2]] + (0..<30).map { [-1.0, 0.01 * Double($0)] }
            cases.append((separating, four))
            for (modes, spread, count) in [(8, 0.05, 400), (4, 0.2, 200), (6, 0.1, 300)] {
                let ring = GaussianRing(modes: modes, radius: 2, spread: spread)
                // Half from the ring (some modes only), the rest between modes and around them.
                var points = Array(ring.sample(count, using: &rng).filter { atan2($0[1], $0[0]) > -1 }.prefix(count / 2))
                while points.count < count { points.append([rng.uniform(in: -2.5..<2.5), rng.uniform(in: -2.5..<2.5)]) }
                // A few points just inside and just outside 3σ of mode 0, and a lone one at a mode.
                points.append([2 + 2.9 * spread, 0])
                points.append([2 + 3.1 * spread, 0])
                cases.append((points, ring))
            }
            let answers = try cases.map { try answer($0.points, $0.ring.centres, $0.ring.spread) }
            let expected = cases.map { $0.ring.coverage($0.points) }
            let narrow = cases.map { GaussianRing(modes: $0.ring.modes, radius: $0.ring.radius, spread: $0.ring.spread / 3).coverage($0.points) }
            let anyPoint = expected.map { $0.perMode.filter { $0 > 0 }.count }
            let allPoints = cases.map { c in nearestCounts(c.points, c.ring).filter { Double($0) >= Double(c.points.count) / Double(4 * c.ring.modes) }.count }
            let failing = cases.indices.filter { answers[$0].covered != expected[$0].modesCovered }
            // Named only when it explains every case the answer got wrong (see diagnose).
            let hint =
                diagnose(
                    failing: failing,
                    slips: [
                        ("high quality means within 3σ of the nearest centre, not σ", { answers[$0].covered == narrow[$0].modesCovered }),
                        ("a mode needs count/(4K) high-quality points, not just one", { answers[$0].covered == anyPoint[$0] }),
                        (
                            "only high-quality points count towards a mode: a point far from every centre belongs to none",
                            { answers[$0].covered == allPoints[$0] }
                        ),
                    ]) ?? "a mode is covered with at least count/(4K) high-quality points nearest to it"
            for (k, c) in cases.enumerated() {
                let input =
                    "points \(c.points.count) (first \(shortList(c.points.prefix(3).map { shortList($0) }))), centres \(c.ring.centres.map { shortList($0) }), spread \(c.ring.spread)"
                try check.expect(
                    answers[k].highQuality, equals: expected[k].highQuality, input: input,
                    hints: [Hint(ifActual: narrow[k].highQuality, "high quality means within 3σ of the nearest centre, not σ")],
                    otherwise: "the share of points within 3σ of the centre nearest to them")
                try check.expect(answers[k].covered, equals: expected[k].modesCovered, input: input, hint: hint)
            }
        }
    }

    /// How many points (all, quality or not) are nearest to each mode.
    static func nearestCounts(_ points: [[Double]], _ ring: GaussianRing) -> [Int] {
        var counts = [Int](repeating: 0, count: ring.modes)
        let centres = ring.centres
        for p in points {
            let distances = centres.map { pow($0[0] - p[0], 2) + pow($0[1] - p[1], 2) }
            counts[distances.indices.min { distances[$0] < distances[$1] }!] += 1
        }
        return counts
    }
}
