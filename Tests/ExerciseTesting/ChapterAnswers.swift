import ExerciseSupport
import Foundation
import Testing

/// One exercise of a chapter: an enum case named after the function the learner writes.
///
/// `Codable` so that an exit test can carry it into its child process (the closure
/// captures it through an explicit capture list, `{ [exercise] in … }`).
public protocol ChapterExercise: CaseIterable, Codable, Sendable, RawRepresentable where RawValue == String {
    /// The number and title the test report shows: "4.1 one step of SGD with momentum".
    var title: String { get }
}

/// A chapter's set of answers, one closure per exercise: the learner's, the worked
/// solutions, every stub untouched, or (in the tests) a deliberately wrong set.
///
/// Everything a chapter's exercise tests share is written once against this protocol:
/// the crash probe, the report, and the proofs that the checks have teeth.
public protocol ChapterAnswers: Sendable {
    associatedtype Exercise: ChapterExercise
    /// The chapter's module and folder name: "Optimizers".
    static var chapter: String { get }
    /// The learner's answers, from `Exercises/<chapter>`.
    static var exercises: Self { get }
    /// The worked answers, from `Solutions/<chapter>`.
    static var solutions: Self { get }
    /// Every exercise left as an untouched stub.
    static var allStubs: Self { get }
    /// Runs the check of one exercise on these answers.
    func check(_ exercise: Exercise) -> CheckOutcome
}

extension ChapterAnswers {
    static func crashLogKey(_ exercise: Exercise) -> String { "\(chapter).\(exercise.rawValue)" }

    /// In the child process of an exit test: runs the learner's answer to `exercise` with
    /// standard error captured, so that the parent can report a trap in it.
    public static func probe(_ exercise: Exercise) {
        CrashLog.captureStandardError(exercise: crashLogKey(exercise))
        CrashLog.stopAfter(seconds: timeLimit)
        _ = exercises.check(exercise)
    }

    /// How long one exercise's check may run before it is reported as not finishing.
    /// Every check of the worked solutions takes well under a second, even unoptimized.
    public static var timeLimit: Double { 10 }

    /// In the test itself, after the probe: the learner's result as passed, cancelled (not
    /// attempted) or failed; a crash the probe saw is reported without running it here.
    public static func report(_ exercise: Exercise, survived: Bool, testFile: String = #filePath) throws {
        let location = exerciseLocation(exercise.rawValue, chapter: chapter, packageRoot: packageRoot(fromTestFile: testFile))
        try reportExercise(exercise.title, crashLogKey: crashLogKey(exercise), survived: survived, at: location) {
            exercises.check(exercise)
        }
    }

    // MARK: The checks themselves

    /// Records an issue unless the worked solution passes the check.
    public static func expectSolutionPasses(_ exercise: Exercise, sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = solutions.check(exercise)
        #expect(outcome.isPassed, "\(exercise.title): \(outcome.failures.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    /// Records an issue unless an untouched stub is reported as not attempted.
    public static func expectStubNotAttempted(_ exercise: Exercise, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(allStubs.check(exercise).isNotAttempted, "\(exercise.title)", sourceLocation: sourceLocation)
    }

    /// Records an issue unless `Exercises/<chapter>/` declares the exercise's function.
    public static func expectDeclared(
        _ exercise: Exercise, testFile: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let declared = try exerciseIsDeclared(exercise.rawValue, chapter: chapter, packageRoot: packageRoot(fromTestFile: testFile))
        #expect(declared, "no public func \(exercise.rawValue)( under Exercises/\(chapter)", sourceLocation: sourceLocation)
    }
}
