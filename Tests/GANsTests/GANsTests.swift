import Activations
import Backprop
import CNN
import Foundation
import LinearAlgebra
import NumericChecks
import Optimizers
import Randomness
import Regularization
import Testing

@testable import GANs

func sines(_ count: Int, _ start: Double, _ scale: Double) -> [Double] {
    (0..<count).map { scale * sin(start + 0.7 * Double($0)) }
}

/// The networks of GANReferences.swift, with their parameters set as the PyTorch script set them.
func referencePair(_ name: String) -> (generator: Sequential, discriminator: Sequential) {
    var rng = SeededGenerator(seed: 0)
    func dense(_ i: Int, _ o: Int) -> Dense { Dense(inputs: i, outputs: o, initialization: .he, using: &rng) }
    var g: Sequential, d: Sequential
    if name.hasPrefix("dense") {
        g = Sequential([dense(3, 5), LeakyReLU(slope: 0.2), dense(5, 4), ActivationLayer(.tanh)])
        d = Sequential([dense(4, 6), LeakyReLU(slope: 0.2), dense(6, 1)])
    } else {
        func convT(_ i: Int, _ o: Int) -> ConvTranspose2D {
            ConvTranspose2D(inChannels: i, outChannels: o, kernel: 4, stride: 2, padding: 1, initialization: .he, using: &rng)
        }
        func conv(_ i: Int, _ o: Int, stride: Int) -> Conv2D {
            Conv2D(inChannels: i, outChannels: o, kernel: 3, stride: stride, padding: 1, initialization: .he, using: &rng)
        }
        g = Sequential([
            dense(3, 16), Reshape([4, 2, 2]), BatchNorm2D(channels: 4), LeakyReLU(slope: 0.2),
            convT(4, 3), BatchNorm2D(channels: 3), LeakyReLU(slope: 0.2),
            convT(3, 2), BatchNorm2D(channels: 2), LeakyReLU(slope: 0.2),
            conv(2, 1, stride: 1), ActivationLayer(.tanh),
        ])
        d = Sequential([conv(1, 3, stride: 2), LeakyReLU(slope: 0.2), conv(3, 4, stride: 2), LeakyReLU(slope: 0.2), Reshape.flatten, dense(16, 1)])
    }
    var k = 1
    func set(_ model: inout Sequential) {
        model.visitParameters { p in
            if p.name.hasPrefix("γ") {
                p.value = sines(p.count, Double(k), 0.2).map { $0 + 1 }
            } else if p.name.hasPrefix("β") {
                p.value = sines(p.count, Double(k), 0.2)
            } else {
                p.value = sines(p.count, Double(k), 0.4)
            }
            k += 1
        }
    }
    set(&g)
    set(&d)
    return (g, d)
}

func referenceStep(_ r: GANReference) -> GANStep<Adam, Adam> {
    let (g, d) = referencePair(r.name)
    return GANStep(
        generator: g, discriminator: d, generatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5),
        discriminatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5), latentCount: r.latent, generatorLoss: r.loss, seed: 1)
}

@Suite("Chapter 10 · the adversarial step")
struct AdversarialStepTests {
    static let tight = Tolerance(relative: 1e-10, absolute: 1e-12)

    @Test(
        "one D step and one G step equal PyTorch's: both losses, every gradient, every parameter after Adam, BatchNorm2d's running statistics",
        arguments: ganReferences.indices)
    func againstPyTorch(_ index: Int) {
        let r = ganReferences[index]
        var step = referenceStep(r)
        let b = r.realShape[0]
        let real = Tensor(shape: r.realShape, values: sines(r.realShape.reduce(1, *), 0.5, 0.9))
        var plugins = TrainingPlugins()
        let (terms, result) = step.step(
            real: real, discriminatorLatents: Tensor(shape: [b, r.latent], values: sines(b * r.latent, 1.3, 1.2)),
            generatorLatents: Tensor(shape: [b, r.latent], values: sines(b * r.latent, 2.9, 1.2)), realTargets: [Double](repeating: 1, count: b),
            fakeTargets: [Double](repeating: 0, count: b), plugins: &plugins)
        #expect(abs(result.discriminatorLoss - r.discriminatorLoss) <= 1e-12 * abs(r.discriminatorLoss))
        #expect(abs(result.generatorLoss - r.generatorLoss) <= 1e-12 * max(1, abs(r.generatorLoss)))
        #expect(terms.names == ["D", "G"])
        func compare(_ mine: [[Double]], _ theirs: [[Double]], _ what: String) {
            #expect(mine.count == theirs.count, "\(what): \(mine.count) tensors, PyTorch has \(theirs.count)")
            for (k, (a, b)) in zip(mine, theirs).enumerated() {
                #expect(mismatch(a, b, tolerance: Self.tight) == nil, "\(r.name): \(what) \(k)")
            }
        }
        compare(step.discriminator.parameters.map(\.gradient), r.discriminatorGradients, "D gradient")
        compare(step.generator.parameters.map(\.gradient), r.generatorGradients, "G gradient")
        compare(step.discriminator.parameters.map(\.value), r.discriminatorAfter, "D parameter after the step")
        compare(step.generator.parameters.map(\.value), r.generatorAfter, "G parameter after the step")
        let buffers = step.generator.namedBuffers
        compare(buffers.filter { $0.name.contains("runningMean") }.map(\.values), r.runningMeans, "running mean")
        compare(buffers.filter { $0.name.contains("runningVariance") }.map(\.values), r.runningVariancesBiased, "running variance (biased convention)")
    }

    @Test("the generator's step leaves the discriminator bit for bit as it was: parameters, gradients, statistics")
    func generatorStepLeavesDiscriminator() {
        var step = referenceStep(ganReferences[2])
        var plugins = TrainingPlugins()
        let real = Tensor(shape: [4, 1, 8, 8], values: sines(256, 0.5, 0.9))
        _ = step.trainBatch(real, real, plugins: &plugins)  // a D step, a G step: D now has gradients and moments
        let before = (step.discriminator.parameters.map(\.value), step.discriminator.parameters.map(\.gradient), step.discriminator.namedBuffers.map(\.values))
        let generated = step.generator.predict(Tensor(shape: [4, 3], values: sines(12, 0.1, 1)))
        _ = step.discriminator.inputGradient(at: generated) { GeneratorLoss.nonSaturating.evaluate($0) }
        #expect(step.discriminator.parameters.map(\.value) == before.0)
        #expect(step.discriminator.parameters.map(\.gradient) == before.1)
        #expect(step.discriminator.namedBuffers.map(\.values) == before.2)
    }

    @Test("both losses pass central differences through both networks: L_D in D's parameters, L_G in G's through D", arguments: ["dense", "dcgan"])
    func gradientChecks(_ name: String) {
        let (g, d) = referencePair(name)
        let b = 4
        let shape = name == "dense" ? [b, 4] : [b, 1, 8, 8]
        let real = Tensor(shape: shape, values: sines(shape.reduce(1, *), 0.5, 0.9))
        let z = Tensor(shape: [b, 3], values: sines(b * 3, 1.3, 1.2))
        var generatorCopy = g
        let fake = generatorCopy.forward(z, mode: .training)
        let bce = BinaryCrossEntropyWithLogits()
        func discriminatorLoss(_ model: Sequential) -> Double {
            var model = model
            return bce.evaluate(model.forward(real, mode: .training), Tensor(shape: [b, 1], repeating: 1)).loss
                + bce.evaluate(model.forward(fake, mode: .training), Tensor(shape: [b, 1])).loss
        }
        var analytic = d
        analytic.zeroGradients()
        analytic.backwardSkippingInputGradient(bce.evaluate(analytic.forward(real, mode: .training), Tensor(shape: [b, 1], repeating: 1)).gradient)
        analytic.backwardSkippingInputGradient(bce.evaluate(analytic.forward(fake, mode: .training), Tensor(shape: [b, 1])).gradient)
        for result in checkParameterGradients(d, analytic: analytic, loss: discriminatorLoss) {
            #expect(result.passed, "\(name), D: \(result)")
        }
        for loss in GeneratorLoss.allCases {
            func generatorLoss(_ model: Sequential) -> Double {
                var model = model
                return d.inputGradient(at: model.forward(z, mode: .training)) { loss.evaluate($0) }.loss
            }
            var analyticG = g
            analyticG.zeroGradients()
            let through = d.inputGradient(at: analyticG.forward(z, mode: .training)) { loss.evaluate($0) }
            analyticG.backwardSkippingInputGradient(through.inputGradient)
            for result in checkParameterGradients(g, analytic: analyticG, loss: generatorLoss) {
                #expect(result.passed, "\(name), \(loss), G: \(result)")
            }
        }
    }

    @Test("the generator losses on logits: values, gradients, and where the minimax one saturates")
    func generatorLosses() {
        let logits = Tensor(shape: [4, 1], values: [-12, -1, 0, 3])
        for loss in GeneratorLoss.allCases {
            let (value, gradient) = loss.evaluate(logits)
            let check = checkGradient("t", at: logits.values, analytic: gradient.values) { loss.evaluate(Tensor(shape: [4, 1], values: $0)).loss }
            #expect(check.passed, "\(loss): \(check)")
            let sigma = logits.values.map { 1 / (1 + exp(-$0)) }
            let expected = loss == .nonSaturating ? -sigma.map { log($0) }.reduce(0, +) / 4 : sigma.map { log(1 - $0) }.reduce(0, +) / 4
            #expect(abs(value - expected) < 1e-12)
        }
        // At t = −12 (D sure the sample is fake): the minimax gradient per sample is −σ(t) ≈ −6e-6, the non-saturating −(1 − σ(t)) ≈ −1.
        let minimax = GeneratorLoss.minimax.evaluate(Tensor(shape: [1, 1], values: [-12])).gradient.values[0]
        let nonSaturating = GeneratorLoss.nonSaturating.evaluate(Tensor(shape: [1, 1], values: [-12])).gradient.values[0]
        #expect(abs(minimax - -1 / (1 + exp(12))) < 1e-18 && abs(nonSaturating - -(1 - 1 / (1 + exp(12)))) < 1e-15)
        #expect(GeneratorLoss.minimax.evaluate(Tensor(shape: [1, 1], values: [-800])).loss.isFinite)
    }

    @Test("labels: hard, one-sided smoothing, and the seeds' noise moving each target towards the other class by up to the noise")
    func labels() {
        var rng = SeededGenerator(seed: 3)
        #expect(Labels.hard.targets(3, isReal: true, using: &rng) == [1, 1, 1])
        #expect(Labels(real: 0.9).targets(2, isReal: true, using: &rng) == [0.9, 0.9])
        #expect(Labels(real: 0.9).targets(2, isReal: false, using: &rng) == [0, 0])
        let noisy = Labels(noise: 0.05)
        let real = noisy.targets(1000, isReal: true, using: &rng), fake = noisy.targets(1000, isReal: false, using: &rng)
        #expect(real.allSatisfy { $0 > 0.95 && $0 <= 1 } && fake.allSatisfy { $0 >= 0 && $0 < 0.05 })
        #expect(Set(real).count > 900)
    }
}

@Suite("Chapter 10 · batch norm over channels")
struct BatchNorm2DTests {
    @Test("statistics per channel over batch and positions; the full backward passes central differences; inference uses the running statistics")
    func batchNorm2D() {
        var rng = SeededGenerator(seed: 5)
        var layer = BatchNorm2D(channels: 3)
        layer.rows.gamma.value = [1.5, 0.5, -1]
        layer.rows.beta.value = [0.1, 0, -0.3]
        let x = Tensor(shape: [2, 3, 2, 3], values: rng.normals(36).map { $0 * 2 + 1 })
        let y = layer.forward(x, mode: .training)
        // Channel c of the output, standardized back, has mean β and standard deviation |γ| over its 12 values.
        for c in 0..<3 {
            let values = (0..<2).flatMap { n in (0..<6).map { p in y.values[(n * 3 + c) * 6 + p] } }
            let mean = values.reduce(0, +) / 12
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 12
            #expect(abs(mean - layer.rows.beta.value[c]) < 1e-12)
            #expect(abs(variance.squareRoot() - abs(layer.rows.gamma.value[c])) < 1e-4)
        }
        for result in checkGradients(layer, input: x, loss: weightedOutputLoss(rng.normals(36))) {
            #expect(result.passed, "\(result)")
        }
        // Inference: a fixed affine map per channel, from the running statistics.
        let one = Tensor(shape: [1, 3, 2, 3], values: Array(x.values.prefix(18)))
        let inferred = layer.predict(one)
        for c in 0..<3 {
            let scale = layer.rows.gamma.value[c] / (layer.rows.runningVariance[c] + 1e-5).squareRoot()
            for p in 0..<6 {
                let expected = scale * (one.values[c * 6 + p] - layer.rows.runningMean[c]) + layer.rows.beta.value[c]
                #expect(abs(inferred.values[c * 6 + p] - expected) < 1e-12)
            }
        }
    }
}

@Suite("Chapter 10 · measures")
struct MeasureTests {
    @Test("the ring: samples of the true mixture cover every mode with ~98.9% high quality; one mode covers one; noise covers none")
    func coverage() {
        var rng = SeededGenerator(seed: 6)
        let ring = GaussianRing()
        let good = ring.coverage(ring.sample(4000, using: &rng))
        #expect(good.modesCovered == 8)
        #expect(abs(good.highQuality - (1 - exp(-4.5))) < 0.01, "\(good.highQuality)")  // P(r ≤ 3σ) in 2-D
        let collapsed = (0..<1000).map { _ in [2 + 0.05 * rng.normal(), 0.05 * rng.normal()] }
        #expect(ring.coverage(collapsed).modesCovered == 1)
        let spread = (0..<1000).map { _ in [rng.uniform(in: -3..<3), rng.uniform(in: -3..<3)] }
        let noise = ring.coverage(spread)
        #expect(noise.modesCovered == 0 && noise.highQuality < 0.05)
    }

    @Test("symmetric eigendecomposition: A = V Λ Vᵀ with V orthonormal")
    func eigen() {
        var rng = SeededGenerator(seed: 7)
        let d = 6
        let b = rng.normals(d * d)
        var a = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { a[i * d + j] = (0..<d).reduce(0) { $0 + b[i * d + $1] * b[j * d + $1] } } }
        let (values, vectors) = symmetricEigendecomposition(a, size: d)
        for i in 0..<d {
            for j in 0..<d {
                let rebuilt = (0..<d).reduce(0) { $0 + vectors[i * d + $1] * values[$1] * vectors[j * d + $1] }
                #expect(abs(rebuilt - a[i * d + j]) < 1e-10)
                let dot = (0..<d).reduce(0) { $0 + vectors[$1 * d + i] * vectors[$1 * d + j] }
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-12)
            }
        }
        #expect(values.allSatisfy { $0 > -1e-12 })  // B Bᵀ is positive semidefinite
    }

    @Test("the Fréchet distance: 0 for one set against itself; for b = S a + δ (S diagonal), ‖Δμ‖² + Tr Σ_a + Tr Σ_b − 2 Tr(Σ_a^½ S Σ_a^½)")
    func frechet() {
        var rng = SeededGenerator(seed: 8)
        let a = (0..<500).map { _ in rng.normals(3) }
        #expect(abs(frechetDistance(a, a)) < 1e-9)
        // b = a scaled per axis and shifted: b's covariance is S Σ_a S, and Σ_a^½ Σ_b Σ_a^½ = (Σ_a^½ S Σ_a^½)², a square.
        let scales = [2.0, 0.5, 1.0], shift = [1.0, -2.0, 0.5]
        let b = a.map { v in (0..<3).map { v[$0] * scales[$0] + shift[$0] } }
        let (meanA, covarianceA) = meanAndCovariance(a)
        // Tr((Σ_a^½ S Σ_a S Σ_a^½)^½) = Tr(Σ_a^½ S Σ_a^½) when S is diagonal and positive (the product is a square).
        let root = symmetricSquareRoot(covarianceA, size: 3)
        var (middle, traceA, traceB) = (0.0, 0.0, 0.0)
        for i in 0..<3 {
            for j in 0..<3 { middle += root[i * 3 + j] * scales[j] * root[j * 3 + i] }
            traceA += covarianceA[i * 4]
            traceB += covarianceA[i * 4] * scales[i] * scales[i]
        }
        // b's mean is S μ_a + δ, so Δμ = (S − I) μ_a + δ.
        let shiftSquared = (0..<3).reduce(0.0) { $0 + pow((scales[$1] - 1) * meanA[$1] + shift[$1], 2) }
        let expected = shiftSquared + traceA + traceB - 2 * middle
        #expect(abs(frechetDistance(a, b) - expected) < 1e-8 * expected, "\(frechetDistance(a, b)) vs \(expected)")
    }
}

@Suite("Chapter 10 · degenerate calls name their cause")
struct GANsRefusalTests {
    static let calls: [String: String] = [
        "LeakyReLU, slope 1.5": "LeakyReLU: the slope must be in [0, 1), got 1.5",
        "Labels, real 0.3": "Labels: the real target must be in (0.5, 1], got 0.3",
        "Labels, noise 0.7": "Labels: the label noise must be in [0, 0.5), got 0.7",
        "GANStep, latent 0": "GANStep: the latent size must be positive, got 0",
        "GANStep.step, latents of the wrong shape": "GANStep: the latents (4×2) and (4×3) must be (4 × 3), one z per real sample",
        "GANStep.step, too few targets": "GANStep: 3 real and 4 fake targets for a batch of 4",
        "GANStep.step, G's samples unlike the real ones": "GANStep: the generator makes samples (4×4) but the real batch is (4×5)",
        "GANStep.samples, none": "GANStep.samples: the number of samples must be positive, got 0",
        "GaussianRing, no modes": "GaussianRing: needs at least one mode, got 0",
        "GaussianRing.coverage, no points": "GaussianRing.coverage: no points",
        "frechetDistance, one vector": "frechetDistance: needs at least 2 vectors in each set, got 1 and 3",
        "frechetDistance, sizes differ": "frechetDistance: every vector needs 2 values like the first",
        "symmetricEigendecomposition, not symmetric": "symmetricEigendecomposition: the matrix is not symmetric: entry (1, 0) is 3.0 but (0, 1) is 2.0",
        "BatchNorm2D, wrong channels": "BatchNorm2D: input (2×3×4×4) does not fit: it needs (batch × 2 × height × width)",
        "BatchNorm2D, no channels": "BatchNorm2D: needs at least one channel, got 0",
        "GeneratorLoss, no logits": "GeneratorLoss: no logits",
    ]

    @Test("each degenerate call stops with a message naming its entry point and the values", arguments: calls.keys.sorted())
    func refused(_ call: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            var rng = SeededGenerator(seed: 1)
            let r = ganReferences[0]
            switch call {
            case "LeakyReLU, slope 1.5": _ = LeakyReLU(slope: 1.5)
            case "Labels, real 0.3": _ = Labels(real: 0.3)
            case "Labels, noise 0.7": _ = Labels(noise: 0.7)
            case "GANStep, latent 0":
                let (g, d) = referencePair("dense")
                _ = GANStep(
                    generator: g, discriminator: d, generatorOptimizer: SGD(learningRate: 1), discriminatorOptimizer: SGD(learningRate: 1), latentCount: 0,
                    seed: 1)
            case "GANStep.step, latents of the wrong shape":
                var step = referenceStep(r)
                var plugins = TrainingPlugins()
                _ = step.step(
                    real: Tensor(shape: [4, 4]), discriminatorLatents: Tensor(shape: [4, 2]), generatorLatents: Tensor(shape: [4, 3]),
                    realTargets: [1, 1, 1, 1],
                    fakeTargets: [0, 0, 0, 0], plugins: &plugins)
            case "GANStep.step, too few targets":
                var step = referenceStep(r)
                var plugins = TrainingPlugins()
                _ = step.step(
                    real: Tensor(shape: [4, 4]), discriminatorLatents: Tensor(shape: [4, 3]), generatorLatents: Tensor(shape: [4, 3]), realTargets: [1, 1, 1],
                    fakeTargets: [0, 0, 0, 0], plugins: &plugins)
            case "GANStep.step, G's samples unlike the real ones":
                var step = referenceStep(r)
                var plugins = TrainingPlugins()
                _ = step.step(
                    real: Tensor(shape: [4, 5]), discriminatorLatents: Tensor(shape: [4, 3]), generatorLatents: Tensor(shape: [4, 3]),
                    realTargets: [1, 1, 1, 1],
                    fakeTargets: [0, 0, 0, 0], plugins: &plugins)
            case "GANStep.samples, none": _ = referenceStep(r).samples(0, using: &rng)
            case "GaussianRing, no modes": _ = GaussianRing(modes: 0)
            case "GaussianRing.coverage, no points": _ = GaussianRing().coverage([])
            case "frechetDistance, one vector": _ = frechetDistance([[1, 2]], [[1, 2], [3, 4], [5, 6]])
            case "frechetDistance, sizes differ": _ = frechetDistance([[1, 2], [3, 4]], [[1, 2], [3, 4, 5]])
            case "symmetricEigendecomposition, not symmetric": _ = symmetricEigendecomposition([1, 2, 3, 4], size: 2)
            case "BatchNorm2D, wrong channels":
                var layer = BatchNorm2D(channels: 2)
                _ = layer.forward(Tensor(shape: [2, 3, 4, 4]), mode: .training)
            case "BatchNorm2D, no channels": _ = BatchNorm2D(channels: 0)
            case "GeneratorLoss, no logits": _ = GeneratorLoss.minimax.evaluate(Tensor(shape: [0, 1]))
            default: break
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains(Self.calls[call]!), "\(call): \(message)")
    }

    @Test("NaN passes through LeakyReLU and the losses as NaN, never as a number")
    func nanPropagates() {
        var layer = LeakyReLU()
        #expect(layer.forward(Tensor(shape: [1, 2], values: [.nan, -1]), mode: .training).values[0].isNaN)
        #expect(layer.backward(Tensor(shape: [1, 2], values: [1, 1])).values == [0.2, 0.2])  // NaN > 0 is false: the slope
        #expect(GeneratorLoss.nonSaturating.evaluate(Tensor(shape: [1, 1], values: [.nan])).loss.isNaN)
        #expect(GeneratorLoss.minimax.evaluate(Tensor(shape: [1, 1], values: [.nan])).loss.isNaN)
    }
}
