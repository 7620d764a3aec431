import Datasets
import LinearAlgebra
import Randomness
import Validation

// The one training loop of the curriculum. It knows epochs, batch order, plugins and
// records; what happens to one batch is a *step*, a value the loop drives:
//
//   for each epoch:        plugins: epochWillStart (a learning-rate schedule)
//     for each batch:      step.trainBatch: the step's forward and backward passes, then
//                            plugins: gradientsComputed (a penalty, clipping) on each
//                            model it updates, then that model's optimizer step;
//                            returns the batch's named loss terms
//     evaluate:            step.evaluate on the training and validation sets
//                          plugins: epochDidEnd (early stopping may stop here)
//   plugins: trainingDidEnd (early stopping puts the best model back)
//
// Supervised learning (one model, one loss, one optimizer) is ``SupervisedStep``, and
// `train(&model, on:, loss:, optimizer:, …)` runs it. A chapter with another kind of
// training (a VAE's two loss terms, a GAN's two models) adds a step type, never a loop.

/// The samples at `indices` stacked as the rows of a matrix: the batch X.
public func batchMatrix(_ inputs: [[Double]], _ indices: some Collection<Int>) -> Matrix {
    require(!indices.isEmpty, "batchMatrix: an empty batch")
    let columns = inputs[indices.first!].count
    var values: [Double] = []
    values.reserveCapacity(indices.count * columns)
    for index in indices {
        require(
            inputs[index].count == columns,
            "batchMatrix: sample \(indices.first!) has \(columns) values but sample \(index) has \(inputs[index].count)")
        values += inputs[index]
    }
    return Matrix(rows: indices.count, columns: columns, values: values)
}

/// A data set the training loop can cut into batches.
public protocol TrainingData {
    /// What a batch's outputs are compared with; a ``/Backprop/Loss`` with the same `Target` fits.
    associatedtype Target
    /// The number of samples.
    var count: Int { get }
    /// The samples at `indices`: their inputs stacked along the first axis, and their targets.
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Target)
    /// The batch as training sees it: batch `number` (from 0) of epoch `epoch` (from 0).
    ///
    /// By default ``batch(_:)``. A data set that augments its samples draws the random
    /// transforms here, from a generator seeded by its own seed, the epoch and the batch
    /// number (see ``/Backprop/Augmented``): every epoch sees new transforms, and every run, resumed
    /// from a checkpoint or not, sees the same ones. Evaluation always uses ``batch(_:)``.
    func trainingBatch(_ indices: ArraySlice<Int>, epoch: Int, number: Int) -> (inputs: Tensor, targets: Target)
}

extension TrainingData {
    public func trainingBatch(_ indices: ArraySlice<Int>, epoch: Int, number: Int) -> (inputs: Tensor, targets: Target) {
        batch(indices)
    }
}

/// A data set whose training batches are transformed afresh in every epoch (shifted,
/// rotated, noised): data augmentation, reproducible.
///
/// The transform gets the batch's inputs and a generator seeded from (`seed`, epoch,
/// batch number) alone, so it needs no state carried from batch to batch: an epoch
/// resumed from a checkpoint draws exactly what it drew the first time. Evaluation sees
/// the samples untransformed.
public struct Augmented<Base: TrainingData>: TrainingData {
    /// The samples before augmentation.
    public var base: Base
    /// The seed every batch's generator is derived from.
    public let seed: UInt64
    /// Returns the transformed inputs, of the same shape.
    public let transform: @Sendable (_ inputs: Tensor, _ generator: inout SeededGenerator) -> Tensor

    /// `base`'s samples, their training batches passed through `transform` with a generator
    /// seeded from `seed`, the epoch and the batch number.
    public init(_ base: Base, seed: UInt64, transform: @escaping @Sendable (_ inputs: Tensor, _ generator: inout SeededGenerator) -> Tensor) {
        self.base = base
        self.seed = seed
        self.transform = transform
    }

    /// The number of samples, `base`'s.
    public var count: Int { base.count }

    public func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Base.Target) { base.batch(indices) }

    public func trainingBatch(_ indices: ArraySlice<Int>, epoch: Int, number: Int) -> (inputs: Tensor, targets: Base.Target) {
        let (inputs, targets) = base.trainingBatch(indices, epoch: epoch, number: number)
        var generator = SeededGenerator(seed: seed, stream: [epoch, number])
        let transformed = transform(inputs, &generator)
        require(
            transformed.shape == inputs.shape,
            "Augmented: the transform turned inputs \(inputs.shapeDescription) into \(transformed.shapeDescription); it must keep the shape")
        return (transformed, targets)
    }
}

extension ClassificationSet: TrainingData {
    /// Inputs (batch × features), targets the class labels.
    public func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: [Int]) {
        (Tensor(batchMatrix(inputs, indices)), indices.map { labels[$0] })
    }
}

extension RegressionSet: TrainingData {
    /// Inputs (batch × features), targets (batch × 1).
    public func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Tensor) {
        (Tensor(batchMatrix(inputs, indices)), Tensor(shape: [indices.count, 1], values: indices.map { targets[$0] }))
    }
}

/// The order in which each epoch visits the training samples.
public enum BatchOrder: Sendable {
    /// 0, 1, …, n − 1 every epoch: with one batch of all n samples, batch gradient descent.
    case inOrder
    /// Epoch e (from 0) visits `orders[e]`.
    case perEpoch([[Int]])

    /// A fresh shuffle of 0..<count for each of `epochs` epochs, all drawn now, in epoch order.
    public static func shuffled(epochs: Int, count: Int, using generator: inout SeededGenerator) -> BatchOrder {
        .perEpoch((0..<epochs).map { _ in generator.shuffled(Array(0..<count)) })
    }

    /// The sample indices epoch `epoch` (from 0) visits, in order, for `count` samples.
    public func order(epoch: Int, count: Int) -> [Int] {
        switch self {
        case .inOrder: return Array(0..<count)
        case .perEpoch(let orders):
            require(epoch < orders.count, "train: BatchOrder.perEpoch has orders for \(orders.count) epochs, epoch \(epoch + 1) needs one")
            require(orders[epoch].count == count, "train: the order for epoch \(epoch + 1) has \(orders[epoch].count) indices for \(count) samples")
            return orders[epoch]
        }
    }
}

// MARK: - Named loss terms

/// The named parts of a loss, in the order they were reported: "loss" for a supervised
/// model; "reconstruction" and "KL" for a VAE; "D" and "G" for a GAN; and a penalty
/// plugin's term ("L2 penalty") beside them. Each is a mean over the batch's samples.
public struct LossTerms: Sendable, Equatable, CustomStringConvertible {
    /// The terms' names, in order; no name twice.
    public private(set) var names: [String] = []
    /// The terms' values, in the order of `names`.
    public private(set) var values: [Double] = []

    /// No terms yet.
    public init() {}

    /// Terms with the given names and values, in order.
    public init(_ terms: KeyValuePairs<String, Double>) {
        for (name, value) in terms { append(name, value) }
    }

    /// Adds a term; its name must be new.
    public mutating func append(_ name: String, _ value: Double) {
        require(!name.isEmpty, "LossTerms: a term needs a name")
        require(!names.contains(name), "LossTerms: the term \"\(name)\" is reported twice (terms so far: \(names))")
        names.append(name)
        values.append(value)
    }

    /// The term called `name`, or nil.
    public subscript(name: String) -> Double? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// The sum of every term.
    public var total: Double { values.reduce(0, +) }

    /// The sum of the terms not in `excluded`.
    public func total(excluding excluded: Set<String>) -> Double {
        zip(names, values).reduce(0) { excluded.contains($1.0) ? $0 : $0 + $1.1 }
    }

    /// Adds `weight` × each of `other`'s terms to the term of the same name (a new one
    /// starts at 0): how an epoch's terms are summed over its batches.
    mutating func accumulate(_ other: LossTerms, weight: Double) {
        for (name, value) in zip(other.names, other.values) {
            if let index = names.firstIndex(of: name) {
                values[index] += weight * value
            } else {
                append(name, weight * value)
            }
        }
    }

    /// Every term divided by `divisor`.
    func divided(by divisor: Double) -> LossTerms {
        var result = self
        for i in result.values.indices { result.values[i] /= divisor }
        return result
    }

    public var description: String {
        zip(names, values).map { "\($0) \($1)" }.joined(separator: ", ")
    }
}

/// A model's loss (and accuracy, for classification) on a whole data set, in inference mode.
public struct Evaluation: Sendable, Equatable {
    /// The step's own loss: the sum of its terms, penalties not included.
    public var loss: Double
    /// The fraction of samples classified right; nil where accuracy means nothing (regression).
    public var accuracy: Double?
    /// Every term: the step's, then each penalty plugin's on the model as it is.
    public var terms: LossTerms

    /// An evaluation from its numbers; without `terms`, one term "loss".
    public init(loss: Double, accuracy: Double? = nil, terms: LossTerms? = nil) {
        self.loss = loss
        self.accuracy = accuracy
        self.terms = terms ?? LossTerms(["loss": loss])
    }
}

/// What one epoch of training measured.
public struct EpochRecord: Sendable, Equatable {
    /// Counting from 1.
    public var epoch: Int
    /// The learning rate the epoch used.
    public var learningRate: Double
    /// The mean loss of the epoch's batches as they were trained on, each batch weighted
    /// by its size: the step's own terms summed, penalties not included.
    public var trainingLoss: Double
    /// Every term of the epoch's batches, each the same weighted mean, penalties included.
    public var trainingTerms: LossTerms
    /// The whole training set after the epoch, in inference mode (unless training was
    /// told not to measure it).
    public var training: Evaluation?
    /// The validation set after the epoch, in inference mode, if one was given.
    public var validation: Evaluation?
}

/// What a training run did.
public struct TrainingRun: Sendable {
    /// One record per epoch run.
    public var history: [EpochRecord]
    /// The epoch whose parameters the model ends with: the last one, unless a plugin
    /// (early stopping) put an earlier model back.
    public var keptEpoch: Int
    /// Whether a plugin stopped training before the epochs ran out.
    public var stoppedEarly: Bool
    /// Whether the run was paused (`pausingAfter:`) to be checkpointed and resumed: the
    /// plugins' end-of-training hooks have not run, and the model is the last epoch's.
    public var paused = false
}

// MARK: - Plugins

/// Something that takes part in training without being the model, the loss or the
/// optimizer: a learning-rate schedule, gradient clipping, a weight penalty, early
/// stopping. Each hook does nothing unless a plugin says otherwise.
public protocol TrainingPlugin {
    /// Before epoch `epoch` (from 0); may change the learning rate.
    mutating func epochWillStart(_ epoch: Int, learningRate: inout Double)
    /// After a batch's backward pass, before the optimizer's step: may change the
    /// gradients; returns what it added to the loss (0 if nothing).
    mutating func gradientsComputed<Model: Layer>(_ model: inout Model) -> Double
    /// The name under which what ``gradientsComputed(_:)`` adds to the loss is recorded
    /// ("L2 penalty"); nil for a plugin that adds nothing.
    var lossTermName: String? { get }
    /// What the plugin adds to the loss of `model` as it is, for the evaluation records.
    func lossTerm<Model: Layer>(of model: Model) -> Double
    /// After each epoch; returning true ends training.
    mutating func epochDidEnd<Model: Layer>(_ record: EpochRecord, model: Model) -> Bool
    /// After the last epoch; may change the model. Returns the epoch whose model it put
    /// back, if it did.
    mutating func trainingDidEnd<Model: Layer>(_ model: inout Model) -> Int?
}

extension TrainingPlugin {
    public mutating func epochWillStart(_ epoch: Int, learningRate: inout Double) {}
    public mutating func gradientsComputed<Model: Layer>(_ model: inout Model) -> Double { 0 }
    public var lossTermName: String? { nil }
    public func lossTerm<Model: Layer>(of model: Model) -> Double { 0 }
    public mutating func epochDidEnd<Model: Layer>(_ record: EpochRecord, model: Model) -> Bool { false }
    public mutating func trainingDidEnd<Model: Layer>(_ model: inout Model) -> Int? { nil }
}

/// The plugins of one training run, in the order given: what a step calls between its
/// backward pass and its optimizer step.
public struct TrainingPlugins {
    /// The plugins, in the order their hooks run.
    public var list: [any TrainingPlugin]

    /// The plugins of a run, in order.
    public init(_ list: [any TrainingPlugin] = []) {
        self.list = list
    }

    /// The names of the terms the plugins add ("L2 penalty"), each with `label` in front
    /// when one is given.
    public func termNames(label: String = "") -> Set<String> {
        Set(list.compactMap { $0.lossTermName.map { label.isEmpty ? $0 : "\(label) \($0)" } })
    }

    /// Runs every plugin's ``TrainingPlugin/gradientsComputed(_:)`` on `model`, in order,
    /// and appends the terms they add to `terms`. A step with two models passes a `label`
    /// for each ("D", "G"), which goes in front of the term's name.
    public mutating func gradientsComputed<Model: Layer>(_ model: inout Model, into terms: inout LossTerms, label: String = "") {
        for p in list.indices {
            let added = list[p].gradientsComputed(&model)
            if let name = list[p].lossTermName { terms.append(label.isEmpty ? name : "\(label) \(name)", added) }
        }
    }

    /// The terms the plugins add for `model` as it is (the evaluation records).
    public func lossTerms<Model: Layer>(of model: Model, into terms: inout LossTerms) {
        for plugin in list {
            if let name = plugin.lossTermName { terms.append(name, plugin.lossTerm(of: model)) }
        }
    }
}

// MARK: - Steps

/// What the training loop does with one batch, and how a model is evaluated: supervised
/// learning is ``SupervisedStep``; a chapter with another kind of training adds its own.
///
/// A step owns its model(s) and optimizer(s). ``trainBatch(_:_:plugins:)`` runs the
/// forward and backward passes, calls `plugins.gradientsComputed` on each model before
/// that model's optimizer step, and returns the batch's named loss terms.
public protocol TrainingStep {
    /// What a batch's targets are: class labels, a tensor, nothing (`Void`) for a model
    /// that learns from its inputs alone.
    associatedtype Target
    /// The model the plugins see (early stopping keeps its best copy of it).
    associatedtype Model: Layer
    /// The model being trained (the generator, for a GAN), as the plugins and checkpoints
    /// see it.
    var model: Model { get set }
    /// η of the step's optimizer(s); a schedule changes it between epochs.
    var learningRate: Double { get set }
    /// Trains on one batch; returns its terms, each a mean over the batch's samples.
    mutating func trainBatch(_ inputs: Tensor, _ targets: Target, plugins: inout TrainingPlugins) -> LossTerms
    /// The step's terms on a whole data set in inference mode (and an accuracy where it
    /// means something).
    func evaluate<Data: TrainingData>(on data: Data) -> Evaluation where Data.Target == Target
}

/// One model, one loss, one optimizer: the default step.
///
/// ```
/// zero gradients → forward (training) → L and ∂L/∂y → backward → plugins → optimizer step
/// ```
/// Its one term is called "loss".
public struct SupervisedStep<Model: Layer, Objective: Loss, Rule: Optimizer>: TrainingStep {
    /// The model being trained.
    public var model: Model
    /// The loss the model's output is scored with.
    public var loss: Objective
    /// The rule that updates the model's parameters.
    public var optimizer: Rule

    /// A step that trains `model` on `loss` with `optimizer`.
    public init(model: Model, loss: Objective, optimizer: Rule) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
    }

    public var learningRate: Double {
        get { optimizer.learningRate }
        set { optimizer.learningRate = newValue }
    }

    public mutating func trainBatch(_ inputs: Tensor, _ targets: Objective.Target, plugins: inout TrainingPlugins) -> LossTerms {
        model.zeroGradients()
        let output = model.forward(inputs, mode: .training)
        let (batchLoss, outputGradient) = loss.evaluate(output, targets)
        model.backwardSkippingInputGradient(outputGradient)  // the input is data: no ∂L/∂x needed
        var terms = LossTerms()
        terms.append("loss", batchLoss)
        plugins.gradientsComputed(&model, into: &terms)
        optimizer.step(&model)
        return terms
    }

    public func evaluate<Data: TrainingData>(on data: Data) -> Evaluation where Data.Target == Objective.Target {
        let (x, target) = data.batch(Array(0..<data.count)[...])
        let output = model.predict(x)
        return Evaluation(loss: loss.evaluate(output, target).loss, accuracy: loss.accuracy(output, target))
    }
}

// MARK: - The loop

/// One epoch of mini-batch training over the samples in `order`; returns each term's
/// mean over the epoch's samples (penalties included).
///
/// The batches are consecutive slices of `order` of `batchSize` samples (the last may be
/// smaller), each handed to `step.trainBatch`. With `batchSize` equal to the number of
/// samples this is batch gradient descent; with 1, stochastic gradient descent one sample
/// at a time. `epoch` (from 0) is passed on to the data (``TrainingData/trainingBatch(_:epoch:number:)``).
public func trainEpoch<Step: TrainingStep, Data: TrainingData>(
    _ step: inout Step, on data: Data, order: [Int], batchSize: Int, epoch: Int = 0, plugins: inout TrainingPlugins
) -> LossTerms where Data.Target == Step.Target {
    require(batchSize > 0, "trainEpoch: the batch size must be positive, got \(batchSize)")
    require(!order.isEmpty, "trainEpoch: no samples to train on")
    var sums = LossTerms()
    for (number, start) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
        let indices = order[start..<min(start + batchSize, order.count)]
        let (x, target) = data.trainingBatch(indices, epoch: epoch, number: number)
        let terms = step.trainBatch(x, target, plugins: &plugins)
        sums.accumulate(terms, weight: Double(indices.count))
    }
    return sums.divided(by: Double(order.count))
}

/// One epoch of supervised training (``SupervisedStep``); returns the mean loss.
public func trainEpoch<Model: Layer, Data: TrainingData, Objective: Loss>(
    _ model: inout Model, on data: Data, order: [Int], batchSize: Int, loss: Objective, optimizer: inout some Optimizer
) -> Double where Objective.Target == Data.Target {
    var step = SupervisedStep(model: model, loss: loss, optimizer: optimizer)
    var plugins = TrainingPlugins()
    let terms = trainEpoch(&step, on: data, order: order, batchSize: batchSize, plugins: &plugins)
    (model, optimizer) = (step.model, step.optimizer)
    return terms.total
}

/// The model's loss (and accuracy) on all of `data` at once, in inference mode.
public func evaluate<Model: Layer, Data: TrainingData, Objective: Loss>(
    _ model: Model, on data: Data, loss: Objective
) -> Evaluation where Objective.Target == Data.Target {
    SupervisedStep(model: model, loss: loss, optimizer: SGD(learningRate: 0)).evaluate(on: data)
}

/// Trains with any step for epochs `firstEpoch ..< epochs`: the one training loop (see the
/// top of this file).
///
/// - Parameters:
///   - step: what one batch does (``SupervisedStep`` for a model, a loss and an optimizer);
///     it holds the model, which is trained in place.
///   - training: the samples trained on.
///   - validation: samples measured after every epoch and never trained on, if any.
///   - epochs: the epoch to stop before (the run does `firstEpoch ..< epochs`).
///   - batchSize: samples per batch; the last batch of an epoch may be smaller.
///   - order: which samples each epoch visits in which order.
///   - evaluatesTrainingSet: whether each epoch's record measures the whole training set
///     afterwards, which costs a forward pass over it; `trainingLoss` is recorded either way.
///   - plugins: applied in the order given at each hook (a penalty before clipping, say).
///   - firstEpoch: 0 for a new run; the number of epochs already done when resuming from
///     a checkpoint (the records then count on from there).
///   - onEpoch: sees each epoch's record as it completes (the lessons' progress bars).
@discardableResult
public func train<Step: TrainingStep, Data: TrainingData>(
    _ step: inout Step, on training: Data, validation: Data? = nil, epochs: Int, batchSize: Int, order: BatchOrder = .inOrder,
    plugins: [any TrainingPlugin] = [], evaluatesTrainingSet: Bool = true, firstEpoch: Int = 0,
    onEpoch: (EpochRecord) -> Void = { _ in }
) -> TrainingRun where Data.Target == Step.Target {
    var plugins = TrainingPlugins(plugins)
    return train(
        &step, on: training, validation: validation, epochs: epochs, batchSize: batchSize, order: order, plugins: &plugins,
        evaluatesTrainingSet: evaluatesTrainingSet, firstEpoch: firstEpoch, onEpoch: onEpoch)
}

/// The one training loop with the plugins kept by the caller, so that their state (the
/// best model early stopping has seen, say) can be read or checkpointed afterwards.
///
/// `pausingAfter: k` ends the run after epoch k (counting from 1) as if the process had
/// been stopped there, to be checkpointed and resumed with `firstEpoch: k`: the plugins'
/// end-of-training hooks do not run (early stopping does not put its best model back),
/// and the run's `paused` is true. A plugin stopping training first ends it as usual.
@discardableResult
public func train<Step: TrainingStep, Data: TrainingData>(
    _ step: inout Step, on training: Data, validation: Data? = nil, epochs: Int, batchSize: Int, order: BatchOrder = .inOrder,
    plugins: inout TrainingPlugins, evaluatesTrainingSet: Bool = true, firstEpoch: Int = 0, pausingAfter pause: Int? = nil,
    onEpoch: (EpochRecord) -> Void = { _ in }
) -> TrainingRun where Data.Target == Step.Target {
    require(epochs > 0, "train: needs at least one epoch, got \(epochs)")
    require(
        (0..<epochs).contains(firstEpoch), "train: the first epoch \(firstEpoch) must be in 0..<\(epochs) (the epochs to run up to)")
    if let pause {
        require(
            pause > firstEpoch && pause < epochs,
            "train: pausingAfter \(pause) must be after the first epoch \(firstEpoch) and before the last, \(epochs)")
    }
    requireUniqueNames(step.model, context: "train")
    let penaltyNames = plugins.termNames()
    var history: [EpochRecord] = []
    var stoppedEarly = false
    func evaluation(_ data: Data) -> Evaluation {
        var result = step.evaluate(on: data)
        plugins.lossTerms(of: step.model, into: &result.terms)
        return result
    }
    for epoch in firstEpoch..<epochs {
        for p in plugins.list.indices { plugins.list[p].epochWillStart(epoch, learningRate: &step.learningRate) }
        let terms = trainEpoch(
            &step, on: training, order: order.order(epoch: epoch, count: training.count), batchSize: batchSize, epoch: epoch,
            plugins: &plugins)
        let record = EpochRecord(
            epoch: epoch + 1, learningRate: step.learningRate, trainingLoss: terms.total(excluding: penaltyNames), trainingTerms: terms,
            training: evaluatesTrainingSet ? evaluation(training) : nil, validation: validation.map(evaluation))
        history.append(record)
        onEpoch(record)
        var stop = false
        for p in plugins.list.indices {
            if plugins.list[p].epochDidEnd(record, model: step.model) { stop = true }
        }
        if stop {
            stoppedEarly = epoch + 1 < epochs
            break
        }
        if epoch + 1 == pause { return TrainingRun(history: history, keptEpoch: epoch + 1, stoppedEarly: false, paused: true) }
    }
    var kept = history.last!.epoch
    for p in plugins.list.indices {
        if let restored = plugins.list[p].trainingDidEnd(&step.model) { kept = restored }
    }
    return TrainingRun(history: history, keptEpoch: kept, stoppedEarly: stoppedEarly)
}

/// Trains `model` for `epochs` epochs with one loss and one optimizer: ``SupervisedStep``
/// through the one loop, ``train(_:on:validation:epochs:batchSize:order:plugins:evaluatesTrainingSet:firstEpoch:onEpoch:)``.
@discardableResult
public func train<Model: Layer, Data: TrainingData, Objective: Loss>(
    _ model: inout Model, on training: Data, validation: Data? = nil, loss: Objective, optimizer: inout some Optimizer,
    epochs: Int, batchSize: Int, order: BatchOrder = .inOrder, plugins: [any TrainingPlugin] = [],
    evaluatesTrainingSet: Bool = true, firstEpoch: Int = 0, onEpoch: (EpochRecord) -> Void = { _ in }
) -> TrainingRun where Objective.Target == Data.Target {
    var step = SupervisedStep(model: model, loss: loss, optimizer: optimizer)
    let run = train(
        &step, on: training, validation: validation, epochs: epochs, batchSize: batchSize, order: order, plugins: plugins,
        evaluatesTrainingSet: evaluatesTrainingSet, firstEpoch: firstEpoch, onEpoch: onEpoch)
    (model, optimizer) = (step.model, step.optimizer)
    return run
}

// MARK: - Classification helpers

/// The class with the highest score in each row of `scores` (the first one on ties).
func predictedClasses(_ scores: Matrix) -> [Int] {
    (0..<scores.rows).map { r in argmax(scores.row(r))! }
}

extension Layer {
    /// The class with the highest score for one sample.
    public func classify(_ x: [Double]) -> Int {
        argmax(predict(x))!
    }

    /// The predicted class of every sample, in one batch.
    public func classify(_ inputs: [[Double]]) -> [Int] {
        guard !inputs.isEmpty else { return [] }
        return predictedClasses(predict(Tensor(batchMatrix(inputs, inputs.indices))).matrix)
    }

    /// The fraction of samples classified correctly.
    public func accuracy(on data: ClassificationSet) -> Double {
        let correct = zip(classify(data.inputs), data.labels).filter { $0 == $1 }.count
        return Double(correct) / Double(data.count)
    }

    /// counts[true class][predicted class].
    public func confusionMatrix(on data: ClassificationSet) -> [[Int]] {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: data.classCount), count: data.classCount)
        for (predicted, label) in zip(classify(data.inputs), data.labels) { counts[label][predicted] += 1 }
        return counts
    }
}
