import Foundation
import GANs

// Worked answers to the Chapter 10 exercises: flat row-major arrays, every sum written
// out. Each answer stands alone, so that it can be pasted into its exercise file.

/// 10.1
public func discriminatorLoss(realLogits: [Double], fakeLogits: [Double]) throws -> (
    loss: Double, realGradient: [Double], fakeGradient: [Double]
) {
    func sigma(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    let (n, m) = (Double(realLogits.count), Double(fakeLogits.count))
    var realLoss = 0.0, fakeLoss = 0.0
    for t in realLogits { realLoss += max(t, 0) - t + log(1 + exp(-abs(t))) }  // −log σ(t)
    for t in fakeLogits { fakeLoss += max(t, 0) + log(1 + exp(-abs(t))) }  // −log(1 − σ(t))
    return (realLoss / n + fakeLoss / m, realLogits.map { (sigma($0) - 1) / n }, fakeLogits.map { sigma($0) / m })
}

/// 10.2
public func nonSaturatingGeneratorLoss(fakeLogits: [Double]) throws -> (loss: Double, gradient: [Double]) {
    func sigma(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    let m = Double(fakeLogits.count)
    var loss = 0.0
    for t in fakeLogits { loss += max(t, 0) - t + log(1 + exp(-abs(t))) }  // −log σ(t)
    return (loss / m, fakeLogits.map { -(1 - sigma($0)) / m })
}

/// 10.3
public func minimaxGeneratorLoss(fakeLogits: [Double]) throws -> (loss: Double, gradient: [Double]) {
    func sigma(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    let m = Double(fakeLogits.count)
    var loss = 0.0
    for t in fakeLogits { loss -= max(t, 0) + log(1 + exp(-abs(t))) }  // log(1 − σ(t))
    return (loss / m, fakeLogits.map { -sigma($0) / m })
}

/// 10.4
public func discriminatorStep(
    real: [[Double]], noise: [[Double]], generatorWeights: [Double], generatorBias: [Double],
    discriminatorWeights: [Double], discriminatorBias: Double, learningRate: Double
) throws -> (generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double) {
    func sigma(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    let (d, k) = (generatorBias.count, noise[0].count)
    // The generated batch: x = A z + c. Only D's parameters get gradients in this step.
    let fake = noise.map { z in (0..<d).map { i in generatorBias[i] + (0..<k).reduce(0) { $0 + generatorWeights[i * k + $1] * z[$1] } } }
    func logit(_ x: [Double]) -> Double { discriminatorBias + zip(discriminatorWeights, x).reduce(0) { $0 + $1.0 * $1.1 } }
    var dw = [Double](repeating: 0, count: d), db = 0.0
    for x in real {
        let g = (sigma(logit(x)) - 1) / Double(real.count)
        for i in 0..<d { dw[i] += g * x[i] }
        db += g
    }
    for x in fake {
        let g = sigma(logit(x)) / Double(fake.count)
        for i in 0..<d { dw[i] += g * x[i] }
        db += g
    }
    let w = (0..<d).map { discriminatorWeights[$0] - learningRate * dw[$0] }
    return (generatorWeights, generatorBias, w, discriminatorBias - learningRate * db)
}

/// 10.5
public func generatorStep(
    noise: [[Double]], generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double,
    learningRate: Double
) throws -> (generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double) {
    func sigma(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    let (d, k, m) = (generatorBias.count, noise[0].count, Double(noise.count))
    var dA = [Double](repeating: 0, count: d * k), dc = [Double](repeating: 0, count: d)
    for z in noise {
        let x = (0..<d).map { i in generatorBias[i] + (0..<k).reduce(0) { $0 + generatorWeights[i * k + $1] * z[$1] } }
        let t = discriminatorBias + zip(discriminatorWeights, x).reduce(0) { $0 + $1.0 * $1.1 }
        let dt = -(1 - sigma(t)) / m  // the non-saturating loss at the logit
        for i in 0..<d {
            let dx = dt * discriminatorWeights[i]  // D's input gradient
            for j in 0..<k { dA[i * k + j] += dx * z[j] }
            dc[i] += dx
        }
    }
    let a = (0..<(d * k)).map { generatorWeights[$0] - learningRate * dA[$0] }
    let c = (0..<d).map { generatorBias[$0] - learningRate * dc[$0] }
    return (a, c, discriminatorWeights, discriminatorBias)  // D is left as it was
}

/// 10.6, forward
public func batchNorm2DForward(
    _ x: [Double], batch: Int, channels: Int, height: Int, width: Int, gamma: [Double], beta: [Double], epsilon: Double
) throws -> [Double] {
    let positions = height * width
    let count = Double(batch * positions)
    var y = [Double](repeating: 0, count: x.count)
    for c in 0..<channels {
        var mean = 0.0
        for n in 0..<batch { for p in 0..<positions { mean += x[(n * channels + c) * positions + p] } }
        mean /= count
        var variance = 0.0
        for n in 0..<batch { for p in 0..<positions { variance += pow(x[(n * channels + c) * positions + p] - mean, 2) } }
        variance /= count
        let inverse = 1 / (variance + epsilon).squareRoot()
        for n in 0..<batch {
            for p in 0..<positions {
                let index = (n * channels + c) * positions + p
                y[index] = gamma[c] * (x[index] - mean) * inverse + beta[c]
            }
        }
    }
    return y
}

/// 10.6, backward
public func batchNorm2DBackward(
    outputGradient: [Double], input x: [Double], batch: Int, channels: Int, height: Int, width: Int, gamma: [Double], epsilon: Double
) throws -> (input: [Double], gamma: [Double], beta: [Double]) {
    let positions = height * width
    let count = Double(batch * positions)
    var dx = [Double](repeating: 0, count: x.count)
    var dGamma = [Double](repeating: 0, count: channels), dBeta = [Double](repeating: 0, count: channels)
    for c in 0..<channels {
        let indices = (0..<batch).flatMap { n in (0..<positions).map { (n * channels + c) * positions + $0 } }
        let mean = indices.reduce(0) { $0 + x[$1] } / count
        let variance = indices.reduce(0) { $0 + pow(x[$1] - mean, 2) } / count
        let inverse = 1 / (variance + epsilon).squareRoot()
        var sumG = 0.0, sumGX = 0.0
        for i in indices {
            sumG += outputGradient[i]
            sumGX += outputGradient[i] * (x[i] - mean) * inverse
        }
        dBeta[c] = sumG
        dGamma[c] = sumGX
        for i in indices {
            let normalized = (x[i] - mean) * inverse
            dx[i] = gamma[c] * inverse / count * (count * outputGradient[i] - sumG - normalized * sumGX)
        }
    }
    return (dx, dGamma, dBeta)
}

/// 10.7
public func modesCovered(points: [[Double]], centres: [[Double]], spread: Double) throws -> (covered: Int, highQuality: Double) {
    var perMode = [Int](repeating: 0, count: centres.count)
    var good = 0
    for p in points {
        var nearest = 0, best = Double.infinity
        for (k, c) in centres.enumerated() {
            let distance = ((p[0] - c[0]) * (p[0] - c[0]) + (p[1] - c[1]) * (p[1] - c[1])).squareRoot()
            if distance < best { (nearest, best) = (k, distance) }
        }
        if best <= 3 * spread {
            good += 1
            perMode[nearest] += 1
        }
    }
    let needed = Double(points.count) / Double(4 * centres.count)
    return (perMode.filter { Double($0) >= needed }.count, Double(good) / Double(points.count))
}
