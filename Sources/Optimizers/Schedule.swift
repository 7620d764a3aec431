import Backprop
import Foundation
import Validation

/// How the learning rate changes over training: η at epoch t (counting from 0) from the
/// starting rate η₀.
public enum Schedule: Sendable, Equatable {
    /// η = η₀ throughout.
    case constant
    /// Step decay: η = η₀ · factor^⌊t / every⌋, dropping by `factor` every `every` epochs.
    case step(every: Int, factor: Double)
    /// Exponential decay: η = η₀ · rateᵗ, a little smaller every epoch.
    case exponential(rate: Double)
    /// Cosine annealing: η = η_min + ½ (η₀ − η_min)(1 + cos(π t / period)), gliding from η₀
    /// down to η_min at t = period and staying there.
    case cosine(period: Int, minimum: Double)
    /// Polynomial (1/t) decay: η = η₀ / (1 + k t).
    case polynomial(decay: Double)

    /// The learning rate at epoch `t`.
    public func learningRate(initial: Double, at t: Int) -> Double {
        require(t >= 0, "Schedule: epochs count from 0, got \(t)")
        requireLearningRate(initial, "Schedule \(name)")
        switch self {
        case .constant:
            return initial
        case .step(let every, let factor):
            require(every > 0, "Schedule.step: every must be positive, got \(every)")
            return initial * pow(factor, Double(t / every))
        case .exponential(let rate):
            return initial * pow(rate, Double(t))
        case .cosine(let period, let minimum):
            require(period > 0, "Schedule.cosine: the period must be positive, got \(period)")
            let progress = Double(min(t, period)) / Double(period)
            return minimum + 0.5 * (initial - minimum) * (1 + cos(Double.pi * progress))
        case .polynomial(let k):
            return initial / (1 + k * Double(t))
        }
    }

    /// The schedule as the lessons print it ("cosine (to 0.0 over 30)").
    public var name: String {
        switch self {
        case .constant: "constant"
        case .step(let every, let factor): "step (×\(factor) every \(every))"
        case .exponential(let rate): "exponential (×\(rate) per epoch)"
        case .cosine(let period, let minimum): "cosine (to \(minimum) over \(period))"
        case .polynomial(let k): "polynomial (1/(1 + \(k)t))"
        }
    }
}

/// A schedule as a training plugin: before each epoch t the optimizer's learning rate is
/// set to the schedule's η(t), with η₀ the rate the optimizer had when training started.
///
/// Resuming from a checkpoint: the optimizer's restored rate is the one the schedule set
/// for the last epoch run, not η₀, so a run that starts past epoch 0 must be given η₀
/// (`LearningRateSchedule(.cosine(…), initial: 3e-3)`); without it the plugin stops
/// rather than decaying an already decayed rate.
public struct LearningRateSchedule: TrainingPlugin {
    /// How η changes with the epoch.
    public var schedule: Schedule
    /// η₀: given, or taken from the optimizer at epoch 0.
    public private(set) var initial: Double?

    /// A plugin that sets η from `schedule` before every epoch, starting from `initial` (or
    /// the optimizer's rate at epoch 0; a run resumed past epoch 0 must give it).
    public init(_ schedule: Schedule, initial: Double? = nil) {
        if let initial { requireLearningRate(initial, "LearningRateSchedule") }
        self.schedule = schedule
        self.initial = initial
    }

    public mutating func epochWillStart(_ epoch: Int, learningRate: inout Double) {
        require(
            initial != nil || epoch == 0,
            "LearningRateSchedule: training starts at epoch \(epoch) (resumed?) but the schedule was not given η₀; the optimizer's "
                + "rate \(learningRate) is the one scheduled for the last epoch run: pass LearningRateSchedule(…, initial: η₀)")
        let start = initial ?? learningRate
        initial = start
        learningRate = schedule.learningRate(initial: start, at: epoch)
    }
}

/// Reduce-on-plateau (PyTorch's `ReduceLROnPlateau`, mode "min", threshold mode "rel"):
/// a schedule that reads the validation loss. After each epoch the loss counts as an
/// improvement when it is below best · (1 − threshold); after more than `patience` epochs
/// in a row without one, the rate is multiplied by `factor` (not below `minimum`) for the
/// epochs that follow, and the next `cooldown` epochs are not counted.
///
/// ```
/// improved:   loss < best (1 − threshold)  →  best = loss, bad = 0
/// otherwise:  bad += 1
/// in cooldown: cooldown -= 1, bad = 0
/// bad > patience:  η ← max(η · factor, minimum), cooldown = its length, bad = 0
/// ```
/// PyTorch's rule, strictly more than `patience` bad epochs (Keras's waits for `patience`:
/// Keras's patience p is PyTorch's p − 1). The first epoch always improves on no best.
/// As a plugin it needs a validation set.
public struct ReduceOnPlateau: TrainingPlugin {
    /// The rule's settings: the cut `factor` (η ← η · factor), the `patience` in bad epochs,
    /// the relative improvement `threshold`, the `cooldown` epochs after a cut, and the
    /// `minimum` rate.
    public let factor: Double, patience: Int, threshold: Double, cooldown: Int, minimum: Double
    /// The lowest validation loss so far, the epochs counted without improvement, and the
    /// cooldown epochs left.
    public private(set) var best: Double?
    /// The epochs counted without improvement since the last cut or improvement.
    public private(set) var badEpochs = 0
    /// The cooldown epochs still to wait before epochs count again.
    public private(set) var cooldownLeft = 0
    /// The rate to use from the next epoch on, once decided.
    private var reduced: Double?
    /// The epochs (from 1) after which the rate was cut.
    public private(set) var reductions: [Int] = []

    /// The rule with PyTorch's defaults; a factor outside (0, 1), a negative patience or
    /// cooldown, a threshold outside [0, 1) or a bad minimum stops naming it.
    public init(factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4, cooldown: Int = 0, minimum: Double = 0) {
        require(factor > 0 && factor < 1, "ReduceOnPlateau: the factor must be in (0, 1), got \(factor)")
        require(patience >= 0 && cooldown >= 0, "ReduceOnPlateau: patience \(patience) and cooldown \(cooldown) cannot be negative")
        require(threshold >= 0 && threshold < 1, "ReduceOnPlateau: the threshold must be in [0, 1), got \(threshold)")
        require(minimum >= 0 && minimum.isFinite, "ReduceOnPlateau: the minimum rate must be finite and ≥ 0, got \(minimum)")
        (self.factor, self.patience, self.threshold, self.cooldown, self.minimum) = (factor, patience, threshold, cooldown, minimum)
    }

    /// Takes one epoch's validation loss; returns the rate for the next epoch given the
    /// current one.
    public mutating func step(validationLoss loss: Double, learningRate: Double) -> Double {
        if let best, !(loss < best * (1 - threshold)) {
            badEpochs += 1
        } else {
            best = loss
            badEpochs = 0
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        guard badEpochs > patience else { return learningRate }
        cooldownLeft = cooldown
        badEpochs = 0
        return max(learningRate * factor, minimum)
    }

    public mutating func epochWillStart(_ epoch: Int, learningRate: inout Double) {
        if let reduced { learningRate = reduced }
        reduced = nil
    }

    public mutating func epochDidEnd<Model: Layer>(_ record: EpochRecord, model: Model) -> Bool {
        guard let validation = record.validation else {
            requirementFailed("ReduceOnPlateau: training was given no validation set to watch")
        }
        let next = step(validationLoss: validation.loss, learningRate: record.learningRate)
        if next != record.learningRate {
            reduced = next
            reductions.append(record.epoch)
        }
        return false
    }
}
