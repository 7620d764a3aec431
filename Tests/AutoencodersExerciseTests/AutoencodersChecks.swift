import Autoencoders
import Backprop
import CNN
import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness

/// The checks of Chapter 9's exercises, against this chapter's library (`reparameterize`,
/// `gaussianKL`, `ReconstructionLoss`, `logMeanExp`, the CNN chapter's `ConvTranspose2D`,
/// each tested against PyTorch) and central differences. Inputs cover every size argument,
/// both signs, and magnitudes where the unstable formulas overflow (log-variances of ±20,
/// logits of ±800, log-likelihoods of −1000). Hints are computed from the usual slips.
enum AutoencodersExerciseChecks {
    static let seed: UInt64 = 2013  // "Auto-Encoding Variational Bayes"

    // MARK: 9.1 and 9.2

    /// (μ, log σ², ε) triples: the file's example, then random ones of several sizes with
    /// log-variances from −6 to 6, and one with ±20 (σ from e^−10 to e^10).
    static func latentCases() -> [(mean: [Double], logVariance: [Double], noise: [Double])] {
        var rng = SeededGenerator(seed: seed)
        var list: [(mean: [Double], logVariance: [Double], noise: [Double])] = [([1, 0], [0, log(4.0)], [0.5, -1])]
        for n in [1, 3, 5, 8] {
            list.append((rng.uniforms(n, in: -3..<3), rng.uniforms(n, in: -6..<6), rng.normals(n)))
        }
        list.append(([0.5, -2, 3], [-20, 20, 0.1], [1.5, -0.7, 2]))
        return list
    }

    static func describe(_ c: (mean: [Double], logVariance: [Double], noise: [Double])) -> String {
        "mean \(shortList(c.mean)), logVariance \(shortList(c.logVariance)), noise \(shortList(c.noise))"
    }

    static func reparameterization(_ answer: ([Double], [Double], [Double]) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            for c in latentCases() {
                let actual = try answer(c.mean, c.logVariance, c.noise)
                let expected = reparameterize(mean: c.mean, logVariance: c.logVariance, noise: c.noise)
                func with(_ sigma: (Double) -> Double) -> [Double] { c.mean.indices.map { c.mean[$0] + sigma(c.logVariance[$0]) * c.noise[$0] } }
                try check.expect(
                    actual, equals: expected, input: describe(c),
                    hints: [
                        Hint(ifActual: with { exp($0) }, "σ = exp(½ log σ²): exp(log σ²) is the variance σ², not σ"),
                        Hint(ifActual: with { $0 }, "the encoder gives log σ², not σ: σ = exp(½ log σ²)"),
                        Hint(ifActual: c.mean.indices.map { c.mean[$0] + c.noise[$0] }, "σ is missing: z = μ + σ ⊙ ε, with σ = exp(½ log σ²)"),
                    ],
                    otherwise: "zⱼ = μⱼ + exp(½ log σⱼ²) εⱼ")
            }
        }
    }

    static func reparameterizationBackward(_ answer: ([Double], [Double], [Double], [Double]) throws -> (mean: [Double], logVariance: [Double])) -> CheckOutcome
    {
        var rng = SeededGenerator(seed: seed + 2)
        return runCheck { check in
            for (k, c) in latentCases().enumerated() {
                let g = k == 0 ? [1.0, -2] : rng.uniforms(c.mean.count, in: -2..<2)
                let input = describe(c) + ", zGradient \(shortList(g))"
                let actual = try answer(c.mean, c.logVariance, c.noise, g)
                let expected = reparameterizeBackward(mean: c.mean, logVariance: c.logVariance, noise: c.noise, zGradient: g)
                try check.expect(actual.mean, equals: expected.mean, input: input, otherwise: "∂z/∂μ = 1, so ∂L/∂μ = ∂L/∂z")
                let sigma = c.logVariance.map { exp(0.5 * $0) }
                try check.expect(
                    actual.logVariance, equals: expected.logVariance, input: input,
                    hints: [
                        Hint(ifActual: g.indices.map { g[$0] * sigma[$0] * c.noise[$0] }, "the ½ is missing: d/d(log σ²) exp(½ log σ²) = ½ σ"),
                        Hint(
                            ifActual: g.indices.map { g[$0] * 0.5 * sigma[$0] },
                            "the path through ε is missing: ∂z/∂log σ² = ½ σ ε, and ε differs from draw to draw"),
                        Hint(
                            ifActual: g.indices.map { g[$0] * 0.5 * exp(c.logVariance[$0]) * c.noise[$0] },
                            "σ = exp(½ log σ²), not exp(log σ²): ∂z/∂log σ² = ½ σ ε"),
                        Hint(ifActual: g.map { _ in 0 }, "log σ² gets a gradient too: z depends on it through σ"),
                    ],
                    otherwise: "∂L/∂log σ² = ∂L/∂z ⊙ ½ σ ε")
                if c.logVariance.allSatisfy({ abs($0) < 10 }) {
                    let weighted = { (z: [Double]) in zip(z, g).reduce(0) { $0 + $1.0 * $1.1 } }
                    try check.expectGradient("∂L/∂log σ²", at: c.logVariance, analytic: actual.logVariance, input: input) {
                        weighted(reparameterize(mean: c.mean, logVariance: $0, noise: c.noise))
                    }
                }
            }
        }
    }

    // MARK: 9.3

    static func kl(_ answer: ([Double], [Double]) throws -> (kl: Double, meanGradient: [Double], logVarianceGradient: [Double])) -> CheckOutcome {
        runCheck { check in
            var cases = latentCases().map { ($0.mean, $0.logVariance) }
            cases.insert(([1], [0]), at: 0)
            cases.append(([0, 0, 0], [0, 0, 0]))
            for (mean, logVariance) in cases {
                let input = "mean \(shortList(mean)), logVariance \(shortList(logVariance))"
                let actual = try answer(mean, logVariance)
                let expected = gaussianKL(mean: mean, logVariance: logVariance)
                let terms: [Double] = mean.indices.map { j in 1 + logVariance[j] - mean[j] * mean[j] - exp(logVariance[j]) }
                let sum = terms.reduce(0, +)
                let sigmaTerms: [Double] = mean.indices.map { j in 1 + logVariance[j] - mean[j] * mean[j] - exp(0.5 * logVariance[j]) }
                let withSigma = -0.5 * sigmaTerms.reduce(0, +)
                try check.expect(
                    actual.kl, equals: expected, input: input,
                    hints: [
                        Hint(ifActual: 0.5 * sum, "the sign: KL = −½ Σ (1 + log σ² − μ² − σ²), and a KL is never negative"),
                        Hint(ifActual: -sum, "the ½ is missing: KL = −½ Σ (1 + log σ² − μ² − σ²)"),
                        Hint(ifActual: withSigma, "σ² = exp(log σ²), not exp(½ log σ²) (that is σ)"),
                    ],
                    otherwise: "KL = −½ Σⱼ (1 + log σⱼ² − μⱼ² − exp(log σⱼ²))")
                let gradient = gaussianKLGradient(mean: mean, logVariance: logVariance)
                try check.expect(
                    actual.meanGradient, equals: gradient.mean, input: input,
                    hints: [Hint(ifActual: mean.map { -$0 }, "the sign: −½ · (−2μ) = +μ")], otherwise: "∂KL/∂μ = μ")
                try check.expect(
                    actual.logVarianceGradient, equals: gradient.logVariance, input: input,
                    hints: [
                        Hint(ifActual: logVariance.map { 0.5 * (1 - exp($0)) }, "the sign: ∂KL/∂log σ² = −½ (1 − σ²) = ½ (σ² − 1)"),
                        Hint(ifActual: logVariance.map { exp($0) - 1 }, "the ½ is missing: ∂KL/∂log σ² = ½ (σ² − 1)"),
                    ],
                    otherwise: "∂KL/∂log σ² = ½ (exp(log σ²) − 1)")
                if logVariance.allSatisfy({ abs($0) < 10 }) {
                    try check.expectGradient("∂KL/∂μ", at: mean, analytic: actual.meanGradient, input: input) { gaussianKL(mean: $0, logVariance: logVariance) }
                    try check.expectGradient("∂KL/∂log σ²", at: logVariance, analytic: actual.logVarianceGradient, input: input) {
                        gaussianKL(mean: mean, logVariance: $0)
                    }
                }
            }
        }
    }

    // MARK: 9.4

    struct ELBOCase {
        var logits: [Double], images: [Double], pixels: Int, mean: [Double], logVariance: [Double]
        var batch: Int { images.count / pixels }
        var description: String {
            "logits \(shortList(logits)), images \(shortList(images)), pixels \(pixels), mean \(shortList(mean)), logVariance \(shortList(logVariance))"
        }
    }

    /// The file's example, then batches of 1–4 images of 3–64 pixels with 1–4 latent
    /// coordinates, and one whose logits reach ±800 (σ(t) rounds to exactly 0 or 1).
    static func elboCases() -> [ELBOCase] {
        var rng = SeededGenerator(seed: seed + 4)
        var list = [ELBOCase(logits: [0, 0], images: [1, 0], pixels: 2, mean: [0], logVariance: [0])]
        for (batch, pixels, latent) in [(2, 3, 2), (3, 64, 2), (1, 5, 4), (4, 6, 1)] {
            list.append(
                ELBOCase(
                    logits: rng.uniforms(batch * pixels, in: -4..<4), images: (0..<(batch * pixels)).map { _ in rng.uniform() < 0.3 ? 0 : rng.uniform() },
                    pixels: pixels, mean: rng.uniforms(batch * latent, in: -2..<2), logVariance: rng.uniforms(batch * latent, in: -3..<3)))
        }
        list.append(ELBOCase(logits: [800, -800, 30, -750], images: [0, 1, 1, 0.25], pixels: 2, mean: [0.5, -0.5], logVariance: [1, -1]))
        return list
    }

    static func elbo(_ answer: ([Double], [Double], Int, [Double], [Double]) throws -> (reconstruction: Double, kl: Double)) -> CheckOutcome {
        runCheck { check in
            for c in elboCases() {
                let actual = try answer(c.logits, c.images, c.pixels, c.mean, c.logVariance)
                let shape = [c.batch, c.pixels]
                let reconstruction = ReconstructionLoss.bernoulli.evaluate(Tensor(shape: shape, values: c.logits), Tensor(shape: shape, values: c.images)).loss
                let kl = gaussianKL(mean: c.mean, logVariance: c.logVariance) / Double(c.batch)
                let unstable = actual.reconstruction.isNaN || actual.reconstruction.isInfinite
                try check.expect(
                    actual.reconstruction, equals: reconstruction, input: c.description,
                    hints: [
                        Hint(
                            ifActual: reconstruction / Double(c.pixels),
                            "a mean over pixels where the ELBO sums over them: sum each image's pixels, then average over the batch"),
                        Hint(ifActual: reconstruction * Double(c.batch), "summed over the batch: each term is per image, so divide by the batch size"),
                    ],
                    otherwise: unstable
                        ? "∞ or NaN from finite logits: log σ(t) took log 0; use max(t, 0) − t x + log(1 + e^(−|t|))"
                        : "(1/B) Σ over every pixel of max(t, 0) − t x + log(1 + e^(−|t|))")
                try check.expect(
                    actual.kl, equals: kl, input: c.description,
                    hints: [
                        Hint(ifActual: -kl, "the sign: KL = −½ Σ (1 + log σ² − μ² − σ²), and a KL is never negative"),
                        Hint(ifActual: kl * Double(c.batch), "summed over the batch: each term is per image, so divide by the batch size"),
                        Hint(ifActual: kl / Double(c.mean.count / c.batch), "a mean over the latent coordinates: the KL sums them"),
                    ],
                    otherwise: "(1/B) Σ −½ (1 + log σ² − μ² − exp(log σ²))")
            }
        }
    }

    // MARK: 9.5 and 9.6

    struct ConvCase {
        var x: [Double], channels: Int, height: Int, width: Int, w: [Double], bias: [Double], kernel: Int, stride: Int, padding: Int, outputPadding: Int
        var outChannels: Int { bias.count }
        var layer: ConvTranspose2D {
            ConvTranspose2D(
                weight: Tensor(shape: [channels, outChannels, kernel, kernel], values: w), bias: bias, stride: stride, padding: padding,
                outputPadding: outputPadding)
        }
        var inputTensor: Tensor { Tensor(shape: [1, channels, height, width], values: x) }
        var reference: [Double] {
            var copy = layer
            return copy.forward(inputTensor, mode: .inference).values
        }
        var description: String {
            "input \(shortList(x)), channels \(channels), height \(height), width \(width), weight \(shortList(w)), bias \(shortList(bias)), "
                + "kernel \(kernel), stride \(stride), padding \(padding), outputPadding \(outputPadding)"
        }
    }

    /// The file's example, then every size argument varied: channels in and out 1–3 and
    /// unequal, non-square images, kernels 2–5, strides 1–3, paddings 0–2, output paddings 0–2.
    static func convCases() -> [ConvCase] {
        var rng = SeededGenerator(seed: seed + 5)
        var list = [ConvCase(x: [2], channels: 1, height: 1, width: 1, w: [1, 2, 3, 4], bias: [0], kernel: 2, stride: 1, padding: 0, outputPadding: 0)]
        for (ci, co, h, w, k, s, p, op) in [
            (2, 3, 3, 4, 3, 2, 1, 1), (1, 2, 2, 2, 3, 3, 0, 2), (3, 1, 4, 3, 4, 2, 1, 0), (2, 2, 3, 3, 2, 1, 0, 0), (1, 2, 4, 5, 5, 2, 2, 1),
        ] {
            list.append(
                ConvCase(
                    x: rng.uniforms(ci * h * w, in: -2..<2), channels: ci, height: h, width: w, w: rng.uniforms(ci * co * k * k, in: -1..<1),
                    bias: rng.uniforms(co, in: -1..<1), kernel: k, stride: s, padding: p, outputPadding: op))
        }
        return list
    }

    enum ConvSlip { case none, outputChannelsFirst, flippedFilter, noOutputPadding, noBias, paddingUnchanged }

    /// The transposed convolution computed with one slip (or none).
    static func slipped(_ c: ConvCase, _ slip: ConvSlip) -> [Double] {
        let (k, s, p) = (c.kernel, c.stride, c.padding)
        let op = slip == .noOutputPadding ? 0 : c.outputPadding
        if slip == .paddingUnchanged {
            // A convolution (stride 1, filter flipped, channels swapped) of the input with
            // zeros inserted s − 1 apart, padded by p instead of k − 1 − p.
            let (dh, dw) = ((c.height - 1) * s + 1, (c.width - 1) * s + 1)
            let (oh, ow) = (dh + 2 * p - k + 1, dw + 2 * p - k + 1)
            guard oh > 0 && ow > 0 else { return [] }
            var y = [Double](repeating: 0, count: c.outChannels * oh * ow)
            for o in 0..<c.outChannels {
                for r in 0..<oh {
                    for q in 0..<ow {
                        var sum = c.bias[o]
                        for ch in 0..<c.channels {
                            for u in 0..<k {
                                for v in 0..<k {
                                    let (a, b) = (r + u - p, q + v - p)  // in the dilated input
                                    guard a >= 0, b >= 0, a < dh, b < dw, a % s == 0, b % s == 0 else { continue }
                                    sum += c.x[(ch * c.height + a / s) * c.width + b / s] * c.w[((ch * c.outChannels + o) * k + (k - 1 - u)) * k + (k - 1 - v)]
                                }
                            }
                        }
                        y[(o * oh + r) * ow + q] = sum
                    }
                }
            }
            return y
        }
        let (oh, ow) = ((c.height - 1) * s - 2 * p + k + op, (c.width - 1) * s - 2 * p + k + op)
        var y = [Double](repeating: 0, count: c.outChannels * oh * ow)
        for o in 0..<c.outChannels where slip != .noBias {
            for index in 0..<(oh * ow) { y[o * oh * ow + index] = c.bias[o] }
        }
        for ch in 0..<c.channels {
            for i in 0..<c.height {
                for j in 0..<c.width {
                    for o in 0..<c.outChannels {
                        for u in 0..<k {
                            for v in 0..<k {
                                let (r, q) = (i * s - p + u, j * s - p + v)
                                guard r >= 0, q >= 0, r < oh, q < ow else { continue }
                                let (wu, wv) = slip == .flippedFilter ? (k - 1 - u, k - 1 - v) : (u, v)
                                let wIndex =
                                    slip == .outputChannelsFirst
                                    ? ((o * c.channels + ch) * k + wu) * k + wv : ((ch * c.outChannels + o) * k + wu) * k + wv
                                y[(o * oh + r) * ow + q] += c.x[(ch * c.height + i) * c.width + j] * c.w[wIndex]
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    static func transposedForward(_ answer: ([Double], Int, Int, Int, [Double], [Double], Int, Int, Int, Int) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            for c in convCases() {
                let actual = try answer(c.x, c.channels, c.height, c.width, c.w, c.bias, c.kernel, c.stride, c.padding, c.outputPadding)
                try check.expect(
                    actual, equals: c.reference, input: c.description,
                    hints: [
                        Hint(
                            ifActual: slipped(c, .paddingUnchanged),
                            "as a convolution of the zero-inserted input, the padding is k − 1 − p, not p (p crops the output)"),
                        Hint(ifActual: slipped(c, .flippedFilter), "the filter is not flipped in the scatter form: y[i·s − p + u] gets x[i]·w[u]"),
                        Hint(ifActual: slipped(c, .outputChannelsFirst), "the weight is (C_in, C_out, K, K), PyTorch's ConvTranspose2d layout: w[c, o, u, v]"),
                        Hint(ifActual: slipped(c, .noOutputPadding), "the output padding adds op rows and columns: H_out = (H − 1)·s − 2p + K + op"),
                        Hint(ifActual: slipped(c, .noBias), "the bias: every output of channel o starts at bias[o]"),
                    ],
                    otherwise: "y[o, i·s − p + u, j·s − p + v] += x[c, i, j] · w[c, o, u, v], then + bias[o]")
            }
        }
    }

    static func transposedBackward(
        _ answer: ([Double], [Double], Int, Int, Int, [Double], Int, Int, Int, Int) throws -> (input: [Double], weight: [Double], bias: [Double])
    ) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 6)
        return runCheck { check in
            for (index, c) in convCases().enumerated() {
                let outputCount = c.reference.count
                let g = index == 0 ? [1, 0, 0, 1] : rng.uniforms(outputCount, in: -1..<1)
                let input = c.description + ", outputGradient \(shortList(g))"
                let actual = try answer(g, c.x, c.channels, c.height, c.width, c.w, c.kernel, c.stride, c.padding, c.outputPadding)
                var layer = c.layer
                let y = layer.forward(c.inputTensor, mode: .training)
                let dx = layer.backward(Tensor(shape: y.shape, values: g)).values
                let perPosition = c.outChannels > 0 ? layer.bias.gradient.map { $0 / Double(outputCount / c.outChannels) } : []
                try check.expect(
                    actual.bias, equals: layer.bias.gradient, input: input,
                    hints: [Hint(ifActual: perPosition, "∂L/∂bias[o] is the sum of g over channel o's positions, not their mean")],
                    otherwise: "∂L/∂bias[o] = Σ over o's output positions of g")
                try check.expect(actual.input, equals: dx, input: input, otherwise: "∂L/∂x[c,i,j] = Σ over the stamps of x[c,i,j] of g · w[c,o,u,v]")
                try check.expect(actual.weight, equals: layer.weight.gradient, input: input, otherwise: "∂L/∂w[c,o,u,v] = Σ over i, j of g · x[c,i,j]")
                func loss(_ moved: ConvCase) -> Double { zip(moved.reference, g).reduce(0) { $0 + $1.0 * $1.1 } }
                try check.expectGradient("∂L/∂x", at: c.x, analytic: actual.input, input: input) { x in
                    var moved = c
                    moved.x = x
                    return loss(moved)
                }
                try check.expectGradient("∂L/∂w", at: c.w, analytic: actual.weight, input: input) { w in
                    var moved = c
                    moved.w = w
                    return loss(moved)
                }
            }
        }
    }

    // MARK: 9.7

    struct BoundCase {
        var logLikelihoods: [Double], latents: [[Double]], noise: [[Double]], logVariance: [Double]
        var description: String {
            "logLikelihoods \(shortList(logLikelihoods)), latents \(latents.map { shortList($0) }), noise \(noise.map { shortList($0) }), "
                + "logVariance \(shortList(logVariance))"
        }
        /// log wₖ, with or without the log-variance in log q.
        func logWeights(withLogVariance: Bool = true, posteriorOfZ: Bool = false) -> [Double] {
            logLikelihoods.indices.map { k in
                var logPosterior = 0.0
                for j in logVariance.indices {
                    let e = posteriorOfZ ? latents[k][j] : noise[k][j]
                    logPosterior -= 0.5 * (e * e + (withLogVariance ? logVariance[j] : 0) + log(2 * Double.pi))
                }
                return logLikelihoods[k] + standardNormalLogDensity(latents[k]) - logPosterior
            }
        }
    }

    /// The file's example (K = 1), then K = 3, 5 and 10 with 1–3 latent coordinates and
    /// log-likelihoods near −20, and K = 10 near −1000, where every exp underflows.
    static func boundCases() -> [BoundCase] {
        var rng = SeededGenerator(seed: seed + 7)
        var list = [BoundCase(logLikelihoods: [-3], latents: [[0]], noise: [[0]], logVariance: [0])]
        for (k, latent, level) in [(3, 2, -20.0), (5, 1, -35.0), (10, 3, -18.0), (10, 2, -1000.0)] {
            let mean = rng.uniforms(latent, in: -1..<1), logVariance = rng.uniforms(latent, in: -2..<1)
            let noise = (0..<k).map { _ in rng.normals(latent) }
            let latents = noise.map { e in (0..<latent).map { mean[$0] + exp(0.5 * logVariance[$0]) * e[$0] } }
            list.append(
                BoundCase(logLikelihoods: (0..<k).map { _ in level + rng.uniform(in: -4..<4) }, latents: latents, noise: noise, logVariance: logVariance))
        }
        return list
    }

    static func bound(_ answer: ([Double], [[Double]], [[Double]], [Double]) throws -> Double) -> CheckOutcome {
        runCheck { check in
            for c in boundCases() {
                let actual = try answer(c.logLikelihoods, c.latents, c.noise, c.logVariance)
                let w = c.logWeights()
                let expected = logMeanExp(w)
                let k = Double(w.count)
                try check.expect(
                    actual, equals: expected, input: c.description,
                    hints: [
                        Hint(ifActual: w.reduce(0, +) / k, "the mean of the logs is the ELBO estimate; the bound is the log of the mean of the wₖ"),
                        Hint(ifActual: expected + log(k), "(1/K): the log of the mean is log Σₖ wₖ − log K"),
                        Hint(ifActual: logMeanExp(c.logWeights(withLogVariance: false)), "log N(z; μ, σ²) includes −½ log σⱼ² for every coordinate"),
                        Hint(ifActual: logMeanExp(c.logWeights(posteriorOfZ: true)), "log q uses (z − μ)/σ = ε, not z itself"),
                    ],
                    otherwise: actual.isInfinite || actual.isNaN
                        ? "−∞ or NaN: exp(−1000) is 0 in a Double; subtract the largest log wₖ before exp and add it back after the log"
                        : "log (1/K) Σₖ exp(log p(x | zₖ) + log N(zₖ; 0, I) − log N(zₖ; μ, σ²))")
            }
        }
    }
}
