import Foundation
import Practice

// Worked answers to the Chapter 11 exercises: flat row-major arrays, every sum written
// out. Each answer stands alone, so that it can be pasted into its exercise file.

/// 11.1
public func confusionMatrix(truth: [Int], predicted: [Int], classCount: Int) throws -> [[Int]] {
    var counts = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
    for (t, p) in zip(truth, predicted) { counts[t][p] += 1 }
    return counts
}

/// 11.2
public func precisionRecallF1(counts: [[Int]]) throws -> (precision: [Double], recall: [Double], f1: [Double], macro: [Double]) {
    let k = counts.count
    func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }  // 0/0 counts as 0
    var (precision, recall, f1) = ([Double](), [Double](), [Double]())
    for c in 0..<k {
        let truePositives = counts[c][c]
        let predictedC = (0..<k).reduce(0) { $0 + counts[$1][c] }  // the column: TP + FP
        let actuallyC = counts[c].reduce(0, +)  // the row: TP + FN
        let (p, r) = (ratio(truePositives, predictedC), ratio(truePositives, actuallyC))
        precision.append(p)
        recall.append(r)
        f1.append(p + r == 0 ? 0 : 2 * p * r / (p + r))
    }
    func average(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    return (precision, recall, f1, [average(precision), average(recall), average(f1)])
}

/// 11.3
public func logUniform(_ u: Double, low: Double, high: Double) throws -> Double {
    exp(log(low) + u * (log(high) - log(low)))
}

/// 11.4
public func transferStep(
    w1: [Double], b1: [Double], w2: [Double], b2: [Double], inputs: [[Double]], labels: [Int], learningRate: Double, backboneScale: Double
) throws -> (w1: [Double], b1: [Double], w2: [Double], b2: [Double]) {
    let (hidden, classes) = (b1.count, b2.count)
    let d = inputs[0].count
    let batch = Double(inputs.count)
    var (g1, gb1, g2, gb2) = (
        [Double](repeating: 0, count: w1.count), [Double](repeating: 0, count: hidden), [Double](repeating: 0, count: w2.count),
        [Double](repeating: 0, count: classes)
    )
    for (x, label) in zip(inputs, labels) {
        let u = (0..<hidden).map { j in (0..<d).reduce(b1[j]) { $0 + w1[j * d + $1] * x[$1] } }
        let h = u.map { max($0, 0) }
        let z = (0..<classes).map { k in (0..<hidden).reduce(b2[k]) { $0 + w2[k * hidden + $1] * h[$1] } }
        let top = z.max()!
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        let dz = (0..<classes).map { k in (e[k] / total - (k == label ? 1 : 0)) / batch }
        var dh = [Double](repeating: 0, count: hidden)
        for k in 0..<classes {
            gb2[k] += dz[k]
            for j in 0..<hidden {
                g2[k * hidden + j] += dz[k] * h[j]
                dh[j] += w2[k * hidden + j] * dz[k]
            }
        }
        for j in 0..<hidden where u[j] > 0 {
            gb1[j] += dh[j]
            for i in 0..<d { g1[j * d + i] += dh[j] * x[i] }
        }
    }
    let backboneRate = learningRate * backboneScale
    // A frozen backbone (scale 0) is not stepped at all, so it comes back bit for bit.
    let newW1 = backboneScale == 0 ? w1 : zip(w1, g1).map { $0 - backboneRate * $1 }
    let newB1 = backboneScale == 0 ? b1 : zip(b1, gb1).map { $0 - backboneRate * $1 }
    return (newW1, newB1, zip(w2, g2).map { $0 - learningRate * $1 }, zip(b2, gb2).map { $0 - learningRate * $1 })
}

/// 11.5
public func shifted(_ image: [Double], side: Int, dx: Int, dy: Int) throws -> [Double] {
    var output = [Double](repeating: 0, count: side * side)
    for r in 0..<side {
        for c in 0..<side {
            let (sourceRow, sourceColumn) = (r - dy, c - dx)
            if sourceRow >= 0 && sourceRow < side && sourceColumn >= 0 && sourceColumn < side {
                output[r * side + c] = image[sourceRow * side + sourceColumn]
            }
        }
    }
    return output
}

/// 11.6
public func deadFraction(_ output: [Double], batch: Int, units: Int, positions: Int) throws -> Double {
    var dead = 0
    for u in 0..<units {
        var alive = false
        for n in 0..<batch {
            for p in 0..<positions where output[(n * units + u) * positions + p] != 0 { alive = true }
        }
        if !alive { dead += 1 }
    }
    return Double(dead) / Double(units)
}

/// 11.7
public func updateRatio(weights: [Double], gradient: [Double], learningRate: Double) throws -> Double? {
    let size = weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
    guard size > 0 else { return nil }
    return learningRate * gradient.reduce(0) { $0 + $1 * $1 }.squareRoot() / size
}
