import ExerciseTesting
import Testing

// Your exercises for Chapter 8. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 8 · Attention · your exercises")
struct AttentionExerciseTests {
    @Test("8.1 scaled dot-product attention, forward") func attentionForward() async throws { try await run(.attentionForward) }
    @Test("8.2 scaled dot-product attention, backward") func attentionBackward() async throws { try await run(.attentionBackward) }
    @Test("8.3 the causal mask") func causalMask() async throws { try await run(.causalMask) }
    @Test("8.4 splitting into heads and merging back") func splitHeads() async throws { try await run(.splitHeads) }
    @Test("8.5 sinusoidal positional encoding") func positionalEncoding() async throws { try await run(.positionalEncoding) }
    @Test("8.6 layer normalization, forward and backward") func layerNormForward() async throws { try await run(.layerNormForward) }
    @Test("8.7 attention pooling over a sequence, backward") func attentionPoolingBackward() async throws { try await run(.attentionPoolingBackward) }

    func run(_ exercise: AttentionExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in AttentionAnswers.probe(exercise) } != nil
        try AttentionAnswers.report(exercise, survived: survived)
    }
}
