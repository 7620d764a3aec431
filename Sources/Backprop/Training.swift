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

/// How the parameters move once a batch's gradients are known.
///
/// Plain gradient descent is `{ network, gradients in network.descend(gradients, learningRate: η) }`;
/// Chapter 4's optimizers plug in here.
public typealias UpdateStep = (inout Network, [DenseLayer.Gradients]) -> Void

/// One epoch of mini-batch training over the samples in `order`.
///
/// The batches are consecutive slices of `order` of `batchSize` samples (the last may be
/// smaller). For each: `lossAndGradients` runs the forward and backward pass on the
/// batch's sample indices, then `update` moves the parameters. Returns the mean loss over
/// the epoch, each batch weighted by its size.
///
/// With `batchSize` equal to the number of samples this is batch gradient descent (one
/// step per epoch); with 1 it is stochastic gradient descent (one step per sample).
public func descendEpoch(
    _ network: inout Network, order: [Int], batchSize: Int,
    lossAndGradients: (Network, ArraySlice<Int>) -> (loss: Double, gradients: [DenseLayer.Gradients]),
    update: UpdateStep
) -> Double {
    precondition(batchSize > 0, "descendEpoch: batch size must be positive, got \(batchSize)")
    var total = 0.0
    for start in stride(from: 0, to: order.count, by: batchSize) {
        let indices = order[start..<min(start + batchSize, order.count)]
        let (loss, gradients) = lossAndGradients(network, indices)
        update(&network, gradients)
        total += loss * Double(indices.count)
    }
    return total / Double(order.count)
}

/// One epoch of mini-batch training with softmax + cross-entropy, visiting the samples in `order`.
public func trainEpoch(
    _ network: inout Network, on data: ClassificationSet, order: [Int], batchSize: Int, update: UpdateStep
) -> Double {
    precondition(
        data.inputs.first?.count == network.sizes[0],
        "trainEpoch: samples of size \(data.inputs.first?.count ?? 0) do not fit a network with \(network.sizes[0]) inputs")
    return descendEpoch(&network, order: order, batchSize: batchSize) { network, indices in
        network.softmaxCrossEntropyGradients(batch: batchMatrix(data.inputs, indices), labels: indices.map { data.labels[$0] })
    } update: { network, gradients in
        update(&network, gradients)
    }
}

/// One epoch of mini-batch SGD with softmax + cross-entropy, visiting the samples in `order`.
public func trainEpoch(
    _ network: inout Network, on data: ClassificationSet, order: [Int], batchSize: Int, learningRate: Double
) -> Double {
    trainEpoch(&network, on: data, order: order, batchSize: batchSize) { $0.descend($1, learningRate: learningRate) }
}

/// Trains a classifier, visiting the training set in `orders[e]` in epoch e, and records
/// the loss and accuracies after every epoch.
///
/// `update(network, gradients, epoch)` moves the parameters after each batch; `epoch`
/// counts from 0, for learning-rate schedules. `onEpoch` sees each epoch's record as it
/// completes (the lessons draw their progress bars from it). Returns every record.
@discardableResult
public func trainClassifier(
    _ network: inout Network, on training: ClassificationSet, validation: ClassificationSet? = nil,
    orders: [[Int]], batchSize: Int, onEpoch: (EpochRecord) -> Void = { _ in },
    update: (inout Network, [DenseLayer.Gradients], _ epoch: Int) -> Void
) -> [EpochRecord] {
    var history: [EpochRecord] = []
    for (index, order) in orders.enumerated() {
        let loss = trainEpoch(&network, on: training, order: order, batchSize: batchSize) { update(&$0, $1, index) }
        let record = EpochRecord(
            epoch: index + 1, trainingLoss: loss, trainingAccuracy: network.accuracy(on: training),
            validationAccuracy: validation.map { network.accuracy(on: $0) })
        history.append(record)
        onEpoch(record)
    }
    return history
}

/// Trains a classifier with mini-batch SGD, visiting the training set in `orders[e]` in
/// epoch e, and records the loss and accuracies after every epoch.
@discardableResult
public func trainClassifier(
    _ network: inout Network, on training: ClassificationSet, validation: ClassificationSet? = nil,
    orders: [[Int]], batchSize: Int, learningRate: Double, onEpoch: (EpochRecord) -> Void = { _ in }
) -> [EpochRecord] {
    trainClassifier(&network, on: training, validation: validation, orders: orders, batchSize: batchSize, onEpoch: onEpoch) {
        network, gradients, _ in network.descend(gradients, learningRate: learningRate)
    }
}

/// Trains a classifier with mini-batch SGD, reshuffling the training set every epoch.
@discardableResult
public func trainClassifier(
    _ network: inout Network, on training: ClassificationSet, validation: ClassificationSet? = nil,
    epochs: Int, batchSize: Int, learningRate: Double, using generator: inout SeededGenerator,
    onEpoch: (EpochRecord) -> Void = { _ in }
) -> [EpochRecord] {
    // Training draws nothing else from the generator, so shuffling every epoch's order up
    // front gives the same orders as shuffling at the start of each epoch.
    let orders = (0..<epochs).map { _ in generator.shuffled(Array(0..<training.count)) }
    return trainClassifier(
        &network, on: training, validation: validation, orders: orders, batchSize: batchSize, learningRate: learningRate,
        onEpoch: onEpoch)
}

/// Trains a regression network (one output) on the mean squared error, reshuffling the
/// samples every epoch; `update(network, gradients, epoch)` moves the parameters after
/// each batch. Returns the mean training loss of each epoch.
@discardableResult
public func trainRegressor(
    _ network: inout Network, on data: RegressionSet, epochs: Int, batchSize: Int, using generator: inout SeededGenerator,
    update: (inout Network, [DenseLayer.Gradients], _ epoch: Int) -> Void
) -> [Double] {
    precondition(network.sizes.last == 1, "trainRegressor: the network needs one output, it has \(network.sizes.last!)")
    return (0..<epochs).map { epoch in
        let order = generator.shuffled(Array(0..<data.count))
        return descendEpoch(&network, order: order, batchSize: batchSize) { network, indices in
            let targets = Matrix(rows: indices.count, columns: 1, values: indices.map { data.targets[$0] })
            return network.meanSquaredErrorGradients(batch: batchMatrix(data.inputs, indices), targets: targets)
        } update: { network, gradients in
            update(&network, gradients, epoch)
        }
    }
}

/// Trains a regression network (one output) on the mean squared error with mini-batch SGD.
/// Returns the mean training loss of each epoch.
@discardableResult
public func trainRegressor(
    _ network: inout Network, on data: RegressionSet, epochs: Int, batchSize: Int, learningRate: Double,
    using generator: inout SeededGenerator
) -> [Double] {
    trainRegressor(&network, on: data, epochs: epochs, batchSize: batchSize, using: &generator) { network, gradients, _ in
        network.descend(gradients, learningRate: learningRate)
    }
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
