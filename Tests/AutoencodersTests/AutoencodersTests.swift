import Backprop
import CNN
import Foundation
import LinearAlgebra
import NumericChecks
import Optimizers
import Randomness
import Testing

@testable import Autoencoders

func sines(_ count: Int, _ start: Double, _ scale: Double = 0.5) -> [Double] {
    (0..<count).map { scale * sin(start + 0.7 * Double($0)) }
}

/// The models of VAEReferences.swift, with every parameter k (from 0, in visiting order)
/// set to sines(count, k + 1, 0.4), as the PyTorch script set them.
func referenceModel(_ name: String) -> VAE {
    var rng = SeededGenerator(seed: 0)
    var model: VAE
    if name.hasPrefix("dense") {
        model = VAE(
            encoder: Sequential([Dense(inputs: 6, outputs: 5, initialization: .he, using: &rng), ActivationLayer(.relu)]),
            meanHead: Dense(inputs: 5, outputs: 2, initialization: .xavier, using: &rng),
            logVarianceHead: Dense(inputs: 5, outputs: 2, initialization: .xavier, using: &rng),
            decoder: Sequential([
                Dense(inputs: 2, outputs: 5, initialization: .he, using: &rng), ActivationLayer(.relu),
                Dense(inputs: 5, outputs: 6, initialization: .xavier, using: &rng),
            ]))
    } else {
        model = VAE(
            encoder: Sequential([
                Conv2D(inChannels: 1, outChannels: 2, kernel: 3, stride: 2, padding: 1, initialization: .he, using: &rng),
                ActivationLayer(.relu), Reshape.flatten, Dense(inputs: 8, outputs: 3, initialization: .he, using: &rng), ActivationLayer(.relu),
            ]),
            meanHead: Dense(inputs: 3, outputs: 2, initialization: .xavier, using: &rng),
            logVarianceHead: Dense(inputs: 3, outputs: 2, initialization: .xavier, using: &rng),
            decoder: Sequential([
                Dense(inputs: 2, outputs: 8, initialization: .he, using: &rng), ActivationLayer(.relu), Reshape([2, 2, 2]),
                ConvTranspose2D(inChannels: 2, outChannels: 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1, initialization: .he, using: &rng),
            ]))
    }
    var k = 0
    model.visitParameters { p in
        p.value = sines(p.count, Double(k + 1), 0.4)
        k += 1
    }
    return model
}

func referenceInputs(_ r: VAEReference) -> (x: Tensor, noise: Tensor) {
    let count = r.xShape.reduce(1, *)
    let x = Tensor(shape: r.xShape, values: sines(count, 0.3, 0.5).map { $0 + 0.5 })
    return (x, Tensor(shape: [r.xShape[0], 2], values: sines(r.xShape[0] * 2, 2.1, 1.3)))
}

@Suite("Chapter 9 · the VAE's parts")
struct VAETests {
    static let tight = Tolerance(relative: 1e-10, absolute: 1e-12)

    @Test("both loss terms and every gradient (input included) equal PyTorch's, dense and convolutional, β = 1 and 4", arguments: vaeReferences.indices)
    func againstPyTorch(_ index: Int) {
        let r = vaeReferences[index]
        var model = referenceModel(r.name)
        let (x, noise) = referenceInputs(r)
        model.zeroGradients()
        let pass = model.trainingPass(x, target: x, noise: noise, beta: r.beta)
        #expect(abs(pass.reconstruction - r.reconstruction) <= 1e-12 * abs(r.reconstruction), "\(pass.reconstruction) vs \(r.reconstruction)")
        #expect(abs(pass.kl - r.kl) <= 1e-12 * abs(r.kl), "\(pass.kl) vs \(r.kl)")
        #expect(mismatch(pass.inputGradient!.values, r.inputGradient, tolerance: Self.tight) == nil)
        let gradients = model.parameters.map(\.gradient)
        #expect(gradients.count == r.parameterGradients.count)
        for (k, (mine, theirs)) in zip(gradients, r.parameterGradients).enumerated() {
            #expect(mismatch(mine, theirs, tolerance: Self.tight) == nil, "parameter \(k) of \(r.name)")
        }
    }

    @Test(
        "the whole VAE with a fixed ε passes a central-difference check: every parameter of both heads, the encoder, the decoder, and the input",
        arguments: ["dense", "conv"])
    func gradientCheck(_ name: String) {
        let model = referenceModel(name)
        let r = vaeReferences.first { $0.name == name }!
        let (x, noise) = referenceInputs(r)
        // A target other than the input, so the input's gradient is the encoder's path alone.
        let target = Tensor(shape: x.shape, values: sines(x.count, 1.7, 0.5).map { $0 + 0.5 })
        for beta in [1.0, 2.5] {
            var analytic = model
            analytic.zeroGradients()
            let pass = analytic.trainingPass(x, target: target, noise: noise, beta: beta)
            func loss(_ probe: VAE, _ input: Tensor) -> Double {
                var probe = probe
                return probe.trainingPass(input, target: target, noise: noise, beta: beta).loss
            }
            let results = checkParameterGradients(model, analytic: analytic) { loss($0, x) }
            #expect(results.count == analytic.parameters.count)
            for result in results {
                #expect(result.passed, "\(name), β \(beta): \(result)")
            }
            let names = analytic.namedParameters.map(\.name)
            #expect(names.contains { $0.hasPrefix("mean.") } && names.contains { $0.hasPrefix("logVariance.") })
            let input = checkGradient("x", at: x.values, analytic: pass.inputGradient!.values) { values in
                loss(model, Tensor(shape: x.shape, values: values))
            }
            #expect(input.passed, "\(name), β \(beta): \(input)")
        }
    }

    @Test("a pass that skips ∂L/∂x (a training step's) leaves every parameter gradient as the full pass gives it", arguments: ["dense", "conv"])
    func skippingInputGradient(_ name: String) {
        var (a, b) = (referenceModel(name), referenceModel(name))
        let r = vaeReferences.first { $0.name == name }!
        let (x, noise) = referenceInputs(r)
        let full = a.trainingPass(x, target: x, noise: noise)
        let skipped = b.trainingPass(x, target: x, noise: noise, inputGradient: false)
        #expect(full.inputGradient != nil && skipped.inputGradient == nil)
        #expect(a.parameters.map(\.gradient) == b.parameters.map(\.gradient))
        #expect(full.loss == skipped.loss)
    }

    @Test("reparameterization: z = μ + exp(½ log σ²) ε, and its backward (1 and ½ σ ε) against central differences")
    func reparameterization() {
        let (mean, logVariance, noise) = ([0.5, -1.0, 2.0], [0.0, log(4.0), -2.0], [1.0, -0.5, 0.25])
        let z = reparameterize(mean: mean, logVariance: logVariance, noise: noise)
        #expect(mismatch(z, [1.5, -2.0, 2.0 + exp(-1.0) * 0.25], tolerance: Self.tight) == nil)  // σ = 1, 2, e^−1
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<5 {
            let (m, l, e, g) = (rng.normals(4), rng.normals(4, standardDeviation: 2), rng.normals(4), rng.normals(4))
            let back = reparameterizeBackward(mean: m, logVariance: l, noise: e, zGradient: g)
            func weighted(_ z: [Double]) -> Double { zip(z, g).reduce(0) { $0 + $1.0 * $1.1 } }
            #expect(checkGradient("μ", at: m, analytic: back.mean) { weighted(reparameterize(mean: $0, logVariance: l, noise: e)) }.passed)
            #expect(checkGradient("log σ²", at: l, analytic: back.logVariance) { weighted(reparameterize(mean: m, logVariance: $0, noise: e)) }.passed)
        }
    }

    @Test("the KL term: 0 exactly at the prior, positive elsewhere, equal to a Monte Carlo estimate, and its gradient against central differences")
    func kl() {
        #expect(gaussianKL(mean: [0, 0, 0], logVariance: [0, 0, 0]) == 0)
        // One coordinate by hand: μ = 1, σ² = e: −½ (1 + 1 − 1 − e) = (e − 1)/2.
        #expect(abs(gaussianKL(mean: [1], logVariance: [1]) - (exp(1.0) - 1) / 2) < 1e-15)
        var rng = SeededGenerator(seed: 4)
        for _ in 0..<5 {
            let (m, l) = (rng.normals(3), rng.normals(3))
            #expect(gaussianKL(mean: m, logVariance: l) > 0)
            let g = gaussianKLGradient(mean: m, logVariance: l)
            #expect(checkGradient("μ", at: m, analytic: g.mean) { gaussianKL(mean: $0, logVariance: l) }.passed)
            #expect(checkGradient("log σ²", at: l, analytic: g.logVariance) { gaussianKL(mean: m, logVariance: $0) }.passed)
        }
        // E_q[log q(z) − log p(z)] by sampling agrees with the closed form.
        let (m, l) = ([0.7, -0.3], [-0.5, 0.8])
        var sum = 0.0
        let n = 200_000
        for _ in 0..<n {
            let e = rng.normals(2)
            let z = reparameterize(mean: m, logVariance: l, noise: e)
            let logQ = zip(e, l).reduce(0) { $0 - 0.5 * ($1.0 * $1.0 + $1.1 + log(2 * Double.pi)) }
            sum += logQ - standardNormalLogDensity(z)
        }
        #expect(abs(sum / Double(n) - gaussianKL(mean: m, logVariance: l)) < 0.01)
    }

    @Test("logMeanExp stays finite where every exp underflows, and is exact on small values")
    func logMeanExpIsStable() {
        #expect(abs(logMeanExp([-1000, -1000]) - -1000) < 1e-12)
        #expect(abs(logMeanExp([-1000, -1001]) - (-1000 + log((1 + exp(-1.0)) / 2))) < 1e-12)
        #expect(abs(logMeanExp([log(2.0), log(4.0)]) - log(3.0)) < 1e-15)
        #expect(logMeanExp([-.infinity, -.infinity]) == -.infinity)
    }

    @Test("the importance-weighted bound: K = 1 averages to the ELBO, and the bound rises with K")
    func importanceWeightedBound() {
        let model = referenceModel("dense")
        let (x, _) = referenceInputs(vaeReferences[0])
        // The ELBO with the closed-form KL, averaged over many ε: E[−rec] − KL.
        var rng = SeededGenerator(seed: 5)
        var elbo = 0.0
        let draws = 4000
        for _ in 0..<draws {
            let terms = model.terms(x, target: x, noise: Tensor(shape: [3, 2], values: rng.normals(6)))
            elbo -= (terms.reconstruction + terms.kl) / Double(draws)
        }
        var one = 0.0
        for _ in 0..<draws { one += model.importanceWeightedBound(x, samples: 1, using: &rng) / Double(draws) }
        #expect(abs(one - elbo) < 0.05, "K = 1: \(one), ELBO: \(elbo)")
        var bounds: [Double] = []
        for k in [1, 10, 100] {
            var total = 0.0
            for _ in 0..<50 { total += model.importanceWeightedBound(x, samples: k, using: &rng) / 50 }
            bounds.append(total)
        }
        #expect(bounds[0] < bounds[1] && bounds[1] < bounds[2], "\(bounds)")
    }

    @Test("sampling decodes draws from the prior: σ(decoder(z)) for z ~ N(0, I), the same draws from the same seed")
    func sampling() {
        let model = referenceModel("dense")
        var (a, b) = (SeededGenerator(seed: 12), SeededGenerator(seed: 12))
        let samples = model.sample(5, using: &a)
        let z = Tensor(shape: [5, 2], values: b.normals(10))
        let expected = model.decode(z).values.map { 1 / (1 + exp(-$0)) }
        #expect(samples.count == 5 && samples.allSatisfy { $0.count == 6 })
        #expect(mismatch(samples.flatMap { $0 }, expected, tolerance: Tolerance(relative: 1e-15, absolute: 1e-15)) == nil)
    }

    @Test("training the Layer view (decoder(μ(x))) is a gradient-checked model like any other")
    func layerView() {
        let model = referenceModel("conv")
        let (x, _) = referenceInputs(vaeReferences[2])
        for result in checkGradients(model, input: x, loss: weightedOutputLoss(sines(x.count, 0.9, 1))) {
            #expect(result.passed, "\(result)")
        }
        #expect(Set(model.namedParameters.map(\.name)).count == model.parameters.count)
    }
}

@Suite("Chapter 9 · autoencoders, PCA, training")
struct AutoencoderTrainingTests {
    @Test("the squared-error reconstruction sums per image, averages over the batch, and its gradient passes central differences")
    func squaredError() {
        let output = Tensor(shape: [2, 3], values: [1, 2, 3, 0, 0, 1])
        let target = Tensor(shape: [2, 3], values: [0, 2, 5, 0, 1, 1])
        let (loss, gradient) = ReconstructionLoss.squaredError.evaluate(output, target)
        #expect(loss == (1 + 0 + 4 + 0 + 1 + 0) / 2)
        let check = checkGradient("x̂", at: output.values, analytic: gradient.values) {
            ReconstructionLoss.squaredError.evaluate(Tensor(shape: [2, 3], values: $0), target).loss
        }
        #expect(check.passed, "\(check)")
        // Bernoulli: the BCE on logits summed per image; at logit 0 each pixel costs log 2.
        let zero = ReconstructionLoss.bernoulli.evaluate(Tensor(shape: [2, 3]), target.reshaped([2, 3]).clamped01)
        #expect(abs(zero.loss - 3 * log(2.0)) < 1e-15)
    }

    @Test("PCA by orthogonal iteration finds known components, and its reconstruction error is the variance it leaves out")
    func pca() {
        // Data with variances 9, 4, 1, 0.25 along four rotated orthonormal directions.
        var rng = SeededGenerator(seed: 6)
        let basis = orthonormalized((0..<4).map { _ in rng.normals(4) })
        let scales = [3.0, 2.0, 1.0, 0.5]
        var data: [[Double]] = []
        for _ in 0..<4000 {
            let c = scales.map { $0 * rng.normal() }
            data.append((0..<4).map { j in 5 + (0..<4).reduce(0) { $0 + c[$1] * basis[$1][j] } })
        }
        let pca = PCA(data, components: 3)
        for k in 0..<3 {
            let alignment = abs(zip(pca.components[k], basis[k]).reduce(0) { $0 + $1.0 * $1.1 })
            #expect(alignment > 0.99, "component \(k): |cos| = \(alignment)")
            #expect(abs(pca.variances[k] - scales[k] * scales[k]) < 0.1 * scales[k] * scales[k], "\(pca.variances)")
        }
        // Keeping 2 components loses the variance of the other two: mean ‖x − x̂‖² = λ₃ + λ₄.
        let error =
            data.reduce(0) { total, x in
                total + zip(x, pca.decode(pca.encode(x, size: 2))).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            } / Double(data.count)
        let full = PCA(data, components: 4).variances
        #expect(abs(error - (full[2] + full[3])) < 1e-6 * error, "\(error) vs \(full[2] + full[3])")
    }

    @Test("a VAEStep trains with the one loop: both terms recorded per epoch, −ELBO falls, and evaluation is repeatable")
    func vaeStepTrains() {
        var rng = SeededGenerator(seed: 7)
        // 60 images of 6 pixels from two prototypes: a latent code has something to carry.
        let prototypes = [[1.0, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]]
        let images = (0..<60).map { i in prototypes[i % 2].map { min(1, max(0, $0 + 0.1 * rng.normal())) } }
        let data = ImageSet(images: images, sampleShape: [6])
        var model = referenceModel("dense")
        model.visitParameters { $0.value = rng.normals($0.count, standardDeviation: 0.3) }
        var step = VAEStep(model: model, optimizer: Adam(learningRate: 0.01), seed: 8)
        let before = step.evaluate(on: data)
        let run = train(&step, on: data, epochs: 30, batchSize: 10, order: .shuffled(epochs: 30, count: 60, using: &rng))
        let after = step.evaluate(on: data)
        #expect(run.history.allSatisfy { $0.trainingTerms.names == ["reconstruction", "KL"] })
        #expect(after.loss < before.loss - 1, "−ELBO \(before.loss) → \(after.loss)")
        #expect(after.terms["reconstruction"]! + after.terms["KL"]! == after.loss)
        #expect(step.evaluate(on: data) == after)
    }

    @Test("active units: a latent coordinate whose μ does not vary over the data is counted as collapsed")
    func activeUnitsCount() {
        let mean = Tensor(shape: [4, 3], values: [0, 1, 0.001, 0, -1, 0.002, 0, 2, 0.001, 0, -2, 0.0])
        let (count, variances) = activeUnits(mean)
        #expect(count == 1)
        #expect(abs(variances[1] - 2.5) < 1e-12)
    }

    @Test("masking noise zeroes about the rate asked for, and nothing else")
    func masking() {
        var rng = SeededGenerator(seed: 9)
        let image = [Double](repeating: 0.5, count: 10_000)
        let noisy = maskingNoise(image, rate: 0.3, using: &rng)
        let zeroed = noisy.filter { $0 == 0 }.count
        #expect(abs(Double(zeroed) / 10_000 - 0.3) < 0.02)
        #expect(noisy.allSatisfy { $0 == 0 || $0 == 0.5 })
    }
}

extension Tensor {
    /// The values clamped into [0, 1] (a target for the Bernoulli loss).
    var clamped01: Tensor { Tensor(shape: shape, values: values.map { min(1, max(0, $0)) }) }
}

@Suite("Chapter 9 · degenerate calls name their cause")
struct AutoencodersRefusalTests {
    static let calls: [String: String] = [
        "reparameterize, counts differ": "reparameterize: 2 means, 1 log-variances and 2 noise values",
        "reparameterizeBackward, short ∂L/∂z": "reparameterizeBackward: ∂L/∂z has 1 values for 2 latent values",
        "gaussianKL, counts differ": "gaussianKL: 2 means and 3 log-variances",
        "logMeanExp, empty": "logMeanExp: no values",
        "VAE, heads differ": "VAE: the mean head (5 → 2) and the log-variance head (5 → 3) must have the same sizes",
        "VAE.trainingPass, noise shape": "VAE.trainingPass: the noise ε (3×3) must have the shape of μ (3×2)",
        "VAE.decode, wrong latent": "VAE.decode: latent points (4×3) do not fit: it needs (batch × 2)",
        "importanceWeightedBound, K = 0": "VAE.importanceWeightedBound: K must be at least 1, got 0",
        "ImageSet, wrong size": "ImageSet: input 1 has 5 values; a sample of (6) has 6",
        "ImageSet, counts differ": "ImageSet: 2 inputs but 1 targets",
        "maskingNoise, rate 1.5": "maskingNoise: the rate must be in [0, 1], got 1.5",
        "PCA, too many components": "PCA: the number of components must be in 1...2, got 3",
        "PCA.encode, wrong size": "PCA.encode: 3 features, the data had 2",
        "activeUnits, rank 1": "activeUnits: needs μ as (samples × latent), got (4)",
        "VAEStep, negative β": "VAEStep: β must be finite and not negative, got -1.0",
        "squared error, shapes differ": "ReconstructionLoss.squaredError: reconstructions (2×3) and targets (3×2) differ in shape",
    ]

    @Test("each degenerate call stops with a message naming its entry point and the values", arguments: calls.keys.sorted())
    func refused(_ call: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            var rng = SeededGenerator(seed: 1)
            switch call {
            case "reparameterize, counts differ": _ = reparameterize(mean: [0, 0], logVariance: [0], noise: [0, 0])
            case "reparameterizeBackward, short ∂L/∂z": _ = reparameterizeBackward(mean: [0, 0], logVariance: [0, 0], noise: [0, 0], zGradient: [1])
            case "gaussianKL, counts differ": _ = gaussianKL(mean: [0, 0], logVariance: [0, 0, 0])
            case "logMeanExp, empty": _ = logMeanExp([])
            case "VAE, heads differ":
                _ = VAE(
                    encoder: Sequential([Dense(inputs: 6, outputs: 5, initialization: .he, using: &rng)]),
                    meanHead: Dense(inputs: 5, outputs: 2, initialization: .he, using: &rng),
                    logVarianceHead: Dense(inputs: 5, outputs: 3, initialization: .he, using: &rng),
                    decoder: Sequential([Dense(inputs: 2, outputs: 6, initialization: .he, using: &rng)]))
            case "VAE.trainingPass, noise shape":
                var model = referenceModel("dense")
                let x = Tensor(shape: [3, 6], repeating: 0.5)
                _ = model.trainingPass(x, target: x, noise: Tensor(shape: [3, 3]))
            case "VAE.decode, wrong latent": _ = referenceModel("dense").decode(Tensor(shape: [4, 3]))
            case "importanceWeightedBound, K = 0": _ = referenceModel("dense").importanceWeightedBound(Tensor(shape: [1, 6]), samples: 0, using: &rng)
            case "ImageSet, wrong size": _ = ImageSet(images: [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], sampleShape: [6])
            case "ImageSet, counts differ": _ = ImageSet(inputs: [[0], [0]], targets: [[0]], sampleShape: [1])
            case "maskingNoise, rate 1.5": _ = maskingNoise([1, 2], rate: 1.5, using: &rng)
            case "PCA, too many components": _ = PCA([[0, 1], [1, 0]], components: 3)
            case "PCA.encode, wrong size": _ = PCA([[0, 1], [1, 0], [2, 3]], components: 1).encode([1, 2, 3], size: 1)
            case "activeUnits, rank 1": _ = activeUnits(Tensor(shape: [4]))
            case "VAEStep, negative β": _ = VAEStep(model: referenceModel("dense"), optimizer: SGD(learningRate: 0.1), beta: -1, seed: 1)
            case "squared error, shapes differ": _ = ReconstructionLoss.squaredError.evaluate(Tensor(shape: [2, 3]), Tensor(shape: [3, 2]))
            default: break
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains(Self.calls[call]!), "\(call): \(message)")
    }

    @Test("NaN in the latent arithmetic comes out as NaN, never as a number")
    func nanPropagates() {
        #expect(reparameterize(mean: [.nan], logVariance: [0], noise: [1])[0].isNaN)
        #expect(reparameterize(mean: [0], logVariance: [.nan], noise: [1])[0].isNaN)
        #expect(gaussianKL(mean: [.nan], logVariance: [0]).isNaN)
        #expect(logMeanExp([0, .nan]).isNaN)
        #expect(logMeanExp([.infinity, 0]) == .infinity)
    }
}
