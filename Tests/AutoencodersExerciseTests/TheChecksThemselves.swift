import Autoencoders
import ExerciseSupport
import ExerciseTesting
import Foundation
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake (and with no other mistake's hint).

@Suite("Chapter 9 · Autoencoders · the checks themselves")
struct AutoencodersCheckTests {
    @Test("the worked solutions pass every check", arguments: AutoencodersExercise.allCases)
    func solutionsPass(_ exercise: AutoencodersExercise) {
        AutoencodersAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: AutoencodersExercise.allCases)
    func stubsAreNotAttempted(_ exercise: AutoencodersExercise) {
        AutoencodersAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Autoencoders", arguments: AutoencodersExercise.allCases)
    func exerciseIsDeclared(_ exercise: AutoencodersExercise) throws {
        try AutoencodersAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: autoencodersWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: AutoencodersWrongAnswer) {
        wrong.expectRejected(among: autoencodersWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias AutoencodersWrongAnswer = ExerciseTesting.WrongAnswer<AutoencodersAnswers>

private let solved = AutoencodersAnswers.solutions

/// z = μ + σ(log σ²) ε with a wrong σ.
private func sampler(_ sigma: @escaping @Sendable (Double) -> Double) -> @Sendable ([Double], [Double], [Double]) throws -> [Double] {
    { m, l, e in m.indices.map { m[$0] + sigma(l[$0]) * e[$0] } }
}

/// The reparameterization's backward with a wrong ∂z/∂log σ² (given log σ² and ε).
private func backward(_ derivative: @escaping @Sendable (Double, Double) -> Double) -> ReparameterizeBackwardAnswer {
    { _, l, e, g in (g, g.indices.map { g[$0] * derivative(l[$0], e[$0]) }) }
}

/// The KL answer with one part replaced.
private func klChanged(
    kl: (@Sendable ([Double], [Double]) -> Double)? = nil, mean: (@Sendable ([Double]) -> [Double])? = nil,
    logVariance: (@Sendable ([Double]) -> [Double])? = nil
) -> KLAnswer {
    { m, l in
        let right = try solved.klToStandardNormal(m, l)
        return (kl?(m, l) ?? right.kl, mean?(m) ?? right.meanGradient, logVariance?(l) ?? right.logVarianceGradient)
    }
}

/// The ELBO answer with one term changed (batch size and latent width given to the change).
private func elboChanged(
    reconstruction: (@Sendable (Double, Int, Int) -> Double)? = nil, kl: (@Sendable (Double, Int, Int) -> Double)? = nil
) -> ELBOAnswer {
    { t, x, pixels, m, l in
        let right = try solved.elboTerms(t, x, pixels, m, l)
        let batch = x.count / pixels
        return (
            reconstruction?(right.reconstruction, batch, pixels) ?? right.reconstruction, kl?(right.kl, batch, m.count / batch) ?? right.kl
        )
    }
}

private func convSlipped(_ slip: AutoencodersExerciseChecks.ConvSlip) -> ConvTransposeAnswer {
    { x, c, h, w, weight, bias, k, s, p, op in
        AutoencodersExerciseChecks.slipped(
            .init(x: x, channels: c, height: h, width: w, w: weight, bias: bias, kernel: k, stride: s, padding: p, outputPadding: op), slip)
    }
}

/// log wₖ for the bound's wrong answers: with or without log σ² in log q, or with z for ε.
private func logWeights(_ ll: [Double], _ z: [[Double]], _ e: [[Double]], _ l: [Double], withLogVariance: Bool = true, zForNoise: Bool = false) -> [Double] {
    AutoencodersExerciseChecks.BoundCase(logLikelihoods: ll, latents: z, noise: e, logVariance: l)
        .logWeights(withLogVariance: withLogVariance, posteriorOfZ: zForNoise)
}

let autoencodersWrongAnswers: [AutoencodersWrongAnswer] = [
    // 9.1
    AutoencodersWrongAnswer(.reparameterizeSample, "takes σ = exp(log σ²)", hint: "exp(log σ²) is the variance") {
        $0.reparameterizeSample = sampler { exp($0) }
    },
    AutoencodersWrongAnswer(.reparameterizeSample, "uses log σ² as σ", hint: "the encoder gives log σ², not σ") { $0.reparameterizeSample = sampler { $0 } },
    AutoencodersWrongAnswer(.reparameterizeSample, "adds ε unscaled", hint: "σ is missing") { $0.reparameterizeSample = sampler { _ in 1 } },
    // 9.2
    AutoencodersWrongAnswer(.reparameterizeSampleBackward, "forgets the ½", hint: "the ½ is missing") {
        $0.reparameterizeSampleBackward = backward { l, e in exp(0.5 * l) * e }
    },
    AutoencodersWrongAnswer(.reparameterizeSampleBackward, "ignores the path through ε", hint: "the path through ε is missing") {
        $0.reparameterizeSampleBackward = backward { l, _ in 0.5 * exp(0.5 * l) }
    },
    AutoencodersWrongAnswer(.reparameterizeSampleBackward, "differentiates σ² instead of σ", hint: "σ = exp(½ log σ²), not exp(log σ²)") {
        $0.reparameterizeSampleBackward = backward { l, e in 0.5 * exp(l) * e }
    },
    AutoencodersWrongAnswer(.reparameterizeSampleBackward, "gives log σ² no gradient", hint: "log σ² gets a gradient too") {
        $0.reparameterizeSampleBackward = backward { _, _ in 0 }
    },
    // 9.3
    AutoencodersWrongAnswer(.klToStandardNormal, "flips the KL's sign", hint: "a KL is never negative") {
        $0.klToStandardNormal = klChanged(kl: { m, l in -gaussianKL(mean: m, logVariance: l) })
    },
    AutoencodersWrongAnswer(.klToStandardNormal, "drops the ½", hint: "the ½ is missing: KL") {
        $0.klToStandardNormal = klChanged(kl: { m, l in 2 * gaussianKL(mean: m, logVariance: l) })
    },
    AutoencodersWrongAnswer(.klToStandardNormal, "takes σ for σ²", hint: "σ² = exp(log σ²), not exp(½ log σ²)") {
        $0.klToStandardNormal = klChanged(kl: { m, l in m.indices.reduce(0) { $0 - 0.5 * (1 + l[$1] - m[$1] * m[$1] - exp(0.5 * l[$1])) } })
    },
    AutoencodersWrongAnswer(.klToStandardNormal, "∂KL/∂μ = −μ", hint: "the sign: −½ · (−2μ) = +μ") {
        $0.klToStandardNormal = klChanged(mean: { $0.map { -$0 } })
    },
    AutoencodersWrongAnswer(.klToStandardNormal, "∂KL/∂log σ² = ½ (1 − σ²)", hint: "the sign: ∂KL/∂log σ²") {
        $0.klToStandardNormal = klChanged(logVariance: { $0.map { 0.5 * (1 - exp($0)) } })
    },
    AutoencodersWrongAnswer(.klToStandardNormal, "∂KL/∂log σ² = σ² − 1", hint: "the ½ is missing: ∂KL/∂log σ²") {
        $0.klToStandardNormal = klChanged(logVariance: { $0.map { exp($0) - 1 } })
    },
    // 9.4
    AutoencodersWrongAnswer(.elboTerms, "averages the reconstruction over pixels", hint: "a mean over pixels where the ELBO sums over them") {
        $0.elboTerms = elboChanged(reconstruction: { r, _, pixels in r / Double(pixels) })
    },
    AutoencodersWrongAnswer(.elboTerms, "sums the reconstruction over the batch", hint: "summed over the batch") {
        $0.elboTerms = elboChanged(reconstruction: { r, batch, _ in r * Double(batch) })
    },
    AutoencodersWrongAnswer(.elboTerms, "flips the KL's sign", hint: "a KL is never negative") { $0.elboTerms = elboChanged(kl: { kl, _, _ in -kl }) },
    AutoencodersWrongAnswer(.elboTerms, "averages the KL over the latent coordinates", hint: "a mean over the latent coordinates") {
        $0.elboTerms = elboChanged(kl: { kl, _, latent in kl / Double(latent) })
    },
    AutoencodersWrongAnswer(.elboTerms, "takes log σ(t) as written", hint: "log σ(t) took log 0") {
        $0.elboTerms = { t, x, pixels, m, l in
            let right = try solved.elboTerms(t, x, pixels, m, l)
            var sum = 0.0
            for i in x.indices {
                let p = 1 / (1 + exp(-t[i]))
                sum -= x[i] * log(p) + (1 - x[i]) * log(1 - p)
            }
            return (sum / Double(x.count / pixels), right.kl)
        }
    },
    // 9.5
    AutoencodersWrongAnswer(
        .transposedConvolution, "computes a convolution of the zero-inserted input with the padding unchanged", hint: "the padding is k − 1 − p, not p"
    ) {
        $0.transposedConvolution = convSlipped(.paddingUnchanged)
    },
    AutoencodersWrongAnswer(.transposedConvolution, "flips the filter", hint: "the filter is not flipped in the scatter form") {
        $0.transposedConvolution = convSlipped(.flippedFilter)
    },
    AutoencodersWrongAnswer(.transposedConvolution, "reads the weight as (C_out, C_in, K, K)", hint: "the weight is (C_in, C_out, K, K)") {
        $0.transposedConvolution = convSlipped(.outputChannelsFirst)
    },
    AutoencodersWrongAnswer(.transposedConvolution, "forgets the output padding", hint: "the output padding adds op rows and columns") {
        $0.transposedConvolution = convSlipped(.noOutputPadding)
    },
    AutoencodersWrongAnswer(.transposedConvolution, "forgets the bias", hint: "every output of channel o starts at bias[o]") {
        $0.transposedConvolution = convSlipped(.noBias)
    },
    // 9.6
    AutoencodersWrongAnswer(.transposedConvolutionBackward, "averages the bias gradient over positions", hint: "not their mean") {
        $0.transposedConvolutionBackward = { g, x, c, h, w, weight, k, s, p, op in
            let right = try solved.transposedConvolutionBackward(g, x, c, h, w, weight, k, s, p, op)
            let positions = Double(g.count / right.bias.count)
            return (right.input, right.weight, right.bias.map { $0 / positions })
        }
    },
    AutoencodersWrongAnswer(.transposedConvolutionBackward, "sends ∂L/∂x back through the flipped filter", hint: "∂L/∂x[c,i,j] = Σ over the stamps") {
        $0.transposedConvolutionBackward = { g, x, c, h, w, weight, k, s, p, op in
            let right = try solved.transposedConvolutionBackward(g, x, c, h, w, weight, k, s, p, op)
            let co = weight.count / (c * k * k)
            var flipped = weight
            for index in weight.indices {
                let (v, u, rest) = (index % k, index / k % k, index / (k * k))
                flipped[index] = weight[(rest * k + (k - 1 - u)) * k + (k - 1 - v)]
            }
            _ = co
            return (try solved.transposedConvolutionBackward(g, x, c, h, w, flipped, k, s, p, op).input, right.weight, right.bias)
        }
    },
    AutoencodersWrongAnswer(.transposedConvolutionBackward, "swaps the weight gradient's channel axes", hint: "∂L/∂w[c,o,u,v] = Σ over i, j") {
        $0.transposedConvolutionBackward = { g, x, c, h, w, weight, k, s, p, op in
            let right = try solved.transposedConvolutionBackward(g, x, c, h, w, weight, k, s, p, op)
            let co = weight.count / (c * k * k)
            var swapped = right.weight
            for ci in 0..<c {
                for o in 0..<co {
                    for uv in 0..<(k * k) { swapped[(o * c + ci) * k * k + uv] = right.weight[(ci * co + o) * k * k + uv] }
                }
            }
            return (right.input, swapped, right.bias)
        }
    },
    // 9.7
    AutoencodersWrongAnswer(.importanceWeightedLogLikelihood, "averages the log weights", hint: "the mean of the logs is the ELBO estimate") {
        $0.importanceWeightedLogLikelihood = { ll, z, e, l in
            let w = logWeights(ll, z, e, l)
            return w.reduce(0, +) / Double(w.count)
        }
    },
    AutoencodersWrongAnswer(.importanceWeightedLogLikelihood, "forgets the 1/K", hint: "(1/K): the log of the mean") {
        $0.importanceWeightedLogLikelihood = { ll, z, e, l in logMeanExp(logWeights(ll, z, e, l)) + log(Double(ll.count)) }
    },
    AutoencodersWrongAnswer(.importanceWeightedLogLikelihood, "leaves log σ² out of log q", hint: "log N(z; μ, σ²) includes −½ log σⱼ²") {
        $0.importanceWeightedLogLikelihood = { ll, z, e, l in logMeanExp(logWeights(ll, z, e, l, withLogVariance: false)) }
    },
    AutoencodersWrongAnswer(.importanceWeightedLogLikelihood, "uses z where log q needs ε", hint: "log q uses (z − μ)/σ = ε") {
        $0.importanceWeightedLogLikelihood = { ll, z, e, l in logMeanExp(logWeights(ll, z, e, l, zForNoise: true)) }
    },
    AutoencodersWrongAnswer(.importanceWeightedLogLikelihood, "exponentiates without subtracting the largest", hint: "exp(−1000) is 0 in a Double") {
        $0.importanceWeightedLogLikelihood = { ll, z, e, l in
            let w = logWeights(ll, z, e, l)
            return log(w.reduce(0) { $0 + exp($1) } / Double(w.count))
        }
    },
]
