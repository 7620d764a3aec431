import NumericChecks

/// A likely mistake and what to say when an answer matches it.
///
/// A check computes what a few plausible wrong answers would return (forgetting the
/// bias, flipping a sign, dividing by the wrong count) and, when the learner's answer
/// matches one, shows its message instead of a bare "wrong".
public struct Hint: Sendable {
    /// The answer the slip produces, for the check's case.
    public let wrongAnswer: [Double]
    /// What the slip is, in a sentence the runner prints under the failing check.
    public let message: String

    /// A hint shown when the learner's answer equals `wrongAnswer`, the value a known slip
    /// gives.
    public init(ifActual wrongAnswer: [Double], _ message: String) {
        self.wrongAnswer = wrongAnswer
        self.message = message
    }

    /// A hint shown when the learner's answer equals `wrongAnswer`, the value a known slip
    /// gives.
    public init(ifActual wrongAnswer: Double, _ message: String) {
        self.init(ifActual: [wrongAnswer], message)
    }
}

/// Collects the failures of one exercise's check: expected, actual, the input, a hint.
///
/// A hint must follow from what the answer did, not from a coincidence on one case: a
/// ``Hint`` that was offered on a failing case and did not match there is withdrawn from
/// every other failure of the check, which then shows the general help instead.
public struct Checker: Sendable {
    /// One failure as recorded: its text without the hint, the hints it matched (in the
    /// order given), and the help to show when none of them stands.
    struct Failure: Sendable {
        var text: String
        var matched: [String]
        var help: String?
    }
    private var recorded: [Failure] = []
    /// Hints offered on a failing case that the answer did not match there.
    private var contradicted = Set<String>()

    /// The failures, each with the hint that still stands or else its help.
    public var failures: [String] {
        recorded.map { failure in
            let hint = failure.matched.first { !contradicted.contains($0) } ?? failure.help
            return failure.text + (hint.map { "\n  hint: \($0)" } ?? "")
        }
    }
    /// How many comparisons were made.
    public private(set) var caseCount = 0
    /// After this many failures the check stops: the first few say all there is to say.
    static let failureLimit = 3

    /// Raised to end a check early once `failureLimit` failures are recorded.
    struct Enough: Error {}

    /// A checker with no cases yet.
    public init() {}

    /// Expects `actual` to be within `tolerance` of `expected`.
    public mutating func expect(
        _ actual: Double, equals expected: Double, tolerance: Tolerance = .standard,
        input: @autoclosure () -> String, hints: [Hint] = [], otherwise help: String? = nil
    ) throws {
        caseCount += 1
        guard !tolerance.accepts(actual, expected) else { return }
        try record(
            input: input(), detail: "  expected: \(expected)\n  actual:   \(actual)",
            matched: matchingHint([actual], hints, tolerance), help: help)
    }

    /// Expects `actual` to match `expected` element by element.
    public mutating func expect(
        _ actual: [Double], equals expected: [Double], tolerance: Tolerance = .standard,
        input: @autoclosure () -> String, hints: [Hint] = [], otherwise help: String? = nil
    ) throws {
        caseCount += 1
        guard let difference = mismatch(actual, expected, tolerance: tolerance) else { return }
        try record(input: input(), detail: difference, matched: matchingHint(actual, hints, tolerance), help: help)
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
        try record(input: input, detail: detail, matched: [], help: hint)
    }

    private mutating func record(input: String, detail: String, matched: [String], help: String?) throws {
        let text =
            "for \(abbreviated(input)):\n"
            + detail.split(separator: "\n", omittingEmptySubsequences: false).map { abbreviated(String($0)) }.joined(separator: "\n")
        recorded.append(Failure(text: text, matched: matched, help: help))
        if recorded.count >= Checker.failureLimit { throw Enough() }
    }

    /// The messages of the hints whose wrong answer `actual` matches, in order; a message
    /// offered here that no matching hint carries is marked contradicted (this is a
    /// failing case, and the answer is not that mistake).
    private mutating func matchingHint(_ actual: [Double], _ hints: [Hint], _ tolerance: Tolerance) -> [String] {
        let matched = hints.filter { hint in
            hint.wrongAnswer.count == actual.count && zip(hint.wrongAnswer, actual).allSatisfy { tolerance.accepts($1, $0) }
        }.map(\.message)
        for hint in hints where !matched.contains(hint.message) { contradicted.insert(hint.message) }
        return matched
    }
}

/// The hint of the first slip that explains every failing case, or nil.
///
/// For checks whose answers are compared one case at a time as labels or counts: a slip
/// is named only when its prediction equals the answer on every case the answer got
/// wrong, so that one case where a different mistake happens to give the same number
/// does not name the wrong mistake. `failing` holds the indices of the failing cases.
public func diagnose(failing: [Int], slips: [(hint: String, explains: (Int) -> Bool)]) -> String? {
    guard !failing.isEmpty else { return nil }
    return slips.first { slip in failing.allSatisfy(slip.explains) }?.hint
}

/// The result of checking one exercise.
public enum CheckOutcome: Sendable {
    /// Every case matched the reference.
    case passed(cases: Int)
    /// The stub is untouched: it still throws `NotAttempted`.
    case notAttempted(NotAttempted)
    /// At least one case did not match; each string describes one.
    case failed([String])

    /// Whether every case matched.
    public var isPassed: Bool {
        if case .passed = self { return true }
        return false
    }

    /// Whether the stub is untouched.
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
