import ExerciseSupport
import Foundation
import Testing

/// A deliberately wrong answer to one exercise, and the words its check's hint must contain.
///
/// Built from the chapter's worked solutions with one function replaced by the mistake.
public struct WrongAnswer<Answers: ChapterAnswers>: Sendable, CustomTestStringConvertible {
    public let exercise: Answers.Exercise
    public let mistake: String
    public let expectedHint: String
    public let answers: Answers

    public init(_ exercise: Answers.Exercise, _ mistake: String, hint: String, _ change: (inout Answers) -> Void) {
        var answers = Answers.solutions
        change(&answers)
        self.exercise = exercise
        self.mistake = mistake
        self.expectedHint = hint
        self.answers = answers
    }

    public var testDescription: String { "\(exercise.rawValue): \(mistake)" }

    /// Records an issue unless the check rejects the answer with a message containing the
    /// hint and none of the hints that name the other mistakes of the same exercise in
    /// `others`: a hint must follow from what the answer did, not from a coincidence.
    public func expectRejected(among others: [WrongAnswer] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = answers.check(exercise)
        let text = outcome.failures.joined(separator: "\n")
        #expect(!outcome.isPassed && !outcome.isNotAttempted, "\(testDescription) was not rejected", sourceLocation: sourceLocation)
        #expect(
            text.contains(expectedHint), "\(testDescription): the hint should say '\(expectedHint)', got:\n\(text)",
            sourceLocation: sourceLocation)
        for other in others
        where other.exercise == exercise && other.mistake != mistake && !expectedHint.contains(other.expectedHint)
            && !other.expectedHint.contains(expectedHint)
        {
            #expect(
                !text.contains(other.expectedHint),
                "\(testDescription): the report gives the hint of another mistake ('\(other.mistake)': '\(other.expectedHint)'):\n\(text)",
                sourceLocation: sourceLocation)
        }
    }
}

/// Whether some Swift file under `Exercises/<chapter>/` declares `public func <function>(`.
///
/// Reads the sources instead of calling them, so that the learner's code only ever runs
/// inside the crash-isolated checks; any file will do, so a learner may reorganize the folder.
public func exerciseIsDeclared(_ function: String, chapter: String, packageRoot: URL) throws -> Bool {
    let folder = packageRoot.appendingPathComponent("Exercises/\(chapter)")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
    return try files.contains { file in
        try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8).contains("public func \(function)(")
    }
}

/// Where the learner's function is declared, so that a report points at their file and not
/// at this test support; the chapter's folder when no file declares it.
public func exerciseLocation(_ function: String, chapter: String, packageRoot: URL) -> SourceLocation {
    let folder = packageRoot.appendingPathComponent("Exercises/\(chapter)")
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
    for file in files {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { continue }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let index = lines.firstIndex(where: { $0.contains("public func \(function)(") }) {
            return SourceLocation(
                fileID: "\(chapter)Exercises/\(file)", filePath: folder.appendingPathComponent(file).path, line: index + 1, column: 1)
        }
    }
    return SourceLocation(fileID: "\(chapter)Exercises/\(chapter)", filePath: folder.path, line: 1, column: 1)
}

/// The package root, found from a test file's `#filePath` (Tests/<Target>/<File>.swift).
public func packageRoot(fromTestFile path: String = #filePath) -> URL {
    URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
