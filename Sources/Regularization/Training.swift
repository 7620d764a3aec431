import Backprop
import Datasets
import Optimizers
import Randomness

/// What one epoch measured, on the whole training and validation sets in inference mode.
public struct RegularizedEpoch: Sendable, Equatable {
    public var epoch: Int
    public var trainingLoss: Double
    public var trainingAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
}

/// The result of a training run.
public struct TrainingRun: Sendable {
    public var history: [RegularizedEpoch]
    /// The epoch early stopping ended the run after, if it did.
    public var stoppedAfter: Int?
    /// The epoch whose model was kept: the best validation loss with early stopping, else the last.
    public var keptEpoch: Int
}

/// Trains `model` with mini-batches, `optimizer`, an optional weight penalty in the loss and
/// optional early stopping; dropout masks are drawn from `generator`, which also shuffles
/// the batches each epoch.
///
/// The losses recorded are the data losses (the penalty excluded), measured in inference
/// mode after each epoch, so that training and validation are compared like for like. With
/// `earlyStopping`, training ends when it says so, and `model` is set back to the best model
/// it saw (also when the epochs run out first).
@discardableResult
public func train(
    _ model: inout Sequential, on training: ClassificationSet, validation: ClassificationSet, epochs: Int, batchSize: Int,
    optimizer: inout some Optimizer, penalty: Penalty = .none, earlyStopping: EarlyStopping<Sequential>? = nil,
    using generator: inout SeededGenerator, onEpoch: (RegularizedEpoch) -> Void = { _ in }
) -> TrainingRun {
    precondition(batchSize > 1 || !model.hasBatchNorm, "train: batch normalization needs batches of at least 2 samples")
    var stopper = earlyStopping
    var history: [RegularizedEpoch] = []
    var stoppedAfter: Int?
    for epoch in 1...epochs {
        let order = generator.shuffled(Array(0..<training.count))
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let indices = order[start..<min(start + batchSize, order.count)]
            guard indices.count > 1 || !model.hasBatchNorm else { continue }  // a lone leftover sample has no batch statistics
            var (_, gradients) = model.softmaxCrossEntropyGradients(
                batch: batchMatrix(training.inputs, indices), labels: indices.map { training.labels[$0] }, using: &generator)
            _ = model.addPenalty(penalty, to: &gradients)
            optimizer.step(&model, gradients: gradients)
        }
        let (trainingLoss, trainingAccuracy) = model.evaluate(on: training)
        let (validationLoss, validationAccuracy) = model.evaluate(on: validation)
        let record = RegularizedEpoch(
            epoch: epoch, trainingLoss: trainingLoss, trainingAccuracy: trainingAccuracy, validationLoss: validationLoss,
            validationAccuracy: validationAccuracy)
        history.append(record)
        onEpoch(record)
        if stopper?.shouldStop(afterEpoch: epoch, validationLoss: validationLoss, model: model) == true {
            stoppedAfter = epoch
            break
        }
    }
    guard let best = stopper?.best else { return TrainingRun(history: history, stoppedAfter: nil, keptEpoch: history.count) }
    model = best.model
    return TrainingRun(history: history, stoppedAfter: stoppedAfter, keptEpoch: best.epoch)
}

extension Sequential {
    var hasBatchNorm: Bool {
        layers.contains { if case .batchNorm = $0 { true } else { false } }
    }
}
