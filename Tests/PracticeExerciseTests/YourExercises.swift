import ExerciseTesting
import Testing

// Your exercises for Chapter 11. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 11 · Practice · your exercises")
struct PracticeExerciseTests {
    @Test("11.1 the confusion matrix") func confusionMatrix() async throws { try await run(.confusionMatrix) }
    @Test("11.2 precision, recall and F1 from a confusion matrix") func precisionRecallF1() async throws { try await run(.precisionRecallF1) }
    @Test("11.3 a log-uniform draw") func logUniform() async throws { try await run(.logUniform) }
    @Test("11.4 one transfer step: a frozen or slower backbone, a new head") func transferStep() async throws { try await run(.transferStep) }
    @Test("11.5 shifting an image for augmentation") func shifted() async throws { try await run(.shifted) }
    @Test("11.6 the dead-unit fraction") func deadFraction() async throws { try await run(.deadFraction) }
    @Test("11.7 the update-to-weight ratio") func updateRatio() async throws { try await run(.updateRatio) }

    func run(_ exercise: PracticeExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in PracticeAnswers.probe(exercise) } != nil
        try PracticeAnswers.report(exercise, survived: survived)
    }
}
