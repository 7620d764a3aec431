import Autoencoders
import Foundation

// Worked answers to the Chapter 9 exercises: flat row-major arrays, every sum written
// out. Each answer stands alone, so that it can be pasted into its exercise file.

/// 9.1
public func reparameterizeSample(mean: [Double], logVariance: [Double], noise: [Double]) throws -> [Double] {
    var z = [Double](repeating: 0, count: mean.count)
    for j in mean.indices {
        let sigma = exp(0.5 * logVariance[j])  // σ = √(σ²) = exp(½ log σ²)
        z[j] = mean[j] + sigma * noise[j]
    }
    return z
}

/// 9.2
public func reparameterizeSampleBackward(
    mean: [Double], logVariance: [Double], noise: [Double], zGradient: [Double]
) throws -> (mean: [Double], logVariance: [Double]) {
    var dLogVariance = [Double](repeating: 0, count: mean.count)
    for j in mean.indices {
        let sigma = exp(0.5 * logVariance[j])
        dLogVariance[j] = zGradient[j] * 0.5 * sigma * noise[j]
    }
    return (zGradient, dLogVariance)  // ∂z/∂μ = 1
}

/// 9.3
public func klToStandardNormal(mean: [Double], logVariance: [Double]) throws -> (
    kl: Double, meanGradient: [Double], logVarianceGradient: [Double]
) {
    var kl = 0.0
    var dLogVariance = [Double](repeating: 0, count: mean.count)
    for j in mean.indices {
        let variance = exp(logVariance[j])
        kl += -0.5 * (1 + logVariance[j] - mean[j] * mean[j] - variance)
        dLogVariance[j] = 0.5 * (variance - 1)
    }
    return (kl, mean, dLogVariance)  // ∂KL/∂μ = μ
}

/// 9.4
public func elboTerms(logits: [Double], images: [Double], pixels: Int, mean: [Double], logVariance: [Double]) throws -> (
    reconstruction: Double, kl: Double
) {
    let batch = images.count / pixels
    var reconstruction = 0.0
    for i in images.indices {
        let (t, x) = (logits[i], images[i])
        reconstruction += max(t, 0) - t * x + log(1 + exp(-abs(t)))
    }
    var kl = 0.0
    for j in mean.indices {
        kl += -0.5 * (1 + logVariance[j] - mean[j] * mean[j] - exp(logVariance[j]))
    }
    return (reconstruction / Double(batch), kl / Double(batch))
}

/// 9.5
public func transposedConvolution(
    input: [Double], channels: Int, height: Int, width: Int, weight: [Double], bias: [Double],
    kernel: Int, stride: Int, padding: Int, outputPadding: Int
) throws -> [Double] {
    let outChannels = bias.count
    let outHeight = (height - 1) * stride - 2 * padding + kernel + outputPadding
    let outWidth = (width - 1) * stride - 2 * padding + kernel + outputPadding
    var y = [Double](repeating: 0, count: outChannels * outHeight * outWidth)
    for o in 0..<outChannels {
        for index in 0..<(outHeight * outWidth) { y[o * outHeight * outWidth + index] = bias[o] }
    }
    for c in 0..<channels {
        for i in 0..<height {
            for j in 0..<width {
                let x = input[(c * height + i) * width + j]
                for o in 0..<outChannels {
                    for u in 0..<kernel {
                        let row = i * stride - padding + u
                        guard row >= 0 && row < outHeight else { continue }
                        for v in 0..<kernel {
                            let column = j * stride - padding + v
                            guard column >= 0 && column < outWidth else { continue }
                            y[(o * outHeight + row) * outWidth + column] += x * weight[((c * outChannels + o) * kernel + u) * kernel + v]
                        }
                    }
                }
            }
        }
    }
    return y
}

/// 9.6
public func transposedConvolutionBackward(
    outputGradient: [Double], input: [Double], channels: Int, height: Int, width: Int, weight: [Double],
    kernel: Int, stride: Int, padding: Int, outputPadding: Int
) throws -> (input: [Double], weight: [Double], bias: [Double]) {
    let outChannels = weight.count / (channels * kernel * kernel)
    let outHeight = (height - 1) * stride - 2 * padding + kernel + outputPadding
    let outWidth = (width - 1) * stride - 2 * padding + kernel + outputPadding
    var dInput = [Double](repeating: 0, count: input.count)
    var dWeight = [Double](repeating: 0, count: weight.count)
    var dBias = [Double](repeating: 0, count: outChannels)
    for o in 0..<outChannels {
        for index in 0..<(outHeight * outWidth) { dBias[o] += outputGradient[o * outHeight * outWidth + index] }
    }
    for c in 0..<channels {
        for i in 0..<height {
            for j in 0..<width {
                let xIndex = (c * height + i) * width + j
                for o in 0..<outChannels {
                    for u in 0..<kernel {
                        let row = i * stride - padding + u
                        guard row >= 0 && row < outHeight else { continue }
                        for v in 0..<kernel {
                            let column = j * stride - padding + v
                            guard column >= 0 && column < outWidth else { continue }
                            let g = outputGradient[(o * outHeight + row) * outWidth + column]
                            let wIndex = ((c * outChannels + o) * kernel + u) * kernel + v
                            dInput[xIndex] += g * weight[wIndex]
                            dWeight[wIndex] += g * input[xIndex]
                        }
                    }
                }
            }
        }
    }
    return (dInput, dWeight, dBias)
}

/// 9.7
public func importanceWeightedLogLikelihood(
    logLikelihoods: [Double], latents: [[Double]], noise: [[Double]], logVariance: [Double]
) throws -> Double {
    let logTwoPi = log(2 * Double.pi)
    var logWeights: [Double] = []
    for k in logLikelihoods.indices {
        var logPrior = 0.0, logPosterior = 0.0
        for j in logVariance.indices {
            logPrior += -0.5 * (latents[k][j] * latents[k][j] + logTwoPi)
            logPosterior += -0.5 * (noise[k][j] * noise[k][j] + logVariance[j] + logTwoPi)
        }
        logWeights.append(logLikelihoods[k] + logPrior - logPosterior)
    }
    let m = logWeights.max()!
    var sum = 0.0
    for w in logWeights { sum += exp(w - m) }
    return m + log(sum / Double(logWeights.count))
}
