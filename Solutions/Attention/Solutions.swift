import Attention
import Foundation

// Worked answers to the Chapter 8 exercises: one sequence, flat row-major matrices, every
// sum written out. Each answer stands alone, so that it can be pasted into its exercise file.

/// 8.1
public func attentionForward(
    queries: [Double], keys: [Double], values: [Double], keyWidth: Int, valueWidth: Int, allowed: [Bool]?
) throws -> (output: [Double], weights: [Double]) {
    let (dk, dv) = (keyWidth, valueWidth)
    let (tq, tk) = (queries.count / dk, keys.count / dk)
    let scale = 1 / Double(dk).squareRoot()
    var weights = [Double](repeating: 0, count: tq * tk)
    for i in 0..<tq {
        var scores = [Double](repeating: -Double.infinity, count: tk)
        for j in 0..<tk where allowed?[i * tk + j] ?? true {
            var dot = 0.0
            for c in 0..<dk { dot += queries[i * dk + c] * keys[j * dk + c] }
            scores[j] = dot * scale
        }
        let largest = scores.max()!
        let e = scores.map { exp($0 - largest) }  // exp(−∞) = 0 for a hidden key
        let total = e.reduce(0, +)
        for j in 0..<tk { weights[i * tk + j] = e[j] / total }
    }
    var output = [Double](repeating: 0, count: tq * dv)
    for i in 0..<tq {
        for j in 0..<tk {
            for c in 0..<dv { output[i * dv + c] += weights[i * tk + j] * values[j * dv + c] }
        }
    }
    return (output, weights)
}

/// 8.2
public func attentionBackward(
    outputGradient: [Double], queries: [Double], keys: [Double], values: [Double], weights: [Double], keyWidth: Int, valueWidth: Int
) throws -> (queries: [Double], keys: [Double], values: [Double]) {
    let (dk, dv) = (keyWidth, valueWidth)
    let (tq, tk) = (queries.count / dk, keys.count / dk)
    let scale = 1 / Double(dk).squareRoot()
    var dQ = [Double](repeating: 0, count: tq * dk), dK = [Double](repeating: 0, count: tk * dk), dV = [Double](repeating: 0, count: tk * dv)
    for i in 0..<tq {
        var dA = [Double](repeating: 0, count: tk)  // ∂L/∂A[i, j] = Σ_c G[i, c] V[j, c]
        for j in 0..<tk {
            for c in 0..<dv {
                dA[j] += outputGradient[i * dv + c] * values[j * dv + c]
                dV[j * dv + c] += weights[i * tk + j] * outputGradient[i * dv + c]  // Aᵀ G
            }
        }
        var dot = 0.0
        for j in 0..<tk { dot += dA[j] * weights[i * tk + j] }
        for j in 0..<tk {
            let dS = weights[i * tk + j] * (dA[j] - dot) * scale  // the softmax's backward, and 1/√d_k
            for c in 0..<dk {
                dQ[i * dk + c] += dS * keys[j * dk + c]
                dK[j * dk + c] += dS * queries[i * dk + c]
            }
        }
    }
    return (dQ, dK, dV)
}

/// 8.3
public func causalMask(length: Int) throws -> [Bool] {
    var allowed = [Bool](repeating: false, count: length * length)
    for i in 0..<length {
        for j in 0...i { allowed[i * length + j] = true }
    }
    return allowed
}

/// 8.4
public func splitHeads(_ x: [Double], length: Int, heads: Int) throws -> [Double] {
    let d = x.count / length, dh = d / heads
    var split = [Double](repeating: 0, count: x.count)
    for j in 0..<heads {
        for t in 0..<length {
            for c in 0..<dh { split[(j * length + t) * dh + c] = x[t * d + j * dh + c] }
        }
    }
    return split
}

/// 8.4
public func mergeHeads(_ split: [Double], length: Int, heads: Int) throws -> [Double] {
    let d = split.count / length, dh = d / heads
    var x = [Double](repeating: 0, count: split.count)
    for j in 0..<heads {
        for t in 0..<length {
            for c in 0..<dh { x[t * d + j * dh + c] = split[(j * length + t) * dh + c] }
        }
    }
    return x
}

/// 8.5
public func positionalEncoding(positions: Int, features: Int) throws -> [Double] {
    var pe = [Double](repeating: 0, count: positions * features)
    for p in 0..<positions {
        for k in 0..<features {
            let i = k / 2
            let angle = Double(p) / pow(10000, Double(2 * i) / Double(features))
            pe[p * features + k] = k % 2 == 0 ? sin(angle) : cos(angle)
        }
    }
    return pe
}

/// 8.6
public func layerNormForward(_ x: [Double], features: Int, scale: [Double], shift: [Double], epsilon: Double) throws -> [Double] {
    let d = features
    var y = [Double](repeating: 0, count: x.count)
    for r in 0..<(x.count / d) {
        let row = x[(r * d)..<((r + 1) * d)]
        let mean = row.reduce(0, +) / Double(d)
        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
        let deviation = (variance + epsilon).squareRoot()
        for j in 0..<d { y[r * d + j] = scale[j] * (x[r * d + j] - mean) / deviation + shift[j] }
    }
    return y
}

/// 8.6
public func layerNormBackward(
    outputGradient: [Double], input x: [Double], features: Int, scale: [Double], epsilon: Double
) throws -> (input: [Double], scale: [Double], shift: [Double]) {
    let d = features
    var dx = [Double](repeating: 0, count: x.count), dScale = [Double](repeating: 0, count: d), dShift = dScale
    for r in 0..<(x.count / d) {
        let row = x[(r * d)..<((r + 1) * d)]
        let mean = row.reduce(0, +) / Double(d)
        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
        let deviation = (variance + epsilon).squareRoot()
        var normalized = [Double](repeating: 0, count: d), gHat = normalized
        for j in 0..<d {
            normalized[j] = (x[r * d + j] - mean) / deviation
            gHat[j] = outputGradient[r * d + j] * scale[j]
            dScale[j] += outputGradient[r * d + j] * normalized[j]
            dShift[j] += outputGradient[r * d + j]
        }
        let meanG = gHat.reduce(0, +) / Double(d)
        var meanGX = 0.0
        for j in 0..<d { meanGX += gHat[j] * normalized[j] }
        meanGX /= Double(d)
        for j in 0..<d { dx[r * d + j] = (gHat[j] - meanG - normalized[j] * meanGX) / deviation }
    }
    return (dx, dScale, dShift)
}

/// 8.7
public func attentionPoolingBackward(
    states: [[Double]], weights: [Double], bias: [Double], scorer: [Double], outputGradient: [Double]
) throws -> (states: [[Double]], weights: [Double], bias: [Double], scorer: [Double]) {
    let g = outputGradient
    let (steps, h, a) = (states.count, states[0].count, bias.count)
    // Forward: u = W h + b, t = tanh(u), e = v · t, α = softmax(e).
    let t = states.map { state in (0..<a).map { i in tanh((0..<h).reduce(bias[i]) { $0 + weights[i * h + $1] * state[$1] }) } }
    let e = t.map { row in zip(scorer, row).reduce(0) { $0 + $1.0 * $1.1 } }
    let top = e.max()!
    let exps = e.map { exp($0 - top) }
    let alpha = exps.map { $0 / exps.reduce(0, +) }
    // Backward.
    let dAlpha = states.map { state in zip(g, state).reduce(0) { $0 + $1.0 * $1.1 } }
    let expected = zip(alpha, dAlpha).reduce(0) { $0 + $1.0 * $1.1 }
    var dStates = states.map { _ in [Double](repeating: 0, count: h) }
    var (dW, db, dv) = ([Double](repeating: 0, count: a * h), [Double](repeating: 0, count: a), [Double](repeating: 0, count: a))
    for j in 0..<steps {
        let dE = alpha[j] * (dAlpha[j] - expected)
        for k in 0..<h { dStates[j][k] += alpha[j] * g[k] }  // through the average
        for i in 0..<a {
            dv[i] += dE * t[j][i]
            let dU = dE * scorer[i] * (1 - t[j][i] * t[j][i])
            db[i] += dU
            for k in 0..<h {
                dW[i * h + k] += dU * states[j][k]
                dStates[j][k] += weights[i * h + k] * dU  // through the score
            }
        }
    }
    return (dStates, dW, db, dv)
}
