import ExerciseSupport
import Testing

/// Turns an exercise check into the test's result: passed, cancelled (not attempted),
/// or failed with one issue per mismatch.
///
/// Call it after the crash probe (the exit test that ran the same check in a child
/// process): when the probe did not survive, the crash is reported and the check is not
/// run again in this process, where it would end the whole test run.
///
/// - Parameters:
///   - title: the exercise's number and title, e.g. "1.1 the weighted sum".
///   - crashLogKey: the key the probe wrote its standard error under.
///   - survived: whether the probe exited normally.
///   - check: runs the learner's answer through the check, in this process.
public func reportExercise(
    _ title: String, crashLogKey: String, survived: Bool, at location: SourceLocation = #_sourceLocation,
    check: () -> CheckOutcome
) throws {
    guard survived else {
        reportCrash(title, crashLogKey: crashLogKey, at: location)
        return
    }
    CrashLog.discard(exercise: crashLogKey)  // the probe wrote a log; nothing in it is needed
    switch check() {
    case .passed:
        return
    case .notAttempted(let stub):
        try Test.cancel("not attempted — open \(stub.file) and fill in \(stub.function)", sourceLocation: location)
    case .failed(let failures):
        for failure in failures {
            Issue.record(Comment(rawValue: "\(title): \(failure)"), sourceLocation: location)
        }
    }
}

/// Reports what the crash probe's log says: a trap with its reason, or the time limit,
/// and the call it happened in.
func reportCrash(_ title: String, crashLogKey: String, at location: SourceLocation) {
    let message = CrashLog.takeMessage(exercise: crashLogKey) ?? "(no message captured)"
    let text =
        CrashLog.isTimeout(message)
        ? "\(title): your code \(message)\n"
            + "  hint: an endless loop? check that every loop ends: its bound, its stopping condition, "
            + "the variable it waits for"
        : "\(title): your code crashed while being checked:\n\(message)\n"
            + "  hint: a trap is usually an index out of range — check the loop bounds "
            + "and that arrays have the lengths you expect"
    Issue.record(Comment(rawValue: text), sourceLocation: location)
}
