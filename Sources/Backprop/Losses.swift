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
    let batch = Double(logits.rows)
    var loss = 0.0
    var gradient = logits
    for r in 0..<logits.rows {
        let row = logits.row(r)
        let largest = row.max()!
        var sum = 0.0
        for z in row { sum += exp(z - largest) }
        loss += largest + log(sum) - row[labels[r]]
        for k in 0..<logits.columns {
            let probability = exp(row[k] - largest) / sum
            gradient[r, k] = (probability - (k == labels[r] ? 1 : 0)) / batch
        }
    }
    return (loss / batch, gradient)
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
public struct SoftmaxCrossEntropy: Loss {
    public init() {}

    public func evaluate(_ output: Tensor, _ labels: [Int]) -> (loss: Double, gradient: Tensor) {
        let (loss, gradient) = softmaxCrossEntropy(logits: output.matrix, labels: labels)
        return (loss, Tensor(gradient))
    }

    /// The share of rows whose largest score is at the label (the first one on ties).
    public func accuracy(_ output: Tensor, _ labels: [Int]) -> Double? {
        let scores = output.matrix
        checkLabels("SoftmaxCrossEntropy.accuracy", scores, labels)
        let correct = zip(predictedClasses(scores), labels).filter { $0 == $1 }.count
        return Double(correct) / Double(scores.rows)
    }
}

/// The mean squared error against a target tensor of the output's shape:
/// ``meanSquaredError(_:_:)`` and its gradient as a value.
public struct MeanSquaredError: Loss {
    public init() {}

    public func evaluate(_ output: Tensor, _ targets: Tensor) -> (loss: Double, gradient: Tensor) {
        require(
            output.shape == targets.shape,
            "MeanSquaredError: outputs \(output.shapeDescription) and targets \(targets.shapeDescription) differ in shape")
        let gradient = meanSquaredErrorGradient(output.values, targets.values)
        return (meanSquaredError(output.values, targets.values), Tensor(shape: output.shape, values: gradient))
    }
}
