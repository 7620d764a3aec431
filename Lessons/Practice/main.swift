// Chapter 11 — Practice: the whole training pipeline, honest evaluation, search,
// transfer, augmentation, a zoo of broken networks, lower precision, and four short
// readings past the curriculum.
// Run: swift run practice

import Activations
import Backprop
import CNN
import Datasets
import Foundation
import LinearAlgebra
import Notebook
import NumericChecks
import Optimizers
import Practice
import Randomness
import Regularization

let lesson = Lesson(
    command: "practice",
    title: "Chapter 11 · Practice: training, evaluating, debugging",
    summary: """
        The craft around the models: one pipeline from split to test set, with a \
        checkpoint resumed; metrics beyond accuracy; grid and random search; transfer \
        from digits 0–4 to 5–9; augmentation; nine broken networks and the checks that \
        catch them; Float16 and loss scaling; and four short readings.
        """)

// MARK: - Data and models

let digits = try Digits.load()
// Chapter 3's split (1437 training, 360 test images), pixels scaled to [0, 1]; the last
// 300 training images are the validation set.
let rawSplit: (train: ClassificationSet, test: ClassificationSet) = {
    var splitter = MersenneTwister(seed: 0)
    return digits.split(testFraction: 0.2, order: splitter.permutation(digits.count))
}()
func scaled(_ set: ClassificationSet) -> ClassificationSet {
    ClassificationSet(inputs: set.inputs.map { $0.map { $0 / Digits.maxPixel } }, labels: set.labels, classCount: set.classCount)
}
let chapterTraining = scaled(rawSplit.train)
let trainCount = chapterTraining.count - 300
let training = chapterTraining.subset(Array(0..<trainCount))
let validation = chapterTraining.subset(Array(trainCount..<chapterTraining.count))
let test = scaled(rawSplit.test)

/// The chapter's CNN (``digitsCNN``) drawn from its own seed. Layer 7 is the head.
func smallCNN(classes: Int = 10, seed: UInt64) -> Sequential {
    var rng = SeededGenerator(seed: seed)
    return digitsCNN(classes: classes, using: &rng)
}
let headIndex = 7

func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
func spread(_ values: [Double]) -> String { "\(percent(values.min()!))–\(percent(values.max()!))" }

// MARK: - 1

lesson.section("Before training: four checks that cost seconds")
lesson.prose(
    """
    Karpathy's recipe for training networks starts before any real training: check \
    what a fresh network should do, and only then let it learn. On the chapter's \
    CNN (\(smallCNN(seed: lesson.seed).parameterCount) parameters) and the digits, with \
    \(training.count) images to train on, the last \(validation.count) of Chapter 3's training set to \
    choose with, and \(test.count) test images kept for the end:
    """)
var fresh = smallCNN(seed: lesson.seed)
let trainX = Tensor(batchMatrix(training.inputs, training.inputs.indices))
let initialLoss = SoftmaxCrossEntropy().evaluate(fresh.predict(trainX), training.labels).loss
let lnK = expectedInitialLoss(classes: 10)
let tinyBatch = Array(0..<20)
let tinyX = Tensor(batchMatrix(training.inputs, tinyBatch))
let tinyLabels = tinyBatch.map { training.labels[$0] }
let overfit = overfitOneBatch(fresh, inputs: tinyX, targets: tinyLabels, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 0.01), steps: 100)
var jitterRNG = SeededGenerator(seed: lesson.seed + 3)
let checkX = Tensor(shape: [4, 64], values: batchMatrix(training.inputs, Array(0..<4)).values.map { $0 + 0.01 * jitterRNG.normal() })
let checkLabels = Array(training.labels[0..<4])
var analyticModel = fresh
analyticModel.zeroGradients()
analyticModel.backwardSkippingInputGradient(SoftmaxCrossEntropy().evaluate(analyticModel.forward(checkX, mode: .training), checkLabels).gradient)
let gradientReport = checkParameterGradients(fresh, analytic: analyticModel) {
    var probe = $0
    return SoftmaxCrossEntropy().evaluate(probe.forward(checkX, mode: .training), checkLabels).loss
}
let worstCheck = gradientReport.map(\.worstRelativeError).max()!
let initialStats = layerStatistics(fresh, inputs: trainX, targets: training.labels, loss: SoftmaxCrossEntropy(), learningRate: 3e-3)
lesson.table(
    headers: ["check", "measured", "expected"],
    rows: [
        ["initial loss", decimal(initialLoss, 3), "≈ ln 10 = \(decimal(lnK, 3))"],
        ["20 images, 100 Adam steps", "\(decimal(overfit.before, 3)) → \(compact(overfit.after, significant: 2))", "→ near 0"],
        ["gradient check, all \(gradientReport.count) tensors", "worst \(compact(worstCheck, significant: 2))", "< 1e-7"],
        ["dead ReLU units at the start", percent(initialStats.compactMap(\.deadFraction).max()!), "few"],
    ])
lesson.prose(
    """
    The initial loss is \(decimal(initialLoss / lnK, 2))× ln 10: the outputs start \
    \(abs(initialLoss / lnK - 1) < 0.25 ? "close to uniform, as they should" : "far from uniform: the initialization needs a look"). \
    The network \(overfit.after < 0.05 ? "drives the loss of 20 images to \(compact(overfit.after, significant: 2))" : "cannot drive the loss of 20 images below \(compact(overfit.after, significant: 2))"): \
    a network that cannot memorize a handful of samples has a bug no amount of data \
    fixes. The backward pass agrees with central differences \
    \(worstCheck < 1e-7 ? "on every parameter" : "only to \(compact(worstCheck, significant: 2))"). \
    Per layer, one training step would change the weights by these fractions \
    (‖η g‖/‖w‖ with η = 0.003; around 1e-3 is the usual healthy size):
    """)
lesson.table(
    headers: ["layer", "kind", "output mean", "output sd", "update ratio"],
    rows: initialStats.filter { $0.updateRatio != nil }.map {
        ["\($0.index)", $0.kind, decimal($0.outputMean, 3), decimal($0.outputDeviation, 3), compact($0.updateRatio!, significant: 2)]
    })

// MARK: - 2

lesson.section("The whole pipeline, paused and resumed")
let pipelineEpochs = 30
let pausedAt = 10
let pipelineRate = 3e-3
lesson.prose(
    """
    One training run with everything a real one has: Adam (η₀ = \(pipelineRate)) on a \
    cosine schedule over \(pipelineEpochs) epochs, gradients clipped to norm 5, batches \
    of 32 shuffled by a seeded order, and early stopping (patience 4) that keeps the \
    epoch with the lowest validation loss. The run is paused after epoch \
    \(pausedAt) and saved to a checkpoint file: the model, Adam's m and v and step \
    count, the epoch, and what early stopping has seen. A fresh model and optimizer \
    read it back and train on, beside a run that was never interrupted.
    """)
func pipelinePlugins(_ stopping: EarlyStopping) -> TrainingPlugins {
    TrainingPlugins([
        LearningRateSchedule(.cosine(period: pipelineEpochs, minimum: 1e-4), initial: pipelineRate), GradientClipping(maxNorm: 5), stopping,
    ])
}
func pipelineStep(seed: UInt64) -> SupervisedStep<Sequential, SoftmaxCrossEntropy, Adam> {
    SupervisedStep(model: smallCNN(seed: seed), loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: pipelineRate))
}
var orderRNG = SeededGenerator(seed: lesson.seed + 1)
let pipelineOrder = BatchOrder.shuffled(epochs: pipelineEpochs, count: training.count, using: &orderRNG)

var whole = pipelineStep(seed: lesson.seed)
var wholePlugins = pipelinePlugins(EarlyStopping(patience: 4))
let progress = lesson.progress("training without a pause", total: pipelineEpochs)
let uninterrupted = train(
    &whole, on: training, validation: validation, epochs: pipelineEpochs, batchSize: 32, order: pipelineOrder, plugins: &wholePlugins,
    evaluatesTrainingSet: false
) { record in progress.advance(note: "validation \(percent(record.validation!.accuracy!))") }

var firstPart = pipelineStep(seed: lesson.seed)
var firstPlugins = pipelinePlugins(EarlyStopping(patience: 4))
let beforePause = train(
    &firstPart, on: training, validation: validation, epochs: pipelineEpochs, batchSize: 32, order: pipelineOrder, plugins: &firstPlugins,
    evaluatesTrainingSet: false, pausingAfter: pausedAt)
var checkpoint = Checkpoint()
checkpoint.store(firstPart.model)
checkpoint.store(firstPart.optimizer, of: firstPart.model)
checkpoint.store(pausedAt, as: "epoch")
(firstPlugins.list[2] as! EarlyStopping).store(in: &checkpoint, for: firstPart.model)
// The file goes in a directory of this run's own, removed with everything in it afterwards:
// nothing else is ever deleted.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("practice-lesson-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: false)
let checkpointURL = scratch.appendingPathComponent("pipeline.checkpoint")
try checkpoint.write(to: checkpointURL)
let fileSize = (try FileManager.default.attributesOfItem(atPath: checkpointURL.path)[.size] as? Int) ?? 0
var saved = try Checkpoint(contentsOf: checkpointURL)
try FileManager.default.removeItem(at: scratch)
var resumed = pipelineStep(seed: lesson.seed + 99)  // other weights: every value comes from the file
try saved.restore(&resumed.model)
try saved.restore(&resumed.optimizer, of: resumed.model)
var restoredStopping = EarlyStopping(patience: 4)
try restoredStopping.restore(from: &saved, for: resumed.model)
let resumeEpoch = try saved.integer("epoch")
try saved.requireAllRestored()
var resumedPlugins = pipelinePlugins(restoredStopping)
let afterPause = train(
    &resumed, on: training, validation: validation, epochs: pipelineEpochs, batchSize: 32, order: pipelineOrder, plugins: &resumedPlugins,
    evaluatesTrainingSet: false, firstEpoch: resumeEpoch)

let sameHistory = beforePause.history + afterPause.history == uninterrupted.history
let sameWeights = resumed.model.namedParameters.map(\.parameter.value) == whole.model.namedParameters.map(\.parameter.value)
let model = whole.model
lesson.table(
    headers: ["run", "epochs run", "kept epoch", "validation loss kept"],
    rows: [
        [
            "never interrupted", "\(uninterrupted.history.count)", "\(uninterrupted.keptEpoch)",
            decimal(uninterrupted.history[uninterrupted.keptEpoch - 1].validation!.loss, 4),
        ],
        [
            "paused at \(pausedAt), resumed", "\(pausedAt) + \(afterPause.history.count)", "\(afterPause.keptEpoch)",
            decimal(
                afterPause.history.last(where: { $0.epoch == afterPause.keptEpoch })?.validation!.loss
                    ?? beforePause.history[afterPause.keptEpoch - 1].validation!.loss, 4),
        ],
    ])
lesson.prose(
    """
    The checkpoint file holds \(checkpoint.entries.count) named arrays in \(fileSize) bytes. \
    \(sameHistory && sameWeights ? "The resumed run is the same run: every epoch's record and every final weight are equal bit for bit" : "The resumed run differs from the uninterrupted one: something was not saved"). \
    Early stopping \(uninterrupted.stoppedEarly ? "ended training after epoch \(uninterrupted.history.count) and put back epoch \(uninterrupted.keptEpoch)" : uninterrupted.keptEpoch < uninterrupted.history.count ? "never saw 4 epochs in a row without improvement, so training ran to the end, and then put back epoch \(uninterrupted.keptEpoch), the lowest validation loss" : "never fired, and the last epoch had the lowest validation loss"). \
    Resuming needs more than the weights: without Adam's m and v the first steps \
    after the pause would be different steps; without early stopping's best model the \
    run could not go back past the pause; and the schedule is told η₀, because the rate \
    Adam carries at the pause is already the decayed one.
    """)
lesson.plot(
    LinePlot(
        title: "the pipeline's losses per epoch", xLabel: "epoch", yLabel: "loss",
        series: [
            LinePlot.Series("training (mean over the epoch)", x: uninterrupted.history.map { Double($0.epoch) }, y: uninterrupted.history.map(\.trainingLoss)),
            LinePlot.Series("validation", x: uninterrupted.history.map { Double($0.epoch) }, y: uninterrupted.history.map { $0.validation!.loss }),
        ], logScaleY: true))

// MARK: - 3

lesson.section("Accuracy is not the whole story")
let predictions = model.classify(test.inputs)
let report = ClassificationReport(truth: test.labels, predicted: predictions, classCount: 10)
lesson.prose(
    """
    The test set is used once, here, on the kept model. For each class c, precision \
    is the share of the images predicted c that are c, recall the share of the c's \
    found, and F1 their harmonic mean. The macro average weighs every class alike; the \
    weighted one by its support (its number of test images); the micro average pools \
    every decision, which for single-label classes equals the accuracy. A class never \
    predicted has precision 0/0, counted as 0 (scikit-learn's zero_division default).
    """)
lesson.output(report.text(places: 3))
let counts = report.matrix.counts
lesson.table(
    headers: ["true \\ predicted"] + (0..<10).map(String.init),
    rows: (0..<10).map { c in ["\(c)"] + (0..<10).map { p in counts[c][p] == 0 ? "·" : "\(counts[c][p])" } })
let f1s = report.classes.map(\.f1)
let worstClass = f1s.indices.min { f1s[$0] < f1s[$1] }!
var worstConfusion = (truth: 0, predicted: 1, count: -1)
for c in 0..<10 { for p in 0..<10 where p != c && counts[c][p] > worstConfusion.count { worstConfusion = (c, p, counts[c][p]) } }
let wrong = test.inputs.indices.filter { predictions[$0] != test.labels[$0] }
lesson.prose(
    """
    Accuracy \(percent(report.accuracy)): \(wrong.count) of \(test.count) test images wrong. \
    The weakest class is \(worstClass) (F1 \(decimal(f1s[worstClass], 3)), precision \
    \(decimal(report.classes[worstClass].precision, 3)), recall \(decimal(report.classes[worstClass].recall, 3))), and the \
    most frequent confusion is a \(worstConfusion.truth) read as a \(worstConfusion.predicted) \
    (\(worstConfusion.count) time\(worstConfusion.count == 1 ? "" : "s")). The misclassified \
    digits themselves:
    """)
let shown = Array(wrong.prefix(8))
if !shown.isEmpty {
    lesson.plot(Heatmap(title: "misclassified test digits", tiling: shown.map { test.inputs[$0] }, height: 8, width: 8, perRow: 4))
    lesson.table(
        headers: ["image"] + shown.indices.map { "\($0 + 1)" },
        rows: [["true"] + shown.map { "\(test.labels[$0])" }, ["predicted"] + shown.map { "\(predictions[$0])" }])
}

// MARK: - 4

lesson.section("Grid search and random search")
let searchEpochs = 8
lesson.prose(
    """
    Two settings to choose for a 64–h–10 MLP trained with plain SGD (batches of 32, \
    \(searchEpochs) epochs): the learning rate η and the width h. Both searches get the same \
    budget, 9 trainings, each with its own seed, each scored on the validation set \
    (the test set is not the search's to see). The grid tries 3 rates × 3 widths; the \
    random search draws η log-uniformly from [0.001, 3] (every decade gets the same \
    share of draws) and h uniformly from 8…64.
    """)
@Sendable func searchScore(_ settings: [String: Double], _ seed: UInt64) -> Double {
    var rng = SeededGenerator(seed: seed)
    var mlp = Sequential(sizes: [64, Int(settings["width"]!), 10], hidden: .relu, initialization: .he, using: &rng)
    var sgd = SGD(learningRate: settings["learning rate"]!)
    let run = train(
        &mlp, on: training, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: searchEpochs, batchSize: 32,
        order: .shuffled(epochs: searchEpochs, count: training.count, using: &rng), evaluatesTrainingSet: false)
    let accuracy = run.history.last!.validation!.accuracy!
    return accuracy.isFinite ? accuracy : 0
}
let grid = gridSearch(["learning rate": [0.01, 0.1, 1], "width": [8, 32, 64]], seed: lesson.seed, evaluate: searchScore)
let random = randomSearch(
    ["learning rate": .logUniform(0.001...3), "width": .integers(8...64)], trials: 9, seed: lesson.seed, evaluate: searchScore)
func trialRows(_ trials: [Trial]) -> [[String]] {
    trials.map { ["\(compact($0.settings["learning rate"]!, significant: 3))", "\(Int($0.settings["width"]!))", percent($0.score)] }
}
lesson.table(headers: ["grid: η", "h", "validation"], rows: trialRows(grid))
lesson.table(headers: ["random: η", "h", "validation"], rows: trialRows(random))
let (bestGrid, bestRandom) = (grid.best!, random.best!)
lesson.plot(
    ScatterPlot(
        title: "validation accuracy against the learning rate", xLabel: "log₁₀ η", yLabel: "accuracy",
        points: (grid + random).map { [log10($0.settings["learning rate"]!), $0.score] }, labels: grid.map { _ in 0 } + random.map { _ in 1 },
        classNames: ["grid", "random"], xRange: -3...0.5, yRange: 0...1))
let distinctRates = Set(random.map { $0.settings["learning rate"]! }).count
lesson.prose(
    """
    The grid's best is η = \(compact(bestGrid.settings["learning rate"]!, significant: 3)), h = \(Int(bestGrid.settings["width"]!)) \
    (\(percent(bestGrid.score))); the random search's best is η = \(compact(bestRandom.settings["learning rate"]!, significant: 3)), \
    h = \(Int(bestRandom.settings["width"]!)) (\(percent(bestRandom.score))). \
    \(bestRandom.score > bestGrid.score ? "Random search found the better setting here" : bestRandom.score == bestGrid.score ? "The two searches tie here" : "The grid found the better setting here"), \
    by \(decimal(abs(bestRandom.score - bestGrid.score) * Double(validation.count), 0)) validation images. \
    With the same budget the grid tried 3 learning rates and random search \(distinctRates): \
    when one setting matters much more than the other, random draws try more of its \
    values (Bergstra and Bengio, 2012). With 9 trials and one seed each, a difference of a \
    few images is within what another seed would change.
    """)

// MARK: - 5

lesson.section("Transfer: from digits 0–4 to digits 5–9")
let low = (0..<5)
func relabelled(_ set: ClassificationSet, _ classes: Range<Int>) -> ClassificationSet {
    let kept = set.labels.indices.filter { classes.contains(set.labels[$0]) }
    return ClassificationSet(inputs: kept.map { set.inputs[$0] }, labels: kept.map { set.labels[$0] - classes.lowerBound }, classCount: classes.count)
}
let pretrainSet = relabelled(training, 0..<5)
let highTraining = relabelled(training, 5..<10)
let highTest = relabelled(test, 5..<10)
let transferSteps = 150
let transferRate = 0.01
var pretrained = smallCNN(classes: 5, seed: lesson.seed + 5)
var pretrainAdam = Adam(learningRate: 3e-3)
var pretrainRNG = SeededGenerator(seed: lesson.seed + 6)
train(
    &pretrained, on: pretrainSet, loss: SoftmaxCrossEntropy(), optimizer: &pretrainAdam, epochs: 15, batchSize: 32,
    order: .shuffled(epochs: 15, count: pretrainSet.count, using: &pretrainRNG), evaluatesTrainingSet: false)
let pretrainedAccuracy = pretrained.accuracy(on: relabelled(test, 0..<5))
lesson.prose(
    """
    A network pretrained on one task has learned features another may share. The CNN \
    is trained on the \(pretrainSet.count) training images of 0–4 (15 epochs; \(percent(pretrainedAccuracy)) on the \
    test images of 0–4). For 5–9, with only 10, 50 or 200 labelled images, three ways \
    to train (Adam, η = \(transferRate), batches of up to 16, \(transferSteps) steps whatever the number of \
    labels), each from 3 seeds:
    """)
lesson.output(
    """
    scratch      a fresh CNN, every layer trained
    frozen       the pretrained conv layer frozen, new dense layers trained
    fine-tuned   the pretrained conv layer at η/10, new dense layers at η
    """)
enum TransferMethod: String, CaseIterable { case scratch, frozen, fineTuned = "fine-tuned" }
@MainActor func transferAccuracy(_ method: TransferMethod, labelled: Int, seed: UInt64) -> Double {
    var rng = SeededGenerator(seed: seed)
    let chosen = Array(rng.shuffled(Array(0..<highTraining.count)).prefix(labelled))
    let subset = highTraining.subset(chosen)
    var network = method == .scratch ? smallCNN(classes: 5, seed: seed + 1) : pretrained
    if method != .scratch {  // a new classifier: the dense layers drawn afresh
        var headRNG = SeededGenerator(seed: seed + 2)
        network.layers[5] = Dense(inputs: 8 * 4 * 4, outputs: 32, initialization: .he, using: &headRNG, name: "hidden")
        network.layers[headIndex] = Dense(inputs: 32, outputs: 5, initialization: .xavier, using: &headRNG, name: "head")
    }
    let backbone = ["1."]  // the convolutional layer
    if method == .frozen { for prefix in backbone { network.setFrozen(true, namesStartingWith: prefix) } }
    var optimizer = ParameterGroups(
        Adam(learningRate: transferRate), groups: method == .fineTuned ? [.init(prefixes: backbone, learningRateScale: 0.1)] : [])
    let epochs = transferSteps / ((labelled + 15) / 16)
    train(
        &network, on: subset, loss: SoftmaxCrossEntropy(), optimizer: &optimizer, epochs: epochs, batchSize: 16,
        order: .shuffled(epochs: epochs, count: subset.count, using: &rng), evaluatesTrainingSet: false)
    return network.accuracy(on: highTest)
}
let labelCounts = [10, 50, 200]
let transferProgress = lesson.progress("transfer runs", total: labelCounts.count * 3 * 3)
var transferResults: [TransferMethod: [Int: [Double]]] = [:]
for method in TransferMethod.allCases {
    for n in labelCounts {
        transferResults[method, default: [:]][n] = (0..<3).map { k in
            defer { transferProgress.advance() }
            return transferAccuracy(method, labelled: n, seed: lesson.seed + 100 + UInt64(k) * 10)
        }
    }
}
lesson.table(
    headers: ["test accuracy, 5–9"] + labelCounts.map { "\($0) labels" },
    rows: TransferMethod.allCases.map { method in
        [method.rawValue]
            + labelCounts.map { "\(percent(mean(transferResults[method]![$0]!))) ±\(decimal(spreadHalf(transferResults[method]![$0]!) * 100, 1))" }
    })
func spreadHalf(_ values: [Double]) -> Double { (values.max()! - values.min()!) / 2 }
let bestAt = labelCounts.map { n in TransferMethod.allCases.max { mean(transferResults[$0]![n]!) < mean(transferResults[$1]![n]!) }! }
/// How a pretrained method compares with scratch at each label count, in points.
@MainActor func gains(_ method: TransferMethod) -> [Double] {
    labelCounts.map { (mean(transferResults[method]![$0]!) - mean(transferResults[.scratch]![$0]!)) * 100 }
}
let (frozenGains, tunedGains) = (gains(.frozen), gains(.fineTuned))
func describe(_ g: [Double]) -> String {
    zip(labelCounts, g).map { n, points in
        let shown = decimal(abs(points), 1)
        return "\(shown == "0.0" ? "±" : points > 0 ? "+" : "−")\(shown) at \(n)"
    }.joined(separator: ", ")
}
lesson.prose(
    """
    Each cell is the mean over the 3 seeds ± half their range, on the \(highTest.count) test \
    images of 5–9. Against training from scratch, in points: frozen \(describe(frozenGains)); \
    fine-tuned \(describe(tunedGains)). The best method is \(bestAt[0].rawValue) with 10 labels, \
    \(bestAt[1].rawValue) with 50 and \(bestAt[2].rawValue) with 200. \
    \(bestAt.allSatisfy { $0 == .scratch } ? "Here the pretrained filters do not pay: eight 3×3 filters learned on five digits are close to what a fresh network finds on its own in 150 steps, and the transfer gains the textbooks show come from large networks pretrained on far more data." : tunedGains[0] > 0 || frozenGains[0] > 0 ? "The pretrained filters help most where labels are fewest." : "The pretrained filters help only with more labels here.") \
    Fine-tuning \(zip(tunedGains, frozenGains).allSatisfy { $0 >= $1 } ? "is at least as good as freezing at every label count: letting the filters adapt, slowly, costs little" : "does not match freezing everywhere"). \
    A frozen parameter is skipped by the optimizer, by clipping and by weight \
    penalties; its gradient is still computed, so layers below it could still learn.
    """)

// MARK: - 6

lesson.section("Augmentation: more data from the data there is")
let smallCount = 100
let augmentEpochs = 150
lesson.prose(
    """
    With \(smallCount) training images, each epoch can show every image transformed afresh, \
    drawn per epoch and batch from a seeded generator: turned by a uniform angle up to \
    ±15°, or also moved by a whole pixel (−1, 0 or 1) along each axis (bilinear \
    interpolation, 0 outside the image; the formulas are in the library's \
    ImageTransform). The same CNN and budget (Adam, η = 0.003, batches of 20, \
    \(augmentEpochs) epochs), 3 seeds each, scored on the validation set:
    """)
let rotations = ImageTransform.digitJitter(maxShift: 0, maxDegrees: 15)
let rotationsAndShifts = ImageTransform.digitJitter(maxShift: 1, maxDegrees: 15)
var showRNG = SeededGenerator(seed: lesson.seed + 7)
let original = Tensor(shape: [1, 64], values: training.inputs[0])
lesson.plot(
    Heatmap(
        title: "a digit, two turned, two turned and shifted",
        tiling: [training.inputs[0]] + (0..<2).map { _ in rotations(original, &showRNG).values }
            + (0..<2).map { _ in rotationsAndShifts(original, &showRNG).values },
        height: 8, width: 8, perRow: 5))
@MainActor func augmentationAccuracy(_ transform: (@Sendable (Tensor, inout SeededGenerator) -> Tensor)?, seed: UInt64) -> Double {
    var rng = SeededGenerator(seed: seed)
    let subset = training.subset(Array(rng.shuffled(Array(0..<training.count)).prefix(smallCount)))
    var network = smallCNN(seed: seed + 1)
    var adam = Adam(learningRate: 3e-3)
    let order = BatchOrder.shuffled(epochs: augmentEpochs, count: smallCount, using: &rng)
    if let transform {
        train(
            &network, on: Augmented(subset, seed: seed + 2, transform: transform), loss: SoftmaxCrossEntropy(), optimizer: &adam,
            epochs: augmentEpochs, batchSize: 20, order: order, evaluatesTrainingSet: false)
    } else {
        train(
            &network, on: subset, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: augmentEpochs, batchSize: 20, order: order, evaluatesTrainingSet: false
        )
    }
    return network.accuracy(on: validation)
}
let augmentSeeds = (0..<3).map { lesson.seed + 200 + UInt64($0) * 10 }
let plainRuns = augmentSeeds.map { augmentationAccuracy(nil, seed: $0) }
let rotatedRuns = augmentSeeds.map { augmentationAccuracy(rotations, seed: $0) }
let shiftedRuns = augmentSeeds.map { augmentationAccuracy(rotationsAndShifts, seed: $0) }
lesson.table(
    headers: ["training on 100 images", "validation, mean", "range over 3 seeds"],
    rows: [
        ["as they are", percent(mean(plainRuns)), spread(plainRuns)], ["turned", percent(mean(rotatedRuns)), spread(rotatedRuns)],
        ["turned and shifted", percent(mean(shiftedRuns)), spread(shiftedRuns)],
    ])
func verdict(_ runs: [Double]) -> String {
    let wins = zip(runs, plainRuns).filter { $0 > $1 }.count
    return
        "\(mean(runs) > mean(plainRuns) ? "raises" : "does not raise") the mean (\(percent(mean(plainRuns))) → \(percent(mean(runs)))) and wins for \(wins) of the 3 seeds"
}
lesson.prose(
    """
    Turning \(verdict(rotatedRuns)); turning and shifting \(verdict(shiftedRuns)). The same \
    seeds draw the same images and initial weights in every row. A transform helps \
    when it changes the image without changing the digit\
    \(mean(shiftedRuns) < mean(rotatedRuns) ? ": here the shifts cost accuracy, and on an 8×8 image one pixel is an eighth of the digit's width, enough to push strokes off the edge" : ""); \
    a 180° turn would make a 6 a 9 and teach the network wrong.
    """)

// MARK: - 7

lesson.section("A zoo of broken networks")
lesson.prose(
    """
    Nine ways a training set-up goes wrong, each planted in one small classifier \
    (three Gaussian blobs in 4-D, 4–16–16–3 with ReLU, plain SGD η = 0.1, 10 epochs), \
    and nine checks with stated thresholds, all run on every set-up. Each row: the \
    bug, the validation accuracy it ends with (the healthy network's beside it), and \
    whether its own detector fired; below, what each detector measured, on the bug \
    and on the healthy run.
    """)
let zooSeed: UInt64 = 3
let healthy = runZoo(nil, seed: zooSeed)
let zooRuns = TrainingBug.allCases.map { runZoo($0, seed: zooSeed) }
lesson.table(
    headers: ["bug", "validation", "own detector", "others fired"],
    rows: zooRuns.map { run in
        let bug = run.bug!
        return [
            "\(TrainingBug.allCases.firstIndex(of: bug)! + 1). \(shortName(bug))", percent(run.validationAccuracy),
            run.findings[bug.detector]!.fired ? "fired" : "silent", "\(run.fired.filter { $0 != bug.detector }.count)",
        ]
    } + [["healthy", percent(healthy.validationAccuracy), "–", "\(healthy.fired.count)"]])
func shortName(_ bug: TrainingBug) -> String {
    switch bug {
    case .deadReLUs: "dead ReLUs"
    case .explodingInitialization: "exploding init"
    case .unshiftedSoftmax: "unshifted softmax"
    case .summedLoss: "summed loss"
    case .gradientsNeverZeroed: "grads never zeroed"
    case .learningRateTooHigh: "η too high"
    case .sortedUnshuffled: "never shuffled"
    case .misalignedLabels: "misaligned labels"
    case .frozenByMistake: "frozen by mistake"
    }
}
for run in zooRuns {
    let bug = run.bug!
    lesson.prose(
        """
        \(TrainingBug.allCases.firstIndex(of: bug)! + 1). \(bug.rawValue). Check: \(bug.detector.rawValue). \
        Measured: \(run.findings[bug.detector]!.measurement); healthy: \(healthy.findings[bug.detector]!.measurement).
        """)
}
let allCaught = zooRuns.allSatisfy { $0.findings[$0.bug!.detector]!.fired } && healthy.fired.isEmpty
lesson.prose(
    """
    \(allCaught ? "Every bug fires its own detector and the healthy run fires none." : "Not every bug fires its detector here, or the healthy run fires one: the thresholds need a look.") \
    Some bugs leave accuracy looking fine \
    (\(zooRuns.filter { $0.validationAccuracy >= healthy.validationAccuracy - 0.02 }.map { shortName($0.bug!) }.joined(separator: ", "))): \
    accuracy alone would not have found them.
    """)

lesson.prose(
    """
    Four more pitfalls, each as a measurement. Vanishing and exploding gradients, in \
    8 dense layers of width 64 on one batch of digits before training: the spread \
    of the weights' gradient in the first layer against the last, and of the \
    outputs of the last hidden layer against the first, for sigmoid at half \
    Xavier's scale, tanh at Xavier's, and ReLU at 1.5 × He's:
    """)
@MainActor func depthStatistics(_ activation: Activation, _ initialization: Initialization, scale: Double) -> (gradientRatio: Double, outputRatio: Double) {
    var rng = SeededGenerator(seed: lesson.seed + 8)
    var deep = Sequential(sizes: [64] + [Int](repeating: 64, count: 7) + [10], hidden: activation, initialization: initialization, using: &rng)
    deep.visitParameters { if $0.decays { $0.value = $0.value.map { $0 * scale } } }
    let stats = layerStatistics(deep, inputs: trainX, targets: training.labels, loss: SoftmaxCrossEntropy(), learningRate: 1)
    let gradients = stats.compactMap(\.gradientDeviation)
    let hiddenOutputs = stats.filter { $0.kind == activation.name }.map(\.outputDeviation)
    return (gradients.first! / gradients.last!, hiddenOutputs.last! / hiddenOutputs.first!)
}
let depthRows: [(String, (gradientRatio: Double, outputRatio: Double))] = [
    ("sigmoid, ½ × Xavier", depthStatistics(.sigmoid, .xavier, scale: 0.5)), ("tanh, Xavier", depthStatistics(.tanh, .xavier, scale: 1)),
    ("ReLU, 1.5 × He", depthStatistics(.relu, .he, scale: 1.5)),
]
lesson.table(
    headers: ["network", "gradient, first/last", "output, last/first"],
    rows: depthRows.map { [$0.0, compact($0.1.gradientRatio, significant: 2), compact($0.1.outputRatio, significant: 2)] })
let (sigmoidRow, tanhRow, reluRow) = (depthRows[0].1, depthRows[1].1, depthRows[2].1)
lesson.prose(
    """
    Through sigmoids the first layer's gradient is \(compact(1 / sigmoidRow.gradientRatio, significant: 2))× smaller than the last's: \
    the early layers barely learn (vanishing). With ReLU weights 1.5× too large the \
    outputs of the last hidden layer are \(compact(reluRow.outputRatio, significant: 2))× those of the first, \
    \(decimal(pow(reluRow.outputRatio, 1.0 / 6), 2))× per layer (exploding; a deeper network overflows), \
    while the weights' gradients stay within \(compact(max(reluRow.gradientRatio, 1 / reluRow.gradientRatio), significant: 2))× \
    of each other: the backward signal grows as the inputs shrink going down, so \
    look at the activations too. Tanh at Xavier's scale keeps both within \
    \(compact(max(tanhRow.gradientRatio, 1 / tanhRow.gradientRatio, tanhRow.outputRatio, 1 / tanhRow.outputRatio), significant: 2))×.
    """)
@MainActor func fitGap(sizes: [Int], epochs: Int) -> (training: Double, validation: Double, history: [EpochRecord]) {
    var rng = SeededGenerator(seed: lesson.seed + 9)
    let few = training.subset(Array(0..<100))
    var mlp = Sequential(sizes: sizes, hidden: .relu, initialization: .he, using: &rng)
    var adam = Adam(learningRate: 3e-3)
    let run = train(
        &mlp, on: few, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: epochs, batchSize: 20,
        order: .shuffled(epochs: epochs, count: 100, using: &rng), evaluatesTrainingSet: false)
    return (mlp.accuracy(on: few), mlp.accuracy(on: validation), run.history)
}
let under = fitGap(sizes: [64, 10], epochs: 3)
let over = fitGap(sizes: [64, 256, 256, 10], epochs: 200)
lesson.prose("Under- and overfitting, on 100 training images:")
lesson.table(
    headers: ["model", "training acc.", "validation acc."],
    rows: [("linear, 3 epochs", under), ("64–256–256–10, 200 epochs", over)].map { [$0.0, percent($0.1.training), percent($0.1.validation)] })
let overValidation = over.history.map { $0.validation!.loss }
let bestOverEpoch = overValidation.indices.min { overValidation[$0] < overValidation[$1] }! + 1
lesson.plot(
    LinePlot(
        title: "overfitting: 64–256–256–10 on 100 images", xLabel: "epoch", yLabel: "loss",
        series: [
            LinePlot.Series("training (mean over the epoch)", y: over.history.map(\.trainingLoss)),
            LinePlot.Series("validation", y: overValidation),
        ], logScaleY: true))
lesson.prose(
    """
    Underfitting: low accuracy on the training set itself (\(percent(under.training))); more \
    capacity or more training is the fix. Overfitting: the large network ends at \
    \(percent(over.training)) on the images it trained on and \(percent(over.validation)) on new ones. Its training \
    loss falls to \(compact(over.history.last!.trainingLoss, significant: 2)), while the validation loss is lowest at epoch \
    \(bestOverEpoch) (\(decimal(overValidation[bestOverEpoch - 1], 3))) and \(overValidation.last! > overValidation[bestOverEpoch - 1] * 1.05 ? "climbs to \(decimal(overValidation.last!, 3)) by the end: past that epoch it memorizes" : "stays near it"). \
    More data, augmentation, a penalty or early stopping is the fix. A bad learning \
    rate and a bad initialization are rows 6 and 2 of the zoo.
    """)

// MARK: - 8

lesson.section("Double, Float and Float16")
lesson.prose(
    """
    Lower precision makes training faster on hardware built for it and halves or \
    quarters the memory. Float16 keeps 11 significant bits and spans only 6.1e-5 \
    (smallest normal; subnormals reach 6.0e-8) to 65504: a gradient below 6e-8 \
    becomes 0, and an update smaller than half a weight's spacing is lost. Mixed \
    precision computes in Float16, keeps a master copy of the weights in Float, and \
    multiplies the loss by a scale S before the backward pass (dividing the \
    gradients by S again before the step). The classifier here is a 64–32–10 MLP \
    whose every operation rounds to the type; its softmax runs in Double, as mixed \
    precision keeps it in float32.
    """)
var precisionRNG = SeededGenerator(seed: lesson.seed + 10)
let startMLP = PrecisionMLP<Double>(
    inputs: 64, hidden: 32, classes: 10, w1: precisionRNG.normals(32 * 64).map { $0 * (2.0 / 64).squareRoot() }, b1: [Double](repeating: 0, count: 32),
    w2: precisionRNG.normals(10 * 32).map { $0 * (1.0 / 32).squareRoot() }, b2: [Double](repeating: 0, count: 10))
let precisionEpochs = 15
let precisionBatches: [[Int]] = {
    var rng = SeededGenerator(seed: lesson.seed + 11)
    return (0..<precisionEpochs).flatMap { _ in
        let order = rng.shuffled(Array(0..<training.count))
        return stride(from: 0, to: order.count, by: 64).map { Array(order[$0..<min($0 + 64, order.count)]) }
    }
}()
func precisionAccuracy(_ m: PrecisionMLP<Double>) -> Double {
    Double(zip(m.classify(validation.inputs), validation.labels).filter { $0 == $1 }.count) / Double(validation.count)
}
let doubleRun = trainInPrecision(Double.self, start: startMLP, x: training.inputs, labels: training.labels, batches: precisionBatches, learningRate: 0.1)
let floatRun = trainInPrecision(Float.self, start: startMLP, x: training.inputs, labels: training.labels, batches: precisionBatches, learningRate: 0.1)
// The trained model on its whole training set at once: a batch of 1137, late in training.
let lateGradients = doubleRun.model.gradients(training.inputs, labels: training.labels).gradients
func lostShare<T: BinaryFloatingPoint>(_ g: [T]) -> Double {
    Double(zip(g, lateGradients).filter { $0.0 == 0 && $0.1 != 0 }.count) / Double(lateGradients.filter { $0 != 0 }.count)
}
/// ‖g_T / S − g‖ / ‖g‖ against the Double gradient.
func gradientError<T: BinaryFloatingPoint>(_ g: [T], scale: Double) -> Double {
    let difference = zip(g, lateGradients).reduce(0) { $0 + (Double($1.0) / scale - $1.1) * (Double($1.0) / scale - $1.1) }
    return (difference / lateGradients.reduce(0) { $0 + $1 * $1 }).squareRoot()
}
let subnormalShare = Double(lateGradients.filter { $0 != 0 && abs($0) < 6.1e-5 }.count) / Double(lateGradients.filter { $0 != 0 }.count)
#if !(os(macOS) && arch(x86_64))  // Swift has no Float16 on Intel Macs
    let scales: [Double] = [1, 256, 65536]
    let halfGradients = scales.map {
        PrecisionMLP<Float16>(doubleRun.model).gradients(training.inputs, labels: training.labels, lossScale: Float16($0)).gradients
    }
    let floatGradients = PrecisionMLP<Float>(doubleRun.model).gradients(training.inputs, labels: training.labels).gradients
    let overflowed = halfGradients.map { $0.contains { !$0.isFinite } }
    lesson.prose(
        """
        First, the gradients themselves: the trained model's gradient over all \
        \(training.count) training images (a mean, so each term is divided by \(training.count)), computed \
        again in each type. \(percent(subnormalShare)) of its nonzero entries are below 6.1e-5, where \
        Float16 has fewer significant bits; the table shows the share that comes out \
        exactly 0 and the relative error ‖g − g_Double‖/‖g_Double‖ after dividing by S:
        """)
    lesson.table(
        headers: ["type", "lost to underflow", "relative error", "overflow"],
        rows: [["Float", percent(lostShare(floatGradients)), compact(gradientError(floatGradients, scale: 1), significant: 2), "no"]]
            + scales.indices.map { k in
                overflowed[k]
                    ? ["Float16, S = \(Int(scales[k]))", "–", "–", "yes: ∞"]
                    : [
                        "Float16, S = \(Int(scales[k]))", percent(lostShare(halfGradients[k])),
                        compact(gradientError(halfGradients[k], scale: scales[k]), significant: 2), "no",
                    ]
            })
    let smallRate = 0.01
    func precisionRun<T: BinaryFloatingPoint & Sendable>(_ type: T.Type, rate: Double, _ recipe: PrecisionRecipe = PrecisionRecipe()) -> PrecisionMLP<Double> {
        trainInPrecision(type, start: startMLP, x: training.inputs, labels: training.labels, batches: precisionBatches, learningRate: rate, recipe: recipe)
            .model
    }
    let mixedRecipe = PrecisionRecipe(floatMasterWeights: true, lossScale: 1024)
    let halfSmall = precisionRun(Float16.self, rate: smallRate)
    let rows: [(String, PrecisionMLP<Double>, PrecisionMLP<Double>)] = [
        ("Double", doubleRun.model, precisionRun(Double.self, rate: smallRate)),
        ("Float", floatRun.model, precisionRun(Float.self, rate: smallRate)),
        ("Float16 weights and compute", precisionRun(Float16.self, rate: 0.1), halfSmall),
        (
            "Float16, Float master weights", precisionRun(Float16.self, rate: 0.1, PrecisionRecipe(floatMasterWeights: true)),
            precisionRun(Float16.self, rate: smallRate, PrecisionRecipe(floatMasterWeights: true))
        ),
        ("  … and loss scale 1024", precisionRun(Float16.self, rate: 0.1, mixedRecipe), precisionRun(Float16.self, rate: smallRate, mixedRecipe)),
    ]
    lesson.prose(
        """
        Then whole trainings from the same start (plain SGD, batches of 64, \(precisionEpochs) epochs), \
        validation accuracy, at η = 0.1 and at η = \(smallRate), where each step is ten times smaller:
        """)
    lesson.table(
        headers: ["training in", "η = 0.1", "η = \(smallRate)"], rows: rows.map { [$0.0, percent(precisionAccuracy($0.1)), percent(precisionAccuracy($0.2))] })
    let halfStart = PrecisionMLP<Double>(PrecisionMLP<Float16>(startMLP)).flat
    let unmovedShare = Double(zip(halfSmall.flat, halfStart).filter { $0 == $1 }.count) / Double(halfStart.count)
    let errorWithoutScale = gradientError(halfGradients[0], scale: 1), errorWithScale = gradientError(halfGradients[1], scale: 256)
    lesson.prose(
        """
        In Float16 the late gradient loses \(percent(lostShare(halfGradients[0]))) of its entries outright and is off by \
        \(compact(errorWithoutScale, significant: 2)) overall; scaled by 256 it loses \(percent(lostShare(halfGradients[1]))) and is off by \(compact(errorWithScale, significant: 2))\
        \(errorWithoutScale / errorWithScale > 1.5 ? ", " + compact(errorWithoutScale / errorWithScale, significant: 2) + "× closer" : ": about as far, because most of the error is Float16 rounding every product and sum to 11 bits, which no scale removes"), \
        and 65536 \(overflowed[2] ? "overflows to ∞, which is why dynamic loss scaling halves S and skips the step when that happens" : "still fits"). \
        At η = \(smallRate), \(percent(unmovedShare)) of the weights kept in Float16 ended exactly where they \
        started after \(precisionBatches.count) steps: each of their updates was below half their spacing. \
        Against Double that moves the validation accuracy by \(decimal((precisionAccuracy(halfSmall) - precisionAccuracy(rows[0].2)) * 100, 1)) points in this \
        run, and Float master weights with loss scaling by \(decimal((precisionAccuracy(rows[4].2) - precisionAccuracy(rows[0].2)) * 100, 1)); on \
        longer runs at small rates the stalled weights are the ones mixed precision exists to keep moving.
        """)
#else
    lesson.prose("Swift has no Float16 on Intel Macs: this section shows Double and Float only.")
    _ = (subnormalShare, gradientError(lateGradients, scale: 1))
    lesson.table(
        headers: ["training in", "validation"],
        rows: [["Double", percent(precisionAccuracy(doubleRun.model))], ["Float", percent(precisionAccuracy(floatRun.model))]])
    _ = lostShare
#endif

// MARK: - 9

lesson.section("Four short readings")
lesson.prose(
    """
    Architecture search (NAS). Zoph and Le (2017) trained a controller to propose \
    architectures; Li and Talwalkar (2019) found random search over the same spaces \
    hard to beat. Random search over depth (1–3 hidden layers), width (8–64) and the \
    learning rate, 8 trials, each trained 8 epochs with SGD and scored on validation:
    """)
let architectures = randomSearch(
    ["depth": .integers(1...3), "width": .integers(8...64), "learning rate": .logUniform(0.03...1)], trials: 8, seed: lesson.seed + 12
) { settings, seed in
    var rng = SeededGenerator(seed: seed)
    let depth = Int(settings["depth"]!), width = Int(settings["width"]!)
    var mlp = Sequential(sizes: [64] + [Int](repeating: width, count: depth) + [10], hidden: .relu, initialization: .he, using: &rng)
    var sgd = SGD(learningRate: settings["learning rate"]!)
    let run = train(
        &mlp, on: training, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: 8, batchSize: 32,
        order: .shuffled(epochs: 8, count: training.count, using: &rng), evaluatesTrainingSet: false)
    let accuracy = run.history.last!.validation!.accuracy!
    return accuracy.isFinite ? accuracy : 0
}
lesson.table(
    headers: ["depth", "width", "η", "validation"],
    rows: architectures.map {
        ["\(Int($0.settings["depth"]!))", "\(Int($0.settings["width"]!))", compact($0.settings["learning rate"]!, significant: 3), percent($0.score)]
    })
let bestArchitecture = architectures.best!
lesson.prose(
    """
    The best: \(Int(bestArchitecture.settings["depth"]!)) hidden layer\(bestArchitecture.settings["depth"]! == 1 ? "" : "s") of \
    \(Int(bestArchitecture.settings["width"]!)) (\(percent(bestArchitecture.score))). A real search would \
    also choose the layer types and wiring, and would keep a test set away from the \
    whole loop, as here.
    """)

lesson.prose(
    """
    Meta-learning (MAML; Finn et al., 2017). Learn a starting point θ from which one \
    gradient step on a few examples of a new task already fits it. Tasks are sines \
    y = A sin(x + φ); the model is f(x) = θ · (1, sin x, cos x), 5 support and 10 \
    query points per task, inner rate α = 0.1. The meta-gradient goes through the \
    inner step: with θ' = θ − α ∇L_support(θ),
    """)
lesson.equation("∇_θ L_query(θ') = (I − α H_support) ∇L_query(θ')      H = (2/n) Σ φ(x) φ(x)ᵀ")
var mamlRNG = SeededGenerator(seed: lesson.seed + 13)
func drawTask(_ rng: inout SeededGenerator) -> (task: SineTask, support: [Double], query: [Double]) {
    (SineTask(amplitude: rng.uniform(in: 0.5...2.5) + 2, phase: rng.uniform(in: 0...0.5)), rng.uniforms(5, in: -5..<5), rng.uniforms(10, in: -5..<5))
}
let checkTask = drawTask(&mamlRNG)
let thetaCheck = [0.2, -0.4, 0.3]
func metaLoss(_ theta: [Double], _ t: (task: SineTask, support: [Double], query: [Double]), firstOrder: Bool = false) -> (loss: Double, gradient: [Double]) {
    SineMAML.metaLoss(
        theta, supportX: t.support, supportY: t.support.map(t.task.callAsFunction), queryX: t.query, queryY: t.query.map(t.task.callAsFunction),
        innerRate: 0.1, firstOrder: firstOrder)
}
let mamlCheck = checkGradient("θ", at: thetaCheck, analytic: metaLoss(thetaCheck, checkTask).gradient) { metaLoss($0, checkTask).loss }
let firstOrderGap = zip(metaLoss(thetaCheck, checkTask, firstOrder: true).gradient, metaLoss(thetaCheck, checkTask).gradient).map { abs($0 - $1) }.max()!
var theta = [0.0, 0.0, 0.0]
for _ in 0..<300 {
    let tasks = (0..<4).map { _ in drawTask(&mamlRNG) }
    let g = tasks.map { metaLoss(theta, $0).gradient }
    theta = (0..<3).map { k in theta[k] - 0.01 * g.reduce(0) { $0 + $1[k] } / 4 }
}
let newTasks = (0..<200).map { _ in drawTask(&mamlRNG) }
let fromZero = mean(newTasks.map { metaLoss([0, 0, 0], $0).loss })
let fromMeta = mean(newTasks.map { metaLoss(theta, $0).loss })
lesson.prose(
    """
    The meta-gradient, second-order term included, agrees with central differences \
    to \(compact(mamlCheck.worstRelativeError, significant: 2)); first-order MAML, which drops the H term, is off by \
    up to \(compact(firstOrderGap, significant: 2)) here. After 300 meta-updates (4 tasks each), on 200 new \
    tasks, one inner step from the learned θ = (\(theta.map { decimal($0, 2) }.joined(separator: ", "))) leaves a \
    query error of \(decimal(fromMeta, 3)), against \(decimal(fromZero, 3)) from θ = 0.
    """)

lesson.prose(
    """
    Neural ODEs (Chen et al., 2018). A residual block h ← h + f(h) is one Euler step \
    of dh/dt = f(h). A neural ODE makes f a network, here f(h) = tanh(W h + b) in 2-D, \
    and integrates it from t = 0 to 1 with any solver. The error at t = 1 against a \
    4096-step reference, and the ratio by which halving the step divides it:
    """)
let ode = NeuralODE(w: [0.5, -1.2, 0.9, 0.3], b: [0.1, -0.2])
let h0 = [1.0, -0.5]
let reference = ode.rungeKutta4(h0, steps: 4096)
func odeError(_ h: [Double]) -> Double { zip(h, reference).map { abs($0 - $1) }.max()! }
let stepCounts = [4, 8, 16, 32]
let eulerErrors = stepCounts.map { odeError(ode.euler(h0, steps: $0)) }
let rkErrors = stepCounts.map { odeError(ode.rungeKutta4(h0, steps: $0)) }
lesson.table(
    headers: ["steps", "Euler error", "ratio", "RK4 error", "ratio"],
    rows: stepCounts.indices.map { k in
        [
            "\(stepCounts[k])", compact(eulerErrors[k], significant: 2), k == 0 ? "" : decimal(eulerErrors[k - 1] / eulerErrors[k], 1),
            compact(rkErrors[k], significant: 2), k == 0 ? "" : decimal(rkErrors[k - 1] / rkErrors[k], 1),
        ]
    })
let odeTarget = [0.3, 0.4]
let odeGradient = ode.eulerLossGradient(h0, target: odeTarget, steps: 10)
func odeLoss(_ m: NeuralODE) -> Double { 0.5 * zip(m.euler(h0, steps: 10), odeTarget).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
let odeCheck = checkGradient("W", at: ode.w, analytic: odeGradient.w) { odeLoss(NeuralODE(w: $0, b: ode.b)) }
lesson.prose(
    """
    Euler's error halves with the step (ratios near \(decimal(eulerErrors[2] / eulerErrors[3], 1))) and RK4's falls \
    about sixteenfold (near \(decimal(rkErrors[1] / rkErrors[2], 1))): first and fourth order. The gradient \
    of ½‖h(1) − y‖² with respect to W, backpropagated through 10 Euler steps, agrees \
    with central differences to \(compact(odeCheck.worstRelativeError, significant: 2)). The paper's adjoint method gets \
    the same gradient by solving a second ODE backwards, without storing the steps.
    """)

lesson.prose(
    """
    Graph networks. Each node of a graph keeps a state and updates it from its own \
    state and the sum of its neighbours': h_v ← tanh(W h_v + M Σ_{u ∈ N(v)} h_u + b), \
    with the same W, M and b everywhere, so the network fits any graph. On a chain \
    of six nodes 0–1–2–3–4–5, with node 0 alone holding a nonzero state, how far the \
    signal has spread after each round:
    """)
let chain = (0..<6).map { v in [v - 1, v + 1].filter { (0..<6).contains($0) } }
var states = (0..<6).map { $0 == 0 ? [1.0, 0.5] : [0.0, 0.0] }
let gw = Matrix([[0.8, -0.3], [0.2, 0.9]]), gm = Matrix([[0.6, 0.1], [-0.2, 0.7]])
var reached: [Int] = []
for _ in 0..<3 {
    states = messagePassingRound(states, neighbours: chain, w: gw, m: gm, b: [0, 0])
    reached.append(states.filter { $0.contains { $0 != 0 } }.count)
}
let permutation = [3, 5, 0, 1, 4, 2]
let inverse = permutation.indices.map { permutation.firstIndex(of: $0)! }
let once = messagePassingRound((0..<6).map { $0 == 0 ? [1.0, 0.5] : [0.0, 0.0] }, neighbours: chain, w: gw, m: gm, b: [0, 0])
let relabelled = messagePassingRound(
    permutation.map { $0 == 0 ? [1.0, 0.5] : [0.0, 0.0] }, neighbours: permutation.map { chain[$0].map { inverse[$0] } }, w: gw, m: gm, b: [0, 0])
lesson.prose(
    """
    Nodes with a nonzero state after rounds 1, 2, 3: \(reached.map(String.init).joined(separator: ", ")). \
    Each round carries information one edge further, so k rounds see k hops. \
    Relabelling the nodes relabels the output \(relabelled == permutation.map { once[$0] } ? "exactly" : "only approximately"): \
    the update does not depend on the order the nodes are listed in.
    """)

lesson.finish()
