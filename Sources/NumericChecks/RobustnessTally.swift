/// Sorts the results of a robustness sweep (extreme inputs through a library's entry
/// points) into: finite and right (where the true value is known), NaN propagated (a NaN
/// went in and a NaN came out), and silent garbage (anything else: ∞ or NaN where the
/// true answer fits a `Double`, a NaN swallowed, a wrong finite value).
public final class RobustnessTally {
    /// Cases recorded; of them, finite and right (`finite`) and NaN in, NaN out
    /// (`nanPropagated`). The rest are in ``garbage``.
    public private(set) var tried = 0, finite = 0, nanPropagated = 0
    /// A description of each case that gave silent garbage: the input, what came out and
    /// what was due.
    public private(set) var garbage: [String] = []

    /// An empty tally.
    public init() {}

    /// Records `value` for an input that held a NaN (`nanIn`) or not; `expected`, if given,
    /// is the true value it must match within a relative `tolerance`.
    public func record(_ what: @autoclosure () -> String, _ value: Double, nanIn: Bool, expected: Double? = nil, tolerance: Double = 1e-12) {
        tried += 1
        if nanIn {
            if value.isNaN { nanPropagated += 1 } else { garbage.append("\(what()) = \(value), but a NaN went in") }
        } else if !value.isFinite {
            garbage.append("\(what()) = \(value)")
        } else if let expected, abs(value - expected) > tolerance * max(1, abs(expected)) {
            garbage.append("\(what()) = \(value), expected \(expected)")
        } else {
            finite += 1
        }
    }

    /// "robustness (name): N cases tried, …", and one line per garbage case.
    public func summary(_ name: String) -> String {
        (["robustness (\(name)): \(tried) cases tried, \(finite) finite and right, \(nanPropagated) NaN propagated, \(garbage.count) silent garbage"]
            + garbage.map { "  garbage: \($0)" }).joined(separator: "\n")
    }

    /// The finite extremes every sweep tries (NaN is added by each sweep).
    public static let extremes: [Double] = [
        0, -0.0, 0x1p-1063, -0x1p-1063, .leastNonzeroMagnitude, 1, -1, 1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
    ]
}
