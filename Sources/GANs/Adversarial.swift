import Autoencoders
import Backprop
import Foundation
import LinearAlgebra
import Randomness
import Validation

// The two losses of a GAN, on the discriminator's logits t (D(x) = σ(t) is the probability
// it gives "real"), each a mean over the batch:
//
//   discriminator:   L_D = BCE(t_real, 1) + BCE(t_fake, 0)
//                        = −mean log D(x) − mean log(1 − D(G(z)))
//   generator, minimax (Goodfellow et al., 2014):  L_G = mean log(1 − D(G(z)))      minimized
//        ∂/∂t log(1 − σ(t)) = −σ(t)          → 0 when D rejects the fakes (σ(t) → 0)
//   generator, non-saturating:                     L_G = −mean log D(G(z)) = BCE(t_fake, 1)
//        ∂/∂t (−log σ(t)) = −(1 − σ(t))      → −1 when D rejects the fakes
//
// Both generator losses have the same fixed point; the non-saturating one gives G a strong
// gradient exactly when it is losing, at the start of training.

/// How the generator is scored.
public enum GeneratorLoss: String, Sendable, CaseIterable {
    /// −log D(G(z)): the version used in practice.
    case nonSaturating = "non-saturating −log D(G(z))"
    /// log(1 − D(G(z))), the minimax game's own term, minimized.
    case minimax = "minimax log(1 − D(G(z)))"

    /// The loss (mean over the batch) and its gradient with respect to D's logits t.
    public func evaluate(_ logits: Tensor) -> (loss: Double, gradient: Tensor) {
        let n = Double(logits.count)
        require(n > 0, "GeneratorLoss: no logits")
        switch self {
        case .nonSaturating:
            return BinaryCrossEntropyWithLogits().evaluate(logits, Tensor(shape: logits.shape, repeating: 1))
        case .minimax:
            // log(1 − σ(t)) = −BCE(t, 0) = −(max(t, 0) + log(1 + e^(−|t|)))
            var loss = 0.0
            var gradient = [Double](repeating: 0, count: logits.count)
            for (i, t) in logits.values.enumerated() {
                loss -= max(t, 0) + log1p(exp(-abs(t)))
                gradient[i] = -stableSigmoid(t) / n
            }
            return (loss / n, Tensor(shape: logits.shape, values: gradient))
        }
    }
}

/// σ(t) without overflow for any t.
func stableSigmoid(_ t: Double) -> Double {
    t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t))
}

/// The discriminator's targets: 1 for real and 0 for generated, or softened.
public struct Labels: Sendable, Equatable {
    /// The target of a real sample: 1, or 0.9 with one-sided label smoothing (Salimans et
    /// al., 2016: only the real side, so that D is not told generated samples are
    /// partly real).
    public var real: Double
    /// Noisy labels, as in the seeds: each target moves towards the other class by a
    /// uniform draw in [0, noise), drawn afresh for every sample of every batch. (The seeds
    /// write fake = 1, real = 0 and add 0.05 · U(0, 1) to both; with real = 1 here, that is
    /// real − noise · U and fake + noise · U: the same distance from the hard labels.)
    public var noise: Double

    /// Targets with a real label in (0.5, 1] and label noise in [0, 0.5); others stop naming
    /// the value.
    public init(real: Double = 1, noise: Double = 0) {
        require(real > 0.5 && real <= 1, "Labels: the real target must be in (0.5, 1], got \(real)")
        require(noise >= 0 && noise < 0.5, "Labels: the label noise must be in [0, 0.5), got \(noise)")
        self.real = real
        self.noise = noise
    }

    /// Hard labels: 1 for real, 0 for generated.
    public static let hard = Labels()

    /// `count` targets for real (`isReal`) or generated samples, with noise drawn from `generator`.
    public func targets(_ count: Int, isReal: Bool, using generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in
            let shift = noise > 0 ? noise * generator.uniform() : 0
            return isReal ? real - shift : shift
        }
    }
}

/// What one adversarial step computed.
public struct AdversarialStepResult: Sendable {
    /// L_D on the step's real and generated batches (before D's update).
    public var discriminatorLoss: Double
    /// L_G on the generator's batch (after D's update, before G's).
    public var generatorLoss: Double
    /// D's logits on the real batch, and on the generated batch of its own step.
    public var realLogits: Tensor
    /// D's logits on the generated batch of its own step.
    public var fakeLogits: Tensor
}

/// A GAN's training step: one discriminator step, then one generator step (Goodfellow et
/// al.'s alternation with k = 1), each with its own optimizer (Adam with β₁ = 0.5 in
/// DCGAN). Its terms are "D" and "G" (each a mean over the batch, in nats), and a plugin's
/// penalty appears as "D L2 penalty" and "G L2 penalty". `model` is the generator: what a
/// checkpoint or early stopping keeps of a GAN.
///
/// ```
/// D step:  x_fake = G(z)                   G in training mode; no gradient goes back into G
///          L_D = BCE(D(x_real), real) + BCE(D(x_fake), fake)       two passes through D
///          ∂L_D/∂θ_D → plugins("D") → D's optimizer
/// G step:  x_fake = G(z′)                  fresh noise
///          L_G = loss(D(x_fake))           D's input gradient carries ∂L_G/∂x_fake
///          D itself is left exactly as it was (its gradients and statistics too)
///          ∂L_G/∂θ_G → plugins("G") → G's optimizer
/// ```
public struct GANStep<GeneratorRule: Optimizer, DiscriminatorRule: Optimizer>: TrainingStep {
    /// G: latent vectors (B × latentCount) in, samples out.
    public var generator: Sequential
    /// D: samples in, one logit per sample out (the probability of "real" is σ(logit)).
    public var discriminator: Sequential
    /// The rule that updates G.
    public var generatorOptimizer: GeneratorRule
    /// The rule that updates D.
    public var discriminatorOptimizer: DiscriminatorRule
    /// The size of z, drawn from N(0, I).
    public let latentCount: Int
    /// How G is scored: non-saturating or minimax.
    public var generatorLoss: GeneratorLoss
    /// The targets D is taught (label smoothing and noise).
    public var labels: Labels
    /// Where z and the label noise come from.
    public var noise: SeededGenerator
    /// The seed of the z an evaluation uses, the same every time.
    public let evaluationSeed: UInt64

    /// A GAN step over G and D with their own rules; z has `latentCount` entries, drawn (with
    /// the label noise) from `seed`. A latent size below 1 stops naming it.
    public init(
        generator: Sequential, discriminator: Sequential, generatorOptimizer: GeneratorRule, discriminatorOptimizer: DiscriminatorRule,
        latentCount: Int, generatorLoss: GeneratorLoss = .nonSaturating, labels: Labels = .hard, seed: UInt64
    ) {
        require(latentCount > 0, "GANStep: the latent size must be positive, got \(latentCount)")
        self.generator = generator
        self.discriminator = discriminator
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.latentCount = latentCount
        self.generatorLoss = generatorLoss
        self.labels = labels
        noise = SeededGenerator(seed: seed)
        evaluationSeed = seed &+ 1
    }

    /// The generator, the model a GAN is trained to produce (``/Backprop/TrainingStep``'s
    /// model).
    public var model: Sequential {
        get { generator }
        set { generator = newValue }
    }

    /// η of the generator's optimizer. Setting it (a schedule) scales the discriminator's
    /// η by the same factor, so that their ratio stays as chosen.
    public var learningRate: Double {
        get { generatorOptimizer.learningRate }
        set {
            let factor = generatorOptimizer.learningRate == 0 ? 1 : newValue / generatorOptimizer.learningRate
            generatorOptimizer.learningRate = newValue
            discriminatorOptimizer.learningRate *= factor
        }
    }

    /// z for a batch: (count × latent) from N(0, I).
    public mutating func drawLatents(_ count: Int) -> Tensor {
        Tensor(shape: [count, latentCount], values: noise.normals(count * latentCount))
    }

    public mutating func trainBatch(_ inputs: Tensor, _ targets: Tensor, plugins: inout TrainingPlugins) -> LossTerms {
        let count = inputs.shape[0]
        let (discriminatorNoise, generatorNoise) = (drawLatents(count), drawLatents(count))
        let realTargets = labels.targets(count, isReal: true, using: &noise)
        let fakeTargets = labels.targets(count, isReal: false, using: &noise)
        let result = step(
            real: inputs, discriminatorLatents: discriminatorNoise, generatorLatents: generatorNoise, realTargets: realTargets,
            fakeTargets: fakeTargets, plugins: &plugins)
        return result.terms
    }

    /// One D step and one G step with every random number given: the latents of each step
    /// and the discriminator's targets (the PyTorch comparison and the exercises use it).
    public mutating func step(
        real: Tensor, discriminatorLatents: Tensor, generatorLatents: Tensor, realTargets: [Double], fakeTargets: [Double],
        plugins: inout TrainingPlugins
    ) -> (terms: LossTerms, result: AdversarialStepResult) {
        let count = real.shape[0]
        require(
            discriminatorLatents.shape == [count, latentCount] && generatorLatents.shape == [count, latentCount],
            "GANStep: the latents \(discriminatorLatents.shapeDescription) and \(generatorLatents.shapeDescription) must be "
                + "(\(count) × \(latentCount)), one z per real sample")
        require(
            realTargets.count == count && fakeTargets.count == count,
            "GANStep: \(realTargets.count) real and \(fakeTargets.count) fake targets for a batch of \(count)")
        var terms = LossTerms()
        // The discriminator's step. The generated batch is data here: G's backward is never run.
        discriminator.zeroGradients()
        let fake = generator.forward(discriminatorLatents, mode: .training)
        require(
            fake.shape.dropFirst() == real.shape.dropFirst(),
            "GANStep: the generator makes samples \(fake.shapeDescription) but the real batch is \(real.shapeDescription)")
        let bce = BinaryCrossEntropyWithLogits()
        let realLogits = discriminator.forward(real, mode: .training)
        let realPart = bce.evaluate(realLogits, Tensor(shape: realLogits.shape, values: realTargets))
        discriminator.backwardSkippingInputGradient(realPart.gradient)
        let fakeLogits = discriminator.forward(fake, mode: .training)
        let fakePart = bce.evaluate(fakeLogits, Tensor(shape: fakeLogits.shape, values: fakeTargets))
        discriminator.backwardSkippingInputGradient(fakePart.gradient)
        terms.append("D", realPart.loss + fakePart.loss)
        plugins.gradientsComputed(&discriminator, into: &terms, label: "D")
        discriminatorOptimizer.step(&discriminator)

        // The generator's step, through D's input gradient; D is left as it is.
        generator.zeroGradients()
        let generated = generator.forward(generatorLatents, mode: .training)
        let objective = generatorLoss
        let throughD = discriminator.inputGradient(at: generated) { objective.evaluate($0) }
        generator.backwardSkippingInputGradient(throughD.inputGradient)
        terms.append("G", throughD.loss)
        plugins.gradientsComputed(&generator, into: &terms, label: "G")
        generatorOptimizer.step(&generator)
        return (
            terms,
            AdversarialStepResult(
                discriminatorLoss: realPart.loss + fakePart.loss, generatorLoss: throughD.loss, realLogits: realLogits, fakeLogits: fakeLogits)
        )
    }

    /// `count` samples of the generator in inference mode, from latents of `generator`.
    public func samples(_ count: Int, using generator: inout SeededGenerator) -> Tensor {
        require(count > 0, "GANStep.samples: the number of samples must be positive, got \(count)")
        return self.generator.predict(Tensor(shape: [count, latentCount], values: generator.normals(count * latentCount)))
    }

    /// Both losses on the real samples of `data` and as many generated ones (fixed latents),
    /// in inference mode, with hard labels; the accuracy is D's on both halves together.
    public func evaluate<Data: TrainingData>(on data: Data) -> Evaluation where Data.Target == Tensor {
        let (real, _) = data.batch(Array(0..<data.count)[...])
        var latents = SeededGenerator(seed: evaluationSeed)
        let fake = samples(real.shape[0], using: &latents)
        let (realLogits, fakeLogits) = (discriminator.predict(real), discriminator.predict(fake))
        let bce = BinaryCrossEntropyWithLogits()
        let d = bce.evaluate(realLogits, Tensor(shape: realLogits.shape, repeating: 1)).loss + bce.evaluate(fakeLogits, Tensor(shape: fakeLogits.shape)).loss
        let g = generatorLoss.evaluate(fakeLogits).loss
        let correct = realLogits.values.filter { $0 > 0 }.count + fakeLogits.values.filter { $0 <= 0 }.count
        return Evaluation(loss: d + g, accuracy: Double(correct) / Double(realLogits.count + fakeLogits.count), terms: LossTerms(["D": d, "G": g]))
    }
}
