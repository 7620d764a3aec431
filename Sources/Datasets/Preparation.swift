import Randomness
import Validation

// Preparing a dataset for training: a fixed train/test split and standardized features.

extension ClassificationSet {
    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ClassificationSet {
        ClassificationSet(
            inputs: indices.map { inputs[$0] }, labels: indices.map { labels[$0] }, classCount: classCount)
    }

    /// Splits the samples into a training and a test set with one seeded permutation.
    ///
    /// The test set gets ⌈testFraction · count⌉ samples (360 of the 1797 digits for 0.2),
    /// the training set the rest. The same generator state gives the same split.
    public func split(
        testFraction: Double, using generator: inout SeededGenerator
    ) -> (train: ClassificationSet, test: ClassificationSet) {
        split(testFraction: testFraction, order: generator.shuffled(Array(0..<count)))
    }

    /// Splits the samples by a given permutation `order`: its first ⌈testFraction · count⌉
    /// entries are the test set, the rest the training set.
    public func split(testFraction: Double, order: [Int]) -> (train: ClassificationSet, test: ClassificationSet) {
        require(
            testFraction > 0 && testFraction < 1,
            "split: testFraction must be between 0 and 1 (exclusive), got \(testFraction)")
        require(order.count == count, "split: an order of \(order.count) indices for \(count) samples")
        let testCount = Int((testFraction * Double(count)).rounded(.up))
        return (subset(Array(order[testCount...])), subset(Array(order[..<testCount])))
    }

    /// How many samples of each class there are: `result[c]` counts class `c`.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }
}

/// Standardizes features to mean 0 and standard deviation 1, with statistics taken from
/// the training set only.
///
/// For each feature j: x′ⱼ = (xⱼ − μⱼ) / σⱼ, where μ and σ are the training set's mean and
/// (population) standard deviation. A feature that never changes in the training set (a
/// corner pixel of the digits is always 0) has σ = 0; it gets σ = 1 instead, so it stays
/// 0 rather than becoming 0/0 = NaN.
///
/// Fitting on the training set alone matters: statistics taken from the test set would
/// leak information about it into training.
public struct Standardizer: Sendable {
    /// Each feature's mean on the fitted inputs.
    public let means: [Double]
    /// Each feature's standard deviation on the fitted inputs; 1 for a constant feature, which
    /// then maps to 0 instead of being divided by zero.
    public let standardDeviations: [Double]

    /// Measures the mean and standard deviation of each feature of `inputs`.
    public init(fitting inputs: [[Double]]) {
        require(!inputs.isEmpty, "Standardizer: cannot fit on zero samples")
        let featureCount = inputs[0].count
        let n = Double(inputs.count)
        var means = [Double](repeating: 0, count: featureCount)
        for (row, x) in inputs.enumerated() {
            require(
                x.count == featureCount,
                "Standardizer: sample 0 has \(featureCount) features but sample \(row) has \(x.count)")
            for j in 0..<featureCount { means[j] += x[j] / n }
        }
        var deviations = [Double](repeating: 0, count: featureCount)
        for x in inputs {
            for j in 0..<featureCount { deviations[j] += (x[j] - means[j]) * (x[j] - means[j]) / n }
        }
        self.means = means
        self.standardDeviations = deviations.map { $0 > 0 ? $0.squareRoot() : 1 }
    }

    /// `x` with every feature standardized.
    public func apply(_ x: [Double]) -> [Double] {
        require(
            x.count == means.count,
            "Standardizer: fitted on \(means.count) features but got a sample with \(x.count)")
        return (0..<x.count).map { (x[$0] - means[$0]) / standardDeviations[$0] }
    }

    /// A copy of `set` with every input standardized.
    public func apply(_ set: ClassificationSet) -> ClassificationSet {
        ClassificationSet(inputs: set.inputs.map(apply), labels: set.labels, classCount: set.classCount)
    }
}
