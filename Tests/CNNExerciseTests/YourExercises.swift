import ExerciseTesting
import Testing

// Your exercises for Chapter 6. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 6 · CNN · your exercises")
struct CNNExerciseTests {
    @Test("6.1 the output size") func convolutionOutputSize() async throws { try await run(.convolutionOutputSize) }
    @Test("6.2 convolution, forward") func convolutionForward() async throws { try await run(.convolutionForward) }
    @Test("6.3 convolution, backward: the input") func convolutionBackwardInput() async throws { try await run(.convolutionBackwardInput) }
    @Test("6.4 convolution, backward: filters and bias") func convolutionBackwardFilters() async throws { try await run(.convolutionBackwardFilters) }
    @Test("6.5 max pooling, forward and backward") func maxPoolForward() async throws { try await run(.maxPoolForward) }
    @Test("6.6 convolution → ReLU → max pooling") func convolutionBlock() async throws { try await run(.convolutionBlock) }

    func run(_ exercise: CNNExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in CNNAnswers.probe(exercise) } != nil
        try CNNAnswers.report(exercise, survived: survived)
    }
}
