import Foundation
import LSTM

// Worked answers to the Chapter 7 exercises: one sample at a time, the weights flat and
// row-major, every sum written out. Each answer stands alone, so that it can be pasted
// into its exercise file.

/// 7.1
public func rnnStep(x: [Double], hPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]) throws -> [Double] {
    let (f, h) = (x.count, bias.count)
    var next = [Double](repeating: 0, count: h)
    for i in 0..<h {
        var a = bias[i]
        for j in 0..<f { a += inputWeights[i * f + j] * x[j] }  // W_x[i, j] x[j]
        for k in 0..<h { a += hiddenWeights[i * h + k] * hPrevious[k] }  // W_h[i, k] hₜ₋₁[k]
        next[i] = tanh(a)
    }
    return next
}

/// 7.2
public func rnnStepBackward(
    x: [Double], hPrevious: [Double], h: [Double], hGradient: [Double], inputWeights: [Double], hiddenWeights: [Double]
) throws -> (input: [Double], hPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]) {
    let (f, n) = (x.count, h.count)
    var da = [Double](repeating: 0, count: n)
    for i in 0..<n { da[i] = hGradient[i] * (1 - h[i] * h[i]) }  // tanh′ from the output
    var dWx = [Double](repeating: 0, count: n * f), dWh = [Double](repeating: 0, count: n * n)
    var dx = [Double](repeating: 0, count: f), dh = [Double](repeating: 0, count: n)
    for i in 0..<n {
        for j in 0..<f {
            dWx[i * f + j] = da[i] * x[j]
            dx[j] += inputWeights[i * f + j] * da[i]  // W_xᵀ da
        }
        for k in 0..<n {
            dWh[i * n + k] = da[i] * hPrevious[k]
            dh[k] += hiddenWeights[i * n + k] * da[i]  // W_hᵀ da
        }
    }
    return (dx, dh, dWx, dWh, da)
}

/// 7.3
public func rnnBackwardThroughTime(
    xs: [[Double]], hs: [[Double]], h0: [Double], outputGradients: [[Double]], inputWeights: [Double], hiddenWeights: [Double]
) throws -> (inputWeights: [Double], hiddenWeights: [Double], bias: [Double], h0: [Double]) {
    let (f, n) = (xs[0].count, h0.count)
    var dWx = [Double](repeating: 0, count: n * f), dWh = [Double](repeating: 0, count: n * n), db = [Double](repeating: 0, count: n)
    var fromLater = [Double](repeating: 0, count: n)  // W_hᵀ daₜ₊₁, nothing after the last step
    for t in stride(from: xs.count - 1, through: 0, by: -1) {
        let previous = t > 0 ? hs[t - 1] : h0
        var da = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let delta = outputGradients[t][i] + fromLater[i]  // this step's own gradient + what step t + 1 sent
            da[i] = delta * (1 - hs[t][i] * hs[t][i])
        }
        fromLater = [Double](repeating: 0, count: n)
        for i in 0..<n {
            db[i] += da[i]
            for j in 0..<f { dWx[i * f + j] += da[i] * xs[t][j] }
            for k in 0..<n {
                dWh[i * n + k] += da[i] * previous[k]
                fromLater[k] += hiddenWeights[i * n + k] * da[i]
            }
        }
    }
    return (dWx, dWh, db, fromLater)
}

/// 7.4
public func lstmStep(
    x: [Double], hPrevious: [Double], cPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]
) throws -> (h: [Double], c: [Double]) {
    let (f, n) = (x.count, hPrevious.count)
    func σ(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
    var a = bias  // 4H: [i | f | g | o]
    for r in 0..<(4 * n) {
        for j in 0..<f { a[r] += inputWeights[r * f + j] * x[j] }
        for k in 0..<n { a[r] += hiddenWeights[r * n + k] * hPrevious[k] }
    }
    var h = [Double](repeating: 0, count: n), c = [Double](repeating: 0, count: n)
    for k in 0..<n {
        let (i, forget, g, o) = (σ(a[k]), σ(a[n + k]), tanh(a[2 * n + k]), σ(a[3 * n + k]))
        c[k] = forget * cPrevious[k] + i * g
        h[k] = o * tanh(c[k])
    }
    return (h, c)
}

/// 7.5
public func lstmStepBackward(
    x: [Double], hPrevious: [Double], cPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double],
    hGradient: [Double], cGradient: [Double]
) throws -> (input: [Double], hPrevious: [Double], cPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], bias: [Double]) {
    let (f, n) = (x.count, hPrevious.count)
    func σ(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
    var a = bias  // the forward step again
    for r in 0..<(4 * n) {
        for j in 0..<f { a[r] += inputWeights[r * f + j] * x[j] }
        for k in 0..<n { a[r] += hiddenWeights[r * n + k] * hPrevious[k] }
    }
    var da = [Double](repeating: 0, count: 4 * n), dcPrevious = [Double](repeating: 0, count: n)
    for k in 0..<n {
        let (i, forget, g, o) = (σ(a[k]), σ(a[n + k]), tanh(a[2 * n + k]), σ(a[3 * n + k]))
        let c = forget * cPrevious[k] + i * g
        let tanhC = tanh(c)
        let dc = hGradient[k] * o * (1 - tanhC * tanhC) + cGradient[k]  // both paths into cₜ
        da[k] = dc * g * i * (1 - i)
        da[n + k] = dc * cPrevious[k] * forget * (1 - forget)
        da[2 * n + k] = dc * i * (1 - g * g)
        da[3 * n + k] = hGradient[k] * tanhC * o * (1 - o)
        dcPrevious[k] = dc * forget
    }
    var dWx = [Double](repeating: 0, count: 4 * n * f), dWh = [Double](repeating: 0, count: 4 * n * n)
    var dx = [Double](repeating: 0, count: f), dh = [Double](repeating: 0, count: n)
    for r in 0..<(4 * n) {
        for j in 0..<f {
            dWx[r * f + j] = da[r] * x[j]
            dx[j] += inputWeights[r * f + j] * da[r]
        }
        for k in 0..<n {
            dWh[r * n + k] = da[r] * hPrevious[k]
            dh[k] += hiddenWeights[r * n + k] * da[r]
        }
    }
    return (dx, dh, dcPrevious, dWx, dWh, da)
}

/// 7.6
public func gruStep(
    x: [Double], hPrevious: [Double], inputWeights: [Double], hiddenWeights: [Double], inputBias: [Double], hiddenBias: [Double]
) throws -> [Double] {
    let (f, n) = (x.count, hPrevious.count)
    func σ(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
    var ax = inputBias, ah = hiddenBias  // 3H each: [r | z | n]
    for r in 0..<(3 * n) {
        for j in 0..<f { ax[r] += inputWeights[r * f + j] * x[j] }
        for k in 0..<n { ah[r] += hiddenWeights[r * n + k] * hPrevious[k] }
    }
    return (0..<n).map { k in
        let reset = σ(ax[k] + ah[k]), update = σ(ax[n + k] + ah[n + k])
        let candidate = tanh(ax[2 * n + k] + reset * ah[2 * n + k])
        return (1 - update) * candidate + update * hPrevious[k]
    }
}

/// 7.7
public func sampleWithTemperature(logits: [Double], temperature: Double, uniform u: Double) throws -> Int {
    let scaled = logits.map { $0 / temperature }
    let largest = scaled.max()!
    let weights = scaled.map { exp($0 - largest) }
    let total = weights.reduce(0, +)
    var cumulative = 0.0
    for (k, w) in weights.enumerated() {
        cumulative += w / total
        if cumulative > u { return k }
    }
    return logits.count - 1
}

/// 7.8
public func embeddingBackward(tokens: [Int], outputGradient: [Double], vocabulary: Int, dimension: Int) throws -> [Double] {
    var dE = [Double](repeating: 0, count: vocabulary * dimension)
    for (k, token) in tokens.enumerated() {
        for j in 0..<dimension { dE[token * dimension + j] += outputGradient[k * dimension + j] }
    }
    return dE
}

/// 7.9
public func stackedRNN(
    sequence: [[Double]], inputWeights1: [Double], hiddenWeights1: [Double], bias1: [Double],
    inputWeights2: [Double], hiddenWeights2: [Double], bias2: [Double], mask: [[Double]]
) throws -> [[Double]] {
    /// One RNN step: tanh(W_x x + W_h h + b), weights row-major.
    func step(_ x: [Double], _ h: [Double], _ wx: [Double], _ wh: [Double], _ b: [Double]) -> [Double] {
        (0..<b.count).map { i in
            var z = b[i]
            for j in x.indices { z += wx[i * x.count + j] * x[j] }
            for k in h.indices { z += wh[i * h.count + k] * h[k] }
            return tanh(z)
        }
    }
    var h1 = [Double](repeating: 0, count: bias1.count), h2 = [Double](repeating: 0, count: bias2.count)
    var top: [[Double]] = []
    for (t, x) in sequence.enumerated() {
        h1 = step(x, h1, inputWeights1, hiddenWeights1, bias1)  // layer 1 carries on with h¹ₜ as it is
        let dropped = zip(h1, mask[t]).map { $0 * $1 }  // what layer 2 reads
        h2 = step(dropped, h2, inputWeights2, hiddenWeights2, bias2)
        top.append(h2)
    }
    return top
}
