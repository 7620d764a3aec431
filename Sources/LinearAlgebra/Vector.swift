// Helpers over plain `[Double]` vectors.
//
// Each one checks that its operands have the same length and names both lengths when
// they do not, so that a shape mistake is reported where it happens instead of as an
// index out of range deep inside a loop.

/// The dot product a·b = Σᵢ aᵢbᵢ.
import Validation

/// Σᵢ aᵢ bᵢ, summed in index order; vectors of different lengths stop naming both lengths.
public func dot(_ a: [Double], _ b: [Double]) -> Double {
    require(a.count == b.count, "dot: lengths differ: (\(a.count)) · (\(b.count))")
    var sum = 0.0
    for i in 0..<a.count {
        sum += a[i] * b[i]
    }
    return sum
}

/// The elementwise sum a + b.
public func add(_ a: [Double], _ b: [Double]) -> [Double] {
    require(a.count == b.count, "add: lengths differ: (\(a.count)) + (\(b.count))")
    // Through pointers: the residual connections of a transformer add whole activations.
    return [Double](unsafeUninitializedCapacity: a.count) { sum, initialized in
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for i in 0..<a.count { sum[i] = a[i] + b[i] }
            }
        }
        initialized = a.count
    }
}

/// The elementwise difference a − b.
public func subtract(_ a: [Double], _ b: [Double]) -> [Double] {
    require(a.count == b.count, "subtract: lengths differ: (\(a.count)) − (\(b.count))")
    return (0..<a.count).map { a[$0] - b[$0] }
}

/// The vector a scaled by s: (s·a₁, …, s·aₙ).
public func scale(_ a: [Double], by s: Double) -> [Double] {
    a.map { $0 * s }
}

/// The Euclidean norm ‖a‖ = √(Σᵢ aᵢ²).
public func norm(_ a: [Double]) -> Double {
    dot(a, a).squareRoot()
}

/// The arithmetic mean of `a`; 0 for an empty vector.
public func mean(_ a: [Double]) -> Double {
    a.isEmpty ? 0 : a.reduce(0, +) / Double(a.count)
}

/// The index of the largest element (the first one on ties); nil for an empty vector.
public func argmax(_ a: [Double]) -> Int? {
    guard var best = a.indices.first else { return nil }
    for i in a.indices where a[i] > a[best] {
        best = i
    }
    return best
}

/// `count` evenly spaced values from `start` to `end`, both included.
public func linspace(_ start: Double, _ end: Double, count: Int) -> [Double] {
    require(count >= 2, "linspace: count must be at least 2, got \(count)")
    let step = (end - start) / Double(count - 1)
    return (0..<count).map { start + Double($0) * step }
}

/// The mean of `values` when their plain sum overflows although the mean fits (values near
/// ±1.8e308): each value is divided by the largest magnitude first, so the sum stays within
/// the count, and the mean is scaled back. Slower and rounded differently than sum / n,
/// so the layers call it only when sum / n came out infinite. NaN in gives NaN.
public func meanAvoidingOverflow(_ values: [Double]) -> Double {
    let largest = values.reduce(0) { max($0, abs($1)) }
    guard largest > 0, largest.isFinite else { return values.reduce(0, +) / Double(values.count) }
    return largest * (values.reduce(0) { $0 + $1 / largest } / Double(values.count))
}
