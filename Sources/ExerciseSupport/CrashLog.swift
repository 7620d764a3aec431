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

    /// In the child process: route standard error into the log for `exercise`.
    public static func captureStandardError(exercise: String) {
        let path = url(exercise: exercise, parent: getppid()).path
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard file >= 0 else { return }  // no log: the parent still reports the crash, without its message
        dup2(file, STDERR_FILENO)
        close(file)
    }

    /// In the parent process: what the child wrote before it died, without the backtrace
    /// noise, and remove the log.
    public static func takeMessage(exercise: String) -> String? {
        let url = url(exercise: exercise, parent: getpid())
        defer { try? FileManager.default.removeItem(at: url) }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        // The runtime's one-line reason ("…: Fatal error: Index out of range"); the rest
        // of the log is a backtrace of test-runner frames that would bury it.
        let reasons = lines.filter { $0.contains("Fatal error") || $0.contains("Precondition failed") }
        return (reasons.isEmpty ? Array(lines.prefix(5)) : Array(reasons.prefix(2))).joined(separator: "\n")
    }
}
