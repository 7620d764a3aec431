import ExerciseTesting
import Testing

// Your exercises for Chapter 2. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 2 · Activations · your exercises")
struct ActivationsExerciseTests {
    @Test("2.1 the sigmoid's derivative") func sigmoidDerivative() async throws { try await run(.sigmoidDerivative) }
    @Test("2.2 the derivative of tanh") func tanhDerivative() async throws { try await run(.tanhDerivative) }
    @Test("2.3 leaky ReLU") func leakyReLU() async throws { try await run(.leakyReLU) }
    @Test("2.4 ELU") func elu() async throws { try await run(.elu) }
    @Test("2.5 GELU (exact, with erf)") func gelu() async throws { try await run(.gelu) }
    @Test("2.6 the derivative of Swish") func swishDerivative() async throws { try await run(.swishDerivative) }
    @Test("2.7 a numerically stable softmax") func softmax() async throws { try await run(.softmax) }
    @Test("2.8 the backward pass of softmax") func softmaxBackward() async throws { try await run(.softmaxBackward) }

    func run(_ exercise: ActivationsExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in ActivationsAnswers.probe(exercise) } != nil
        try ActivationsAnswers.report(exercise, survived: survived)
    }
}
