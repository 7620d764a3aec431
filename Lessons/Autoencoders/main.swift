// Chapter 9 — Autoencoders and the VAE: bottlenecks against PCA, denoising, the
// reparameterization trick, the ELBO and an honest bound, a latent space to walk,
// a convolutional VAE and the β trade-off.
// Run: swift run autoencoders

import Autoencoders
import Backprop
import CNN
import Datasets
import Foundation
import LinearAlgebra
import Notebook
import NumericChecks
import Optimizers
import Randomness

let lesson = Lesson(
    command: "autoencoders",
    title: "Chapter 9 · Autoencoders and the VAE",
    summary: """
        A network trained to give back its input through a narrow middle learns a code \
        for it: autoencoders against PCA, denoising, then the variational autoencoder, \
        whose codes form a distribution you can sample, measure and walk through.
        """)

// MARK: - Helpers

/// 8×8 images in [0, 1], side by side, `perRow` to a row.
func tiled(title: String, _ images: [[Double]], perRow: Int) -> Heatmap {
    Heatmap(title: title, tiling: images, height: 8, width: 8, perRow: perRow, range: 0...1)
}

/// Σ (a − b)², the squared distance of two images.
func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
}

/// The mean over `images` of ‖x̂ − target‖², each x̂ = `reconstruct`(the batch) as images.
func meanSquaredError(_ reconstructions: [[Double]], _ targets: [[Double]]) -> Double {
    zip(reconstructions, targets).reduce(0) { $0 + squaredDistance($1.0, $1.1) } / Double(targets.count)
}

func rows(_ tensor: Tensor) -> [[Double]] {
    let width = tensor.count / tensor.shape[0]
    return (0..<tensor.shape[0]).map { Array(tensor.values[($0 * width)..<(($0 + 1) * width)]) }
}

// The digits, pixels scaled to [0, 1], split as in Chapters 3 and 6 (360 test images).
let digits = try Digits.load()
let split: (train: ClassificationSet, test: ClassificationSet) = {
    var splitter = MersenneTwister(seed: 0)
    return digits.split(testFraction: 0.2, order: splitter.permutation(digits.count))
}()
let trainImages = split.train.inputs.map { $0.map { $0 / Digits.maxPixel } }
let testImages = split.test.inputs.map { $0.map { $0 / Digits.maxPixel } }
let trainSet = ImageSet(images: trainImages, sampleShape: [64])
let testSet = ImageSet(images: testImages, sampleShape: [64])
let (epochs, batchSize) = (40, 32)

// MARK: - 1

lesson.section("Squeeze and rebuild: the autoencoder")
lesson.prose(
    """
    An autoencoder is trained to output its own input. That would be trivial, except \
    that the signal must pass through a bottleneck: a layer with fewer units than the \
    input has pixels. The encoder maps the image to a short code, the decoder maps the \
    code back, and the loss compares the result with the original:
    """)
lesson.equation(
    """
    code c = encoder(x)      x̂ = decoder(c)      loss = ‖x − x̂‖² = Σᵢ (xᵢ − x̂ᵢ)²
    here:  64 pixels → 128 ReLU → k → 128 ReLU → 64     squared error per image
    """)
lesson.prose(
    """
    No labels are used: the data is its own target. To rebuild 64 pixels from k numbers, \
    the code must keep what varies from digit to digit and drop what does not. The \
    linear version of this idea is principal component analysis: project onto the k \
    directions of largest variance and back. Among linear codes of size k it has the \
    least squared error, so it is the baseline a nonlinear autoencoder must beat. Its \
    directions come here from orthogonal iteration: multiply k vectors by the \
    covariance matrix, make them orthonormal again, repeat (power iteration on k vectors \
    at once). Each size trains for \(epochs) epochs (Adam, η = 0.003, batches of \(batchSize)); \
    errors are on the \(testImages.count) test digits, per image:
    """)

/// A dense autoencoder 64 → 128 ReLU → k → 128 ReLU → 64: the code (layer 2's output) is
/// linear, so no code unit can die as a ReLU would.
func autoencoder(code k: Int, using generator: inout SeededGenerator) -> Sequential {
    Sequential([
        Dense(inputs: 64, outputs: 128, initialization: .he, using: &generator, name: "1"), ActivationLayer(.relu),
        Dense(inputs: 128, outputs: k, initialization: .xavier, using: &generator, name: "2"),
        Dense(inputs: k, outputs: 128, initialization: .he, using: &generator, name: "3"), ActivationLayer(.relu),
        Dense(inputs: 128, outputs: 64, initialization: .xavier, using: &generator, name: "4"),
    ])
}

/// Trains a model to output its targets with the squared error per image; returns it.
@MainActor func trainAutoencoder<Data: TrainingData>(_ model: Sequential, on data: Data, label: String, seed: UInt64) -> Sequential
where Data.Target == Tensor {
    var model = model
    var step = SupervisedStep(model: model, loss: SquaredErrorPerImage(), optimizer: Adam(learningRate: 0.003))
    var orderRNG = SeededGenerator(seed: seed)
    let progress = lesson.progress(label, total: epochs)
    train(
        &step, on: data, epochs: epochs, batchSize: batchSize, order: .shuffled(epochs: epochs, count: data.count, using: &orderRNG),
        evaluatesTrainingSet: false
    ) { record in progress.advance(note: "loss \(decimal(record.trainingLoss, 3))") }
    model = step.model
    return model
}

/// ``ReconstructionLoss/squaredError`` as a supervised ``Loss``.
struct SquaredErrorPerImage: Loss {
    func evaluate(_ output: Tensor, _ targets: Tensor) -> (loss: Double, gradient: Tensor) {
        ReconstructionLoss.squaredError.evaluate(output, targets)
    }
}

let codeSizes = [2, 4, 8, 16, 32]
let pca = PCA(trainImages, components: codeSizes.max()!)
var autoencoders: [Int: Sequential] = [:]
var sizeRows: [[String]] = []
var comparison: [(k: Int, ae: Double, pca: Double)] = []
for k in codeSizes {
    var initRNG = SeededGenerator(seed: lesson.seed + UInt64(k))
    let model = trainAutoencoder(autoencoder(code: k, using: &initRNG), on: trainSet, label: "autoencoder, k = \(k)", seed: lesson.seed + 100)
    autoencoders[k] = model
    let aeError = meanSquaredError(rows(model.predict(testSet.allInputs)), testImages)
    let pcaError = meanSquaredError(testImages.map { pca.decode(pca.encode($0, size: k)) }, testImages)
    comparison.append((k, aeError, pcaError))
    sizeRows.append(["\(k)", decimal(aeError, 3), decimal(pcaError, 3), decimal(pcaError / aeError, 2)])
}
lesson.table(headers: ["code size k", "autoencoder", "PCA", "PCA ÷ AE"], rows: sizeRows)
let aeWins = comparison.filter { $0.ae < $0.pca }.map(\.k)
let pcaWins = comparison.filter { $0.ae >= $0.pca }.map(\.k)
func sizes(_ list: [Int]) -> String { "k = " + list.map(String.init).joined(separator: ", ") }
func kept(_ k: Int) -> Double { pca.variances.prefix(k).reduce(0, +) / pca.totalVariance }
let best = comparison.max { $0.pca / $0.ae < $1.pca / $1.ae }!
let winner =
    pcaWins.isEmpty
    ? "The autoencoder's error is lower at every size."
    : aeWins.isEmpty ? "PCA's error is lower at every size." : "The autoencoder's error is lower at \(sizes(aeWins)), PCA's at \(sizes(pcaWins))."
lesson.prose(
    """
    \(winner) \
    \(best.pca > best.ae ? "The autoencoder gains most at k = \(best.k), where PCA's error is \(decimal(best.pca / best.ae, 2))× its own. " : "")\
    Two linear directions keep \(percent(kept(2))) of the pixels' variance, and a \
    nonlinear decoder can bend a short code into many digit shapes; 32 directions keep \
    \(percent(kept(32))), and with \(trainImages.count) training images a linear code that \
    good is hard to beat\(comparison.last!.pca < comparison.last!.ae ? ": the autoencoder does not" : "").
    """)
let shownTest = Array(0..<8)
let reconstructed8 = rows(autoencoders[8]!.predict(Tensor(shape: [8, 64], values: shownTest.flatMap { testImages[$0] })))
lesson.prose("Eight test digits (top row), the autoencoder's reconstructions with k = 8 (middle) and PCA's (bottom):")
lesson.plot(
    tiled(
        title: "originals, autoencoder k = 8, PCA k = 8",
        shownTest.map { testImages[$0] } + reconstructed8.map { $0.map { min(1, max(0, $0)) } }
            + shownTest.map { pca.decode(pca.encode(testImages[$0], size: 8)).map { min(1, max(0, $0)) } }, perRow: 8))

// MARK: - 2

lesson.section("Denoising: rebuild what is missing")
let maskRate = 0.3
lesson.prose(
    """
    A denoising autoencoder gets a corrupted image as input and the clean one as target \
    (Vincent et al., 2008). Here the corruption is masking noise: each pixel is set to 0 \
    with probability \(decimal(maskRate, 1)), drawn afresh for every batch of every epoch. To \
    rebuild the missing strokes the code must capture how pixels go together, not just \
    copy them. Both models below have k = 16; the plain one is the autoencoder from \
    section 1. The test digits are masked once, with a fixed seed:
    """)
let maskedTraining = Augmented(trainSet, seed: lesson.seed + 200) { inputs, generator in
    Tensor(shape: inputs.shape, values: maskingNoise(inputs.values, rate: maskRate, using: &generator))
}
var denoisingRNG = SeededGenerator(seed: lesson.seed + 16)
let denoiser = trainAutoencoder(autoencoder(code: 16, using: &denoisingRNG), on: maskedTraining, label: "denoising, k = 16", seed: lesson.seed + 100)
var testMaskRNG = SeededGenerator(seed: lesson.seed + 300)
let maskedTest = testImages.map { maskingNoise($0, rate: maskRate, using: &testMaskRNG) }
let maskedTestTensor = Tensor(shape: [maskedTest.count, 64], values: maskedTest.flatMap { $0 })
let plain16 = autoencoders[16]!
let denoiseTable = [
    ("plain autoencoder", plain16), ("denoising autoencoder", denoiser),
].map { name, model in
    (name, meanSquaredError(rows(model.predict(testSet.allInputs)), testImages), meanSquaredError(rows(model.predict(maskedTestTensor)), testImages))
}
let inputError = meanSquaredError(maskedTest, testImages)
lesson.table(
    headers: ["model (k = 16)", "clean test", "masked test"],
    rows: [["no model: the masked input itself", "0", decimal(inputError, 3)]]
        + denoiseTable.map { [$0.0, decimal($0.1, 3), decimal($0.2, 3)] })
let (plainMasked, denoisingMasked) = (denoiseTable[0].2, denoiseTable[1].2)
lesson.prose(
    """
    On masked digits the denoising autoencoder's error is \(decimal(denoisingMasked, 2)) against the plain \
    one's \(decimal(plainMasked, 2)) (\(denoisingMasked < plainMasked ? "\(decimal(plainMasked / denoisingMasked, 1))× lower" : "not lower")), \
    measured against the clean originals; the masked input itself is \(decimal(inputError, 2)) away. \
    On clean digits it is \(denoiseTable[1].1 <= denoiseTable[0].1 ? "also better" : "worse") (\(decimal(denoiseTable[1].1, 2)) against \(decimal(denoiseTable[0].1, 2)))\
    \(denoiseTable[1].1 <= denoiseTable[0].1 ? "" : ": it was never shown an uncorrupted input").
    """)
let shownMasked = shownTest.map { maskedTest[$0] }
let shownMaskedTensor = Tensor(shape: [8, 64], values: shownMasked.flatMap { $0 })
lesson.plot(
    tiled(
        title: "masked inputs, plain AE, denoising AE",
        shownMasked + rows(plain16.predict(shownMaskedTensor)).map { $0.map { min(1, max(0, $0)) } }
            + rows(denoiser.predict(shownMaskedTensor)).map { $0.map { min(1, max(0, $0)) } }, perRow: 8))

// MARK: - 3

lesson.section("The variational autoencoder")
lesson.prose(
    """
    An autoencoder's codes lie wherever training put them: decode a point between or \
    beside them and there is no telling what comes out. A variational autoencoder \
    (Kingma and Welling, 2013) makes the code space a probability distribution. The \
    encoder outputs, for every latent coordinate, a mean μ and a log-variance log σ² \
    of a Gaussian q(z | x); a code z is drawn from it; the decoder gives the pixel \
    probabilities p(x | z); and the prior p(z) = N(0, I) is where codes should live. \
    Training maximizes the evidence lower bound (ELBO) on log p(x):
    """)
lesson.equation(
    """
    ELBO(x) = E_q[ log p(x | z) ]  −  KL( q(z | x) ‖ N(0, I) )   ≤  log p(x)
            = −reconstruction     −  KL

    reconstruction = Σᵢ BCE(logitᵢ, xᵢ)        over the 64 pixels, in nats
    KL = −½ Σⱼ (1 + log σⱼ² − μⱼ² − σⱼ²)       over the latent coordinates
    """)
lesson.prose(
    """
    The KL term pulls every q(z | x) towards the prior, so codes overlap and fill the \
    space; the reconstruction term pulls them apart, so each still says which image it \
    came from. Both are per image, in nats; the loss is their sum, averaged over the \
    batch (a mean over pixels instead would weigh the KL 64 times more).

    The draw is the difficulty. A sampler that takes μ and σ and returns a number has no \
    derivative: nudge μ and a different random number comes out. The reparameterization \
    trick draws ε ~ N(0, I) first, outside the model, and computes z from it:
    """)
lesson.equation(
    """
    z = μ + σ ⊙ ε,   σ = exp(½ log σ²)        ∂z/∂μ = 1     ∂z/∂log σ² = ½ σ ⊙ ε
    ∂KL/∂μ = μ                                 ∂KL/∂log σ² = ½ (σ² − 1)
    """)

/// A dense VAE 64 → 128 ReLU → (μ, log σ²) of `latent` → 128 ReLU → 64 logits.
func denseVAE(latent: Int, using generator: inout SeededGenerator) -> VAE {
    VAE(
        encoder: Sequential([Dense(inputs: 64, outputs: 128, initialization: .he, using: &generator, name: "1"), ActivationLayer(.relu)]),
        meanHead: Dense(inputs: 128, outputs: latent, initialization: .xavier, using: &generator),
        logVarianceHead: Dense(inputs: 128, outputs: latent, initialization: .xavier, using: &generator),
        decoder: Sequential([
            Dense(inputs: latent, outputs: 128, initialization: .he, using: &generator, name: "1"), ActivationLayer(.relu),
            Dense(inputs: 128, outputs: 64, initialization: .xavier, using: &generator, name: "2"),
        ]))
}

/// Trains a VAE with its step; returns the step (model inside) and the run.
@MainActor func trainVAE(_ model: VAE, on training: ImageSet, test: ImageSet, beta: Double = 1, label: String, seed: UInt64) -> (
    step: VAEStep<Adam>, run: TrainingRun
) {
    var step = VAEStep(model: model, optimizer: Adam(learningRate: 0.003), beta: beta, seed: seed)
    var orderRNG = SeededGenerator(seed: seed + 1)
    let progress = lesson.progress(label, total: epochs)
    let run = train(
        &step, on: training, validation: test, epochs: epochs, batchSize: batchSize,
        order: .shuffled(epochs: epochs, count: training.count, using: &orderRNG), evaluatesTrainingSet: true
    ) { record in progress.advance(note: "−ELBO \(decimal(record.trainingLoss, 2))") }
    return (step, run)
}

lesson.prose(
    """
    The gradient the trick gives can be checked like any other. A VAE with a 2-D latent \
    space (64 → 128 ReLU → μ, log σ² → 128 ReLU → 64 logits, \(epochs) epochs, Adam η = 0.003, \
    batches of \(batchSize)), trained below; for the first test digit and one fixed ε, the \
    loss's gradient with respect to μ and log σ², from the formulas above and from \
    central differences:
    """)
var vaeRNG = SeededGenerator(seed: lesson.seed + 400)
let (vaeStep, vaeRun) = trainVAE(denseVAE(latent: 2, using: &vaeRNG), on: trainSet, test: testSet, label: "VAE, 2-D latent", seed: lesson.seed + 401)
let vae = vaeStep.model

// The trick's gradient for one image, formula against central differences.
let probeImage = Tensor(shape: [1, 64], values: testImages[0])
let (probeMean, probeLogVariance) = vae.encode(probeImage)
let probeNoise = [0.8, -1.1]
func probeLoss(_ mean: [Double], _ logVariance: [Double]) -> Double {
    let z = reparameterize(mean: mean, logVariance: logVariance, noise: probeNoise)
    return ReconstructionLoss.bernoulli.evaluate(vae.decode(Tensor(shape: [1, 2], values: z)), probeImage).loss
        + gaussianKL(mean: mean, logVariance: logVariance)
}
var probeDecoder = vae.decoder
let probeZ = reparameterize(mean: probeMean.values, logVariance: probeLogVariance.values, noise: probeNoise)
let probeOutput = probeDecoder.forward(Tensor(shape: [1, 2], values: probeZ), mode: .training)
let probeZGradient = probeDecoder.backward(ReconstructionLoss.bernoulli.evaluate(probeOutput, probeImage).gradient).values
let viaTrick = reparameterizeBackward(mean: probeMean.values, logVariance: probeLogVariance.values, noise: probeNoise, zGradient: probeZGradient)
let klPart = gaussianKLGradient(mean: probeMean.values, logVariance: probeLogVariance.values)
let analyticMean = zip(viaTrick.mean, klPart.mean).map(+), analyticLogVariance = zip(viaTrick.logVariance, klPart.logVariance).map(+)
let numericMean = numericalGradient(at: probeMean.values) { probeLoss($0, probeLogVariance.values) }
let numericLogVariance = numericalGradient(at: probeLogVariance.values) { probeLoss(probeMean.values, $0) }
lesson.table(
    headers: ["coordinate j", "∂L/∂μⱼ", "central diff.", "∂L/∂log σⱼ²", "central diff."],
    rows: (0..<2).map { j in
        ["\(j + 1)", decimal(analyticMean[j], 6), decimal(numericMean[j], 6), decimal(analyticLogVariance[j], 6), decimal(numericLogVariance[j], 6)]
    })
let trickError = zip(analyticMean + analyticLogVariance, numericMean + numericLogVariance).map { relativeError($0, $1) }.max()!
lesson.prose(
    """
    They agree to a relative error of \(String(format: "%.0e", trickError)). The randomness now enters as an \
    input, like a pixel, and μ and log σ² get gradients the chain rule can carry back into \
    the encoder. The two terms during training, per image:
    """)
lesson.plot(
    LinePlot(
        title: "the ELBO's two terms (training digits)", xLabel: "epoch", yLabel: "nats per image",
        series: [
            LinePlot.Series("reconstruction", y: vaeRun.history.map { $0.trainingTerms["reconstruction"]! }),
            LinePlot.Series("KL", y: vaeRun.history.map { $0.trainingTerms["KL"]! }),
        ]))
let finalRecord = vaeRun.history.last!
let (trainEval, testEval) = (finalRecord.training!, finalRecord.validation!)
var boundRNG = SeededGenerator(seed: lesson.seed + 500)
let testTensor = testSet.allInputs
let bounds = [1, 10, 100].map { k in (k, vae.importanceWeightedBound(testTensor, samples: k, using: &boundRNG)) }
lesson.table(
    headers: ["digits", "reconstruction", "KL", "ELBO"],
    rows: [("training", trainEval), ("test", testEval)].map { name, e in
        [name, decimal(e.terms["reconstruction"]!, 2), decimal(e.terms["KL"]!, 2), decimal(-e.loss, 2)]
    })
lesson.prose(
    """
    The ELBO is a lower bound, and a loose one makes a model look worse than it is. The importance-\
    weighted bound (Burda, Grosse and Salakhutdinov, 2015) draws K codes from q(z | x) \
    and averages the ratio p(x, zₖ) / q(zₖ | x) before taking the log; it tightens towards \
    log p(x) as K grows. Computed as a log-sum-exp, since each ratio is around e^−\(Int(-bounds[0].1)):
    """)
lesson.equation(
    """
    log p(x) ≥ log (1/K) Σₖ p(x | zₖ) p(zₖ) / q(zₖ | x),     zₖ = μ + σ ⊙ εₖ
    """)
lesson.table(
    headers: ["on the test digits", "nats per image"],
    rows: [["ELBO (closed-form KL, one ε per image)", decimal(-testEval.loss, 2)]]
        + bounds.map { ["bound, K = \($0.0)" + ($0.0 == 1 ? " (KL estimated from the sample)" : ""), decimal($0.1, 2)] })
lesson.prose(
    """
    With K = 1 the bound is the ELBO again, but with the KL estimated from the one sample \
    (log q(z | x) − log p(z) at that z) instead of the closed form, so the two rows differ \
    by sampling noise (\(decimal(abs(bounds[0].1 + testEval.loss), 2)) nats here). K = 100 raises the bound by \
    \(decimal(bounds[2].1 - bounds[0].1, 2)) nats per image over K = 1: the ELBO \
    \(bounds[2].1 - bounds[0].1 > 1 ? "understates this model's likelihood by at least that much" : "was already close to what 100 samples can claim for this model").
    """)

// MARK: - 4

lesson.section("A latent space you can walk")
let testMeans = vae.encode(testTensor).mean
let meanPoints = rows(testMeans)
let extent = max(3, (meanPoints.flatMap { $0 }.map(abs).max() ?? 3).rounded(.up))
lesson.prose(
    """
    The test digits' means μ in the 2-D latent space, each marked with its digit. No \
    label was used in training:
    """)
lesson.plot(
    ScatterPlot(
        title: "test digits in the VAE's latent space (μ)", xLabel: "z₁", yLabel: "z₂", points: meanPoints, labels: split.test.labels,
        classNames: (0..<10).map(String.init), xRange: -extent...extent, yRange: -extent...extent))
// How well the classes separate: the share of test digits whose nearest other test mean has their label.
let nearestSame = meanPoints.indices.filter { i in
    let j = meanPoints.indices.filter { $0 != i }.min { squaredDistance(meanPoints[$0], meanPoints[i]) < squaredDistance(meanPoints[$1], meanPoints[i]) }!
    return split.test.labels[j] == split.test.labels[i]
}.count
let gridSide = 8
let gridValues = (0..<gridSide).map { -2 + 4 * Double($0) / Double(gridSide - 1) }
let gridPoints = gridValues.reversed().flatMap { z2 in gridValues.map { z1 in [z1, z2] } }
let gridImages = rows(vae.decode(Tensor(shape: [gridPoints.count, 2], values: gridPoints.flatMap { $0 }))).map(ReconstructionLoss.bernoulli.image)
let priorMass = pow(erf(2 / 2.0.squareRoot()), 2)
lesson.prose(
    """
    Digits of a kind gather: for \(percent(Double(nearestSame) / Double(meanPoints.count))) of the test digits, the \
    nearest other test digit in this plane has the same label. Decoding a grid of points, \
    z₁ and z₂ from −2 to 2 (a square holding \(percent(priorMass)) of the prior), shows the whole \
    space at once, each image σ(logits):
    """)
lesson.plot(tiled(title: "decoded grid, z₁ left to right, z₂ bottom to top", gridImages, perRow: gridSide))

// Interpolation: AE (k = 2) against VAE, between two test digits.
let ae2 = autoencoders[2]!
let aeEncoder = Sequential(Array(ae2.layers[0..<3]))
let aeDecoder = Sequential(Array(ae2.layers[3...]))
let trainCodesAE = rows(aeEncoder.predict(trainSet.allInputs))
let trainCodesVAE = rows(vae.encode(trainSet.allInputs).mean)
let (fromIndex, toIndex) = (split.test.labels.firstIndex(of: 0)!, split.test.labels.firstIndex(of: 7)!)

/// Each point's distance to the nearest of `codes`, over the typical spacing of the codes
/// (the median distance from a code to its nearest other code).
func distancesFromData(_ points: [[Double]], codes: [[Double]]) -> [Double] {
    let spacing = codes.indices.map { i in
        codes.indices.lazy.filter { $0 != i }.map { squaredDistance(codes[$0], codes[i]) }.min()!.squareRoot()
    }.sorted()[codes.count / 2]
    return points.map { p in codes.map { squaredDistance($0, p) }.min()!.squareRoot() / spacing }
}
let steps = 8
func path(_ a: [Double], _ b: [Double]) -> [[Double]] {
    (0..<steps).map { t in zip(a, b).map { $0 + Double(t) / Double(steps - 1) * ($1 - $0) } }
}
let endpoints = Tensor(shape: [2, 64], values: testImages[fromIndex] + testImages[toIndex])
let aeEnds = rows(aeEncoder.predict(endpoints)), vaeEnds = rows(vae.encode(endpoints).mean)
let aePath = path(aeEnds[0], aeEnds[1]), vaePath = path(vaeEnds[0], vaeEnds[1])
let aePathImages = rows(aeDecoder.predict(Tensor(shape: [steps, 2], values: aePath.flatMap { $0 }))).map { $0.map { min(1, max(0, $0)) } }
let vaePathImages = rows(vae.decode(Tensor(shape: [steps, 2], values: vaePath.flatMap { $0 }))).map(ReconstructionLoss.bernoulli.image)
lesson.prose(
    """
    A straight line between the codes of a test 0 and a test 7, decoded in \(steps) steps: the \
    autoencoder with k = 2 from section 1 (top) and the VAE (bottom):
    """)
lesson.plot(tiled(title: "0 → 7: autoencoder (top), VAE (bottom)", aePathImages + vaePathImages, perRow: steps))
// Over many pairs: how far each path strays from the training codes.
var pairRNG = SeededGenerator(seed: lesson.seed + 550)
let pairCount = 50
let testCodesAE = rows(aeEncoder.predict(testTensor)), testCodesVAE = rows(vae.encode(testTensor).mean)
var strays: [(ae: Double, vae: Double)] = []
while strays.count < pairCount {
    let (a, b) = (pairRNG.int(below: testImages.count), pairRNG.int(below: testImages.count))
    guard split.test.labels[a] != split.test.labels[b] else { continue }
    let aeStray = distancesFromData(path(testCodesAE[a], testCodesAE[b]), codes: trainCodesAE).max()!
    let vaeStray = distancesFromData(path(testCodesVAE[a], testCodesVAE[b]), codes: trainCodesVAE).max()!
    strays.append((aeStray, vaeStray))
}
let meanStrayAE = strays.reduce(0) { $0 + $1.ae } / Double(pairCount)
let meanStrayVAE = strays.reduce(0) { $0 + $1.vae } / Double(pairCount)
let aeFartherCount = strays.filter { $0.ae > $0.vae }.count
// A sign test: with no difference, the count is Binomial(50, ½); 33 or more (or 17 or
// fewer) happens by chance less than 2% of the time on each side.
let strayVerdict =
    aeFartherCount >= 33
    ? "The autoencoder's codes leave gaps where its decoder was never trained; the KL term packs the VAE's codes around the prior, so its paths stay nearer to them."
    : aeFartherCount <= 17
        ? "Here it is the VAE's paths that stray farther: its codes are packed around the prior, but not evenly, and a 2-D code keeps gaps between classes."
        : "That is about what a coin would give: by this measure neither model's paths stray consistently farther, and the KL term alone does not close the gaps between classes in a 2-D code."
lesson.prose(
    """
    How far such a path strays from the training codes can be measured: the largest \
    distance from a point of the path to the nearest training code, in units of the \
    codes' typical spacing (the median distance from a code to its nearest neighbour). \
    Over \(pairCount) random pairs of test digits of different classes, it is \(decimal(meanStrayAE, 1)) spacings \
    on average for the autoencoder and \(decimal(meanStrayVAE, 1)) for the VAE, and the autoencoder's path \
    strays farther for \(aeFartherCount) of the \(pairCount) pairs. \
    \(strayVerdict)
    """)

// Samples from the prior against the AE's decoded random codes.
var sampleRNG = SeededGenerator(seed: lesson.seed + 600)
let sampleCount = 200
let priorImages = vae.sample(sampleCount, using: &sampleRNG)
/// The mean and standard deviation of column `j` of `points`.
func columnStatistics(_ points: [[Double]], _ j: Int) -> (mean: Double, sd: Double) {
    let column = points.map { $0[j] }
    let mean = column.reduce(0, +) / Double(column.count)
    let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
    return (mean, variance.squareRoot())
}
let codeStatistics = (0..<2).map { columnStatistics(trainCodesAE, $0) }
let codeMean = codeStatistics.map(\.mean), codeSD = codeStatistics.map(\.sd)
let aeRandomCodes = (0..<sampleCount).flatMap { _ in (0..<2).map { codeMean[$0] + codeSD[$0] * sampleRNG.normal() } }
let aeRandomImages = rows(aeDecoder.predict(Tensor(shape: [sampleCount, 2], values: aeRandomCodes))).map { $0.map { min(1, max(0, $0)) } }
/// The mean over `images` of the squared distance to the nearest training digit.
func nearestTrainingDistance(_ images: [[Double]]) -> Double {
    images.reduce(0) { total, image in total + trainImages.map { squaredDistance($0, image) }.min()! } / Double(images.count)
}
let (priorDistance, aeRandomDistance, testDistance) = (
    nearestTrainingDistance(priorImages), nearestTrainingDistance(aeRandomImages), nearestTrainingDistance(Array(testImages.prefix(sampleCount)))
)
lesson.prose(
    """
    Generating new digits: the VAE decodes draws from its prior N(0, I). An autoencoder \
    has no prior, so its random codes here come from a Gaussian fitted to its training \
    codes (their mean and spread along each axis), the fairest simple choice. Eight of \
    each, VAE on top:
    """)
lesson.plot(tiled(title: "VAE prior samples (top), AE random codes (bottom)", Array(priorImages.prefix(8)) + Array(aeRandomImages.prefix(8)), perRow: 8))
lesson.table(
    headers: ["\(sampleCount) images", "to the nearest training digit"],
    rows: [
        ["real test digits", decimal(testDistance, 2)], ["VAE, samples from the prior", decimal(priorDistance, 2)],
        ["autoencoder, random codes", decimal(aeRandomDistance, 2)],
    ])
lesson.prose(
    """
    The table gives the mean squared distance from each image to its nearest training \
    digit. The VAE's samples are \(priorDistance < aeRandomDistance ? "closer to real digits than the autoencoder's" : "no closer to real digits than the autoencoder's") \
    (\(decimal(priorDistance, 2)) against \(decimal(aeRandomDistance, 2))); \
    \(priorDistance > testDistance ? "both are farther than real test digits are (\(decimal(testDistance, 2))): a σ(logits) image is a blur of likely pixels, not one sharp digit" : "the VAE's are as close as real test digits"). \
    Note the distance favours blurry averages, so it says where a sample lies, not how good it looks.
    """)

// MARK: - 5

lesson.section("A convolutional VAE")
lesson.prose(
    """
    The seeds' convolutional VAE, scaled to 8×8 images: two stride-2 convolutions halve \
    the image twice (8 → 4 → 2), a dense layer reads the 32 maps of 2×2, and the decoder \
    mirrors it with transposed convolutions (Chapter 6's ConvTranspose2D), which double \
    the size at each step. Its output size rule is the convolution's turned around:
    """)
lesson.equation(
    """
    transposed:  n_out = (n − 1)·s − 2p + k + output padding       (2 → 4 → 8)
    encoder:  1×8×8 → conv 3×3 s2 p1 → 16×4×4 → conv 3×3 s2 p1 → 32×2×2
              → dense 16 ReLU → μ, log σ² (2 each)
    decoder:  z → dense 128 ReLU → 32×2×2 → conv T 3×3 s2 p1 op1 → 16×4×4
              → conv T 3×3 s2 p1 op1 → 1×8×8 logits        (ReLU between)
    """)
lesson.prose(
    """
    A transposed convolution is the convolution's backward pass for the input, used as a \
    forward pass: every input value stamps a copy of the filter, scaled, into the output, \
    s pixels apart. Its weight is (C_in, C_out, KH, KW), as in PyTorch's ConvTranspose2d. \
    Both VAEs have a 2-D latent space and the same training; the bound uses K = 100:
    """)
func convVAE(using generator: inout SeededGenerator) -> VAE {
    VAE(
        encoder: Sequential([
            Conv2D(inChannels: 1, outChannels: 16, kernel: 3, stride: 2, padding: 1, initialization: .he, using: &generator, name: "1"),
            ActivationLayer(.relu),
            Conv2D(inChannels: 16, outChannels: 32, kernel: 3, stride: 2, padding: 1, initialization: .he, using: &generator, name: "2"),
            ActivationLayer(.relu), Reshape.flatten,
            Dense(inputs: 128, outputs: 16, initialization: .he, using: &generator, name: "3"), ActivationLayer(.relu),
        ]),
        meanHead: Dense(inputs: 16, outputs: 2, initialization: .xavier, using: &generator),
        logVarianceHead: Dense(inputs: 16, outputs: 2, initialization: .xavier, using: &generator),
        decoder: Sequential([
            Dense(inputs: 2, outputs: 128, initialization: .he, using: &generator, name: "1"), ActivationLayer(.relu), Reshape([32, 2, 2]),
            ConvTranspose2D(
                inChannels: 32, outChannels: 16, kernel: 3, stride: 2, padding: 1, outputPadding: 1, initialization: .he, using: &generator,
                name: "2"),
            ActivationLayer(.relu),
            ConvTranspose2D(
                inChannels: 16, outChannels: 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1, initialization: .xavier, using: &generator,
                name: "3"),
        ]))
}
let trainImageSet = ImageSet(images: trainImages, sampleShape: [1, 8, 8])
let testImageSet = ImageSet(images: testImages, sampleShape: [1, 8, 8])
var convRNG = SeededGenerator(seed: lesson.seed + 700)
let (convStep, convRun) = trainVAE(convVAE(using: &convRNG), on: trainImageSet, test: testImageSet, label: "convolutional VAE", seed: lesson.seed + 701)
let convTest = convRun.history.last!.validation!
// Both bounds per image, each from its own seeded draws, to compare them image by image.
var convBoundRNG = SeededGenerator(seed: lesson.seed + 800)
let convBounds = convStep.model.importanceWeightedBounds(testImageSet.allInputs, samples: 100, using: &convBoundRNG)
var denseBoundRNG = SeededGenerator(seed: lesson.seed + 801)
let denseBounds = vae.importanceWeightedBounds(testTensor, samples: 100, using: &denseBoundRNG)
let (convBound, denseBound) = (convBounds.reduce(0, +) / Double(convBounds.count), denseBounds.reduce(0, +) / Double(denseBounds.count))
let differences = zip(convBounds, denseBounds).map(-)
let meanDifference = differences.reduce(0, +) / Double(differences.count)
let standardError =
    (differences.reduce(0) { $0 + ($1 - meanDifference) * ($1 - meanDifference) } / Double(differences.count - 1)
    / Double(differences.count)).squareRoot()
let vaeModels = [
    ("dense", vae.parameterCount, testEval, denseBound), ("convolutional", convStep.model.parameterCount, convTest, convBound),
]
lesson.table(
    headers: ["VAE (test digits)", "parameters", "reconstruction", "KL", "ELBO", "bound K=100"],
    rows: vaeModels.map { name, count, e, bound in
        [name, "\(count)", decimal(e.terms["reconstruction"]!, 2), decimal(e.terms["KL"]!, 2), decimal(-e.loss, 2), decimal(bound, 2)]
    })
let clearDifference = abs(meanDifference) > 2 * standardError
lesson.prose(
    """
    The convolutional VAE has \(decimal(Double(convStep.model.parameterCount) / Double(vae.parameterCount), 2))× the dense one's \
    parameters, and its bound is \(decimal(abs(meanDifference), 2)) nats per image \(meanDifference > 0 ? "higher" : "lower"), \
    with a standard error of \(decimal(standardError, 2)) over the \(differences.count) test digits (paired, image by image). \
    \(clearDifference ? (meanDifference > 0 ? "Weights shared across positions buy likelihood here, with fewer parameters." : "On 8×8 images the dense layers' freedom to treat every pixel separately wins; the convolutions' advantage grows with the image.") : "That is within two standard errors: on 8×8 images the two are alike; convolutions' sharing is meant for larger images.")
    """)

// MARK: - 6

lesson.section("β: what the KL term costs, and posterior collapse")
lesson.prose(
    """
    Weighting the KL term by β (Higgins et al., 2017) trades the two terms against each \
    other: the loss becomes reconstruction + β·KL. The ELBO itself does not change, so \
    the table reports both terms unweighted. With 8 latent coordinates instead of 2, \
    there is room to see what a strong pull to the prior does: a coordinate whose μ \
    stops depending on the input has collapsed onto the prior and carries nothing. It is \
    counted as active if μ's variance over the test digits exceeds 0.01 (Burda et al.'s \
    measure):
    """)
let betas = [0.5, 1.0, 4.0]
var betaResults: [(beta: Double, evaluation: Evaluation, active: Int)] = []
for beta in betas {
    var betaRNG = SeededGenerator(seed: lesson.seed + 900)
    let (step, run) = trainVAE(
        denseVAE(latent: 8, using: &betaRNG), on: trainSet, test: testSet, beta: beta, label: "β = \(decimal(beta, 1)), 8-D latent",
        seed: lesson.seed + 901)
    betaResults.append((beta, run.history.last!.validation!, activeUnits(step.model.encode(testTensor).mean).count))
}
lesson.table(
    headers: ["β", "reconstruction", "KL", "ELBO", "active units of 8"],
    rows: betaResults.map { r in
        [
            decimal(r.beta, 1), decimal(r.evaluation.terms["reconstruction"]!, 2), decimal(r.evaluation.terms["KL"]!, 2), decimal(-r.evaluation.loss, 2),
            "\(r.active)",
        ]
    })
let (low, high) = (betaResults.first!, betaResults.last!)
let bestELBO = betaResults.max { -$0.evaluation.loss < -$1.evaluation.loss }!
let atOne = betaResults.first { $0.beta == 1 }!
let collapseSentence =
    !betaResults.contains { $0.active < 8 }
    ? "No coordinate collapsed at any β tried."
    : atOne.active < 8
        ? "Even at β = 1 the model leaves \(8 - atOne.active) of its 8 coordinates at the prior: a coordinate costs KL whether or not the decoder needs it, so the optimum switches off the ones it can spare."
        : "At β = 1 all 8 coordinates are in use; the stronger pull of a larger β makes it cheaper to switch coordinates off than to pay their KL."
lesson.prose(
    """
    From β = \(decimal(low.beta, 1)) to β = \(decimal(high.beta, 1)) the KL falls from \(decimal(low.evaluation.terms["KL"]!, 2)) to \
    \(decimal(high.evaluation.terms["KL"]!, 2)) nats and the reconstruction \(high.evaluation.terms["reconstruction"]! > low.evaluation.terms["reconstruction"]! ? "rises" : "falls") from \
    \(decimal(low.evaluation.terms["reconstruction"]!, 2)) to \(decimal(high.evaluation.terms["reconstruction"]!, 2)); the active units go from \(low.active) to \(high.active) of 8. \
    The best ELBO is β = \(decimal(bestELBO.beta, 1))'s\(bestELBO.beta == 1 ? ", the weight the bound itself has" : ""). \
    \(collapseSentence)
    """)

// MARK: - 7

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/Autoencoders and fill in each function, then run `swift run \
    exercises autoencoders`. Each is checked against this chapter's library on fixed and \
    random inputs; gradients also against central differences.
    """)
lesson.table(
    headers: ["#", "exercise", "file"],
    rows: [
        ["9.1", "reparameterize: z = μ + exp(½ log σ²) ⊙ ε", "Reparameterize.swift"],
        ["9.2", "its backward: ∂L/∂μ and ∂L/∂log σ²", "ReparameterizeBackward.swift"],
        ["9.3", "the KL term and its gradient", "GaussianKL.swift"],
        ["9.4", "the ELBO's two terms for a batch", "ELBOTerms.swift"],
        ["9.5", "a transposed convolution, forward", "ConvTranspose.swift"],
        ["9.6", "its backward: input, weight and bias", "ConvTransposeBackward.swift"],
        ["9.7", "the importance-weighted bound", "ImportanceWeightedBound.swift"],
    ])

lesson.finish()
