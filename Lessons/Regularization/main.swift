// Chapter 5 — Regularization: L1/L2, dropout, batch normalization, early stopping.
// Run: swift run regularization

import Activations
import Backprop
import Datasets
import Foundation
import LinearAlgebra
import Notebook
import NumericChecks
import Optimizers
import Randomness
import Regularization

let lesson = Lesson(
    command: "regularization",
    title: "Chapter 5 · Regularization",
    summary: """
        A network big enough to learn its training set can learn it by heart. Weight \
        penalties, dropout, batch normalization and early stopping, each built from \
        scratch, checked, and set against one overfitting network on a small slice of \
        the handwritten digits.
        """)
var rng = SeededGenerator(seed: lesson.seed)

func histogram(_ values: [Double], bins: Int, range: ClosedRange<Double>) -> (centers: [Double], counts: [Double]) {
    let width = (range.upperBound - range.lowerBound) / Double(bins)
    var counts = [Double](repeating: 0, count: bins)
    for v in values where range.contains(v) { counts[min(bins - 1, Int((v - range.lowerBound) / width))] += 1 }
    return ((0..<bins).map { range.lowerBound + (Double($0) + 0.5) * width }, counts)
}

// MARK: - 1

lesson.section("Overfitting, shown")
let experiment = DigitsBaseline(digits: try Digits.load())
// Three disjoint sets: 200 images to train on, 400 to choose with (the last 400 of
// Chapter 3's training set), and the 360 test images, used once, in section 8.
let smallTraining = experiment.training.subset(Array(0..<200))
let validation = experiment.training.subset(Array((experiment.training.count - 400)..<experiment.training.count))
let test = experiment.test
let epochs = 300
let sizes = [64, 128, 128, 10]
let parameterCount = zip(sizes, sizes.dropFirst()).map { ($0 + 1) * $1 }.reduce(0, +)  // (n + 1)·m per layer
lesson.prose(
    """
    The digits network of Chapters 3 and 4 had 1437 training images and generalized \
    well. Give a bigger network far fewer examples and it can drive its training loss to \
    almost nothing by memorizing them, while its loss on images it has not seen turns \
    back up. Here: \(smallTraining.count) training images (the first \(smallTraining.count) of Chapter 3's training set), a \
    64-128-128-10 ReLU network (\(parameterCount) parameters, \(parameterCount / smallTraining.count) \
    per training image), Adam η = 0.003, batches of 32, \(epochs) epochs.

    Three sets, kept apart. The validation set (\(validation.count) other images from \
    Chapter 3's training set) is what this lesson looks at while it experiments: to watch \
    overfitting, to stop early, to compare regularizers and pick one. The \(test.count) test \
    images are not looked at until the choice is made, in section 8, once. A set used to \
    choose is no longer unseen: after picking the best of five on the validation set, \
    that best score is flattered by the choosing, and only a set that played no part in \
    it says how the chosen network does on new images.
    """)
let startSeed = lesson.seed + 100

struct Setup {
    var name: String
    var batchNorm = false
    var dropout: Double? = nil
    var penalty = Penalty.none
    var earlyStopping: EarlyStopping? = nil
}

/// Trains one setup from the same starting weights (as far as the layers allow) and the same batch order.
func run(_ setup: Setup) -> (model: Sequential, run: TrainingRun) {
    var initRNG = SeededGenerator(seed: startSeed)
    var model = Sequential(
        sizes: sizes, hidden: .relu, batchNorm: setup.batchNorm, dropout: setup.dropout, initialization: .he, using: &initRNG)
    var adam = Adam(learningRate: 3e-3)
    var orderRNG = SeededGenerator(seed: startSeed + 1)
    var plugins: [any TrainingPlugin] = []
    if setup.penalty != .none { plugins.append(WeightPenalty(setup.penalty)) }
    if let stopper = setup.earlyStopping { plugins.append(stopper) }
    let result = train(
        &model, on: smallTraining, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: epochs,
        batchSize: 32, order: .shuffled(epochs: epochs, count: smallTraining.count, using: &orderRNG), plugins: plugins)
    return (model, result)
}

let baseline = run(Setup(name: "no regularization"))
let axis = baseline.run.history.map { Double($0.epoch) }
lesson.plot(
    LinePlot(
        title: "no regularization: cross-entropy per epoch", xLabel: "epoch", yLabel: "loss",
        series: [
            LinePlot.Series("training", x: axis, y: baseline.run.history.map(\.training!.loss)),
            LinePlot.Series("validation", x: axis, y: baseline.run.history.map { $0.validation!.loss }),
        ], yRange: 0...1))
let baselineBest = baseline.run.history.min { $0.validation!.loss < $1.validation!.loss }!
let baselineLast = baseline.run.history.last!
lesson.table(
    headers: ["epoch", "training loss", "validation loss", "training accuracy", "validation accuracy"],
    rows: [baselineBest, baselineLast].map { e in
        [
            "\(e.epoch)", compact(e.training!.loss, significant: 3), decimal(e.validation!.loss, 4), percent(e.training!.accuracy!),
            percent(e.validation!.accuracy!),
        ]
    })
let climb = baselineLast.validation!.loss / baselineBest.validation!.loss
lesson.prose(
    """
    The first row is the epoch with the lowest validation loss, the second the last epoch. \
    Training accuracy reaches \(percent(baselineLast.training!.accuracy!)) and the training loss \
    falls to \(compact(baselineLast.training!.loss, significant: 3)). \
    \(climb > 1.05
        ? "The validation loss bottoms out at epoch \(baselineBest.epoch) and then climbs, to \(String(format: "%.2f", climb))× its lowest by epoch \(baselineLast.epoch), because the network grows ever more confident, including on the validation images it gets wrong."
        : "The validation loss ends within 5% of its lowest (epoch \(baselineBest.epoch)): in this run the network has not yet overfit in loss.") \
    Validation accuracy moves less: from \(percent(baselineBest.validation!.accuracy!)) at epoch \
    \(baselineBest.epoch) to \(percent(baselineLast.validation!.accuracy!)) at the end. Overfitting \
    shows first as overconfidence.
    """)

// MARK: - 2

lesson.section("Weight penalties: L1, L2 and elastic net")
lesson.prose(
    """
    A network that memorizes tends to need large weights, to carve out a sharp boundary \
    around each training example. A penalty Ω(w) on the weights' size, added to the loss, \
    makes every weight pay for itself:
    """)
lesson.equation(
    """
    L = L_data + Ω(w)
    L1:           Ω = λ Σ |w|                  ∂Ω/∂w = λ · sign(w)
    L2:           Ω = (λ/2) Σ w²               ∂Ω/∂w = λ · w
    elastic net:  Ω = λ₁ Σ |w| + (λ₂/2) Σ w²   ∂Ω/∂w = λ₁ · sign(w) + λ₂ · w
    """)
let sampleWeights = [1.0, -2, 0, 0.5]
let penalties: [Penalty] = [.l1(0.1), .l2(0.1), .elasticNet(l1: 0.1, l2: 0.1)]
lesson.table(
    headers: ["penalty", "Ω(w) for w = [1, −2, 0, 0.5]", "∂Ω/∂w"],
    rows: penalties.map { p in [p.name, decimal(p.value(sampleWeights), 4), vector(p.gradient(sampleWeights), 2)] })
lesson.prose(
    """
    L2's pull is proportional to the weight: big weights shrink fast, small ones hardly at \
    all, so nothing reaches exactly zero. L1 pulls every weight with the same force λ, so \
    small weights are driven all the way to zero: L1 makes networks sparse. Only weights \
    are penalized, not biases. (Section 7 shows what each does to the weights.)

    With plain SGD, the L2 gradient turns the step into w ← w − η(g + λw) = (1 − ηλ)w − ηg: \
    every step first shrinks each weight by the factor 1 − ηλ, which is why L2 is also called \
    weight decay. With Adam that identity breaks. The L2 gradient λw is added to g before \
    Adam divides by √v̂, so a weight whose gradients are large gets its decay divided away. \
    Decoupled weight decay (AdamW) shrinks the weights outside the loss instead, \
    w ← (1 − ηλ)w, then takes Adam's step on g alone. Ten steps from w = [1, −2] on the \
    same gradients, λ = 0.5, η = 0.1:
    """)
let decayGradients = (0..<10).map { k in [sin(Double(k)), 3 * cos(Double(k))] }
func decayRun(_ optimizer: some Optimizer, l2: Double) -> [Double] {
    var optimizer = optimizer
    var w = Parameter(name: "w", shape: [2], value: [1.0, -2], decays: true)
    for g in decayGradients {
        w.gradient = zip(g, Penalty.l2(l2).gradient(w.value)).map(+)
        optimizer.update(&w)
    }
    return w.value
}
let sgdDecay = (decayRun(SGD(learningRate: 0.1), l2: 0.5), decayRun(DecoupledWeightDecay(SGD(learningRate: 0.1), decay: 0.5), l2: 0))
let adamDecay = (decayRun(Adam(learningRate: 0.1), l2: 0.5), decayRun(DecoupledWeightDecay(Adam(learningRate: 0.1), decay: 0.5), l2: 0))
lesson.table(
    headers: ["optimizer", "L2 in the loss", "decoupled decay"],
    rows: [["SGD", vector(sgdDecay.0, 6), vector(sgdDecay.1, 6)], ["Adam", vector(adamDecay.0, 6), vector(adamDecay.1, 6)]])
/// Whether two weight vectors agree to the 6 decimals the table shows.
func sameToSixDecimals(_ a: [Double], _ b: [Double]) -> Bool { vector(a, 6) == vector(b, 6) }
lesson.prose(
    """
    \(sameToSixDecimals(sgdDecay.0, sgdDecay.1) ? "Identical for SGD" : "Different for SGD (unexpected)"), \
    \(sameToSixDecimals(adamDecay.0, adamDecay.1) ? "identical for Adam too (unexpected)" : "different for Adam: with Adam, the two are different regularizers").
    """)

// MARK: - 3

lesson.section("Dropout")
lesson.prose(
    """
    During training, dropout zeroes each unit's output with probability p, a fresh random \
    choice for every sample of every batch. No unit can count on any particular other \
    unit being there, so each must be useful on its own, in many different thinned \
    networks; the trained network behaves like an average of them. At inference nothing \
    is dropped.

    Inverted dropout scales the surviving values by 1/(1 − p) during training, so that \
    each value's expected size is the same in training and at inference, and inference \
    needs no correction at all. The backward pass lets the gradient through exactly where \
    the values went through, with the same scale:
    """)
lesson.equation(
    """
    mask = 0 with probability p, 1/(1 − p) otherwise
    training:   y = x ⊙ mask        ∂L/∂x = ∂L/∂y ⊙ mask
    inference:  y = x
    """)
var maskRNG = SeededGenerator(seed: lesson.seed + 2)
let demoInput = Matrix(rows: 3, columns: 6, values: (1...18).map(Double.init))
let demoMask = Dropout.mask(count: 18, rate: 0.5, using: &maskRNG)
lesson.output(
    """
    x (3 samples × 6 units):
    \(demoInput.nestedRows.map { vector($0, 0) }.joined(separator: "\n"))
    mask, p = 0.5:
    \(Matrix(rows: 3, columns: 6, values: demoMask).nestedRows.map { vector($0, 0) }.joined(separator: "\n"))
    x ⊙ mask:
    \(Matrix(rows: 3, columns: 6, values: zip(demoInput.values, demoMask).map(*)).nestedRows.map { vector($0, 0) }.joined(separator: "\n"))
    """)
let bigMask = Dropout.mask(count: 100_000, rate: 0.3, using: &maskRNG)
lesson.output(
    "p = 0.3 over 100 000 values: \(percent(Double(bigMask.filter { $0 == 0 }.count) / 100_000)) zeroed,\nmean of the mask \(decimal(mean(bigMask), 4)) (expected 1)"
)

// MARK: - 4

lesson.section("Batch normalization")
lesson.prose(
    """
    Batch normalization standardizes each unit's pre-activation over the batch, then lets \
    the network rescale and shift it with two learned numbers per unit, γ and β:
    """)
lesson.equation(
    """
    μ = (1/N) Σᵢ xᵢ         σ² = (1/N) Σᵢ (xᵢ − μ)²
    per unit, over the N samples of the batch
    x̂ᵢ = (xᵢ − μ) / √(σ² + ε)
    yᵢ = γ x̂ᵢ + β
    """)
lesson.prose(
    """
    Whatever the earlier layers do to the scale of their outputs, the next layer sees \
    inputs of a steady scale, which lets larger learning rates work. The batch statistics \
    also add a little noise (each sample is normalized with its batchmates), a mild \
    regularizer. At inference there may be no batch, and a prediction must not depend on \
    which other samples happen to be in it, so running averages of μ and σ² collected \
    during training are used instead: running ← 0.9 · running + 0.1 · batch. A batch of \
    four samples with two units, γ = [1, 2], β = [0, 0.5]:
    """)
var demoNorm = BatchNorm(features: 2)
demoNorm.gamma.value = [1, 2]
demoNorm.beta.value = [0, 0.5]
let checkNorm = demoNorm  // before the forward pass, for the gradient check below
let normInput = Matrix([[1, 10], [2, 20], [3, 30], [6, 60]])
let normOutput = demoNorm.forward(Tensor(normInput), mode: .training).matrix
let normalized = demoNorm.normalized!
lesson.table(
    headers: ["sample", "x", "x̂", "y = γx̂ + β"],
    rows: (0..<4).map { i in
        ["\(i + 1)", vector(normInput.row(i), 1), vector(normalized.row(i), 4), vector(normOutput.row(i), 4)]
    })
lesson.output(
    """
    batch mean [3, 30], batch variance [3.5, 350]
    running mean after this batch:     \(vector(demoNorm.runningMean, 4))
    running variance after this batch: \(vector(demoNorm.runningVariance, 4))
    """)
lesson.prose(
    """
    The second unit's values are ten times the first's, and after normalization they are \
    identical: x̂ does not care about scale. The backward pass has to account for every \
    sample moving the mean and variance that all the others were normalized with:
    """)
lesson.equation(
    """
    ∂L/∂β = Σᵢ gᵢ        ∂L/∂γ = Σᵢ gᵢ x̂ᵢ        (g = ∂L/∂y)
    ∂L/∂xᵢ = γ / (N √(σ² + ε)) · (N gᵢ − Σⱼ gⱼ − x̂ᵢ Σⱼ gⱼ x̂ⱼ)
    """)
let upstreamWeights = rng.normals(8)
// L = Σ c ⊙ y, so ∂L/∂y = c; the one gradient check of the model core covers γ, β and x.
let normChecks = checkGradients(checkNorm, input: Tensor(normInput)) { y in
    (dot(upstreamWeights, y.values), Tensor(shape: y.shape, values: upstreamWeights))
}.map { result in (parameter: "∂L/∂" + result.parameter, result) }
let normCheckRows = [normChecks.last!] + normChecks.dropLast()  // x first, then γ and β
lesson.table(
    headers: ["gradient (L = Σ c ⊙ y, random c)", "worst relative error vs central differences", "below 1e-7"],
    rows: normCheckRows.map { name, result in [name, compact(result.worstRelativeError, significant: 2), result.passed ? "yes" : "NO"] })
lesson.prose(
    """
    In a network the layer goes between a dense layer's z = Wx + b and its activation. \
    The dense layer's bias then does nothing (β takes over its job), and the network is \
    built as dense → batch norm → ReLU for each hidden layer.
    """)

// MARK: - 5

lesson.section("Early stopping")
lesson.prose(
    """
    The simplest regularizer does not change the network at all: it watches the \
    validation loss after every epoch, remembers the weights of the best epoch so far, \
    and stops once `patience` epochs in a row have failed to beat that best by at least \
    a minimum improvement. Then it hands back the remembered weights, not the last ones. \
    A scripted run with patience 3 and minimum improvement 0.02:
    """)
let scripted = [1.0, 0.8, 0.7, 0.69, 0.72, 0.75, 0.71, 0.9]
var scriptedStopper = EarlyStopping(patience: 3, minimumImprovement: 0.02)
var scriptedRows: [[String]] = []
for (index, loss) in scripted.enumerated() {
    let stop = scriptedStopper.shouldStop(afterEpoch: index + 1, validationLoss: loss)
    scriptedRows.append([
        "\(index + 1)", decimal(loss, 2), "\(scriptedStopper.best!.epoch) (\(decimal(scriptedStopper.best!.loss, 2)))",
        "\(scriptedStopper.epochsWithoutImprovement)", stop ? "stop: keep epoch \(scriptedStopper.best!.epoch)" : "go on",
    ])
    if stop { break }
}
lesson.table(headers: ["epoch", "validation loss", "best so far", "epochs without improvement", "decision"], rows: scriptedRows)
lesson.prose(
    """
    Epoch 4's 0.69 is lower than 0.70, but not by 0.02, so it does not count: the minimum \
    improvement keeps noise-sized gains from resetting the patience.
    """)

// MARK: - 6

lesson.section("All of them on the overfitting network")
lesson.prose(
    """
    The network of section 1, trained again from the same starting weights with the same \
    batch order, once with each regularizer: L2 with λ = 0.01 (in the loss), dropout \
    p = 0.5 after each hidden ReLU, batch normalization before each hidden ReLU, and \
    early stopping with patience 10 and minimum improvement 0.001; and once with L2, \
    batch normalization and dropout together, as the seeds' models combine them.
    """)
let setups = [
    Setup(name: "L2 λ=0.01", penalty: .l2(0.01)),
    Setup(name: "dropout p=0.5", dropout: 0.5),
    Setup(name: "batch norm", batchNorm: true),
    Setup(name: "early stopping", earlyStopping: EarlyStopping(patience: 10, minimumImprovement: 1e-3)),
    Setup(name: "L2 + BN + dropout", batchNorm: true, dropout: 0.5, penalty: .l2(0.01)),
]
var results = [(setup: Setup(name: "no regularization"), result: baseline)]
let comparisonProgress = lesson.progress("training with each regularizer", total: setups.count)
for setup in setups {
    let result = run(setup)
    results.append((setup, result))
    comparisonProgress.advance(note: "\(setup.name): validation \(percent(result.model.accuracy(on: validation)))")
}
lesson.plot(
    LinePlot(
        title: "validation loss per epoch", xLabel: "epoch", yLabel: "cross-entropy",
        series: results.map { item in
            LinePlot.Series(
                item.setup.name, x: item.result.run.history.map { Double($0.epoch) }, y: item.result.run.history.map { $0.validation!.loss })
        }))
lesson.table(
    headers: ["regularization", "epochs run", "kept epoch", "training loss", "training acc.", "validation loss", "validation acc."],
    rows: results.map { item in
        let kept = item.result.run.history[item.result.run.keptEpoch - 1]
        return [
            item.setup.name, "\(item.result.run.history.count)", "\(item.result.run.keptEpoch)",
            compact(kept.training!.loss, significant: 3), percent(kept.training!.accuracy!), decimal(kept.validation!.loss, 4),
            percent(kept.validation!.accuracy!),
        ]
    })
let kept = results.map { item in (name: item.setup.name, record: item.result.run.history[item.result.run.keptEpoch - 1]) }
let lowestLoss = kept.min { $0.record.validation!.loss < $1.record.validation!.loss }!
let highestAccuracy = kept.max { $0.record.validation!.accuracy! < $1.record.validation!.accuracy! }!
let none = kept[0].record
let betterOnBoth = kept.dropFirst().filter {
    $0.record.validation!.loss < none.validation!.loss && $0.record.validation!.accuracy! > none.validation!.accuracy!
}.map(\.name)
let worseOnBoth = kept.dropFirst().filter {
    $0.record.validation!.loss > none.validation!.loss && $0.record.validation!.accuracy! < none.validation!.accuracy!
}.map(\.name)
let l2Record = kept[1].record, stopped = results[4].result.run
func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
lesson.prose(
    """
    All figures are for the model each run ends with (for early stopping, the restored \
    best epoch), measured in inference mode. Lowest validation loss: \(lowestLoss.name) \
    (\(decimal(lowestLoss.record.validation!.loss, 4))); highest validation accuracy: \
    \(highestAccuracy.name) (\(percent(highestAccuracy.record.validation!.accuracy!))). Better than \
    no regularization on both validation loss and accuracy: \(list(betterOnBoth)); worse on \
    both: \(list(worseOnBoth)).

    L2 keeps the weights small, so the network cannot grow as confident on its training \
    images: its training loss ends at \(compact(l2Record.training!.loss, significant: 3)), against \
    \(compact(none.training!.loss, significant: 3)) without it. Early stopping ran \
    \(stopped.history.count) of \(epochs) epochs and kept epoch \(stopped.keptEpoch): it simply keeps the \
    network from before the climb. \(worseOnBoth.contains("batch norm") ? "Batch normalization did worse than no regularization on both counts here: it" : "Batch normalization") \
    is mainly there for speed and stability in deeper networks; its regularizing side \
    effect is mild at best. The \
    validation set has \(validation.count) images, so each one is \
    \(String(format: "%.2f", 100 / Double(validation.count))) percentage points: accuracies a few \
    images apart are within noise, and the losses separate the methods more clearly.
    """)

let combinedLoss = kept[5].record.validation!.loss
let aloneLosses = [("L2", kept[1].record.validation!.loss), ("dropout", kept[2].record.validation!.loss), ("batch norm", kept[3].record.validation!.loss)]
let beaten = aloneLosses.filter { combinedLoss < $0.1 }.map(\.0), notBeaten = aloneLosses.filter { combinedLoss >= $0.1 }.map(\.0)
lesson.prose(
    """
    The three together end at a validation loss of \(decimal(combinedLoss, 4)): \
    \(notBeaten.isEmpty ? "lower than each of them alone, by \(decimal(aloneLosses.map(\.1).min()! - combinedLoss, 4)) against the best single one, \(aloneLosses.min { $0.1 < $1.1 }!.0)." : beaten.isEmpty ? "no lower than any of them alone: each already takes away some of the freedom the others would." : "lower than \(beaten.joined(separator: " and ")) alone, but not \(notBeaten.joined(separator: " or ")): each already takes away some of the freedom the others would.")

    Two conventions for dropout. This chapter's is inverted dropout: the survivors are \
    scaled by 1/(1 − p) in training and nothing changes at inference. The original \
    paper, and the seeds, keep the survivors as they are and multiply by (1 − p) at \
    inference. They are the same model: a network trained one way is the other with \
    the next layer's weights multiplied by 1/(1 − p). Checked on the trained dropout \
    network, its first hidden layer's outputs h on the validation set, and one mask:
    """)
let dropoutModel = results[2].result.model
let p = 0.5
let hiddenOutputs = Sequential(Array(dropoutModel.layers[0...1])).predict(Tensor(batchMatrix(validation.inputs, validation.inputs.indices)))
let next = dropoutModel.denseLayers[1]
var conventionRNG = SeededGenerator(seed: lesson.seed + 5)
let invertedMask = Dropout.mask(count: hiddenOutputs.count, rate: p, using: &conventionRNG)
let classicMask = invertedMask.map { $0 * (1 - p) }  // 0 or 1
let classicNext = Dense(
    weights: Matrix(rows: next.weight.shape[0], columns: next.weight.shape[1], values: next.weight.value.map { $0 / (1 - p) }), biases: next.bias.value)
func largestDifference(_ a: Tensor, _ b: Tensor) -> Double { zip(a.values, b.values).map { abs($0 - $1) }.max()! }
let trainingDifference = largestDifference(
    next.predict(Tensor(shape: hiddenOutputs.shape, values: zip(hiddenOutputs.values, invertedMask).map(*))),
    classicNext.predict(Tensor(shape: hiddenOutputs.shape, values: zip(hiddenOutputs.values, classicMask).map(*))))
let inferenceDifference = largestDifference(
    next.predict(hiddenOutputs), classicNext.predict(Tensor(shape: hiddenOutputs.shape, values: hiddenOutputs.values.map { $0 * (1 - p) })))
lesson.table(
    headers: ["mode", "inverted (this chapter)", "classic (the seeds)", "largest difference"],
    rows: [
        ["training", "W (h ⊙ m) / (1 − p)", "W′ (h ⊙ m)", compact(trainingDifference, significant: 2)],
        ["inference", "W h", "W′ (1 − p) h", compact(inferenceDifference, significant: 2)],
    ])
lesson.prose(
    """
    With W′ = W / (1 − p), the two give the next layer the same numbers in both modes\
    \(max(trainingDifference, inferenceDifference) == 0 ? ", exactly: with p = 0.5 every scaling is by a power of two, so not even the rounding differs" : ", to rounding (\(compact(max(trainingDifference, inferenceDifference), significant: 2)) at most)"). Inverted dropout is the \
    common choice because inference then needs no change at all: PyTorch's \
    nn.Dropout and Keras's Dropout are both inverted.
    """)

// MARK: - 7

lesson.section("What the penalties do to the weights")
lesson.prose(
    """
    The first layer's \(sizes[0] * sizes[1]) weights after training with no penalty, with L2 (λ = 0.01) and \
    with L1 (λ = 0.001), counted in 40 bins over [−0.4, 0.4]:
    """)
let l1Run = run(Setup(name: "L1 λ=0.001", penalty: .l1(0.001)))
let weightSets: [(name: String, weights: [Double])] = [
    ("no penalty", baseline.model.denseLayers[0].weight.value), ("L2 λ=0.01", results[1].result.model.denseLayers[0].weight.value),
    ("L1 λ=0.001", l1Run.model.denseLayers[0].weight.value),
]
lesson.plot(
    LinePlot(
        title: "first-layer weights: how many fall in each bin", xLabel: "weight", yLabel: "count",
        series: weightSets.map { set in
            let h = histogram(set.weights, bins: 40, range: -0.4...0.4)
            return LinePlot.Series(set.name, x: h.centers, y: h.counts)
        }))
lesson.table(
    headers: ["penalty", "mean |w|", "largest |w|", "|w| < 0.001", "validation loss", "validation acc."],
    rows: zip(weightSets, [baseline.model, results[1].result.model, l1Run.model]).map { set, model in
        let magnitudes = set.weights.map(abs)
        let tiny = Double(magnitudes.filter { $0 < 1e-3 }.count) / Double(magnitudes.count)
        let evaluation = evaluate(model, on: validation, loss: SoftmaxCrossEntropy())
        let (loss, accuracy) = (evaluation.loss, evaluation.accuracy!)
        return [set.name, decimal(mean(magnitudes), 4), decimal(magnitudes.max()!, 3), percent(tiny), decimal(loss, 4), percent(accuracy)]
    })
let smallShare = weightSets.map { set in Double(set.weights.filter { abs($0) < 1e-3 }.count) / Double(set.weights.count) }
let meanSize = weightSets.map { set in mean(set.weights.map(abs)) }
let exactZeros = weightSets[1].weights.filter { $0 == 0 }.count
lesson.prose(
    """
    L2 shrinks every weight in proportion to its size: the mean |w| goes from \
    \(decimal(meanSize[0], 4)) to \(decimal(meanSize[1], 4)), and \(percent(smallShare[1])) of the \
    weights end below 0.001 in size (\(percent(smallShare[0])) without a penalty), \
    \(exactZeros == 0 ? "none of them exactly 0" : "\(exactZeros) of them exactly 0"). L1 leaves a \
    spike at zero: a large share of the weights are pushed to (nearly) exactly 0, since \
    its constant pull beats the data's gradient for the inputs that do not matter, such \
    as the border pixels that are blank in almost every image: \(percent(smallShare[2])) of its \
    weights are below 0.001. (With plain gradient steps \
    an L1 weight jitters around 0 rather than sitting on it; the count uses |w| < 0.001.)
    """)

// MARK: - 8

lesson.section("The test set, once")
let chosen = results.min { a, b in
    a.result.run.history[a.result.run.keptEpoch - 1].validation!.loss < b.result.run.history[b.result.run.keptEpoch - 1].validation!.loss
}!
let chosenValidation = chosen.result.run.history[chosen.result.run.keptEpoch - 1].validation!
let chosenTest = evaluate(chosen.result.model, on: test, loss: SoftmaxCrossEntropy())
let testGap = chosenTest.accuracy! - chosenValidation.accuracy!
lesson.prose(
    """
    The choice, made on the validation set alone: the lowest validation loss, \
    \(chosen.setup.name). Now, and only now, the \(test.count) test images:
    """)
lesson.table(
    headers: ["chosen network", "validation loss", "validation acc.", "test loss", "test acc."],
    rows: [
        [
            chosen.setup.name, decimal(chosenValidation.loss, 4), percent(chosenValidation.accuracy!), decimal(chosenTest.loss, 4),
            percent(chosenTest.accuracy!),
        ]
    ])
lesson.prose(
    """
    The test accuracy is \(abs(testGap) < 0.005 ? "within half a point of" : testGap < 0 ? "\(decimal(-100 * testGap, 1)) points below" : "\(decimal(100 * testGap, 1)) points above") \
    the validation accuracy. That number is the lesson's one honest estimate of how the \
    chosen network does on digits it has never seen. Had the five networks all been \
    scored on the test set and the best one reported, the test set would have become a \
    second validation set, and its figure would be flattered in the same way.
    """)

// MARK: - 9

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/Regularization and fill in each function, then run `swift run exercises \
    regularization`. Each answer is checked against this chapter's layers \
    on fixed and random inputs, and the backward passes against central differences.
    """)
lesson.table(
    headers: ["exercise", "function", "what it asks"],
    rows: [
        ["5.1", "l2Penalty", "(λ/2) Σ w² and its gradient"],
        ["5.2", "dropoutForward, dropoutBackward", "inverted dropout with given uniform draws"],
        ["5.3", "batchNormForward", "batch normalization in training and inference mode"],
        ["5.4", "batchNormBackward", "∂L/∂x, ∂L/∂γ and ∂L/∂β"],
        ["5.5", "earlyStoppingEpochs", "when to stop and which epoch to keep"],
    ])
lesson.finish()
