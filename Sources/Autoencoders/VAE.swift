import Backprop
import Foundation
import LinearAlgebra
import Perceptron
import Randomness
import Validation

/// How a reconstruction is scored against its target, per image: summed over the image's
/// pixels, then averaged over the batch (``/Backprop/Reduction/meanPerSample``).
///
/// ```
/// .bernoulli      −log p(x | z) = Σ BCE(logit, x)         the decoder outputs logits;
///                                                          σ(logit) is the image
/// .squaredError   ‖x̂ − x‖² = Σ (x̂ − x)²                  the decoder outputs the image
/// ```
/// The Bernoulli term is a negative log-likelihood in nats, so a VAE's ELBO with it is a
/// bound on log p(x) (pixels in [0, 1] are treated as probabilities of "ink", as the seeds
/// and PyTorch's VAE example do). The squared error is the plain autoencoder's loss; as a
/// likelihood it would need a chosen variance, so no bound is computed with it.
public enum ReconstructionLoss: String, Sendable {
    /// Binary cross-entropy on the decoder's logits, summed over each image's pixels.
    case bernoulli = "BCE on logits, summed per image"
    /// The squared error, summed over each image's pixels.
    case squaredError = "squared error, summed per image"

    /// The mean over the batch of each image's loss, and its gradient with respect to the
    /// decoder's output.
    public func evaluate(_ output: Tensor, _ target: Tensor) -> (loss: Double, gradient: Tensor) {
        switch self {
        case .bernoulli:
            return BinaryCrossEntropyWithLogits(reduction: .meanPerSample).evaluate(output, target)
        case .squaredError:
            require(
                output.shape == target.shape,
                "ReconstructionLoss.squaredError: reconstructions \(output.shapeDescription) and targets \(target.shapeDescription) differ in shape")
            let batch = Double(output.shape.first ?? 1)
            var sum = 0.0
            var gradient = [Double](repeating: 0, count: output.count)
            for i in output.values.indices {
                let d = output.values[i] - target.values[i]
                sum += d * d
                gradient[i] = 2 * d / batch
            }
            return (sum / batch, Tensor(shape: output.shape, values: gradient))
        }
    }

    /// The image a decoder output stands for: σ(logit) for `.bernoulli`, itself otherwise.
    public func image(_ output: [Double]) -> [Double] {
        switch self {
        case .bernoulli: return output.map(sigmoid)  // Chapter 1's σ, finite for every logit
        case .squaredError: return output
        }
    }
}

/// A variational autoencoder: an encoder to a hidden vector h, two dense heads from h to
/// the mean μ and the log-variance log σ² of q(z | x) = N(μ, diag σ²), and a decoder from z
/// back to the input's shape (logits, for ``ReconstructionLoss/bernoulli``).
///
/// ```
/// h = encoder(x)    μ = W_μ h + b_μ    log σ² = W_σ h + b_σ
/// z = μ + σ ⊙ ε     x̂ = decoder(z)
/// loss per image = reconstruction(x̂, x) + β · KL(N(μ, σ²) ‖ N(0, I))
///                = −ELBO when β = 1
/// ```
/// As a ``/Backprop/Layer`` it is the deterministic reconstruction decoder(μ(x)), so that it can be
/// saved, counted and gradient-checked like any model; training goes through
/// ``VAE/trainingPass(_:target:noise:beta:reconstruction:inputGradient:)``, which draws nothing itself: ε
/// comes from the caller (``VAEStep`` draws it from its own seeded generator).
/// Parameters are named "encoder.…", "mean.…", "logVariance.…" and "decoder.…".
public struct VAE: Layer {
    /// The layers from an image to the hidden vector both heads read.
    public var encoder: Sequential
    /// The layer from the encoder's output to μ.
    public var meanHead: Dense
    /// The layer from the encoder's output to log σ².
    public var logVarianceHead: Dense
    /// The layers from z back to an image (logits for the Bernoulli loss).
    public var decoder: Sequential

    /// A VAE from its parts; two heads of different sizes stop with both named.
    public init(encoder: Sequential, meanHead: Dense, logVarianceHead: Dense, decoder: Sequential) {
        require(
            meanHead.outputCount == logVarianceHead.outputCount && meanHead.inputCount == logVarianceHead.inputCount,
            "VAE: the mean head (\(meanHead.inputCount) → \(meanHead.outputCount)) and the log-variance head "
                + "(\(logVarianceHead.inputCount) → \(logVarianceHead.outputCount)) must have the same sizes")
        self.encoder = encoder
        self.meanHead = meanHead
        self.logVarianceHead = logVarianceHead
        self.decoder = decoder
    }

    /// The number of latent coordinates, the size of z.
    public var latentCount: Int { meanHead.outputCount }

    /// μ and log σ² of q(z | x) for a batch, in inference mode: each (batch × latent).
    public func encode(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let h = encoder.predict(x)
        return (meanHead.predict(h), logVarianceHead.predict(h))
    }

    /// The decoder's output for latent points z (batch × latent), in inference mode.
    public func decode(_ z: Tensor) -> Tensor {
        require(
            z.rank == 2 && z.shape[1] == latentCount,
            "VAE.decode: latent points \(z.shapeDescription) do not fit: it needs (batch × \(latentCount))")
        return decoder.predict(z)
    }

    /// `count` new images: z drawn from the prior N(0, I), decoded, and mapped to images by
    /// `reconstruction` (σ(logits) for ``ReconstructionLoss/bernoulli``). One row each.
    public func sample(_ count: Int, reconstruction: ReconstructionLoss = .bernoulli, using generator: inout SeededGenerator) -> [[Double]] {
        require(count > 0, "VAE.sample: the number of samples must be positive, got \(count)")
        let output = decode(Tensor(shape: [count, latentCount], values: generator.normals(count * latentCount)))
        let width = output.count / count
        return (0..<count).map { reconstruction.image(Array(output.values[($0 * width)..<(($0 + 1) * width)])) }
    }

    // MARK: The Layer view: decoder(μ(x))

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let h = encoder.forward(x, mode: mode)
        return decoder.forward(meanHead.forward(h, mode: mode), mode: mode)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        encoder.backward(meanHead.backward(decoder.backward(outputGradient)))
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        encoder.visitParameters(body)
        meanHead.visitParameters(body)
        logVarianceHead.visitParameters(body)
        decoder.visitParameters(body)
    }

    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        encoder.visitNamedParameters(prefix: prefix + "encoder.", body)
        meanHead.visitNamedParameters(prefix: prefix + "mean.", body)
        logVarianceHead.visitNamedParameters(prefix: prefix + "logVariance.", body)
        decoder.visitNamedParameters(prefix: prefix + "decoder.", body)
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        encoder.visitBuffers(prefix: prefix + "encoder.", body)
        decoder.visitBuffers(prefix: prefix + "decoder.", body)
    }

    // MARK: Training

    /// One training-mode forward and backward pass with the noise ε given (batch × latent):
    /// adds ∂(reconstruction + β KL)/∂θ into every parameter's gradient.
    ///
    /// The two terms are per image (summed over its pixels or latent values) and averaged
    /// over the batch; the KL is the closed form. Backward, the decoder's gradient reaches
    /// z, splits into μ's (× 1) and log σ²'s (× ½ σ ε), each gains β × the KL's own gradient,
    /// and both heads' input gradients add up at h before the encoder's backward pass.
    ///
    /// With `inputGradient: false` the encoder skips ∂L/∂x (the input is data: a training
    /// step does not need it), and the pass's ``VAEPass/inputGradient`` is nil.
    public mutating func trainingPass(
        _ x: Tensor, target: Tensor, noise: Tensor, beta: Double = 1, reconstruction: ReconstructionLoss = .bernoulli,
        inputGradient wantsInputGradient: Bool = true
    ) -> VAEPass {
        let h = encoder.forward(x, mode: .training)
        let mean = meanHead.forward(h, mode: .training)
        let logVariance = logVarianceHead.forward(h, mode: .training)
        require(
            noise.shape == mean.shape,
            "VAE.trainingPass: the noise ε \(noise.shapeDescription) must have the shape of μ \(mean.shapeDescription)")
        let z = Tensor(shape: mean.shape, values: reparameterize(mean: mean.values, logVariance: logVariance.values, noise: noise.values))
        let output = decoder.forward(z, mode: .training)
        let (reconstructionLoss, outputGradient) = reconstruction.evaluate(output, target)
        let batch = Double(x.shape[0])
        let kl = gaussianKL(mean: mean.values, logVariance: logVariance.values) / batch

        let zGradient = decoder.backward(outputGradient)
        var (meanGradient, logVarianceGradient) = reparameterizeBackward(
            mean: mean.values, logVariance: logVariance.values, noise: noise.values, zGradient: zGradient.values)
        let klGradient = gaussianKLGradient(mean: mean.values, logVariance: logVariance.values)
        for i in meanGradient.indices {
            meanGradient[i] += beta * klGradient.mean[i] / batch
            logVarianceGradient[i] += beta * klGradient.logVariance[i] / batch
        }
        let fromMean = meanHead.backward(Tensor(shape: mean.shape, values: meanGradient))
        let fromLogVariance = logVarianceHead.backward(Tensor(shape: mean.shape, values: logVarianceGradient))
        let hGradient = Tensor(shape: h.shape, values: zip(fromMean.values, fromLogVariance.values).map(+))
        var inputGradient: Tensor?
        if wantsInputGradient {
            inputGradient = encoder.backward(hGradient)
        } else {
            encoder.backwardSkippingInputGradient(hGradient)
        }
        return VAEPass(
            reconstruction: reconstructionLoss, kl: kl, beta: beta, mean: mean, logVariance: logVariance, z: z, output: output,
            inputGradient: inputGradient)
    }

    /// The two terms of the ELBO per image for a batch, in inference mode, with the noise
    /// ε given: (reconstruction, closed-form KL), each averaged over the batch.
    public func terms(_ x: Tensor, target: Tensor, noise: Tensor, reconstruction: ReconstructionLoss = .bernoulli) -> (
        reconstruction: Double, kl: Double
    ) {
        let (mean, logVariance) = encode(x)
        require(noise.shape == mean.shape, "VAE.terms: the noise ε \(noise.shapeDescription) must have the shape of μ \(mean.shapeDescription)")
        let z = Tensor(shape: mean.shape, values: reparameterize(mean: mean.values, logVariance: logVariance.values, noise: noise.values))
        let batch = Double(x.shape[0])
        return (
            reconstruction.evaluate(decode(z), target).loss, gaussianKL(mean: mean.values, logVariance: logVariance.values) / batch
        )
    }

    // MARK: An honest likelihood

    /// The importance-weighted bound on log p(x), averaged over the batch, in nats per image:
    ///
    /// ```
    /// log p(x) ≥ log (1/K) Σₖ p(x | zₖ) p(zₖ) / q(zₖ | x),     zₖ = μ + σ ⊙ εₖ
    /// log wₖ = log p(x | zₖ) + log N(zₖ; 0, I) − log N(zₖ; μ, σ²)
    /// ```
    /// computed with ``logMeanExp(_:)``. It rises towards log p(x) as K grows (Burda,
    /// Grosse and Salakhutdinov, 2015). With K = 1 it is a one-sample ELBO in which the KL
    /// is estimated from the sample (log q(z | x) − log p(z) at that z), not the closed
    /// form: the two agree only on average. Needs ``ReconstructionLoss/bernoulli``.
    public func importanceWeightedBound(_ x: Tensor, samples: Int, using generator: inout SeededGenerator) -> Double {
        let bounds = importanceWeightedBounds(x, samples: samples, using: &generator)
        return bounds.reduce(0, +) / Double(bounds.count)
    }

    /// The importance-weighted bound of each image of the batch (see
    /// ``importanceWeightedBound(_:samples:using:)``), in nats.
    public func importanceWeightedBounds(_ x: Tensor, samples: Int, using generator: inout SeededGenerator) -> [Double] {
        require(samples > 0, "VAE.importanceWeightedBound: K must be at least 1, got \(samples)")
        let (mean, logVariance) = encode(x)
        let (batch, latent) = (mean.shape[0], latentCount)
        let pixels = x.count / batch
        var logWeights = [[Double]](repeating: [], count: batch)
        for _ in 0..<samples {
            let noise = generator.normals(batch * latent)
            let z = reparameterize(mean: mean.values, logVariance: logVariance.values, noise: noise)
            let output = decode(Tensor(shape: [batch, latent], values: z))
            for b in 0..<batch {
                var logLikelihood = 0.0  // log p(x | z) = −Σ BCE(logit, x)
                for i in (b * pixels)..<((b + 1) * pixels) {
                    let (t, y) = (output.values[i], x.values[i])
                    logLikelihood -= max(t, 0) - t * y + log1p(exp(-abs(t)))
                }
                let row = (b * latent)..<((b + 1) * latent)
                let logPrior = standardNormalLogDensity(Array(z[row]))
                // log N(z; μ, σ²) = Σ −½ (ε² + log σ² + log 2π), since (z − μ)/σ = ε
                var logPosterior = 0.0
                for j in row { logPosterior -= 0.5 * (noise[j] * noise[j] + logVariance.values[j] + log(2 * Double.pi)) }
                logWeights[b].append(logLikelihood + logPrior - logPosterior)
            }
        }
        return logWeights.map(logMeanExp)
    }
}

/// What one ``VAE/trainingPass(_:target:noise:beta:reconstruction:inputGradient:)`` computed.
public struct VAEPass: Sendable {
    /// The reconstruction term per image (nats for ``ReconstructionLoss/bernoulli``).
    public var reconstruction: Double
    /// KL(q(z | x) ‖ N(0, I)) per image, closed form, in nats.
    public var kl: Double
    /// The weight the KL had in the gradient.
    public var beta: Double
    /// μ, the encoder's means (B × latent).
    public var mean: Tensor
    /// log σ², the encoder's log-variances (B × latent).
    public var logVariance: Tensor
    /// z = μ + σ ⊙ ε, the codes that were decoded.
    public var z: Tensor
    /// The decoder's output (logits for ``ReconstructionLoss/bernoulli``).
    public var output: Tensor
    /// ∂(reconstruction + β KL)/∂x: the gradient reaches the input through both heads
    /// (nil when the pass was asked not to compute it).
    public var inputGradient: Tensor?

    /// The loss that was differentiated: reconstruction + β KL.
    public var loss: Double { reconstruction + beta * kl }
    /// The evidence lower bound per image, −(reconstruction + KL), whatever β was.
    public var elbo: Double { -(reconstruction + kl) }
}
