import Foundation
import Validation

/// Counts of (true class, predicted class) pairs: `counts[t][p]` samples of class t were
/// predicted as p. Rows are the truth, columns the prediction (scikit-learn's
/// `confusion_matrix` layout).
public struct ConfusionMatrix: Sendable, Equatable {
    /// counts[t][p]: how many samples of true class t were predicted as p.
    public let counts: [[Int]]

    /// The matrix of `predicted` against `truth`, over classes 0..<classCount.
    public init(truth: [Int], predicted: [Int], classCount: Int) {
        require(classCount > 0, "ConfusionMatrix: needs at least one class, got \(classCount)")
        require(truth.count == predicted.count, "ConfusionMatrix: \(truth.count) true labels but \(predicted.count) predictions")
        require(!truth.isEmpty, "ConfusionMatrix: no samples")
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (i, (t, p)) in zip(truth, predicted).enumerated() {
            require(
                (0..<classCount).contains(t) && (0..<classCount).contains(p),
                "ConfusionMatrix: sample \(i) has true class \(t) and prediction \(p); classes are 0..<\(classCount)")
            counts[t][p] += 1
        }
        self.counts = counts
    }

    /// A matrix given by its counts (square, none negative, not all 0).
    public init(counts: [[Int]]) {
        require(
            !counts.isEmpty && counts.allSatisfy { $0.count == counts.count }, "ConfusionMatrix: the counts must be square, got rows of \(counts.map(\.count))")
        require(counts.allSatisfy { $0.allSatisfy { $0 >= 0 } }, "ConfusionMatrix: a count is negative in \(counts)")
        require(counts.contains { $0.contains { $0 > 0 } }, "ConfusionMatrix: no samples (every count is 0)")
        self.counts = counts
    }

    /// The number of classes K.
    public var classCount: Int { counts.count }
    /// The number of samples counted.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Samples of class c predicted as c.
    public func truePositives(_ c: Int) -> Int { counts[c][c] }
    /// Samples of other classes predicted as c.
    public func falsePositives(_ c: Int) -> Int { (0..<classCount).reduce(0) { $0 + ($1 == c ? 0 : counts[$1][c]) } }
    /// Samples of class c predicted as something else.
    public func falseNegatives(_ c: Int) -> Int { counts[c].reduce(0, +) - counts[c][c] }
    /// Samples of class c: its row's sum.
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }

    /// The share of samples on the diagonal.
    public var accuracy: Double { Double((0..<classCount).reduce(0) { $0 + counts[$1][$1] }) / Double(total) }
}

/// Precision, recall and F1 of one class.
///
/// ```
/// precision = TP / (TP + FP)     of the samples predicted c, the share that are c
/// recall    = TP / (TP + FN)     of the samples that are c, the share predicted c
/// F1        = 2 TP / (2 TP + FP + FN) = 2 P R / (P + R)
/// ```
/// A ratio whose denominator is 0 (a class never predicted has no precision; a class with
/// no samples has no recall) counts as 0, as scikit-learn's default `zero_division`
/// does (it also warns).
public struct ClassScores: Sendable, Equatable {
    /// Of the samples predicted as the class, the fraction that are (0 when none are).
    public var precision: Double
    /// Of the samples of the class, the fraction predicted as it (0 when there are none).
    public var recall: Double
    /// The harmonic mean of precision and recall (0 when both are 0).
    public var f1: Double
    /// How many samples of the class there are.
    public var support: Int
}

/// How per-class scores become one number.
public enum Averaging: String, Sendable, CaseIterable {
    /// The plain mean over the classes: every class counts the same, however rare.
    case macro
    /// Weighted by each class's support: what a frequent class does dominates.
    case weighted
    /// From the summed TP, FP and FN of all classes. With one label per sample every
    /// error is one FP and one FN, so micro precision = recall = F1 = accuracy.
    case micro
}

/// Per-class scores and their averages, from a confusion matrix (scikit-learn's
/// `classification_report` with `labels=range(K)` and `zero_division=0`).
public struct ClassificationReport: Sendable {
    /// The confusion matrix the report is computed from.
    public let matrix: ConfusionMatrix
    /// Precision, recall, F1 and support of each class.
    public let classes: [ClassScores]

    /// The report of a confusion matrix.
    public init(_ matrix: ConfusionMatrix) {
        self.matrix = matrix
        classes = (0..<matrix.classCount).map { c in
            let (tp, fp, fn) = (Double(matrix.truePositives(c)), Double(matrix.falsePositives(c)), Double(matrix.falseNegatives(c)))
            return ClassScores(
                precision: tp + fp == 0 ? 0 : tp / (tp + fp), recall: tp + fn == 0 ? 0 : tp / (tp + fn),
                f1: 2 * tp + fp + fn == 0 ? 0 : 2 * tp / (2 * tp + fp + fn), support: matrix.support(c))
        }
    }

    /// The report of `predicted` against `truth`.
    public init(truth: [Int], predicted: [Int], classCount: Int) {
        self.init(ConfusionMatrix(truth: truth, predicted: predicted, classCount: classCount))
    }

    /// The fraction of samples classified right.
    public var accuracy: Double { matrix.accuracy }

    /// Precision, recall and F1 averaged as `averaging` says.
    public func average(_ averaging: Averaging) -> (precision: Double, recall: Double, f1: Double) {
        switch averaging {
        case .macro:
            let n = Double(classes.count)
            return (classes.reduce(0) { $0 + $1.precision } / n, classes.reduce(0) { $0 + $1.recall } / n, classes.reduce(0) { $0 + $1.f1 } / n)
        case .weighted:
            let total = Double(matrix.total)
            func weighted(_ score: (ClassScores) -> Double) -> Double { classes.reduce(0) { $0 + score($1) * Double($1.support) } / total }
            return (weighted(\.precision), weighted(\.recall), weighted(\.f1))
        case .micro:
            let tp = Double((0..<matrix.classCount).reduce(0) { $0 + matrix.truePositives($1) })
            let fp = Double((0..<matrix.classCount).reduce(0) { $0 + matrix.falsePositives($1) })
            let fn = Double((0..<matrix.classCount).reduce(0) { $0 + matrix.falseNegatives($1) })
            return (tp + fp == 0 ? 0 : tp / (tp + fp), tp + fn == 0 ? 0 : tp / (tp + fn), 2 * tp + fp + fn == 0 ? 0 : 2 * tp / (2 * tp + fp + fn))
        }
    }

    /// The report as text, one line per class and the averages, like scikit-learn's
    /// (`names` label the classes; their numbers by default).
    public func text(names: [String]? = nil, places: Int = 3) -> String {
        let labels = names ?? (0..<classes.count).map(String.init)
        require(labels.count == classes.count, "ClassificationReport.text: \(labels.count) names for \(classes.count) classes")
        let width = max(12, (labels.map(\.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            s.count >= n ? s : (left ? s + String(repeating: " ", count: n - s.count) : String(repeating: " ", count: n - s.count) + s)
        }
        func number(_ x: Double) -> String { String(format: "%.\(places)f", x) }
        var lines = [pad("", width, left: true) + pad("precision", 10) + pad("recall", 9) + pad("f1-score", 10) + pad("support", 9), ""]
        for (label, s) in zip(labels, classes) {
            lines.append(
                pad(label, width, left: true) + pad(number(s.precision), 10) + pad(number(s.recall), 9) + pad(number(s.f1), 10) + pad("\(s.support)", 9))
        }
        lines.append("")
        lines.append(pad("accuracy", width, left: true) + pad("", 19) + pad(number(accuracy), 10) + pad("\(matrix.total)", 9))
        for averaging in [Averaging.macro, .weighted] {
            let a = average(averaging)
            lines.append(
                pad("\(averaging.rawValue) avg", width, left: true) + pad(number(a.precision), 10) + pad(number(a.recall), 9) + pad(number(a.f1), 10)
                    + pad("\(matrix.total)", 9))
        }
        return lines.joined(separator: "\n")
    }
}
