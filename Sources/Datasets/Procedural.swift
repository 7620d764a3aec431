import Foundation
import Randomness
import Validation

/// The four two-input logic gates, as tiny classification sets.
public enum LogicGate: String, CaseIterable, Sendable {
    /// 1 when both inputs are 1.
    case and
    /// 1 when either input is 1.
    case or
    /// 0 when both inputs are 1: NOT AND.
    case nand
    /// 1 when exactly one input is 1: the gate no single line separates.
    case xor

    /// The four inputs (0,0), (0,1), (1,0), (1,1), in that order.
    public static let inputs: [[Double]] = [[0, 0], [0, 1], [1, 0], [1, 1]]

    /// The gate's output for each of `LogicGate.inputs`.
    public var truthTable: [Int] {
        switch self {
        case .and: [0, 0, 0, 1]
        case .or: [0, 1, 1, 1]
        case .nand: [1, 1, 1, 0]
        case .xor: [0, 1, 1, 0]
        }
    }

    /// The name in capitals, as the lessons print it ("AND").
    public var name: String { rawValue.uppercased() }

    /// The gate's four samples with their truth-table labels, as a two-class set.
    public var samples: ClassificationSet {
        ClassificationSet(inputs: Self.inputs, labels: truthTable, classCount: 2)
    }
}

/// Two interleaved spirals in the plane, one per class: a set no straight line separates.
///
/// Point i of class k sits at angle θ = turns·2π·t + kπ and radius r = t, with t = i/n,
/// plus Gaussian noise of the given standard deviation on both coordinates.
public func spirals(
    pointsPerClass n: Int, turns: Double = 1.5, noise: Double = 0.05,
    using rng: inout SeededGenerator
) -> ClassificationSet {
    var inputs: [[Double]] = []
    var labels: [Int] = []
    for k in 0..<2 {
        for i in 0..<n {
            let t = Double(i) / Double(n)
            let angle = turns * 2 * Double.pi * t + Double(k) * Double.pi
            let x = t * cos(angle) + rng.normal(standardDeviation: noise)
            let y = t * sin(angle) + rng.normal(standardDeviation: noise)
            inputs.append([x, y])
            labels.append(k)
        }
    }
    return ClassificationSet(inputs: inputs, labels: labels, classCount: 2)
}

/// Gaussian blobs: `pointsPerCenter` samples around each center, labelled by center.
public func blobs(
    centers: [[Double]], pointsPerCenter n: Int, standardDeviation: Double,
    using rng: inout SeededGenerator
) -> ClassificationSet {
    var inputs: [[Double]] = []
    var labels: [Int] = []
    for (k, center) in centers.enumerated() {
        for _ in 0..<n {
            inputs.append(center.map { $0 + rng.normal(standardDeviation: standardDeviation) })
            labels.append(k)
        }
    }
    return ClassificationSet(inputs: inputs, labels: labels, classCount: centers.count)
}

/// Samples of a 1-D function y = f(x) at `count` evenly spaced points of `range`,
/// with optional Gaussian noise on y.
public func functionSamples(
    _ f: (Double) -> Double, in range: ClosedRange<Double>, count: Int,
    noise: Double = 0, using rng: inout SeededGenerator
) -> RegressionSet {
    require(count >= 2, "functionSamples: count must be at least 2, got \(count)")
    let step = (range.upperBound - range.lowerBound) / Double(count - 1)
    var inputs: [[Double]] = []
    var targets: [Double] = []
    for i in 0..<count {
        let x = range.lowerBound + Double(i) * step
        inputs.append([x])
        targets.append(f(x) + (noise > 0 ? rng.normal(standardDeviation: noise) : 0))
    }
    return RegressionSet(inputs: inputs, targets: targets)
}
