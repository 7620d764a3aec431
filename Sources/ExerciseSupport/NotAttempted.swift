/// Thrown by an exercise the learner has not filled in yet.
///
/// Every stub under `Exercises/` has one line, `throw NotAttempted()`. The checks report
/// such an exercise as *not attempted* (the test is cancelled, not failed), naming the
/// file and the function to open. Throwing instead of trapping keeps an untouched stub
/// from ending the whole test run.
public struct NotAttempted: Error, Sendable, CustomStringConvertible {
    /// The function to fill in, e.g. "weightedSum(inputs:weights:bias:)".
    public let function: String
    /// The file to open, relative to the package root when it can be, e.g.
    /// "Exercises/Perceptron/WeightedSum.swift".
    public let file: String

    /// Thrown by an untouched stub; the function and file are filled in by the compiler, so
    /// that the runner can name what to open.
    public init(function: String = #function, filePath: String = #filePath) {
        self.function = function
        self.file = NotAttempted.packageRelative(filePath)
    }

    /// `path` from its "Exercises/" component on, or unchanged when it has none.
    static func packageRelative(_ path: String) -> String {
        guard let range = path.range(of: "/Exercises/", options: .backwards) else { return path }
        return String(path[path.index(after: range.lowerBound)...])
    }

    public var description: String {
        "not attempted yet: open \(file) and fill in \(function)"
    }
}
