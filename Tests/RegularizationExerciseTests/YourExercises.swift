import ExerciseTesting
import Testing

// Your exercises for Chapter 5. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 5 · Regularization · your exercises")
struct RegularizationExerciseTests {
    @Test("5.1 the L2 penalty and its gradient") func l2Penalty() async throws { try await run(.l2Penalty) }
    @Test("5.2 inverted dropout, forward and backward") func dropoutForward() async throws { try await run(.dropoutForward) }
    @Test("5.3 batch normalization, forward (training and inference)") func batchNormForward() async throws { try await run(.batchNormForward) }
    @Test("5.4 batch normalization, backward") func batchNormBackward() async throws { try await run(.batchNormBackward) }
    @Test("5.5 early stopping") func earlyStoppingEpochs() async throws { try await run(.earlyStoppingEpochs) }

    func run(_ exercise: RegularizationExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in RegularizationAnswers.probe(exercise) } != nil
        try RegularizationAnswers.report(exercise, survived: survived)
    }
}
