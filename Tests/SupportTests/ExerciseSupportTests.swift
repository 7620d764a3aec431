import Foundation
import Testing

@testable import ExerciseSupport

@Suite("Exercise checking")
struct ExerciseSupportTests {
    @Test("a stub's NotAttempted is sorted as not attempted, not as a failure")
    func notAttempted() {
        let outcome = runCheck { check in
            try check.expect(try { () throws -> Double in throw NotAttempted() }(), equals: 1, input: "x")
        }
        #expect(outcome.isNotAttempted && outcome.failures.isEmpty)
    }

    @Test("a matching hint replaces the general one; otherwise the general one is shown")
    func hints() {
        let outcome = runCheck { check in
            try check.expect(2.0, equals: 3, input: "case A", hints: [Hint(ifActual: 2, "forgot the bias")], otherwise: "general")
            try check.expect(5.0, equals: 3, input: "case B", hints: [Hint(ifActual: 2, "forgot the bias")], otherwise: "general")
        }
        // Case B failed and did not match the hint, so the hint is withdrawn from case A too:
        // the answer is not the "forgot the bias" mistake, it only coincided with it once.
        #expect(outcome.failures.count == 2)
        #expect(outcome.failures[0] == "for case A:\n  expected: 3.0\n  actual:   2.0\n  hint: general")
        #expect(outcome.failures[1].hasSuffix("hint: general"))
        let consistent = runCheck { check in
            try check.expect(2.0, equals: 3, input: "case A", hints: [Hint(ifActual: 2, "forgot the bias")], otherwise: "general")
            try check.expect(4.0, equals: 4, input: "case B", hints: [Hint(ifActual: 3, "forgot the bias")], otherwise: "general")
            try check.expect(6.0, equals: 7, input: "case C", hints: [Hint(ifActual: 6, "forgot the bias")], otherwise: "general")
        }
        #expect(
            consistent.failures == [
                "for case A:\n  expected: 3.0\n  actual:   2.0\n  hint: forgot the bias",
                "for case C:\n  expected: 7.0\n  actual:   6.0\n  hint: forgot the bias",
            ])
    }

    @Test("a crash is placed at the learner's line, the innermost frame under Exercises/, not the standard library's")
    func learnerFrame() {
        // The Swift runtime's backtrace on Linux, as a probe's log holds it.
        let lines = [
            "Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range",
            "  0      0x00007f993016df7f closure #1 in closure #1 in _assertionFailure(_:_:file:line:flags:) + 623 in libswiftCore.so",
            "  2 [ra] 0x00007f9930880286 specialized Array.subscript.getter + 85 in libswiftSwiftOnoneSupport.so",
            "  3 [ra] 0x0000557c56f5327d maxPoolForward(input:batch:channels:height:width:size:) + 364 in DeepLearningFromScratchPackageTests.xctest at /home/me/dl/Exercises/CNN/MaxPool.swift:31:46",
            "  4 [ra] 0x0000557c56f53389 CNNAnswers.probe(_:) + 104 in DeepLearningFromScratchPackageTests.xctest at /home/me/dl/Tests/CNNExerciseTests/CNNAnswers.swift:60:7",
        ]
        #expect(CrashLog.learnerFrame(in: lines) == "in your code at Exercises/CNN/MaxPool.swift:31:46")
        #expect(CrashLog.learnerFrame(in: Array(lines.prefix(3))) == nil)
    }

    @Test("long arrays in a failure are shown by their ends and the first difference; no line runs on")
    func longArrays() {
        let expected = Array(repeating: 4, count: 100)
        var actual = expected
        actual[57] = 5
        let outcome = runCheck { check in
            try check.expect(actual, equals: expected, input: "mistakes per epoch")
            try check.expect(1.0, equals: 2, input: String(repeating: "x", count: 1000))
        }
        #expect(outcome.failures.count == 2)
        #expect(outcome.failures[0].contains("[4, 4, 4, 4, …, 4, 4, 4, 4] (100 values)"))
        #expect(outcome.failures[0].contains("first difference at index 57: expected 4, got 5"))
        for failure in outcome.failures {
            #expect(failure.split(separator: "\n").allSatisfy { $0.count <= 300 }, "\(failure)")
        }
        #expect(outcome.failures[1].contains("characters left out"))
    }

    @Test("a check stops after three failures")
    func failureLimit() {
        let outcome = runCheck { check in
            for i in 0..<10 { try check.expect(i, equals: -1, input: "case \(i)") }
        }
        #expect(outcome.failures.count == 3)
    }

    @Test("all cases passing counts the cases")
    func passing() {
        let outcome = runCheck { check in
            try check.expect([1, 2], equals: [1, 2 + 1e-14], input: "v")
            try check.expectGradient("x²", at: [3], analytic: [6], input: "x = 3") { $0[0] * $0[0] }
        }
        guard case .passed(let cases) = outcome else {
            Issue.record("expected a pass, got \(outcome)")
            return
        }
        #expect(cases == 2)
    }

    @Test("a wrong gradient fails with the gradient-check report")
    func wrongGradient() {
        let outcome = runCheck { check in
            try check.expectGradient("x²", at: [3], analytic: [3], input: "x = 3", hint: "d/dx x² = 2x") { $0[0] * $0[0] }
        }
        #expect(outcome.failures.first?.contains("does not match central finite differences") == true)
        #expect(outcome.failures.first?.contains("hint: d/dx x² = 2x") == true)
    }

    @Test("a crash log is removed only if this program wrote it: a file of the same name that is not ours stays")
    func crashLogRemovesOnlyItsOwn() throws {
        let url = CrashLog.url(exercise: "Test.foreign", parent: getpid())
        try Data("a learner's file that happens to have this name".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        CrashLog.discard(exercise: "Test.foreign")
        #expect(CrashLog.takeMessage(exercise: "Test.foreign") == nil)
        #expect(FileManager.default.fileExists(atPath: url.path))
        // One of ours (it starts with the header) is read and removed.
        let ours = CrashLog.url(exercise: "Test.ours", parent: getpid())
        try Data((CrashLog.header + "\nFatal error: Index out of range\n").utf8).write(to: ours)
        #expect(CrashLog.takeMessage(exercise: "Test.ours") == "Fatal error: Index out of range")
        #expect(!FileManager.default.fileExists(atPath: ours.path))
    }
}
