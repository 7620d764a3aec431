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
    public var schedule: Schedule
    /// η₀: given, or taken from the optimizer at epoch 0.
    public private(set) var initial: Double?

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
