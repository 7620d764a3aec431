/// Early stopping: watch the validation loss after every epoch, remember the best model
/// seen, and stop once `patience` epochs in a row have failed to improve on the best by
/// more than `minimumImprovement`.
///
/// The training loss keeps falling as a network memorizes its training set, but the
/// validation loss turns back up: the epoch where it was lowest is the model to keep.
public struct EarlyStopping<Model>: Sendable where Model: Sendable {
    public let patience: Int
    public let minimumImprovement: Double
    /// The lowest validation loss so far, its epoch, and the model as it was then.
    public private(set) var best: (loss: Double, epoch: Int, model: Model)?
    /// Epochs since the last improvement.
    public private(set) var epochsWithoutImprovement = 0

    public init(patience: Int, minimumImprovement: Double = 0) {
        precondition(patience > 0, "EarlyStopping: patience must be at least 1, got \(patience)")
        precondition(minimumImprovement >= 0, "EarlyStopping: the minimum improvement cannot be negative, got \(minimumImprovement)")
        self.patience = patience
        self.minimumImprovement = minimumImprovement
    }

    /// Records epoch `epoch`'s validation loss and model; returns true when training should stop.
    ///
    /// An improvement means a loss below best − minimumImprovement. The first epoch always
    /// counts as one.
    public mutating func shouldStop(afterEpoch epoch: Int, validationLoss loss: Double, model: Model) -> Bool {
        if let best, !(loss < best.loss - minimumImprovement) {
            epochsWithoutImprovement += 1
        } else {
            best = (loss, epoch, model)
            epochsWithoutImprovement = 0
        }
        return epochsWithoutImprovement >= patience
    }
}
