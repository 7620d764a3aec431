import LinearAlgebra
import Randomness

/// The handwritten-digits setup exactly as the NumPy and PyTorch baselines run it
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
/// Every draw comes from ``/Randomness/MersenneTwister``, which reproduces NumPy's legacy generator.
public struct DigitsBaseline: Sendable {
    /// The training split (1,437 images), standardized with statistics of this split only.
    public let training: ClassificationSet
    /// The test split (360 images), standardized with the training split's statistics.
    public let test: ClassificationSet
    /// The 64-64-10 network: ReLU hidden units, 10 linear scores.
    public static let sizes = [64, 64, 10]
    /// The baselines' batch size.
    public static let batchSize = 32
    /// The baselines' number of epochs.
    public static let epochs = 30

    /// The baselines' split, standardization and draws, from the full digits set.
    public init(digits: ClassificationSet) {
        var splitter = MersenneTwister(seed: 0)
        let (rawTraining, rawTest) = digits.split(testFraction: 0.2, order: splitter.permutation(digits.count))
        let standardizer = Standardizer(fitting: rawTraining.inputs)
        training = standardizer.apply(rawTraining)
        test = standardizer.apply(rawTest)
    }

    /// The baselines' starting weights, one (outputs × inputs) matrix per layer.
    public func initialWeights() -> [Matrix] {
        var twister = MersenneTwister(seed: 0)
        return (1..<Self.sizes.count).map { l in
            let (inputs, outputs) = (Self.sizes[l - 1], Self.sizes[l])
            let scale = (2 / Double(inputs)).squareRoot()
            // NumPy draws an (inputs × outputs) array row by row; the layers store its transpose.
            let drawn = Matrix(rows: inputs, columns: outputs, values: (0..<(inputs * outputs)).map { _ in twister.standardNormal() * scale })
            return drawn.transposed
        }
    }

    /// The order in which each epoch visits the training samples.
    public func epochOrders(_ epochs: Int) -> [[Int]] {
        var twister = MersenneTwister(seed: 1)
        return (0..<epochs).map { _ in twister.permutation(training.count) }
    }
}
