import Activations
import Backprop
import Datasets
import Foundation
import LinearAlgebra
import Optimizers
import Randomness
import Validation

// A zoo of broken training set-ups, each a mistake people make, and the detectors that
// catch them. Every entry trains the same small classifier on the same data as the healthy
// run, with one thing wrong; `runZoo` measures everything the detectors look at, so a test
// (and the lesson) can show that each detector fires on its bug and stays quiet otherwise.

/// One mistake.
public enum TrainingBug: String, CaseIterable, Sendable {
    /// Dead ReLUs from a bias of −10.
    case deadReLUs = "dead ReLUs from a bias of −10"
    /// Weights initialized 30 times too large.
    case explodingInitialization = "weights initialized 30× too large"
    /// Softmax without the shift by the largest score, on unscaled inputs: exponentials that
    /// overflow.
    case unshiftedSoftmax = "softmax without the shift, on unscaled inputs"
    /// The loss summed over the batch where a mean was meant: steps as large as the batch.
    case summedLoss = "the loss summed over the batch where a mean was meant"
    /// Gradients never zeroed between steps: each step adds every earlier batch's.
    case gradientsNeverZeroed = "gradients never zeroed between steps"
    /// A learning rate of 5 for plain SGD.
    case learningRateTooHigh = "a learning rate of 5 for plain SGD"
    /// Data sorted by label and never shuffled.
    case sortedUnshuffled = "data sorted by label and never shuffled"
    /// Inputs and labels shuffled with two different orders: every label belongs to another
    /// sample.
    case misalignedLabels = "inputs and labels shuffled with two different orders"
    /// The first layer frozen though it was meant to train.
    case frozenByMistake = "the first layer frozen though it was meant to train"

    /// The detector that names this mistake.
    public var detector: Detector {
        switch self {
        case .deadReLUs: .deadUnits
        case .explodingInitialization: .initialLoss
        case .unshiftedSoftmax: .nonFinite
        case .summedLoss: .largeUpdates
        case .gradientsNeverZeroed: .staleGradients
        case .learningRateTooHigh: .risingLoss
        case .sortedUnshuffled: .singleClassBatches
        case .misalignedLabels: .chanceValidation
        case .frozenByMistake: .unchangedParameters
        }
    }
}

/// A check on a training run, with its threshold.
public enum Detector: String, CaseIterable, Sendable {
    /// Fires when a hidden ReLU layer starts with over half its units dead.
    case deadUnits = "a hidden ReLU layer with over half its units dead at the start"
    /// Fires when the initial loss is above 3 ln K (K classes).
    case initialLoss = "initial loss above 3 ln K"
    /// Fires on a NaN or ±∞ in the loss, a gradient or a parameter.
    case nonFinite = "a NaN or ±∞ in the loss, a gradient or a parameter"
    /// Fires when a first step changes some weights by over 30% (‖η g‖ / ‖w‖ > 0.3).
    case largeUpdates = "a first step changing some weights by over 30% (‖η g‖ / ‖w‖ > 0.3)"
    /// Fires when the gradient a step uses differs from its own batch's gradient.
    case staleGradients = "the gradient a step uses differing from its own batch's gradient"
    /// Fires when the training loss is higher after the first epoch than at the start.
    case risingLoss = "training loss higher after the first epoch than at the start"
    /// Fires when over half the batches hold a single class.
    case singleClassBatches = "over half the batches holding a single class"
    /// Fires when the validation accuracy ends within 0.2 of chance.
    case chanceValidation = "validation accuracy within 0.2 of chance after training"
    /// Fires when a parameter meant to train is left exactly as it started.
    case unchangedParameters = "a parameter meant to train left exactly as it started"
}

/// What a detector measured on a run, and whether it fired.
public struct Finding: Sendable {
    /// Whether the detector flagged the run.
    public var fired: Bool
    /// What the detector measured, as the lesson prints it.
    public var measurement: String
}

/// One run of the zoo: the healthy set-up (bug nil) or one broken one.
public struct ZooRun: Sendable {
    /// The bug the run had, or nil for the healthy run.
    public var bug: TrainingBug?
    /// What each detector found.
    public var findings: [Detector: Finding]
    /// Validation accuracy at the end (NaN outputs count as wrong).
    public var validationAccuracy: Double
    /// The detectors that fired.
    public var fired: [Detector] { Detector.allCases.filter { findings[$0]!.fired } }
}

/// The bug of never zeroing: a supervised step without `zeroGradients`, so every step adds
/// its gradient to all the earlier ones.
struct ForgetfulStep<Rule: Optimizer>: TrainingStep {
    var model: Sequential
    var optimizer: Rule
    var learningRate: Double {
        get { optimizer.learningRate }
        set { optimizer.learningRate = newValue }
    }
    mutating func trainBatch(_ inputs: Tensor, _ targets: [Int], plugins: inout TrainingPlugins) -> LossTerms {
        let (loss, gradient) = SoftmaxCrossEntropy().evaluate(model.forward(inputs, mode: .training), targets)
        model.backwardSkippingInputGradient(gradient)  // onto the gradients of every step before
        var terms = LossTerms()
        terms.append("loss", loss)
        plugins.gradientsComputed(&model, into: &terms)
        optimizer.step(&model)
        return terms
    }
    func evaluate<Data: TrainingData>(on data: Data) -> Evaluation where Data.Target == [Int] {
        Backprop.evaluate(model, on: data, loss: SoftmaxCrossEntropy())
    }
}

/// The loss a zoo run trains with: the right one, or one of the two broken ones.
enum ZooLoss: Loss {
    case right, unshifted, summed

    func evaluate(_ output: Tensor, _ labels: [Int]) -> (loss: Double, gradient: Tensor) {
        switch self {
        case .right: SoftmaxCrossEntropy().evaluate(output, labels)
        case .unshifted: UnshiftedSoftmaxCrossEntropy().evaluate(output, labels)
        case .summed: SummedSoftmaxCrossEntropy().evaluate(output, labels)
        }
    }

    func accuracy(_ output: Tensor, _ labels: [Int]) -> Double? { SoftmaxCrossEntropy().accuracy(output, labels) }
}

/// Softmax cross-entropy written without subtracting the largest logit: e^z overflows to
/// ∞ past z ≈ 709, and ∞/∞ is NaN.
struct UnshiftedSoftmaxCrossEntropy: Loss {
    func evaluate(_ output: Tensor, _ labels: [Int]) -> (loss: Double, gradient: Tensor) {
        let (batch, classes) = (output.shape[0], output.shape[1])
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: output.count)
        for n in 0..<batch {
            let e = (0..<classes).map { exp(output.values[n * classes + $0]) }
            let total = e.reduce(0, +)
            loss -= log(e[labels[n]] / total) / Double(batch)
            for k in 0..<classes { gradient[n * classes + k] = (e[k] / total - (k == labels[n] ? 1 : 0)) / Double(batch) }
        }
        return (loss, Tensor(shape: output.shape, values: gradient))
    }
}

/// Softmax cross-entropy summed over the batch instead of averaged: every gradient B× larger.
struct SummedSoftmaxCrossEntropy: Loss {
    func evaluate(_ output: Tensor, _ labels: [Int]) -> (loss: Double, gradient: Tensor) {
        let (loss, gradient) = SoftmaxCrossEntropy().evaluate(output, labels)
        let batch = Double(output.shape[0])
        return (loss * batch, Tensor(shape: gradient.shape, values: gradient.values.map { $0 * batch }))
    }
}

/// The zoo's data: three Gaussian blobs in 4-D (centres drawn from N(0, I), spread 0.5),
/// 300 training samples (sorted by label, as
/// data often arrives) and 150 validation samples.
public func zooData(seed: UInt64) -> (training: ClassificationSet, validation: ClassificationSet) {
    var rng = SeededGenerator(seed: seed)
    let centres = (0..<3).map { _ in rng.normals(4) }
    func samples(_ perClass: Int) -> ClassificationSet {
        var inputs: [[Double]] = [], labels: [Int] = []
        for c in 0..<3 {
            for _ in 0..<perClass {
                inputs.append(centres[c].map { $0 + 0.5 * rng.normal() })
                labels.append(c)
            }
        }
        return ClassificationSet(inputs: inputs, labels: labels, classCount: 3)
    }
    return (samples(100), samples(50))
}

/// Trains the zoo's classifier (4 → 16 → 16 → 3, ReLU, He initialization, plain SGD η = 0.1,
/// batches of 30, 10 epochs) with `bug` (nil: healthy) and runs every detector.
public func runZoo(_ bug: TrainingBug?, seed: UInt64) -> ZooRun {
    var (training, validation) = zooData(seed: seed)
    if bug == .unshiftedSoftmax {  // unscaled inputs, as raw pixel values would be
        training.inputs = training.inputs.map { $0.map { $0 * 100 } }
        validation.inputs = validation.inputs.map { $0.map { $0 * 100 } }
    }
    if bug == .misalignedLabels {  // each shuffled on its own: the pairs no longer belong together
        var shuffler = SeededGenerator(seed: seed + 2)
        training.inputs = shuffler.shuffled(training.inputs)
        training.labels = shuffler.shuffled(training.labels)
    }
    var rng = SeededGenerator(seed: seed + 1)
    var model = Sequential(sizes: [4, 16, 16, 3], hidden: .relu, initialization: .he, using: &rng)
    if bug == .deadReLUs { model.updateLayer(0, as: Dense.self) { $0.bias.value = $0.bias.value.map { _ in -10 } } }
    if bug == .explodingInitialization { model.visitParameters { $0.value = $0.value.map { $0 * 30 } } }
    if bug == .frozenByMistake { _ = model.setFrozen(true, namesStartingWith: "0.") }
    let start = model
    let (epochs, batchSize) = (10, 30)
    let learningRate = bug == .learningRateTooHigh ? 5.0 : 0.1
    let order: BatchOrder = bug == .sortedUnshuffled ? .inOrder : .shuffled(epochs: epochs, count: training.count, using: &rng)
    let x = Tensor(batchMatrix(training.inputs, training.inputs.indices))
    var findings: [Detector: Finding] = [:]
    let classes = Double(training.classCount)

    // Before training: dead units and the initial loss, on the whole training set.
    let statistics = layerStatistics(model, inputs: x, targets: training.labels, loss: SoftmaxCrossEntropy(), learningRate: learningRate)
    let dead = statistics.dropLast().compactMap(\.deadFraction).max() ?? 0
    findings[.deadUnits] = Finding(fired: dead > 0.5, measurement: "largest dead fraction \(format(dead))")
    let initialLoss = SoftmaxCrossEntropy().evaluate(model.predict(x), training.labels).loss
    findings[.initialLoss] = Finding(
        fired: !(initialLoss <= 3 * log(classes)), measurement: "initial loss \(format(initialLoss)) (ln K = \(format(log(classes))))")
    // The first step's relative update, with the loss as this run computes it.
    var firstStep = model
    firstStep.zeroGradients()
    let firstBatch = Tensor(batchMatrix(training.inputs, Array(order.order(epoch: 0, count: training.count).prefix(batchSize))))
    let firstLabels = order.order(epoch: 0, count: training.count).prefix(batchSize).map { training.labels[$0] }
    let lossUsed: ZooLoss = bug == .summedLoss ? .summed : bug == .unshiftedSoftmax ? .unshifted : .right
    firstStep.backwardSkippingInputGradient(lossUsed.evaluate(firstStep.forward(firstBatch, mode: .training), firstLabels).gradient)
    let ratios = firstStep.parameters.filter { !$0.frozen }.map { p -> Double in
        let size = p.value.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return size > 0 ? learningRate * p.gradient.reduce(0) { $0 + $1 * $1 }.squareRoot() / size : 0
    }
    let largestRatio = ratios.max() ?? 0
    findings[.largeUpdates] = Finding(fired: !(largestRatio <= 0.3), measurement: "largest first-step ‖η g‖/‖w‖ \(format(largestRatio))")
    // Batches of one class.
    let singles = (0..<epochs).reduce(0) { total, epoch in
        let indices = order.order(epoch: epoch, count: training.count)
        return total
            + stride(from: 0, to: indices.count, by: batchSize).filter { start in
                Set(indices[start..<min(start + batchSize, indices.count)].map { training.labels[$0] }).count == 1
            }.count
    }
    let batches = epochs * ((training.count + batchSize - 1) / batchSize)
    findings[.singleClassBatches] = Finding(fired: singles * 2 > batches, measurement: "\(singles) of \(batches) batches hold one class")

    // Training.
    var history: [EpochRecord] = []
    var trained: Sequential
    if bug == .gradientsNeverZeroed {
        var step = ForgetfulStep(model: model, optimizer: SGD(learningRate: learningRate))
        let run = train(&step, on: training, validation: validation, epochs: epochs, batchSize: batchSize, order: order)
        (trained, history) = (step.model, run.history)
    } else {
        var step = SupervisedStep(model: model, loss: lossUsed, optimizer: SGD(learningRate: learningRate))
        let run = train(&step, on: training, validation: validation, epochs: epochs, batchSize: batchSize, order: order)
        (trained, history) = (step.model, run.history)
    }
    // After training: non-finite values in the records or the model.
    let lossesFinite = history.allSatisfy { $0.trainingLoss.isFinite }
    let parametersFinite = trained.parameters.allSatisfy { ($0.value + $0.gradient).allSatisfy(\.isFinite) }
    findings[.nonFinite] = Finding(
        fired: !(lossesFinite && parametersFinite),
        measurement: lossesFinite && parametersFinite
            ? "all finite" : "first non-finite training loss at epoch \(history.firstIndex { !$0.trainingLoss.isFinite }.map { "\($0 + 1)" } ?? "–")")
    let staleness = staleGradient(start, bug: bug, training: training, order: order, batchSize: batchSize, learningRate: learningRate, loss: lossUsed)
    findings[.staleGradients] = Finding(
        fired: !(staleness <= 1e-9), measurement: "step 2's gradient differs from its batch's own by \(format(staleness)) (relative)")
    let firstEpochLoss = history.first?.trainingLoss ?? .nan
    findings[.risingLoss] = Finding(
        fired: !(firstEpochLoss <= initialLoss), measurement: "loss \(format(initialLoss)) at the start, \(format(firstEpochLoss)) over epoch 1")
    let accuracy = history.last?.validation?.accuracy ?? 0
    findings[.chanceValidation] = Finding(
        fired: !(accuracy > 1 / classes + 0.2), measurement: "validation accuracy \(format(accuracy)) (chance \(format(1 / classes)))")
    let unchanged = zip(start.namedParameters, trained.namedParameters).filter { $0.parameter.value == $1.parameter.value }.map(\.0.name)
    findings[.unchangedParameters] = Finding(
        fired: !unchanged.isEmpty, measurement: unchanged.isEmpty ? "every parameter moved" : "unchanged: \(unchanged.joined(separator: ", "))")
    return ZooRun(bug: bug, findings: findings, validationAccuracy: accuracy)
}

/// How far the gradient the second step of training uses is from the gradient of its batch
/// alone (relative, in norm): 0 when gradients are zeroed before each backward pass, the
/// first step's gradient (relative to the second's) when they are not. Replays the run's
/// first two steps from its start.
func staleGradient(
    _ start: Sequential, bug: TrainingBug?, training: ClassificationSet, order: BatchOrder, batchSize: Int, learningRate: Double, loss: ZooLoss
) -> Double {
    var model = start
    var sgd = SGD(learningRate: learningRate)
    let indices = order.order(epoch: 0, count: training.count)
    var used: [Double] = []
    var fresh: [Double] = []
    for step in 0..<2 {
        let batch = Array(indices[(step * batchSize)...].prefix(batchSize))
        let (x, labels) = (Tensor(batchMatrix(training.inputs, batch)), batch.map { training.labels[$0] })
        if bug != .gradientsNeverZeroed { model.zeroGradients() }
        var alone = model
        alone.zeroGradients()
        alone.backwardSkippingInputGradient(loss.evaluate(alone.forward(x, mode: .training), labels).gradient)
        model.backwardSkippingInputGradient(loss.evaluate(model.forward(x, mode: .training), labels).gradient)
        used = model.parameters.flatMap(\.gradient)
        fresh = alone.parameters.flatMap(\.gradient)
        sgd.step(&model)
    }
    let difference = zip(used, fresh).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    let size = fresh.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return size > 0 ? difference / size : difference
}

func format(_ x: Double) -> String { x.isFinite ? String(format: "%.3g", x) : "\(x)" }
