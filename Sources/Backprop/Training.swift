import Datasets
import LinearAlgebra
import Randomness

/// The samples at `indices` stacked as the rows of a matrix: the batch X.
public func batchMatrix(_ inputs: [[Double]], _ indices: some Collection<Int>) -> Matrix {
    let columns = inputs[indices.first!].count
    var values: [Double] = []
    values.reserveCapacity(indices.count * columns)
    for index in indices {
        precondition(
            inputs[index].count == columns,
            "batchMatrix: sample \(indices.first!) has \(columns) values but sample \(index) has \(inputs[index].count)")
        values += inputs[index]
    }
    return Matrix(rows: indices.count, columns: columns, values: values)
}

/// What one epoch of training measured.
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    /// The mean loss over the epoch's mini-batches, weighted by batch size.
    public var trainingLoss: Double
    /// Accuracy on the training set after the epoch (classification only).
    public var trainingAccuracy: Double?
    /// Accuracy on the held-out set after the epoch, if one was given.
    public var validationAccuracy: Double?
}

/// One epoch of mini-batch SGD with softmax + cross-entropy, visiting the samples in `order`.
///
/// The batches are consecutive slices of `order` of `batchSize` samples (the last may be
/// smaller). For each: forward, backward, and W ← W − η ∂L/∂W on every layer. Returns the
/// mean training loss over the epoch.
public func trainEpoch(
    _ network: inout Network, on data: ClassificationSet, order: [Int], batchSize: Int, learningRate: Double
) -> Double {
    precondition(batchSize > 0, "trainEpoch: batch size must be positive, got \(batchSize)")
    precondition(
        data.inputs.first?.count == network.sizes[0],
        "trainEpoch: samples of size \(data.inputs.first?.count ?? 0) do not fit a network with \(network.sizes[0]) inputs")
    var total = 0.0
    for start in stride(from: 0, to: order.count, by: batchSize) {
        let indices = order[start..<min(start + batchSize, order.count)]
        let x = batchMatrix(data.inputs, indices)
        let labels = indices.map { data.labels[$0] }
        let (loss, gradients) = network.softmaxCrossEntropyGradients(batch: x, labels: labels)
        network.descend(gradients, learningRate: learningRate)
        total += loss * Double(indices.count)
    }
    return total / Double(order.count)
}

/// Trains a classifier with mini-batch SGD, reshuffling the training set every epoch.
///
/// `onEpoch` sees each epoch's record as it completes (the lesson draws its progress bar
/// from it). Returns every record.
@discardableResult
public func trainClassifier(
    _ network: inout Network, on training: ClassificationSet, validation: ClassificationSet? = nil,
    epochs: Int, batchSize: Int, learningRate: Double, using generator: inout SeededGenerator,
    onEpoch: (EpochRecord) -> Void = { _ in }
) -> [EpochRecord] {
    var history: [EpochRecord] = []
    for epoch in 1...epochs {
        let order = generator.shuffled(Array(0..<training.count))
        let loss = trainEpoch(&network, on: training, order: order, batchSize: batchSize, learningRate: learningRate)
        let record = EpochRecord(
            epoch: epoch, trainingLoss: loss, trainingAccuracy: network.accuracy(on: training),
            validationAccuracy: validation.map { network.accuracy(on: $0) })
        history.append(record)
        onEpoch(record)
    }
    return history
}

/// Trains a regression network (one output) on the mean squared error with mini-batch SGD.
/// Returns the mean training loss of each epoch.
@discardableResult
public func trainRegressor(
    _ network: inout Network, on data: RegressionSet, epochs: Int, batchSize: Int, learningRate: Double,
    using generator: inout SeededGenerator, onEpoch: (Int, Double) -> Void = { _, _ in }
) -> [Double] {
    precondition(network.sizes.last == 1, "trainRegressor: the network needs one output, it has \(network.sizes.last!)")
    var losses: [Double] = []
    for epoch in 1...epochs {
        let order = generator.shuffled(Array(0..<data.count))
        var total = 0.0
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let indices = order[start..<min(start + batchSize, order.count)]
            let x = batchMatrix(data.inputs, indices)
            let y = Matrix(rows: indices.count, columns: 1, values: indices.map { data.targets[$0] })
            let (loss, gradients) = network.meanSquaredErrorGradients(batch: x, targets: y)
            network.descend(gradients, learningRate: learningRate)
            total += loss * Double(indices.count)
        }
        losses.append(total / Double(order.count))
        onEpoch(epoch, losses[losses.count - 1])
    }
    return losses
}

extension Network {
    /// The class with the highest score.
    public func classify(_ x: [Double]) -> Int {
        argmax(predict(x))!
    }

    /// The predicted class of every sample, computed batch-wise.
    public func classify(_ inputs: [[Double]]) -> [Int] {
        guard !inputs.isEmpty else { return [] }
        let output = forward(batch: batchMatrix(inputs, inputs.indices)).last!.output
        return (0..<output.rows).map { r in argmax(output.row(r))! }
    }

    /// The fraction of samples classified correctly.
    public func accuracy(on data: ClassificationSet) -> Double {
        let predictions = classify(data.inputs)
        let correct = zip(predictions, data.labels).filter { $0 == $1 }.count
        return Double(correct) / Double(data.count)
    }

    /// counts[true class][predicted class].
    public func confusionMatrix(on data: ClassificationSet) -> [[Int]] {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: data.classCount), count: data.classCount)
        for (predicted, label) in zip(classify(data.inputs), data.labels) { counts[label][predicted] += 1 }
        return counts
    }
}
