import Datasets
import LinearAlgebra
import Randomness
import Validation

// The one training loop of the curriculum, for any model (a ``Layer``), any ``Loss`` and
// any ``Optimizer``:
//
//   for each epoch:        plugins: epochWillStart (a learning-rate schedule)
//     for each batch:      zero gradients → forward → loss and ∂L/∂y → backward
//                          plugins: gradientsComputed (a penalty, clipping) → optimizer step
//     evaluate:            loss (and accuracy) on the training and validation sets
//                          plugins: epochDidEnd (early stopping may stop here)
//   plugins: trainingDidEnd (early stopping puts the best model back)

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
    /// What a batch's outputs are compared with; a ``Loss`` with the same `Target` fits.
    associatedtype Target
    var count: Int { get }
    /// The samples at `indices`: their inputs stacked along the first axis, and their targets.
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Target)
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

    func order(epoch: Int, count: Int) -> [Int] {
        switch self {
        case .inOrder: return Array(0..<count)
        case .perEpoch(let orders):
            require(epoch < orders.count, "train: BatchOrder.perEpoch has orders for \(orders.count) epochs, epoch \(epoch + 1) needs one")
            require(orders[epoch].count == count, "train: the order for epoch \(epoch + 1) has \(orders[epoch].count) indices for \(count) samples")
            return orders[epoch]
        }
    }
}

/// A model's loss (and accuracy, for classification) on a whole data set, in inference mode.
public struct Evaluation: Sendable, Equatable {
    public var loss: Double
    public var accuracy: Double?
}

/// What one epoch of training measured.
public struct EpochRecord: Sendable, Equatable {
    /// Counting from 1.
    public var epoch: Int
    /// The learning rate the epoch used.
    public var learningRate: Double
    /// The mean data loss of the epoch's batches as they were trained on, each batch
    /// weighted by its size (penalties not included).
    public var trainingLoss: Double
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
}

/// Something that takes part in training without being the model, the loss or the
/// optimizer: a learning-rate schedule, gradient clipping, a weight penalty, early
/// stopping. Each hook does nothing unless a plugin says otherwise.
public protocol TrainingPlugin {
    /// Before epoch `epoch` (from 0); may change the learning rate.
    mutating func epochWillStart(_ epoch: Int, learningRate: inout Double)
    /// After a batch's backward pass, before the optimizer's step: may change the
    /// gradients; returns what it added to the loss (0 if nothing).
    mutating func gradientsComputed<Model: Layer>(_ model: inout Model) -> Double
    /// After each epoch; returning true ends training.
    mutating func epochDidEnd<Model: Layer>(_ record: EpochRecord, model: Model) -> Bool
    /// After the last epoch; may change the model. Returns the epoch whose model it put
    /// back, if it did.
    mutating func trainingDidEnd<Model: Layer>(_ model: inout Model) -> Int?
}

extension TrainingPlugin {
    public mutating func epochWillStart(_ epoch: Int, learningRate: inout Double) {}
    public mutating func gradientsComputed<Model: Layer>(_ model: inout Model) -> Double { 0 }
    public mutating func epochDidEnd<Model: Layer>(_ record: EpochRecord, model: Model) -> Bool { false }
    public mutating func trainingDidEnd<Model: Layer>(_ model: inout Model) -> Int? { nil }
}

/// One epoch of mini-batch training over the samples in `order`; returns the mean loss.
///
/// The batches are consecutive slices of `order` of `batchSize` samples (the last may be
/// smaller). For each: zero the gradients, a training-mode forward pass, the loss and
/// ∂L/∂y, the backward pass, `beforeStep` (plugins), the optimizer's step. With
/// `batchSize` equal to the number of samples this is batch gradient descent; with 1,
/// stochastic gradient descent one sample at a time.
public func trainEpoch<Model: Layer, Data: TrainingData, Objective: Loss>(
    _ model: inout Model, on data: Data, order: [Int], batchSize: Int, loss: Objective, optimizer: inout some Optimizer,
    beforeStep: (inout Model) -> Void = { _ in }
) -> Double where Objective.Target == Data.Target {
    require(batchSize > 0, "trainEpoch: the batch size must be positive, got \(batchSize)")
    require(!order.isEmpty, "trainEpoch: no samples to train on")
    var total = 0.0
    for start in stride(from: 0, to: order.count, by: batchSize) {
        let indices = order[start..<min(start + batchSize, order.count)]
        let (x, target) = data.batch(indices)
        model.zeroGradients()
        let output = model.forward(x, mode: .training)
        let (batchLoss, outputGradient) = loss.evaluate(output, target)
        model.backwardSkippingInputGradient(outputGradient)  // the input is data: no ∂L/∂x needed
        beforeStep(&model)
        optimizer.step(&model)
        total += batchLoss * Double(indices.count)
    }
    return total / Double(order.count)
}

/// The model's loss (and accuracy) on all of `data` at once, in inference mode.
public func evaluate<Model: Layer, Data: TrainingData, Objective: Loss>(
    _ model: Model, on data: Data, loss: Objective
) -> Evaluation where Objective.Target == Data.Target {
    let (x, target) = data.batch(Array(0..<data.count)[...])
    let output = model.predict(x)
    return Evaluation(loss: loss.evaluate(output, target).loss, accuracy: loss.accuracy(output, target))
}

/// Trains `model` for `epochs` epochs; the one training loop (see the top of this file).
///
/// - Parameters:
///   - order: which samples each epoch visits in which order.
///   - evaluatesTrainingSet: whether each epoch's record measures the whole training set
///     afterwards, which costs a forward pass over it; `trainingLoss` is recorded either way.
///   - plugins: applied in the order given at each hook (a penalty before clipping, say).
///   - onEpoch: sees each epoch's record as it completes (the lessons' progress bars).
@discardableResult
public func train<Model: Layer, Data: TrainingData, Objective: Loss>(
    _ model: inout Model, on training: Data, validation: Data? = nil, loss: Objective, optimizer: inout some Optimizer,
    epochs: Int, batchSize: Int, order: BatchOrder = .inOrder, plugins: [any TrainingPlugin] = [],
    evaluatesTrainingSet: Bool = true, onEpoch: (EpochRecord) -> Void = { _ in }
) -> TrainingRun where Objective.Target == Data.Target {
    require(epochs > 0, "train: needs at least one epoch, got \(epochs)")
    var plugins = plugins
    var history: [EpochRecord] = []
    var stoppedEarly = false
    for epoch in 0..<epochs {
        for p in plugins.indices { plugins[p].epochWillStart(epoch, learningRate: &optimizer.learningRate) }
        let trainingLoss = trainEpoch(
            &model, on: training, order: order.order(epoch: epoch, count: training.count), batchSize: batchSize, loss: loss,
            optimizer: &optimizer
        ) { model in
            for p in plugins.indices { _ = plugins[p].gradientsComputed(&model) }
        }
        let record = EpochRecord(
            epoch: epoch + 1, learningRate: optimizer.learningRate, trainingLoss: trainingLoss,
            training: evaluatesTrainingSet ? evaluate(model, on: training, loss: loss) : nil, validation: validation.map { evaluate(model, on: $0, loss: loss) })
        history.append(record)
        onEpoch(record)
        var stop = false
        for p in plugins.indices {
            if plugins[p].epochDidEnd(record, model: model) { stop = true }
        }
        if stop {
            stoppedEarly = epoch + 1 < epochs
            break
        }
    }
    var kept = history.count
    for p in plugins.indices {
        if let restored = plugins[p].trainingDidEnd(&model) { kept = restored }
    }
    return TrainingRun(history: history, keptEpoch: kept, stoppedEarly: stoppedEarly)
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
