import NumericChecks

/// A likely mistake and what to say when an answer matches it.
///
/// A check computes what a few plausible wrong answers would return (forgetting the
/// bias, flipping a sign, dividing by the wrong count) and, when the learner's answer
/// matches one, shows its message instead of a bare "wrong".
public struct Hint: Sendable {
    public let wrongAnswer: [Double]
    public let message: String

    public init(ifActual wrongAnswer: [Double], _ message: String) {
        self.wrongAnswer = wrongAnswer
        self.message = message
    }

    public init(ifActual wrongAnswer: Double, _ message: String) {
        self.init(ifActual: [wrongAnswer], message)
    }
}

/// Collects the failures of one exercise's check: expected, actual, the input, a hint.
public struct Checker: Sendable {
    public private(set) var failures: [String] = []
    /// How many comparisons were made.
    public private(set) var caseCount = 0
    /// After this many failures the check stops: the first few say all there is to say.
    static let failureLimit = 3

    /// Raised to end a check early once `failureLimit` failures are recorded.
    struct Enough: Error {}

    public init() {}

    /// Expects `actual` to be within `tolerance` of `expected`.
    public mutating func expect(
        _ actual: Double, equals expected: Double, tolerance: Tolerance = .standard,
        input: @autoclosure () -> String, hints: [Hint] = [], otherwise help: String? = nil
    ) throws {
        caseCount += 1
        guard !tolerance.accepts(actual, expected) else { return }
        try record(
            input: input(), expected: "\(expected)", actual: "\(actual)",
            hint: matchingHint([actual], hints, tolerance) ?? help)
    }

    /// Expects `actual` to match `expected` element by element.
    public mutating func expect(
        _ actual: [Double], equals expected: [Double], tolerance: Tolerance = .standard,
        input: @autoclosure () -> String, hints: [Hint] = [], otherwise help: String? = nil
    ) throws {
        caseCount += 1
        guard let difference = mismatch(actual, expected, tolerance: tolerance) else { return }
        try record(
            input: input(), detail: difference,
            hint: matchingHint(actual, hints, tolerance) ?? help)
    }

    /// Expects two values of any comparable kind (labels, counts, flags) to be equal.
    public mutating func expect<T: Equatable>(
        _ actual: T, equals expected: T, input: @autoclosure () -> String, hint: String? = nil
    ) throws {
        caseCount += 1
        guard actual != expected else { return }
        try record(input: input(), expected: "\(expected)", actual: "\(actual)", hint: hint)
    }

    /// Expects two arrays (labels, counts per epoch) to be equal element by element. A long
    /// array is shown by its first and last elements, with the first index that differs.
    public mutating func expect<T: Equatable>(
        _ actual: [T], equals expected: [T], input: @autoclosure () -> String, hint: String? = nil
    ) throws {
        caseCount += 1
        guard actual != expected else { return }
        let firstDifference =
            actual.count != expected.count
            ? "expected \(expected.count) values, got \(actual.count)"
            : zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }.map {
                "first difference at index \($0.offset): expected \($0.element.1), got \($0.element.0)"
            } ?? ""
        try record(
            input: input(),
            detail: "  expected: \(shortList(expected))\n  actual:   \(shortList(actual))\n  \(firstDifference)", hint: hint)
    }

    /// Expects an analytic gradient to match central differences of `f` at `x`.
    public mutating func expectGradient(
        _ parameter: String, at x: [Double], analytic: [Double], input: @autoclosure () -> String,
        hint: String? = nil, of f: ([Double]) -> Double
    ) throws {
        caseCount += 1
        guard analytic.count == x.count else {
            try record(
                input: input(), expected: "\(x.count) gradient values (one per parameter)",
                actual: "\(analytic.count) values", hint: hint)
            return
        }
        let result = checkGradient(parameter, at: x, analytic: analytic, of: f)
        guard !result.passed else { return }
        try record(
            input: input(),
            detail: "  the gradient does not match central finite differences:\n  \(result)",
            hint: hint)
    }

    /// Records a failure described in words.
    public mutating func fail(_ message: String, input: String, hint: String? = nil) throws {
        try record(input: input, detail: "  " + message, hint: hint)
    }

    private mutating func record(input: String, expected: String, actual: String, hint: String?) throws {
        try record(input: input, detail: "  expected: \(expected)\n  actual:   \(actual)", hint: hint)
    }

    private mutating func record(input: String, detail: String, hint: String?) throws {
        var message = "for \(abbreviated(input)):\n" + detail.split(separator: "\n", omittingEmptySubsequences: false).map { abbreviated(String($0)) }.joined(separator: "\n")
        if let hint { message += "\n  hint: \(hint)" }
        failures.append(message)
        if failures.count >= Checker.failureLimit { throw Enough() }
    }

    private func matchingHint(_ actual: [Double], _ hints: [Hint], _ tolerance: Tolerance) -> String? {
        hints.first { hint in
            hint.wrongAnswer.count == actual.count
                && zip(hint.wrongAnswer, actual).allSatisfy { tolerance.accepts($1, $0) }
        }?.message
    }
}

/// The result of checking one exercise.
public enum CheckOutcome: Sendable {
    /// Every case matched the reference.
    case passed(cases: Int)
    /// The stub is untouched: it still throws `NotAttempted`.
    case notAttempted(NotAttempted)
    /// At least one case did not match; each string describes one.
    case failed([String])

    public var isPassed: Bool {
        if case .passed = self { return true }
        return false
    }

    public var isNotAttempted: Bool {
        if case .notAttempted = self { return true }
        return false
    }

    /// The failure messages (empty unless failed).
    public var failures: [String] {
        if case .failed(let messages) = self { return messages }
        return []
    }
}

/// Runs a check body and sorts its ending into passed, not attempted, or failed.
///
/// A `NotAttempted` thrown by the answer means the stub is untouched. Any other error
/// the answer throws is reported as a failure with the error's text.
public func runCheck(_ body: (inout Checker) throws -> Void) -> CheckOutcome {
    var checker = Checker()
    do {
        try body(&checker)
    } catch let stub as NotAttempted {
        return .notAttempted(stub)
    } catch is Checker.Enough {
        // stopped early: the failures are recorded
    } catch {
        return .failed(checker.failures + ["the function threw an error: \(error)"])
    }
    return checker.failures.isEmpty ? .passed(cases: checker.caseCount) : .failed(checker.failures)
}

/// A line of a failure message cut in the middle when it is longer than `limit`
/// characters, saying how much was left out: a report stays readable in a terminal.
func abbreviated(_ line: String, limit: Int = 240) -> String {
    guard line.count > limit else { return line }
    let head = line.prefix(limit * 2 / 3), tail = line.suffix(limit / 4)
    return "\(head) … (\(line.count - head.count - tail.count) characters left out) … \(tail)"
}
