import Backprop
import Foundation
import LinearAlgebra
import Randomness
import Validation

/// Images and the images a model should give back for them: the same ones for an
/// autoencoder, the clean ones for a denoising autoencoder fed corrupted inputs.
/// Each sample is `sampleShape` (e.g. [64] for a dense model, [1, 8, 8] for a
/// convolutional one), stored flat.
public struct ImageSet: TrainingData, Sendable {
    /// The images fed to the model, flat.
    public var inputs: [[Double]]
    /// What each input should be reconstructed as, flat.
    public var targets: [[Double]]
    /// The shape of one sample, as the model takes it ([64], [1, 8, 8]).
    public let sampleShape: [Int]

    /// An autoencoder's data: every image is its own target.
    public init(images: [[Double]], sampleShape: [Int]) {
        self.init(inputs: images, targets: images, sampleShape: sampleShape)
    }

    /// Inputs with their own targets (clean images for noisy inputs, say); no images, counts
    /// that differ or an image of the wrong size stop naming it.
    public init(inputs: [[Double]], targets: [[Double]], sampleShape: [Int]) {
        require(!inputs.isEmpty, "ImageSet: no images")
        require(inputs.count == targets.count, "ImageSet: \(inputs.count) inputs but \(targets.count) targets")
        let size = sampleShape.reduce(1, *)
        require(!sampleShape.isEmpty && sampleShape.allSatisfy { $0 > 0 }, "ImageSet: the sample shape must be positive sizes, got \(sampleShape)")
        for (i, (x, y)) in zip(inputs, targets).enumerated() {
            require(x.count == size, "ImageSet: input \(i) has \(x.count) values; a sample of \(Tensor.describe(sampleShape)) has \(size)")
            require(y.count == size, "ImageSet: target \(i) has \(y.count) values; a sample of \(Tensor.describe(sampleShape)) has \(size)")
        }
        self.inputs = inputs
        self.targets = targets
        self.sampleShape = sampleShape
    }

    public var count: Int { inputs.count }

    public func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Tensor) {
        let shape = [indices.count] + sampleShape
        return (Tensor(shape: shape, values: indices.flatMap { inputs[$0] }), Tensor(shape: shape, values: indices.flatMap { targets[$0] }))
    }

    /// All inputs as one batch.
    public var allInputs: Tensor { batch(Array(0..<count)[...]).inputs }
}

/// Masking noise (Vincent et al., 2008): each pixel is set to 0 with probability `rate`,
/// independently; the rest are kept as they are (not rescaled, unlike dropout: the
/// decoder must restore what is missing, not an expected value).
public func maskingNoise(_ image: [Double], rate: Double, using generator: inout SeededGenerator) -> [Double] {
    require(rate >= 0 && rate <= 1, "maskingNoise: the rate must be in [0, 1], got \(rate)")
    return image.map { generator.uniform() < rate ? 0 : $0 }
}

/// The VAE's training step: ε drawn from the step's own seeded generator, one forward and
/// backward pass (``VAE/trainingPass(_:target:noise:beta:reconstruction:inputGradient:)``), plugins,
/// one optimizer step. Its terms are "reconstruction" and "KL", each per image in nats;
/// their sum is −ELBO whatever β is (β only weighs the KL in the gradient).
public struct VAEStep<Rule: Optimizer>: TrainingStep {
    public var model: VAE
    /// The rule that updates every part of the VAE.
    public var optimizer: Rule
    /// The KL's weight in the loss that is differentiated: 1 for the VAE, other values for
    /// a β-VAE (Higgins et al., 2017).
    public var beta: Double
    /// How reconstructions are scored.
    public var reconstruction: ReconstructionLoss
    /// Where the training batches' ε come from.
    public var generator: SeededGenerator
    /// The seed of the ε an evaluation uses: the same every time, so that two evaluations
    /// of one model agree.
    public let evaluationSeed: UInt64

    /// A step training `model` on β · KL plus the reconstruction term, its ε drawn from
    /// `seed`; a negative or non-finite β stops naming it.
    public init(
        model: VAE, optimizer: Rule, beta: Double = 1, reconstruction: ReconstructionLoss = .bernoulli, seed: UInt64
    ) {
        require(beta >= 0 && beta.isFinite, "VAEStep: β must be finite and not negative, got \(beta)")
        self.model = model
        self.optimizer = optimizer
        self.beta = beta
        self.reconstruction = reconstruction
        generator = SeededGenerator(seed: seed)
        evaluationSeed = seed &+ 1
    }

    public var learningRate: Double {
        get { optimizer.learningRate }
        set { optimizer.learningRate = newValue }
    }

    public mutating func trainBatch(_ inputs: Tensor, _ targets: Tensor, plugins: inout TrainingPlugins) -> LossTerms {
        model.zeroGradients()
        let noise = Tensor(shape: [inputs.shape[0], model.latentCount], values: generator.normals(inputs.shape[0] * model.latentCount))
        let pass = model.trainingPass(inputs, target: targets, noise: noise, beta: beta, reconstruction: reconstruction, inputGradient: false)
        var terms = LossTerms()
        terms.append("reconstruction", pass.reconstruction)
        terms.append("KL", pass.kl)
        plugins.gradientsComputed(&model, into: &terms)
        optimizer.step(&model)
        return terms
    }

    public func evaluate<Data: TrainingData>(on data: Data) -> Evaluation where Data.Target == Tensor {
        let (x, target) = data.batch(Array(0..<data.count)[...])
        var noiseGenerator = SeededGenerator(seed: evaluationSeed)
        let noise = Tensor(shape: [x.shape[0], model.latentCount], values: noiseGenerator.normals(x.shape[0] * model.latentCount))
        let (reconstructionTerm, kl) = model.terms(x, target: target, noise: noise, reconstruction: reconstruction)
        return Evaluation(loss: reconstructionTerm + kl, terms: LossTerms(["reconstruction": reconstructionTerm, "KL": kl]))
    }
}

/// How many latent coordinates the model uses: those whose μ varies over the data by more
/// than `threshold` (variance over the samples, Burda et al.'s measure). A coordinate
/// whose μ is the same for every input carries nothing about the input: its posterior
/// has collapsed onto the prior.
public func activeUnits(_ mean: Tensor, threshold: Double = 0.01) -> (count: Int, variances: [Double]) {
    require(mean.rank == 2 && mean.shape[0] > 0, "activeUnits: needs μ as (samples × latent), got \(mean.shapeDescription)")
    let (n, latent) = (mean.shape[0], mean.shape[1])
    let variances = (0..<latent).map { j -> Double in
        let column = (0..<n).map { mean.values[$0 * latent + j] }
        let m = column.reduce(0, +) / Double(n)
        return column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n)
    }
    return (variances.filter { $0 > threshold }.count, variances)
}
