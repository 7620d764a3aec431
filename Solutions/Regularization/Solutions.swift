// Solutions 5.1–5.5. Each function matches its exercise in Exercises/Regularization.

/// 5.1 (λ/2) Σ w² and its gradient λw.
public func l2Penalty(weights: [Double], lambda: Double) throws -> (penalty: Double, gradient: [Double]) {
    var penalty = 0.0
    for w in weights { penalty += 0.5 * lambda * w * w }
    return (penalty, weights.map { lambda * $0 })
}

/// 5.2 Training-mode inverted dropout: returns the output and the mask it used.
public func dropoutForward(input: [Double], draws: [Double], rate: Double) throws -> (output: [Double], mask: [Double]) {
    let mask = draws.map { $0 < rate ? 0 : 1 / (1 - rate) }
    return (zip(input, mask).map(*), mask)
}

/// 5.2 ∂L/∂input = upstream ⊙ mask.
public func dropoutBackward(upstream: [Double], mask: [Double]) throws -> [Double] {
    zip(upstream, mask).map(*)
}

/// 5.3 Batch normalization in training or inference mode.
public func batchNormForward(
    batch: [[Double]], gamma: [Double], beta: [Double], runningMean: [Double], runningVariance: [Double],
    momentum: Double, epsilon: Double, training: Bool
) throws -> (output: [[Double]], runningMean: [Double], runningVariance: [Double]) {
    var (mean, variance) = (runningMean, runningVariance)
    var (newMean, newVariance) = (runningMean, runningVariance)
    if training {
        // The mean and (biased) variance of each column.
        let n = Double(batch.count), features = batch[0].count
        var batchMean = [Double](repeating: 0, count: features), batchVariance = batchMean
        for row in batch { for j in 0..<features { batchMean[j] += row[j] / n } }
        for row in batch { for j in 0..<features { batchVariance[j] += (row[j] - batchMean[j]) * (row[j] - batchMean[j]) / n } }
        (mean, variance) = (batchMean, batchVariance)
        for j in mean.indices {
            newMean[j] = momentum * runningMean[j] + (1 - momentum) * mean[j]
            newVariance[j] = momentum * runningVariance[j] + (1 - momentum) * variance[j]
        }
    }
    let output = batch.map { row in
        row.indices.map { j in gamma[j] * (row[j] - mean[j]) / (variance[j] + epsilon).squareRoot() + beta[j] }
    }
    return (output, newMean, newVariance)
}

/// 5.4 The gradients of a training-mode batch normalization for its input, γ and β.
public func batchNormBackward(
    batch: [[Double]], upstream: [[Double]], gamma: [Double], epsilon: Double
) throws -> (input: [[Double]], gamma: [Double], beta: [Double]) {
    // The mean and (biased) variance of each column.
    let n = Double(batch.count), features = batch[0].count
    var batchMean = [Double](repeating: 0, count: features), batchVariance = batchMean
    for row in batch { for j in 0..<features { batchMean[j] += row[j] / n } }
    for row in batch { for j in 0..<features { batchVariance[j] += (row[j] - batchMean[j]) * (row[j] - batchMean[j]) / n } }
    let (mean, variance) = (batchMean, batchVariance)
    let deviation = variance.map { ($0 + epsilon).squareRoot() }
    let normalized = batch.map { row in row.indices.map { (row[$0] - mean[$0]) / deviation[$0] } }
    var dGamma = [Double](repeating: 0, count: gamma.count), dBeta = dGamma
    for i in batch.indices {
        for j in gamma.indices {
            dBeta[j] += upstream[i][j]
            dGamma[j] += upstream[i][j] * normalized[i][j]
        }
    }
    let input = batch.indices.map { i in
        gamma.indices.map { j in gamma[j] / (n * deviation[j]) * (n * upstream[i][j] - dBeta[j] - normalized[i][j] * dGamma[j]) }
    }
    return (input, dGamma, dBeta)
}

/// 5.5 When early stopping ends training and which epoch's weights it keeps.
public func earlyStoppingEpochs(
    validationLosses: [Double], patience: Int, minimumImprovement: Double
) throws -> (stopAfter: Int?, keep: Int) {
    var best = validationLosses[0], bestEpoch = 1, waited = 0
    for (index, loss) in validationLosses.enumerated().dropFirst() {
        let epoch = index + 1
        if loss < best - minimumImprovement {
            (best, bestEpoch, waited) = (loss, epoch, 0)
        } else {
            waited += 1
            if waited >= patience { return (epoch, bestEpoch) }
        }
    }
    return (nil, bestEpoch)
}
