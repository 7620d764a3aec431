import Backprop
import Validation

/// Early stopping: watch the validation loss after every epoch, remember the best model
/// seen, and stop once `patience` epochs in a row have failed to improve on the best by
/// more than `minimumImprovement`.
///
/// The training loss keeps falling as a network memorizes its training set, but the
/// validation loss turns back up: the epoch where it was lowest is the model to keep.
/// As a training plugin it needs a validation set, and at the end it puts the best
/// model back (also when the epochs run out first).
public struct EarlyStopping: TrainingPlugin {
    /// The epochs without improvement that end training.
    public let patience: Int
    /// How much the validation loss must fall for an epoch to count as an improvement.
    public let minimumImprovement: Double
    /// The lowest validation loss so far and its epoch.
    public private(set) var best: (loss: Double, epoch: Int)?
    /// Epochs since the last improvement.
    public private(set) var epochsWithoutImprovement = 0
    /// The model as it was after the best epoch (when used as a plugin).
    private var bestModel: (any Layer)?

    /// Stops after `patience` epochs without the validation loss falling by more than
    /// `minimumImprovement`; a patience below 1 or a negative improvement stops naming it.
    public init(patience: Int, minimumImprovement: Double = 0) {
        require(patience > 0, "EarlyStopping: patience must be at least 1, got \(patience)")
        require(minimumImprovement >= 0, "EarlyStopping: the minimum improvement cannot be negative, got \(minimumImprovement)")
        self.patience = patience
        self.minimumImprovement = minimumImprovement
    }

    /// Records epoch `epoch`'s validation loss; returns true when training should stop.
    ///
    /// An improvement means a loss below best − minimumImprovement. The first epoch always
    /// counts as one.
    public mutating func shouldStop(afterEpoch epoch: Int, validationLoss loss: Double) -> Bool {
        if let best, !(loss < best.loss - minimumImprovement) {
            epochsWithoutImprovement += 1
        } else {
            best = (loss, epoch)
            epochsWithoutImprovement = 0
        }
        return epochsWithoutImprovement >= patience
    }

    public mutating func epochDidEnd<Model: Layer>(_ record: EpochRecord, model: Model) -> Bool {
        guard let validation = record.validation else {
            requirementFailed("EarlyStopping: training was given no validation set to watch")
        }
        let stop = shouldStop(afterEpoch: record.epoch, validationLoss: validation.loss)
        if best?.epoch == record.epoch { bestModel = model }
        return stop
    }

    /// Stores what the plugin has seen under `prefix`: the best loss and its epoch, the
    /// epochs without improvement, and the best model's parameters and buffers (in the
    /// shape of `model`, the model being trained). With ``restore(from:for:as:)`` a run
    /// resumed from a checkpoint stops where an uninterrupted one would, and keeps the
    /// same model.
    public func store<Model: Layer>(in checkpoint: inout Checkpoint, for model: Model, as prefix: String = "earlyStopping.") {
        checkpoint.store(best.map { [$0.loss, Double($0.epoch)] } ?? [], as: prefix + "best")
        checkpoint.store(epochsWithoutImprovement, as: prefix + "epochsWithoutImprovement")
        if let kept = bestModel {
            guard let kept = kept as? Model else {
                requirementFailed("EarlyStopping.store: the best model is a \(type(of: kept)), not the \(Model.self) given")
            }
            checkpoint.store(kept, as: prefix + "model.")
        }
    }

    /// Puts back what ``store(in:for:as:)`` saved; `model` gives the best model's shape
    /// (its values are replaced by the saved ones).
    public mutating func restore<Model: Layer>(from checkpoint: inout Checkpoint, for model: Model, as prefix: String = "earlyStopping.") throws {
        let saved = try checkpoint.values(prefix + "best")
        guard saved.isEmpty || saved.count == 2 else {
            throw CheckpointError(file: checkpoint.source, "entry \"\(prefix)best\" holds \(saved.count) values; 0 or 2 (loss, epoch) are needed")
        }
        best = saved.isEmpty ? nil : (saved[0], Int(saved[1]))
        epochsWithoutImprovement = try checkpoint.integer(prefix + "epochsWithoutImprovement")
        if best != nil {
            var kept = model
            try checkpoint.restore(&kept, from: prefix + "model.")
            bestModel = kept
        } else {
            bestModel = nil
        }
    }

    public mutating func trainingDidEnd<Model: Layer>(_ model: inout Model) -> Int? {
        // bestModel was stored from this same training run, so it is a Model.
        guard let kept = bestModel as? Model, let best else { return nil }
        model = kept
        return best.epoch
    }
}
