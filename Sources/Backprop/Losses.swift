import Activations
import Foundation
import LinearAlgebra
import Validation

// Loss functions and their derivatives. Each takes predictions ŷ and targets y of the same
// length n and returns the mean over the n values; each gradient is ∂L/∂ŷ of that mean,
// so it carries the 1/n.

func checkSameLength(_ name: String, _ predictions: [Double], _ targets: [Double]) {
    require(
        predictions.count == targets.count,
        "\(name): \(predictions.count) predictions but \(targets.count) targets")
    require(!predictions.isEmpty, "\(name): no predictions")
}

/// Mean squared error: L = (1/n) Σ (ŷᵢ − yᵢ)². For regression; punishes large errors most.
public func meanSquaredError(_ predictions: [Double], _ targets: [Double]) -> Double {
    checkSameLength("meanSquaredError", predictions, targets)
    var sum = 0.0
    for i in predictions.indices { sum += (predictions[i] - targets[i]) * (predictions[i] - targets[i]) }
    return sum / Double(predictions.count)
}

/// ∂MSE/∂ŷᵢ = 2 (ŷᵢ − yᵢ) / n.
public func meanSquaredErrorGradient(_ predictions: [Double], _ targets: [Double]) -> [Double] {
    checkSameLength("meanSquaredErrorGradient", predictions, targets)
    let n = Double(predictions.count)
    return predictions.indices.map { 2 * (predictions[$0] - targets[$0]) / n }
}

/// Mean absolute error: L = (1/n) Σ |ŷᵢ − yᵢ|. Less swayed by outliers than MSE.
public func meanAbsoluteError(_ predictions: [Double], _ targets: [Double]) -> Double {
    checkSameLength("meanAbsoluteError", predictions, targets)
    var sum = 0.0
    for i in predictions.indices { sum += abs(predictions[i] - targets[i]) }
    return sum / Double(predictions.count)
}

/// ∂MAE/∂ŷᵢ = sign(ŷᵢ − yᵢ) / n, taken as 0 at the kink ŷᵢ = yᵢ.
public func meanAbsoluteErrorGradient(_ predictions: [Double], _ targets: [Double]) -> [Double] {
    checkSameLength("meanAbsoluteErrorGradient", predictions, targets)
    let n = Double(predictions.count)
    return predictions.indices.map { i in
        let difference = predictions[i] - targets[i]
        guard !difference.isNaN else { return difference }  // NaN in, NaN out: not a hidden 0
        return difference > 0 ? 1 / n : difference < 0 ? -1 / n : 0
    }
}

/// How close to 0 or 1 a predicted probability may come before the logarithms of the
/// cross-entropies are taken. A sigmoid output of exactly 0 or 1 (it rounds there beyond
/// |z| ≈ 37) would otherwise give log 0 = −∞ and a gradient of ±∞.
public let probabilityClamp = 1e-12

func clamped(_ p: Double) -> Double { p.isNaN ? p : min(max(p, probabilityClamp), 1 - probabilityClamp) }

/// Stops unless every prediction and target is a probability in [0, 1] (NaN passes through
/// to the result): a value outside would make a logarithm's argument negative.
func checkProbabilities(_ name: String, _ predictions: [Double], _ targets: [Double]) {
    if let (i, p) = predictions.enumerated().first(where: { $0.element < 0 || $0.element > 1 }) {
        requirementFailed("\(name): prediction \(i) is \(p), not a probability in [0, 1]")
    }
    if let (i, y) = targets.enumerated().first(where: { $0.element < 0 || $0.element > 1 }) {
        requirementFailed("\(name): target \(i) is \(y), not in [0, 1]")
    }
}

/// Binary cross-entropy: L = −(1/n) Σ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)], ŷᵢ ∈ (0, 1).
///
/// The negative log-likelihood of the labels when ŷᵢ is the predicted probability that
/// yᵢ = 1. Predictions are clamped to [ε, 1 − ε] with ε = ``probabilityClamp``.
public func binaryCrossEntropy(_ predictions: [Double], _ targets: [Double]) -> Double {
    checkSameLength("binaryCrossEntropy", predictions, targets)
    checkProbabilities("binaryCrossEntropy", predictions, targets)
    var sum = 0.0
    for i in predictions.indices {
        let p = clamped(predictions[i])
        sum -= targets[i] * log(p) + (1 - targets[i]) * log(1 - p)
    }
    return sum / Double(predictions.count)
}

/// ∂BCE/∂ŷᵢ = (ŷᵢ − yᵢ) / (ŷᵢ (1 − ŷᵢ)) / n, with ŷ clamped as in the loss.
public func binaryCrossEntropyGradient(_ predictions: [Double], _ targets: [Double]) -> [Double] {
    checkSameLength("binaryCrossEntropyGradient", predictions, targets)
    checkProbabilities("binaryCrossEntropyGradient", predictions, targets)
    let n = Double(predictions.count)
    return predictions.indices.map { i in
        let p = clamped(predictions[i])
        return (p - targets[i]) / (p * (1 - p)) / n
    }
}

/// Categorical cross-entropy from one-hot targets: L = −(1/B) Σᵣ Σₖ Yᵣₖ log Pᵣₖ.
///
/// `probabilities` and `targets` are (batch × classes); each row of `probabilities` is a
/// distribution (a softmax output), each row of `targets` a one-hot vector.
public func categoricalCrossEntropy(probabilities: Matrix, oneHot targets: Matrix) -> Double {
    require(
        probabilities.rows == targets.rows && probabilities.columns == targets.columns,
        "categoricalCrossEntropy: probabilities \(probabilities.shapeDescription) and targets \(targets.shapeDescription) differ in shape")
    checkDistributions("categoricalCrossEntropy", probabilities)
    checkDistributions("categoricalCrossEntropy (targets)", targets)
    var sum = 0.0
    for index in probabilities.values.indices where targets.values[index] != 0 {
        sum -= targets.values[index] * log(clamped(probabilities.values[index]))
    }
    return sum / Double(probabilities.rows)
}

/// Categorical cross-entropy from class indices: L = −(1/B) Σᵣ log Pᵣ,ᵧᵣ.
///
/// The same number as the one-hot form, which has a single nonzero term per row; here the
/// label picks that term directly.
public func categoricalCrossEntropy(probabilities: Matrix, labels: [Int]) -> Double {
    checkLabels("categoricalCrossEntropy", probabilities, labels)
    checkDistributions("categoricalCrossEntropy", probabilities)
    var sum = 0.0
    for (r, label) in labels.enumerated() { sum -= log(clamped(probabilities[r, label])) }
    return sum / Double(probabilities.rows)
}

/// ∂L/∂P for the one-hot cross-entropy: −Yᵣₖ / Pᵣₖ / B.
public func categoricalCrossEntropyGradient(probabilities: Matrix, oneHot targets: Matrix) -> Matrix {
    require(
        probabilities.rows == targets.rows && probabilities.columns == targets.columns,
        "categoricalCrossEntropyGradient: probabilities \(probabilities.shapeDescription) and targets \(targets.shapeDescription) differ in shape")
    let batch = Double(probabilities.rows)
    var values = probabilities.values
    for index in values.indices {
        values[index] = -targets.values[index] / clamped(probabilities.values[index]) / batch
    }
    let gradient = Matrix(rows: probabilities.rows, columns: probabilities.columns, values: values)
    return gradient
}

/// Stops unless every row of `p` is a probability distribution: entries in [0, 1] summing
/// to 1 within 1e-4 (room for rounding, and for the ±ε nudges of a gradient check). NaN
/// entries pass through to the result.
func checkDistributions(_ name: String, _ p: Matrix) {
    for r in 0..<p.rows {
        let row = p.row(r)
        if let bad = row.first(where: { $0 < 0 || $0 > 1 }) {
            requirementFailed("\(name): row \(r) has the entry \(bad), not a probability in [0, 1]")
        }
        let sum = row.reduce(0, +)
        require(sum.isNaN || abs(sum - 1) <= 1e-4, "\(name): row \(r) sums to \(sum), not 1: not a distribution")
    }
}

func checkLabels(_ name: String, _ scores: Matrix, _ labels: [Int]) {
    require(
        labels.count == scores.rows,
        "\(name): \(scores.shapeDescription) has \(scores.rows) rows but there are \(labels.count) labels")
    if let bad = labels.first(where: { !(0..<scores.columns).contains($0) }) {
        requirementFailed("\(name): label \(bad) is not a class of \(scores.shapeDescription) (0..<\(scores.columns))")
    }
}

/// Targets as one-hot rows: row r has a 1 in column labels[r] and 0 elsewhere.
public func oneHot(_ labels: [Int], classCount: Int) -> Matrix {
    var matrix = Matrix(rows: labels.count, columns: classCount)
    for (r, label) in labels.enumerated() {
        require((0..<classCount).contains(label), "oneHot: label \(label) is not in 0..<\(classCount)")
        matrix[r, label] = 1
    }
    return matrix
}

/// Softmax and cross-entropy in one step, from the raw scores (logits) Z of the last layer.
///
/// ```
/// L      = (1/B) Σᵣ [log Σₖ e^Zᵣₖ − Zᵣ,ᵧᵣ]      the cross-entropy of softmax(Z)
/// ∂L/∂Z = (softmax(Z) − Y) / B                    Y one-hot
/// ```
/// Chaining the two Jacobians separately, −Y/P through the softmax's sᵢ(δᵢⱼ − sⱼ), gives
/// the same ŷ − y after everything cancels; fusing them does that cancellation by hand. It
/// is also stabler: log Σ e^Z is computed as m + log Σ e^(Z − m), with m the row's maximum,
/// so no probability is ever rounded to 0 before its logarithm is taken.
public func softmaxCrossEntropy(logits: Matrix, labels: [Int]) -> (loss: Double, gradient: Matrix) {
    checkLabels("softmaxCrossEntropy", logits, labels)
    let (batch, classes) = (Double(logits.rows), logits.columns)
    var loss = 0.0
    var gradient = [Double](repeating: 0, count: logits.values.count)
    // Through pointers (no bounds checks): every training step of a classifier runs this.
    logits.values.withUnsafeBufferPointer { z in
        gradient.withUnsafeMutableBufferPointer { gradient in
            for r in 0..<logits.rows {
                let row = z.baseAddress! + r * classes, label = labels[r]
                var largest = row[0]
                for k in 1..<max(classes, 1) where largest < row[k] { largest = row[k] }  // as `max()`: the first of equals
                var sum = 0.0
                for k in 0..<classes {
                    let e = exp(row[k] - largest)  // e^(z_k − max), kept in the gradient until the sum is known
                    gradient[r * classes + k] = e
                    sum += e
                }
                loss += largest + log(sum) - row[label]
                for k in 0..<classes {
                    let probability = gradient[r * classes + k] / sum
                    gradient[r * classes + k] = (probability - (k == label ? 1 : 0)) / batch
                }
            }
        }
    }
    return (loss / batch, Matrix(rows: logits.rows, columns: classes, values: gradient))
}

/// Each row of `logits` turned into probabilities with a (stable) softmax.
public func softmaxRows(_ logits: Matrix) -> Matrix {
    Matrix(rows: logits.rows, columns: logits.columns, values: (0..<logits.rows).flatMap { softmax(logits.row($0)) })
}

// MARK: - Losses as values, for the training loop

/// A loss over a batch: its mean value and its gradient with respect to the model's output.
///
/// The training loop is generic over it. `Target` is what a batch is compared with:
/// class labels for classification, a tensor of target values for regression.
public protocol Loss: Sendable {
    /// What a batch's output is compared with: class indices (`[Int]`) for classification,
    /// a ``/LinearAlgebra/Tensor`` of target values for regression.
    associatedtype Target

    /// L, the mean over the batch, and ∂L/∂output (which therefore carries the 1/B).
    func evaluate(_ output: Tensor, _ target: Target) -> (loss: Double, gradient: Tensor)

    /// The fraction of samples predicted right, where that means something; nil otherwise.
    func accuracy(_ output: Tensor, _ target: Target) -> Double?
}

extension Loss {
    public func accuracy(_ output: Tensor, _ target: Target) -> Double? { nil }
}

/// Softmax + cross-entropy on a (batch × classes) tensor of scores, against class labels:
/// ``softmaxCrossEntropy(logits:labels:)`` as a value.
///
/// With an `ignoredLabel` (PyTorch's `ignore_index`), rows whose label is that value are
/// left out: they add nothing to the loss and get a zero gradient, and the mean is over
/// the rows that count (padding in a batch of sequences of different lengths, say). A
/// batch in which every row is ignored has loss 0 and a zero gradient (PyTorch returns
/// NaN there). ``maskedLabels(_:mask:ignoredLabel:)`` turns a mask into such labels.
public struct SoftmaxCrossEntropy: Loss {
    /// The label that marks a row to leave out; nil: every row counts.
    public var ignoredLabel: Int?

    /// The loss, leaving out rows labelled `ignoredLabel` (which must be negative, never a
    /// class) when one is given.
    public init(ignoredLabel: Int? = nil) {
        if let ignoredLabel {
            require(ignoredLabel < 0, "SoftmaxCrossEntropy: the ignored label must be negative (never a class), got \(ignoredLabel)")
        }
        self.ignoredLabel = ignoredLabel
    }

    public func evaluate(_ output: Tensor, _ labels: [Int]) -> (loss: Double, gradient: Tensor) {
        guard let ignoredLabel, labels.contains(ignoredLabel) else {
            let (loss, gradient) = softmaxCrossEntropy(logits: output.matrix, labels: labels)
            return (loss, Tensor(gradient))
        }
        let scores = output.matrix
        require(
            labels.count == scores.rows,
            "SoftmaxCrossEntropy: \(scores.shapeDescription) has \(scores.rows) rows but there are \(labels.count) labels")
        let kept = labels.indices.filter { labels[$0] != ignoredLabel }
        var gradient = [Double](repeating: 0, count: output.count)
        guard !kept.isEmpty else { return (0, Tensor(shape: output.shape, values: gradient)) }
        let rows = Matrix(rows: kept.count, columns: scores.columns, values: kept.flatMap { scores.row($0) })
        let (loss, keptGradient) = softmaxCrossEntropy(logits: rows, labels: kept.map { labels[$0] })
        for (k, r) in kept.enumerated() {
            for c in 0..<scores.columns { gradient[r * scores.columns + c] = keptGradient[k, c] }
        }
        return (loss, Tensor(shape: output.shape, values: gradient))
    }

    /// The share of rows whose largest score is at the label (the first one on ties),
    /// among the rows not ignored.
    public func accuracy(_ output: Tensor, _ labels: [Int]) -> Double? {
        let scores = output.matrix
        require(
            labels.count == scores.rows,
            "SoftmaxCrossEntropy.accuracy: \(scores.shapeDescription) has \(scores.rows) rows but there are \(labels.count) labels")
        let kept = labels.indices.filter { ignoredLabel == nil || labels[$0] != ignoredLabel }
        guard !kept.isEmpty else { return nil }
        if let bad = kept.first(where: { !(0..<scores.columns).contains(labels[$0]) }) {
            requirementFailed(
                "SoftmaxCrossEntropy.accuracy: label \(labels[bad]) of row \(bad) is not a class of \(scores.shapeDescription) (0..<\(scores.columns))")
        }
        let predicted = predictedClasses(scores)
        let correct = kept.filter { predicted[$0] == labels[$0] }.count
        return Double(correct) / Double(kept.count)
    }
}

/// `labels` with `ignoredLabel` wherever `mask` is false: the rows a masked
/// ``SoftmaxCrossEntropy`` leaves out.
public func maskedLabels(_ labels: [Int], mask: [Bool], ignoredLabel: Int = -100) -> [Int] {
    require(mask.count == labels.count, "maskedLabels: \(labels.count) labels but a mask of \(mask.count)")
    return zip(labels, mask).map { $1 ? $0 : ignoredLabel }
}

/// How a loss over many values becomes one number.
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over every value (PyTorch's default, `reduction='mean'`).
    case mean
    /// The sum over every value (`reduction='sum'`).
    case sum
    /// The sum over each sample's values, averaged over the batch (the first axis): a loss
    /// "per image", the way a VAE's reconstruction term is reported.
    case meanPerSample = "mean per sample"
}

/// Binary cross-entropy on logits z, against targets y in [0, 1] of the same shape:
/// the sigmoid and the cross-entropy in one stable step.
///
/// ```
/// ℓ(z, y) = −[y log σ(z) + (1 − y) log(1 − σ(z))]
///         = max(z, 0) − z y + log(1 + e^(−|z|))        no exp of a large number, no log 0
/// ∂ℓ/∂z   = σ(z) − y
/// ```
/// The second form is exact algebra, not an approximation: it stays finite for |z| = 1e3
/// and beyond, where σ(z) rounds to exactly 0 or 1 and the first form gives log 0. No
/// clamp is needed. Reduced as `reduction` says; with `.mean` it equals PyTorch's
/// `F.binary_cross_entropy_with_logits` (and `nn.BCEWithLogitsLoss`).
public struct BinaryCrossEntropyWithLogits: Loss {
    /// How the per-value losses are reduced to one number.
    public var reduction: Reduction

    /// The loss, reduced as `reduction` says (the mean over every value by default).
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
    }

    public func evaluate(_ output: Tensor, _ targets: Tensor) -> (loss: Double, gradient: Tensor) {
        require(
            output.shape == targets.shape,
            "BinaryCrossEntropyWithLogits: logits \(output.shapeDescription) and targets \(targets.shapeDescription) differ in shape")
        require(!output.values.isEmpty, "BinaryCrossEntropyWithLogits: no logits")
        if let (i, y) = targets.values.enumerated().first(where: { !($0.element >= 0 && $0.element <= 1) }) {
            requirementFailed("BinaryCrossEntropyWithLogits: target \(i) is \(y), not in [0, 1]")
        }
        let divisor: Double
        switch reduction {
        case .mean: divisor = Double(output.count)
        case .sum: divisor = 1
        case .meanPerSample: divisor = Double(output.shape.first ?? 1)
        }
        var sum = 0.0
        var gradient = [Double](repeating: 0, count: output.count)
        for i in output.values.indices {
            let (z, y) = (output.values[i], targets.values[i])
            sum += max(z, 0) - z * y + log1p(exp(-abs(z)))
            let sigma = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))  // σ(z) without exp overflow
            gradient[i] = (sigma - y) / divisor
        }
        return (sum / divisor, Tensor(shape: output.shape, values: gradient))
    }

    /// The share of values on the right side of 0 (z > 0 predicts 1), against targets
    /// rounded to 0 or 1.
    public func accuracy(_ output: Tensor, _ targets: Tensor) -> Double? {
        guard output.shape == targets.shape, output.count > 0 else { return nil }
        let correct = zip(output.values, targets.values).filter { ($0 > 0) == ($1 >= 0.5) }.count
        return Double(correct) / Double(output.count)
    }
}

/// The mean squared error against a target tensor of the output's shape:
/// ``meanSquaredError(_:_:)`` and its gradient as a value.
public struct MeanSquaredError: Loss {
    /// The mean of (y − t)² over every value (PyTorch's `reduction='mean'`).
    public init() {}

    public func evaluate(_ output: Tensor, _ targets: Tensor) -> (loss: Double, gradient: Tensor) {
        require(
            output.shape == targets.shape,
            "MeanSquaredError: outputs \(output.shapeDescription) and targets \(targets.shapeDescription) differ in shape")
        let gradient = meanSquaredErrorGradient(output.values, targets.values)
        return (meanSquaredError(output.values, targets.values), Tensor(shape: output.shape, values: gradient))
    }
}
