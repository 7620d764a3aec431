// Chapter 10 — GANs: a generator and a discriminator in a minimax game, trained from
// scratch on a ring of Gaussians and on the digits, with mode collapse measured.
// Run: swift run gans

import Activations
import Autoencoders
import Backprop
import CNN
import Datasets
import Foundation
import GANs
import LinearAlgebra
import Notebook
import Optimizers
import Randomness
import Regularization

let lesson = Lesson(
    command: "gans",
    title: "Chapter 10 · Generative adversarial networks",
    summary: """
        Two networks trained against each other: a generator that turns noise into \
        samples and a discriminator that tells them from real ones. A ring of Gaussians \
        you can watch, the losses that make it learn or stall, mode collapse measured, \
        and generated digits judged by the curriculum's own classifier.
        """)

// MARK: - Helpers

func rows(_ tensor: Tensor) -> [[Double]] {
    let width = tensor.count / tensor.shape[0]
    return (0..<tensor.shape[0]).map { Array(tensor.values[($0 * width)..<(($0 + 1) * width)]) }
}

/// A dense network: `sizes` with LeakyReLU(0.2) between the layers and `output` after the last (nil: none).
func denseNetwork(_ sizes: [Int], output: Activation? = nil, using generator: inout SeededGenerator) -> Sequential {
    var layers: [any Layer] = []
    for l in 1..<sizes.count {
        layers.append(Dense(inputs: sizes[l - 1], outputs: sizes[l], initialization: .he, using: &generator, name: "\(l)"))
        if l < sizes.count - 1 { layers.append(LeakyReLU(slope: 0.2)) }
    }
    if let output { layers.append(ActivationLayer(output)) }
    return Sequential(layers)
}

// MARK: - 1

lesson.section("Two networks, one game")
lesson.prose(
    """
    A generator G turns a noise vector z ~ N(0, I) into a sample G(z). A discriminator D \
    looks at a sample and outputs the probability that it is real. They are trained \
    against each other (Goodfellow et al., 2014): D to tell real from generated, G to \
    make D wrong. As one objective, D maximizes it and G minimizes it:
    """)
lesson.equation(
    """
    min_G max_D  V(D, G) = E_x[ log D(x) ] + E_z[ log(1 − D(G(z))) ]
    """)
lesson.prose(
    """
    Training alternates. The discriminator's step sees a real batch and a generated \
    one and lowers L_D, the binary cross-entropy with targets 1 and 0; the generated \
    batch is data here, and no gradient goes back into G. The generator's step makes a \
    fresh batch and lowers its own loss through D: D's input gradient tells each \
    generated sample which way looks more real, and G's backward pass carries that into \
    G's weights. D's weights do not move in G's step. Each network has its own optimizer \
    (Adam with β₁ = 0.5, as in DCGAN). D outputs a logit t, D(x) = σ(t), and both losses \
    are computed on logits:
    """)
lesson.equation(
    """
    L_D = −mean log σ(t_real) − mean log(1 − σ(t_fake))
    L_G = mean log(1 − σ(t_fake))      minimax:         ∂/∂t = −σ(t)
    L_G = −mean log σ(t_fake)          non-saturating:  ∂/∂t = −(1 − σ(t))
    """)
lesson.prose(
    """
    The second generator loss is the one used in practice. Both are lowest where D is \
    fooled, but when D confidently rejects the fakes (σ(t) near 0, as early in training) \
    the minimax gradient vanishes and the non-saturating one is near its largest. \
    Section 3 measures it.
    """)

// MARK: - 2

lesson.section("A GAN you can see: a ring of eight Gaussians")
let ring = GaussianRing(modes: 8, radius: 2, spread: 0.05)
var dataRNG = SeededGenerator(seed: lesson.seed)
let ringData = ImageSet(images: ring.sample(2048, using: &dataRNG), sampleShape: [2])
let ringLatent = 4

let ringEpochs = 100
let ringHidden = 32
let (baseRate, collapseRate) = (2e-3, 5e-2)

/// What a ring run measured after an epoch, on 1000 samples from fixed latents.
struct RingRecord {
    var epoch: Int
    var modes: Int
    var quality: Double
    /// D's accuracy on the 2048 real points and as many generated ones.
    var accuracy: Double
}

/// Trains a dense GAN (2 hidden layers of 32 on each side) on the ring; returns the step and
/// the measures after every epoch. `snapshot` sees the step after the epochs it lists.
@MainActor func trainRing(
    seed: UInt64, generatorLoss: GeneratorLoss = .nonSaturating, labels: Labels = .hard, generatorRate: Double = baseRate,
    label: String, snapshotEpochs: Set<Int> = [], snapshot: (Int, GANStep<Adam, Adam>) -> Void = { _, _ in }
) -> (step: GANStep<Adam, Adam>, history: [RingRecord]) {
    var initRNG = SeededGenerator(seed: seed)
    var step = GANStep(
        generator: denseNetwork([ringLatent, ringHidden, ringHidden, 2], using: &initRNG),
        discriminator: denseNetwork([2, ringHidden, ringHidden, 1], using: &initRNG),
        generatorOptimizer: Adam(learningRate: generatorRate, beta1: 0.5), discriminatorOptimizer: Adam(learningRate: baseRate, beta1: 0.5),
        latentCount: ringLatent, generatorLoss: generatorLoss, labels: labels, seed: seed + 1)
    var orderRNG = SeededGenerator(seed: seed + 2)
    let order = BatchOrder.shuffled(epochs: ringEpochs, count: ringData.count, using: &orderRNG)
    var history: [RingRecord] = []
    let progress = lesson.progress(label, total: ringEpochs)
    for epoch in 0..<ringEpochs {
        // One epoch at a time, to measure between them (the loop's records keep D's and G's losses).
        let run = train(&step, on: ringData, epochs: epoch + 1, batchSize: 64, order: order, evaluatesTrainingSet: false, firstEpoch: epoch)
        var sampleRNG = SeededGenerator(seed: 99)
        let coverage = ring.coverage(rows(step.samples(1000, using: &sampleRNG)))
        history.append(
            RingRecord(epoch: epoch + 1, modes: coverage.modesCovered, quality: coverage.highQuality, accuracy: step.evaluate(on: ringData).accuracy!))
        progress.advance(note: "modes \(coverage.modesCovered), D \(decimal(run.history.last!.trainingTerms["D"]!, 3))")
        if snapshotEpochs.contains(epoch + 1) { snapshot(epoch + 1, step) }
    }
    return (step, history)
}

lesson.prose(
    """
    The data: \(ringData.count) points from \(ring.modes) Gaussians (standard deviation \(decimal(ring.spread, 2))) \
    evenly spaced on a circle of radius \(decimal(ring.radius, 0)), a standard test of whether a \
    GAN finds every mode (Metz et al., 2016). G maps \(ringLatent) noise numbers to a point \
    (\(ringLatent) → \(ringHidden) → \(ringHidden) → 2, LeakyReLU 0.2 between); D maps a point to a \
    logit (2 → \(ringHidden) → \(ringHidden) → 1). Adam η = \(compact(baseRate)) for both, batches \
    of 64, \(ringEpochs) epochs of \(ringData.count / 64) steps each. After every epoch, 1000 generated \
    points from fixed noise are measured (Srivastava et al., 2017): a point is high \
    quality if it lies within 3 standard deviations of a mode's centre, and a mode is \
    covered if at least a quarter of its fair share of the points (1000 / (4·8) ≈ 31) \
    are high-quality points at it. Real points would score about 98.9% quality and \
    8 modes.
    """)
let shownEpochs = [1, 10, ringEpochs]
var snapshots: [(epoch: Int, points: [[Double]], discriminator: Sequential)] = []
let mainRun = trainRing(seed: lesson.seed, label: "ring, seed \(lesson.seed)", snapshotEpochs: Set(shownEpochs)) { epoch, step in
    var sampleRNG = SeededGenerator(seed: 99)
    snapshots.append((epoch, rows(step.samples(300, using: &sampleRNG)), step.discriminator))
}
var realRNG = SeededGenerator(seed: lesson.seed + 5)
let realShown = ring.sample(300, using: &realRNG)
for shot in snapshots {
    let d = shot.discriminator
    lesson.plot(
        ScatterPlot(
            title: "after epoch \(shot.epoch): real and generated points, D's regions", xLabel: "x₁", yLabel: "x₂",
            points: realShown + shot.points, labels: [Int](repeating: 0, count: realShown.count) + [Int](repeating: 1, count: shot.points.count),
            classNames: ["real", "generated"], xRange: -3...3, yRange: -3...3,
            regions: { x, y in d.predict([x, y])[0] > 0 ? 0 : 1 }))
}
let tableEpochs = [1, 2, 5, 10, 20, 50, ringEpochs]
lesson.table(
    headers: ["epoch", "modes covered", "high quality", "D accuracy"],
    rows: tableEpochs.map { e in
        let r = mainRun.history[e - 1]
        return ["\(e)", "\(r.modes) of 8", percent(r.quality), percent(r.accuracy)]
    })
let final = mainRun.history.last!
let firstFull = mainRun.history.first { $0.modes == final.modes }!
lesson.prose(
    """
    The region D calls real ("region → real") follows the generated points around: \
    wherever G puts its points, D learns to reject them, and G moves on. After \
    \(ringEpochs) epochs G covers \(final.modes) of the 8 modes, first reached at epoch \(firstFull.epoch), with \
    \(percent(final.quality)) of its points high quality\(final.modes < 8 ? "; the modes it misses are the usual failure of a plain GAN, mode dropping" : ""). \
    D's accuracy ends at \(percent(final.accuracy)): \(abs(final.accuracy - 0.5) < 0.1 ? "near a coin toss, as it should be when the generated points look like the real ones" : "far from a coin toss, so D still tells the two apart").
    """)

// MARK: - 3

lesson.section("Why the non-saturating loss")
// At the start of training: D trained for a while against a fixed, untrained G.
var probeRNG = SeededGenerator(seed: lesson.seed + 30)
var probeStep = GANStep(
    generator: denseNetwork([ringLatent, ringHidden, ringHidden, 2], using: &probeRNG),
    discriminator: denseNetwork([2, ringHidden, ringHidden, 1], using: &probeRNG),
    generatorOptimizer: SGD(learningRate: 0), discriminatorOptimizer: Adam(learningRate: baseRate, beta1: 0.5), latentCount: ringLatent, seed: lesson.seed + 31)
var probeOrder = SeededGenerator(seed: lesson.seed + 32)
let probeEpochs = 20
train(
    &probeStep, on: ringData, epochs: probeEpochs, batchSize: 64, order: .shuffled(epochs: probeEpochs, count: ringData.count, using: &probeOrder),
    evaluatesTrainingSet: false)
var probeLatents = SeededGenerator(seed: lesson.seed + 33)
let probeFakes = probeStep.samples(500, using: &probeLatents)
let probeLogits = probeStep.discriminator.predict(probeFakes)
let meanD = probeLogits.values.reduce(0) { $0 + 1 / (1 + exp(-$1)) } / Double(probeLogits.count)
@MainActor func gradientSize(_ loss: GeneratorLoss) -> Double {
    let g = probeStep.discriminator.inputGradient(at: probeFakes) { loss.evaluate($0) }.inputGradient
    // The mean length of ∂L_G/∂x over the samples, × the batch size: the push each sample gets.
    return rows(g).reduce(0) { $0 + ($1.reduce(0) { $0 + $1 * $1 }).squareRoot() } / Double(g.shape[0]) * Double(g.shape[0])
}
let (minimaxPush, nonSaturatingPush) = (gradientSize(.minimax), gradientSize(.nonSaturating))
lesson.prose(
    """
    First the gradient itself. At a single logit t, the two losses' slopes are σ(t) \
    and 1 − σ(t):
    """)
let saturationPoints = [0.5, 0.1, 0.01, 0.001]
lesson.table(
    headers: ["D(G(z)) = σ(t)", "minimax |∂L_G/∂t|", "non-saturating |∂L_G/∂t|"],
    rows: saturationPoints.map { p in
        let t = Tensor(shape: [1, 1], values: [log(p / (1 - p))])
        return [
            compact(p), compact(abs(GeneratorLoss.minimax.evaluate(t).gradient.values[0]), significant: 3),
            compact(abs(GeneratorLoss.nonSaturating.evaluate(t).gradient.values[0]), significant: 3),
        ]
    })
lesson.prose(
    """
    In a network: an untrained G against a D trained for \(probeEpochs) epochs while G stood still: D \
    gives the generated points a mean probability of being real of \(decimal(meanD, 3)). The length \
    of ∂L_G/∂x for each generated point (per sample, not divided by the batch), averaged \
    over 500 points:
    """)
lesson.table(
    headers: ["generator loss", "mean ‖∂L_G/∂x‖ per point"],
    rows: [["minimax log(1 − D(G(z)))", compact(minimaxPush, significant: 3)], ["non-saturating −log D(G(z))", compact(nonSaturatingPush, significant: 3)]])
lesson.prose(
    """
    The non-saturating loss pushes each generated point \(decimal(nonSaturatingPush / minimaxPush, 1))× harder at \
    this stage. Then the whole training, three seeds each (one seed is one experiment; \
    three show the spread):
    """)
let seeds = [lesson.seed, lesson.seed + 10, lesson.seed + 20]
var lossRuns: [GeneratorLoss: [RingRecord]] = [.nonSaturating: [mainRun.history.last!]]
for seed in seeds.dropFirst() { lossRuns[.nonSaturating]!.append(trainRing(seed: seed, label: "non-saturating, seed \(seed)").history.last!) }
lossRuns[.minimax] = seeds.map { trainRing(seed: $0, generatorLoss: .minimax, label: "minimax, seed \($0)").history.last! }
func summary(_ records: [RingRecord]) -> [String] {
    [records.map { "\($0.modes)" }.joined(separator: ", "), records.map { percent($0.quality) }.joined(separator: ", ")]
}
lesson.table(
    headers: ["generator loss", "modes (3 seeds)", "high quality"],
    rows: [["non-saturating"] + summary(lossRuns[.nonSaturating]!), ["minimax"] + summary(lossRuns[.minimax]!)])
let nsModes = lossRuns[.nonSaturating]!.map(\.modes).reduce(0, +), mmModes = lossRuns[.minimax]!.map(\.modes).reduce(0, +)
lesson.prose(
    """
    Over the three seeds the non-saturating loss covers \(nsModes) modes in all and the minimax \
    loss \(mmModes). \(nsModes > mmModes ? "The minimax generator ends behind, consistent with its weak gradient while D wins; these runs do not isolate that cause from others (the two losses also weigh good samples differently)." : nsModes == mmModes ? "Here the two end level: the early saturation is overcome in these runs." : "Here the minimax loss does no worse: the early saturation is overcome in these runs.")
    """)

// MARK: - 4

lesson.section("Mode collapse, and what does not fix it")
lesson.prose(
    """
    A generator can win the game cheaply by putting all its points where D is currently \
    weakest: mode collapse. D then learns that spot, G jumps to another, and the two \
    chase each other around the ring. It shows in the measures as few modes covered, \
    often with high quality on those few. Raising G's learning rate from \(compact(baseRate)) to \(compact(collapseRate)), D's unchanged, \
    makes G jump farther than D can follow. The same three seeds, and two remedies often \
    suggested, one-sided label smoothing (real targets 0.9: Salimans et al., 2016) and \
    the seeds' noisy labels (each target moved up to 0.05 towards the other class):
    """)
var collapseRows: [(String, [RingRecord])] = []
collapseRows.append(
    (
        "G η \(compact(collapseRate))",
        seeds.map { trainRing(seed: $0, generatorRate: collapseRate, label: "G η \(compact(collapseRate)), seed \($0)").history.last! }
    ))
collapseRows.append(
    (
        "G η \(compact(collapseRate)), smoothing 0.9",
        seeds.map { trainRing(seed: $0, labels: Labels(real: 0.9), generatorRate: collapseRate, label: "smoothing, seed \($0)").history.last! }
    ))
collapseRows.append(
    (
        "G η \(compact(collapseRate)), label noise 0.05",
        seeds.map { trainRing(seed: $0, labels: Labels(noise: 0.05), generatorRate: collapseRate, label: "label noise, seed \($0)").history.last! }
    ))
collapseRows.append(("G η \(compact(baseRate)) (section 2)", lossRuns[.nonSaturating]!))
lesson.table(headers: ["setting", "modes (3 seeds)", "high quality"], rows: collapseRows.map { [$0.0] + summary($0.1) })
let collapsed = collapseRows[0].1
let remedies = collapseRows[1...2].map { $0.1.map(\.modes).max()! }
lesson.prose(
    """
    With G's η at \(compact(collapseRate)) the generator covers at most \(collapsed.map(\.modes).max()!) mode\(collapsed.map(\.modes).max()! == 1 ? "" : "s") on any seed\
    \(collapsed.contains { $0.quality > 0.5 } ? ", and with high quality where it does: the signature of collapse, which a quality measure alone would have scored as success" : ""). \
    Label smoothing reaches at most \(remedies[0]) and label noise at most \(remedies[1]) \
    \(remedies.max()! <= collapsed.map(\.modes).max()! + 1 ? "— neither fixes it" : "— a partial fix at best"). What does fix it here is the balance: with G's η back at \
    \(compact(baseRate)) the same seeds cover \(lossRuns[.nonSaturating]!.map { "\($0.modes)" }.joined(separator: ", ")) modes.
    """)

// MARK: - 5

lesson.section("Generated digits: a dense GAN and a DCGAN")
let digits = try Digits.load()
let split: (train: ClassificationSet, test: ClassificationSet) = {
    var splitter = MersenneTwister(seed: 0)
    return digits.split(testFraction: 0.2, order: splitter.permutation(digits.count))
}()
let trainImages = split.train.inputs.map { $0.map { $0 / Digits.maxPixel } }
let testImages = split.test.inputs.map { $0.map { $0 / Digits.maxPixel } }
/// Pixels from [0, 1] to tanh's [−1, 1], and back.
func signed(_ image: [Double]) -> [Double] { image.map { 2 * $0 - 1 } }
func unsigned(_ image: [Double]) -> [Double] { image.map { ($0 + 1) / 2 } }
let digitLatent = 16
let (denseEpochs, dcganEpochs) = (100, 6)
lesson.prose(
    """
    The digits, pixels scaled to [−1, 1] to match a tanh output, \(trainImages.count) training images. \
    Two generators, both from 16 noise numbers and both as in the baselines \
    (torch_generative.py). The dense one: G 16 → 128 → 64 (LeakyReLU 0.2, tanh out), \
    D 64 → 128 → 1. The seeds' DCGAN, scaled to 8×8: G maps z to 128 maps of 2×2, \
    then transposed convolutions double the size twice, each followed by batch \
    normalization over channels (one mean and variance per channel, over the batch and \
    every position: BatchNorm2D, Chapter 5's batch norm on one row per pixel) and \
    LeakyReLU; D is two stride-2 convolutions and a dense logit, no pooling.
    """)
lesson.equation(
    """
    G:  z → dense 512 → 128×2×2 → BN → conv T 4×4 s2 → 64×4×4 → BN
          → conv T 4×4 s2 → 32×8×8 → BN → conv 3×3 → 1×8×8 → tanh
    D:  1×8×8 → conv 3×3 s2 → 64×4×4 → conv 3×3 s2 → 128×2×2 → dense → logit
    """)
let digitSet = ImageSet(images: trainImages.map(signed), sampleShape: [64])
let digitImageSet = ImageSet(images: trainImages.map(signed), sampleShape: [1, 8, 8])
var digitRNG = SeededGenerator(seed: lesson.seed + 40)
var denseGAN = GANStep(
    generator: Sequential([
        Dense(inputs: digitLatent, outputs: 128, initialization: .he, using: &digitRNG, name: "1"), LeakyReLU(slope: 0.2),
        Dense(inputs: 128, outputs: 64, initialization: .xavier, using: &digitRNG, name: "2"), ActivationLayer(.tanh),
    ]),
    discriminator: Sequential([
        Dense(inputs: 64, outputs: 128, initialization: .he, using: &digitRNG, name: "1"), LeakyReLU(slope: 0.2),
        Dense(inputs: 128, outputs: 1, initialization: .xavier, using: &digitRNG, name: "2"),
    ]),
    generatorOptimizer: Adam(learningRate: 5e-4, beta1: 0.5), discriminatorOptimizer: Adam(learningRate: 5e-4, beta1: 0.5),
    latentCount: digitLatent, seed: lesson.seed + 41)
var dcganRNG = SeededGenerator(seed: lesson.seed + 50)
@MainActor func convT(_ c: Int, _ f: Int, _ name: String) -> ConvTranspose2D {
    ConvTranspose2D(inChannels: c, outChannels: f, kernel: 4, stride: 2, padding: 1, initialization: .he, using: &dcganRNG, name: name)
}
@MainActor func conv(_ c: Int, _ f: Int, stride: Int, _ name: String) -> Conv2D {
    Conv2D(inChannels: c, outChannels: f, kernel: 3, stride: stride, padding: 1, initialization: .he, using: &dcganRNG, name: name)
}
var dcgan = GANStep(
    generator: Sequential([
        Dense(inputs: digitLatent, outputs: 512, initialization: .he, using: &dcganRNG, name: "1"), Reshape([128, 2, 2]),
        BatchNorm2D(channels: 128, name: "1"), LeakyReLU(slope: 0.2),
        convT(128, 64, "2"), BatchNorm2D(channels: 64, name: "2"), LeakyReLU(slope: 0.2),
        convT(64, 32, "3"), BatchNorm2D(channels: 32, name: "3"), LeakyReLU(slope: 0.2),
        conv(32, 1, stride: 1, "4"), ActivationLayer(.tanh),
    ]),
    discriminator: Sequential([
        conv(1, 64, stride: 2, "1"), LeakyReLU(slope: 0.2), conv(64, 128, stride: 2, "2"), LeakyReLU(slope: 0.2), Reshape.flatten,
        Dense(inputs: 512, outputs: 1, initialization: .xavier, using: &dcganRNG, name: "3"),
    ]),
    generatorOptimizer: Adam(learningRate: 5e-4, beta1: 0.5), discriminatorOptimizer: Adam(learningRate: 5e-4, beta1: 0.5),
    latentCount: digitLatent, seed: lesson.seed + 51)
@MainActor func trainDigits<G: Optimizer, D: Optimizer>(_ step: inout GANStep<G, D>, on data: ImageSet, epochs: Int, label: String) -> TrainingRun {
    var orderRNG = SeededGenerator(seed: lesson.seed + 60)
    let progress = lesson.progress(label, total: epochs)
    return train(
        &step, on: data, epochs: epochs, batchSize: 32, order: .shuffled(epochs: epochs, count: data.count, using: &orderRNG),
        evaluatesTrainingSet: false
    ) { record in progress.advance(note: "D \(decimal(record.trainingTerms["D"]!, 3)), G \(decimal(record.trainingTerms["G"]!, 3))") }
}
lesson.prose(
    """
    The dense GAN trains for \(denseEpochs) epochs, the DCGAN for \(dcganEpochs) (it has \
    \(Int((Double(dcgan.generator.parameterCount + dcgan.discriminator.parameterCount) / Double(denseGAN.generator.parameterCount + denseGAN.discriminator.parameterCount)).rounded()))× the \
    parameters, and each step costs far more arithmetic), both with batches of 32 and Adam with β₁ = 0.5 \
    and η = 5e-4 (the baselines' 2e-4 and batches of 64 learn too slowly for this \
    budget; this setting was chosen over those and η = 1e-3 by the classifier's \
    Fréchet distance below, on this seed):
    """)
let denseRun = trainDigits(&denseGAN, on: digitSet, epochs: denseEpochs, label: "dense GAN")
let dcganRun = trainDigits(&dcgan, on: digitImageSet, epochs: dcganEpochs, label: "DCGAN")
var digitSampleRNG = SeededGenerator(seed: lesson.seed + 70)
let denseSamples = rows(denseGAN.samples(400, using: &digitSampleRNG)).map(unsigned)
let dcganSamples = rows(dcgan.samples(400, using: &digitSampleRNG)).map(unsigned)
for (name, samples) in [("dense GAN", denseSamples), ("DCGAN", dcganSamples)] {
    lesson.plot(Heatmap(title: "16 samples of the \(name)", tiling: Array(samples.prefix(16)), height: 8, width: 8, perRow: 8, range: 0...1))
}

// MARK: - 6

lesson.section("Judging generated digits with the curriculum's own classifier")
lesson.prose(
    """
    A GAN has no loss that says how good its samples are: L_D and L_G only say who is \
    winning. A common yardstick is a trained classifier's view of the samples. Here it \
    is Chapter 6's CNN (conv 16 → conv 32 → max pool → dense 64 → dense 10), trained \
    on the same training digits. For 400 samples of each generator and the \(testImages.count) test digits: the share it classifies \
    with confidence (largest softmax probability ≥ 0.9); how the predicted classes \
    spread over the ten (are all digits generated?); and the Fréchet distance between \
    the CNN's 64 penultimate features of the set and of the training digits, ‖μ_a − μ_b‖² \
    + Tr(Σ_a + Σ_b − 2 (Σ_a^½ Σ_b Σ_a^½)^½), the FID of Heusel et al. (2017) with this \
    CNN in place of Inception. The test digits are the floor; Chapter 9's VAE (64 → 128 \
    → 8-D latent, 40 epochs) gives prior samples to compare.
    """)
var judgeRNG = SeededGenerator(seed: lesson.seed + 80)
var judge = Sequential([
    Reshape([1, 8, 8]),
    Conv2D(inChannels: 1, outChannels: 16, kernel: 3, padding: 1, initialization: .he, using: &judgeRNG, name: "1"), ActivationLayer(.relu),
    Conv2D(inChannels: 16, outChannels: 32, kernel: 3, padding: 1, initialization: .he, using: &judgeRNG, name: "2"), ActivationLayer(.relu),
    Pool2D(.max, size: 2), Reshape.flatten,
    Dense(inputs: 32 * 4 * 4, outputs: 64, initialization: .he, using: &judgeRNG, name: "3"), ActivationLayer(.relu),
    Dense(inputs: 64, outputs: 10, initialization: .xavier, using: &judgeRNG, name: "4"),
])
let judgeEpochs = 8
let judgeTraining = ClassificationSet(inputs: trainImages, labels: split.train.labels, classCount: 10)
let judgeTest = ClassificationSet(inputs: testImages, labels: split.test.labels, classCount: 10)
var judgeAdam = Adam(learningRate: 3e-3)
var judgeOrder = SeededGenerator(seed: lesson.seed + 81)
let judgeProgress = lesson.progress("the CNN", total: judgeEpochs)
train(
    &judge, on: judgeTraining, loss: SoftmaxCrossEntropy(), optimizer: &judgeAdam, epochs: judgeEpochs, batchSize: 32,
    order: .shuffled(epochs: judgeEpochs, count: judgeTraining.count, using: &judgeOrder), evaluatesTrainingSet: false
) { _ in judgeProgress.advance() }
let judgeAccuracy = judge.accuracy(on: judgeTest)

// A Chapter 9 VAE for its prior samples.
var vaeRNG = SeededGenerator(seed: lesson.seed + 90)
let vaeModel = VAE(
    encoder: Sequential([Dense(inputs: 64, outputs: 128, initialization: .he, using: &vaeRNG, name: "1"), ActivationLayer(.relu)]),
    meanHead: Dense(inputs: 128, outputs: 8, initialization: .xavier, using: &vaeRNG),
    logVarianceHead: Dense(inputs: 128, outputs: 8, initialization: .xavier, using: &vaeRNG),
    decoder: Sequential([
        Dense(inputs: 8, outputs: 128, initialization: .he, using: &vaeRNG, name: "1"), ActivationLayer(.relu),
        Dense(inputs: 128, outputs: 64, initialization: .xavier, using: &vaeRNG, name: "2"),
    ]))
var vaeStep = VAEStep(model: vaeModel, optimizer: Adam(learningRate: 3e-3), seed: lesson.seed + 91)
var vaeOrder = SeededGenerator(seed: lesson.seed + 92)
let vaeData = ImageSet(images: trainImages, sampleShape: [64])
let vaeProgress = lesson.progress("the VAE", total: 40)
train(&vaeStep, on: vaeData, epochs: 40, batchSize: 32, order: .shuffled(epochs: 40, count: vaeData.count, using: &vaeOrder), evaluatesTrainingSet: false) {
    _ in
    vaeProgress.advance()
}
let vaeSamples = vaeStep.model.sample(400, using: &digitSampleRNG)

/// The CNN's class probabilities and penultimate features for images in [0, 1].
@MainActor func judged(_ images: [[Double]]) -> (probabilities: [[Double]], features: [[Double]]) {
    let outputs = judge.outputs(Tensor(shape: [images.count, 64], values: images.flatMap { $0 }))
    let logits = rows(outputs.last!)
    let probabilities = logits.map { z -> [Double] in
        let m = z.max()!
        let e = z.map { exp($0 - m) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }
    return (probabilities, rows(outputs[outputs.count - 2]))  // the ReLU after dense 64
}
let reference = judged(trainImages).features
let judgedSets: [(name: String, images: [[Double]])] = [
    ("test digits (the floor)", testImages),
    ("dense GAN", denseSamples), ("DCGAN", dcganSamples), ("VAE (prior samples)", vaeSamples),
]
var judgeRows: [[String]] = []
var judgeResults: [(name: String, confident: Double, classes: Int, largest: Double, frechet: Double)] = []
for set in judgedSets {
    let (probabilities, features) = judged(set.images)
    let confident = Double(probabilities.filter { $0.max()! >= 0.9 }.count) / Double(probabilities.count)
    var counts = [Int](repeating: 0, count: 10)
    for p in probabilities { counts[p.indices.max { p[$0] < p[$1] }!] += 1 }
    let classes = counts.filter { Double($0) >= 0.05 * Double(probabilities.count) }.count
    let largest = Double(counts.max()!) / Double(probabilities.count)
    let distance = frechetDistance(features, reference)
    judgeResults.append((set.name, confident, classes, largest, distance))
    judgeRows.append([set.name, "\(set.images.count)", percent(confident), "\(classes) of 10", percent(largest), decimal(distance, 2)])
}
lesson.table(headers: ["images", "n", "confident", "classes ≥ 5%", "largest class", "Fréchet"], rows: judgeRows)
let floor = judgeResults[0]
let generated = judgeResults.dropFirst()
let best = generated.min { $0.frechet < $1.frechet }!
lesson.prose(
    """
    The CNN reads \(percent(judgeAccuracy)) of the test digits correctly, so its view is worth \
    something. By the Fréchet distance the \(best.name) comes closest to real digits \
    (\(decimal(best.frechet, 2)), against \(decimal(floor.frechet, 2)) for the test digits themselves); \
    \(generated.map { "the \($0.name) \(decimal($0.frechet, 2))" }.filter { !$0.hasPrefix("the \(best.name) ") }.joined(separator: " and ")). \
    \(generated.allSatisfy { $0.classes >= 8 } ? "Every model spreads its samples over at least 8 of the 10 classes: no digit-level collapse." : "\(generated.filter { $0.classes < 8 }.map(\.name).joined(separator: " and ")) \(generated.filter { $0.classes < 8 }.count == 1 ? "covers" : "cover") fewer than 8 classes with at least 5% of the samples: a digit-level collapse.") \
    One seed each, one training budget each: this is one experiment, not a ranking of the methods.
    """)

// MARK: - 7

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/GANs and fill in each function, then run `swift run exercises \
    gans`. Each is checked against this chapter's library on fixed and random inputs \
    (logits up to ±800 included); gradients also against central differences.
    """)
lesson.table(
    headers: ["#", "exercise", "file"],
    rows: [
        ["10.1", "the discriminator's loss on logits", "DiscriminatorLoss.swift"],
        ["10.2", "the non-saturating generator loss", "NonSaturatingLoss.swift"],
        ["10.3", "the minimax generator loss", "MinimaxLoss.swift"],
        ["10.4", "one discriminator step, G detached", "DiscriminatorStep.swift"],
        ["10.5", "one generator step, through D's input gradient", "GeneratorStep.swift"],
        ["10.6", "batch norm over channels, forward and backward", "BatchNorm2D.swift"],
        ["10.7", "the modes-covered measure", "ModesCovered.swift"],
    ])

lesson.finish()
