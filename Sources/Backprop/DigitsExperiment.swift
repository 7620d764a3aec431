import Datasets
import LinearAlgebra
import Randomness

/// The handwritten-digits experiment exactly as the NumPy and PyTorch baselines run it
/// (`../shared/baselines/common.py`), so that the three can be compared number for number.
///
/// - split: `RandomState(0).permutation(1797)`; the first 360 samples are the test set,
///   the other 1437 the training set;
/// - features standardized with the training set's mean and standard deviation;
/// - starting weights: `RandomState(0).randn(64, 64) · √(2/64)` then `randn(64, 10) · √(2/64)`
///   (He normal), zero biases;
/// - mini-batch order: epoch e visits the training samples in the e-th
///   `RandomState(1).permutation(1437)`.
///
/// Every draw comes from ``MersenneTwister``, which reproduces NumPy's legacy generator.
public struct DigitsExperiment: Sendable {
    public let training: ClassificationSet
    public let test: ClassificationSet
    public static let sizes = [64, 64, 10]
    public static let batchSize = 32
    public static let epochs = 30

    public init(digits: ClassificationSet) {
        var splitter = MersenneTwister(seed: 0)
        let (rawTraining, rawTest) = digits.split(testFraction: 0.2, order: splitter.permutation(digits.count))
        let standardizer = Standardizer(fitting: rawTraining.inputs)
        training = standardizer.apply(rawTraining)
        test = standardizer.apply(rawTest)
    }

    /// The 64-64-10 ReLU network with the baselines' starting weights.
    public func initialNetwork() -> Network {
        var twister = MersenneTwister(seed: 0)
        var layers: [DenseLayer] = []
        for l in 1..<Self.sizes.count {
            let (inputs, outputs) = (Self.sizes[l - 1], Self.sizes[l])
            let scale = (2 / Double(inputs)).squareRoot()
            // NumPy draws an (inputs × outputs) array row by row; our W is its transpose.
            let drawn = Matrix(rows: inputs, columns: outputs, values: (0..<(inputs * outputs)).map { _ in twister.standardNormal() * scale })
            layers.append(
                DenseLayer(
                    weights: drawn.transposed, biases: [Double](repeating: 0, count: outputs),
                    activation: l == Self.sizes.count - 1 ? nil : .relu))
        }
        return Network(layers: layers)
    }

    /// The order in which each epoch visits the training samples.
    public func epochOrders(_ epochs: Int) -> [[Int]] {
        var twister = MersenneTwister(seed: 1)
        return (0..<epochs).map { _ in twister.permutation(training.count) }
    }

    /// Trains `network` for `epochs` epochs in the baselines' batch order, recording the
    /// loss and both accuracies after every epoch; `update(network, gradients, epoch)`
    /// moves the parameters after each batch.
    @discardableResult
    public func train(
        _ network: inout Network, epochs: Int = DigitsExperiment.epochs, onEpoch: (EpochRecord) -> Void = { _ in },
        update: (inout Network, [DenseLayer.Gradients], _ epoch: Int) -> Void
    ) -> [EpochRecord] {
        trainClassifier(
            &network, on: training, validation: test, orders: epochOrders(epochs), batchSize: Self.batchSize,
            onEpoch: onEpoch, update: update)
    }

    /// Trains `network` for `epochs` epochs of mini-batch SGD in the baselines' batch order.
    @discardableResult
    public func train(
        _ network: inout Network, learningRate: Double, epochs: Int = DigitsExperiment.epochs,
        onEpoch: (EpochRecord) -> Void = { _ in }
    ) -> [EpochRecord] {
        train(&network, epochs: epochs, onEpoch: onEpoch) { network, gradients, _ in
            network.descend(gradients, learningRate: learningRate)
        }
    }
}
