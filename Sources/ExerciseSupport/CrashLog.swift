import Foundation

/// Where a learner's trap is written down when an exercise is run in a child process.
///
/// The exercise tests first run each check inside an exit test (a child process), so that
/// a trap in the learner's code (an index out of range, say) costs that one exercise and
/// not the whole run. The child sends its standard error, where the Swift runtime writes
/// the trap's message and location, to a log named after the parent's process ID and the
/// exercise; the parent reads it back to report what went wrong.
public enum CrashLog {
    static func url(exercise: String, parent: Int32) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("deep-learning-swift-\(parent)-\(exercise).log")
    }

    /// Whether this process is a crash probe whose standard error goes to a log.
    nonisolated(unsafe) static var capturing = false

    /// The first line of every log this program writes: the parent removes a file only if
    /// it starts with it, so a file of the same name that is not ours is never touched.
    static let header = "deep-learning-swift crash log"

    /// In the child process: route standard error into a new log for `exercise`.
    ///
    /// The log is created exclusively (`O_EXCL`): if a file of that name already exists,
    /// nothing is captured rather than overwriting it, and the parent reports the crash
    /// without its message.
    public static func captureStandardError(exercise: String) {
        let path = url(exercise: exercise, parent: getppid()).path
        let file = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard file >= 0 else { return }
        dup2(file, STDERR_FILENO)
        close(file)
        capturing = true
        writeToLog(header)
    }

    /// The log for `exercise` if this program wrote it (it starts with ``header``).
    static func ownLog(exercise: String) -> (url: URL, text: String)? {
        let url = url(exercise: exercise, parent: getpid())
        // Read as bytes: the test runner may append bytes that are not UTF-8 to the same descriptor.
        guard let data = try? Data(contentsOf: url), data.starts(with: Data(header.utf8)) else { return nil }
        return (url, String(decoding: data, as: UTF8.self))
    }

    /// In the child process: ends it after `seconds` if it is still running, writing why
    /// to the log first. An endless loop in the learner's code then costs that exercise
    /// a few seconds, and no process is left behind when the test run ends.
    public static func stopAfter(seconds: Double) {
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: seconds)
            writeToLog("\(timeoutMarker) \(Int(seconds)) seconds")
            _exit(124)
        }
    }

    static let timeoutMarker = "did not finish within"
    static let callMarker = "called "

    /// In the child process: writes which exercise function is being called with which
    /// arguments, so that a trap or an endless loop can be reported with its input. Does
    /// nothing outside a probe. Long argument lists are cut at 400 characters.
    public static func noteCall(_ call: @autoclosure () -> String) {
        guard capturing else { return }
        let text = call()
        writeToLog(callMarker + (text.count > 400 ? String(text.prefix(400)) + "…" : text))
    }

    static func writeToLog(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// In the parent process: what the child wrote before it died, without the backtrace
    /// noise, and remove the log: the runtime's reason (or the time limit) and the call it
    /// happened in.
    public static func takeMessage(exercise: String) -> String? {
        guard let (url, text) = ownLog(exercise: exercise) else { return nil }
        try? FileManager.default.removeItem(at: url)  // ours: it starts with the header
        let lines = text.split(separator: "\n").dropFirst().map(String.init)
        // The runtime's one-line reason ("…: Fatal error: Index out of range"); the rest
        // of the log is a backtrace of test-runner frames that would bury it.
        // (A line may start with bytes the test runner wrote to the same descriptor.)
        func after(_ marker: String, in line: String) -> Substring? { line.range(of: marker).map { line[$0.lowerBound...] } }
        let reasons = lines.compactMap { line in
            after("Fatal error", in: line).map { _ in Substring(line) } ?? after("Precondition failed", in: line)
                ?? after(timeoutMarker, in: line)
        }
        let lastCall = lines.compactMap { after(callMarker, in: $0) }.last.map { "while running " + $0.dropFirst(callMarker.count) }
        let reason =
            reasons.isEmpty
            ? lines.filter { !$0.contains(callMarker) }.prefix(5).joined(separator: "\n") : reasons.prefix(2).joined(separator: "\n")
        return [reason, learnerFrame(in: lines), lastCall].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// "in your code at Exercises/CNN/MaxPool.swift:25:13": the innermost frame of the
    /// runtime's backtrace that lies in a file under `Exercises/`. The runtime's own
    /// message names the standard library's line (an array's bounds check), which is not
    /// where the learner's mistake is.
    static func learnerFrame(in lines: [String]) -> String? {
        for line in lines {
            guard let folder = line.range(of: "/Exercises/") ?? line.range(of: "Exercises/") else { continue }
            let start = line[folder.lowerBound...].hasPrefix("/") ? line.index(after: folder.lowerBound) : folder.lowerBound
            let location = line[start...].prefix { !$0.isWhitespace && $0 != "\u{1B}" }
            guard location.contains(".swift:") else { continue }
            return "in your code at \(location)"
        }
        return nil
    }

    /// In the parent process: removes the log of a probe that finished normally.
    public static func discard(exercise: String) {
        guard let (url, _) = ownLog(exercise: exercise) else { return }
        try? FileManager.default.removeItem(at: url)
    }

    /// Whether a message from ``takeMessage(exercise:)`` reports the time limit.
    public static func isTimeout(_ message: String) -> Bool { message.contains(timeoutMarker) }
}
