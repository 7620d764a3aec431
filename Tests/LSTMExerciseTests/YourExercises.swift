import ExerciseTesting
import Testing

// Your exercises for Chapter 7. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 7 · LSTM · your exercises")
struct LSTMExerciseTests {
    @Test("7.1 one step of a vanilla RNN") func rnnStep() async throws { try await run(.rnnStep) }
    @Test("7.2 one RNN step, backward") func rnnStepBackward() async throws { try await run(.rnnStepBackward) }
    @Test("7.3 backpropagation through time") func rnnBackwardThroughTime() async throws { try await run(.rnnBackwardThroughTime) }
    @Test("7.4 one step of an LSTM") func lstmStep() async throws { try await run(.lstmStep) }
    @Test("7.5 one LSTM step, backward") func lstmStepBackward() async throws { try await run(.lstmStepBackward) }
    @Test("7.6 one step of a GRU") func gruStep() async throws { try await run(.gruStep) }
    @Test("7.7 sampling with a temperature") func sampleWithTemperature() async throws { try await run(.sampleWithTemperature) }
    @Test("7.8 an embedding's backward pass") func embeddingBackward() async throws { try await run(.embeddingBackward) }
    @Test("7.9 two stacked RNN layers with dropout between them") func stackedRNN() async throws { try await run(.stackedRNN) }

    func run(_ exercise: LSTMExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in LSTMAnswers.probe(exercise) } != nil
        try LSTMAnswers.report(exercise, survived: survived)
    }
}
