// Approximate comparison of numbers and vectors, for tests and exercise checks.
//
// Two values count as close when
// ```
// |actual − expected| ≤ absolute + relative · |expected|
// ```
// The relative part scales with the numbers; the absolute part lets values that should
// be zero pass with round-off. This is deliberately not an `Equatable` conformance:
// closeness is not transitive, so it must not pretend to be equality.

/// How close two numbers must be.
public struct Tolerance: Sendable, CustomStringConvertible {
    /// The part of the tolerance that scales with the expected value: |a − e| ≤ relative · |e| +
    /// absolute.
    public var relative: Double
    /// The part of the tolerance that does not scale: what is allowed when the expected value
    /// is 0.
    public var absolute: Double

    /// A tolerance of `relative` · |expected| + `absolute`.
    public init(relative: Double = 1e-9, absolute: Double = 1e-12) {
        self.relative = relative
        self.absolute = absolute
    }

    /// Tight enough for the same formula computed in a different order.
    public static let standard = Tolerance()
    /// Equal, bit for bit up to the sign of zero: for values that must come back untouched.
    public static let exact = Tolerance(relative: 0, absolute: 0)
    /// For values printed to 4 decimals, as in the worked examples of the lessons.
    public static let fourDecimals = Tolerance(relative: 0, absolute: 5e-5)

    /// Whether |actual − expected| ≤ relative · |expected| + absolute, or the two are equal
    /// (so an infinity matches the same infinity). NaN matches nothing, NaN included.
    public func accepts(_ actual: Double, _ expected: Double) -> Bool {
        if actual == expected { return true }  // also covers equal infinities
        return abs(actual - expected) <= absolute + relative * abs(expected)
    }

    public var description: String { "relative \(relative), absolute \(absolute)" }
}

/// Whether `actual` is within `tolerance` of `expected`.
public func isClose(_ actual: Double, _ expected: Double, tolerance: Tolerance = .standard) -> Bool {
    tolerance.accepts(actual, expected)
}

/// Compares two vectors element by element; nil when they match, or a message showing
/// expected, actual and the largest difference when they do not.
public func mismatch(
    _ actual: [Double], _ expected: [Double], tolerance: Tolerance = .standard
) -> String? {
    if actual.count != expected.count {
        return "expected \(expected.count) values, got \(actual.count)\n"
            + "  expected: \(shortList(expected))\n  actual:   \(shortList(actual))"
    }
    var worst: Int?
    var worstDifference = 0.0
    for i in actual.indices where !tolerance.accepts(actual[i], expected[i]) {
        let difference = abs(actual[i] - expected[i])
        if worst == nil || !(difference <= worstDifference) {
            worst = i
            worstDifference = difference
        }
    }
    guard let worst else { return nil }
    return "  expected: \(shortList(expected))\n  actual:   \(shortList(actual))\n"
        + "  largest difference \(worstDifference) at index \(worst) "
        + "(expected \(expected[worst]), got \(actual[worst]); tolerance: \(tolerance))"
}

/// A list of numbers, shortened in the middle when long: "[1.0, 2.0, …, 9.0] (100 values)".
public func shortList<T>(_ values: [T], limit: Int = 8) -> String {
    if values.count <= limit {
        return "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
    }
    let head = values.prefix(limit / 2).map { "\($0)" }
    let tail = values.suffix(limit / 2).map { "\($0)" }
    return "[" + (head + ["…"] + tail).joined(separator: ", ") + "] (\(values.count) values)"
}
