import Backprop
import Datasets
import Randomness

/// Trains a classifier with any optimizer, reshuffling the training set every epoch.
///
/// Before each epoch the learning rate is set from `schedule` (η₀ is the optimizer's rate
/// when training starts); with `clippingNorm` set, every batch's gradients are clipped by
/// their global norm. Returns the record of every epoch.
@discardableResult
public func trainClassifier(
    _ network: inout Network, on training: ClassificationSet, validation: ClassificationSet? = nil,
    epochs: Int, batchSize: Int, optimizer: inout some Optimizer, schedule: Schedule = .constant,
    clippingNorm: Double? = nil, using generator: inout SeededGenerator, onEpoch: (EpochRecord) -> Void = { _ in }
) -> [EpochRecord] {
    let orders = (0..<epochs).map { _ in generator.shuffled(Array(0..<training.count)) }
    let initial = optimizer.learningRate
    return trainClassifier(&network, on: training, validation: validation, orders: orders, batchSize: batchSize, onEpoch: onEpoch) {
        network, gradients, epoch in
        optimizer.step(&network, gradients: gradients, schedule: schedule, initial: initial, epoch: epoch, clippingNorm: clippingNorm)
    }
}

/// Trains a regression network with any optimizer (see the classifier's version above).
@discardableResult
public func trainRegressor(
    _ network: inout Network, on data: RegressionSet, epochs: Int, batchSize: Int, optimizer: inout some Optimizer,
    schedule: Schedule = .constant, using generator: inout SeededGenerator
) -> [Double] {
    let initial = optimizer.learningRate
    return trainRegressor(&network, on: data, epochs: epochs, batchSize: batchSize, using: &generator) { network, gradients, epoch in
        optimizer.step(&network, gradients: gradients, schedule: schedule, initial: initial, epoch: epoch)
    }
}

extension DigitsExperiment {
    /// Trains `network` with `optimizer` in the baselines' batch order (see ``DigitsExperiment``).
    @discardableResult
    public func train(
        _ network: inout Network, optimizer: inout some Optimizer, schedule: Schedule = .constant,
        epochs: Int = DigitsExperiment.epochs, onEpoch: (EpochRecord) -> Void = { _ in }
    ) -> [EpochRecord] {
        let initial = optimizer.learningRate
        return train(&network, epochs: epochs, onEpoch: onEpoch) { network, gradients, epoch in
            optimizer.step(&network, gradients: gradients, schedule: schedule, initial: initial, epoch: epoch)
        }
    }
}

/// Runs `steps` steps of `optimizer` on a function of a few variables, from `start`.
/// Returns the path: the start and the point after every step.
public func minimize(
    from start: [Double], steps: Int, optimizer: inout some Optimizer, gradient: ([Double]) -> [Double]
) -> [[Double]] {
    var point = start
    var path = [start]
    for _ in 0..<steps {
        optimizer.update(&point, gradient: gradient(point), slot: 0)
        path.append(point)
    }
    return path
}

/// Test functions with a known minimum, for watching optimizers move.
public enum Surface: Sendable {
    /// f(x) = Σ xᵢ², a round bowl with its minimum 0 at the origin.
    case bowl
    /// Rosenbrock's valley f(x, y) = (1 − x)² + 100 (y − x²)²: a long, narrow, curved valley
    /// whose floor falls gently to the minimum 0 at (1, 1). Easy to find, slow to follow.
    case rosenbrock

    public func value(_ p: [Double]) -> Double {
        switch self {
        case .bowl: return p.reduce(0) { $0 + $1 * $1 }
        case .rosenbrock:
            let (x, y) = (p[0], p[1])
            return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
        }
    }

    public func gradient(_ p: [Double]) -> [Double] {
        switch self {
        case .bowl: return p.map { 2 * $0 }
        case .rosenbrock:
            let (x, y) = (p[0], p[1])
            return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
        }
    }
}
