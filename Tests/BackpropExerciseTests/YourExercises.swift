import ExerciseTesting
import Testing

// Your exercises for Chapter 3. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 3 · Backprop · your exercises")
struct BackpropExerciseTests {
    @Test("3.1 a dense layer's forward pass") func denseForward() async throws { try await run(.denseForward) }
    @Test("3.2 binary cross-entropy and its gradient") func binaryCrossEntropy() async throws { try await run(.binaryCrossEntropy) }
    @Test("3.3 a dense layer's backward pass") func denseBackward() async throws { try await run(.denseBackward) }
    @Test("3.4 the softmax + cross-entropy gradient") func softmaxCrossEntropyGradient() async throws { try await run(.softmaxCrossEntropyGradient) }
    @Test("3.5 one step of backpropagation and gradient descent") func backpropStep() async throws { try await run(.backpropStep) }
    @Test("3.6 the gradient check itself") func centralDifferenceGradient() async throws { try await run(.centralDifferenceGradient) }

    func run(_ exercise: BackpropExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in BackpropAnswers.probe(exercise) } != nil
        try BackpropAnswers.report(exercise, survived: survived)
    }
}
