import Validation

/// Samples for classification: one input vector and one class label each.

public struct ClassificationSet: Sendable {
    /// One row per sample; every row has the same length.
    public var inputs: [[Double]]
    /// The class of each sample, in `0..<classCount`.
    public var labels: [Int]
    /// The number of classes.
    public var classCount: Int

    /// Samples with their labels; counts that differ, or a label outside `0..<classCount`, stop
    /// with the values named.
    public init(inputs: [[Double]], labels: [Int], classCount: Int) {
        require(
            inputs.count == labels.count,
            "ClassificationSet: \(inputs.count) inputs but \(labels.count) labels")
        if let (i, label) = labels.enumerated().first(where: { !(0..<classCount).contains($0.element) }) {
            requirementFailed("ClassificationSet: sample \(i) has the label \(label), not a class in 0..<\(classCount)")
        }
        self.inputs = inputs
        self.labels = labels
        self.classCount = classCount
    }

    /// The number of samples.
    public var count: Int { inputs.count }
}

/// Samples for regression: one input vector and one real-valued target each.
public struct RegressionSet: Sendable {
    /// One row per sample; every row has the same length.
    public var inputs: [[Double]]
    /// The target value of each sample.
    public var targets: [Double]

    /// Samples with their targets; counts that differ stop with both named.
    public init(inputs: [[Double]], targets: [Double]) {
        require(
            inputs.count == targets.count,
            "RegressionSet: \(inputs.count) inputs but \(targets.count) targets")
        self.inputs = inputs
        self.targets = targets
    }

    /// The number of samples.
    public var count: Int { inputs.count }
}
