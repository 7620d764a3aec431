import ExerciseTesting
import Testing

// Your exercises for Chapter 10. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 10 · GANs · your exercises")
struct GANsExerciseTests {
    @Test("10.1 the discriminator's loss on logits") func discriminatorLoss() async throws { try await run(.discriminatorLoss) }
    @Test("10.2 the non-saturating generator loss") func nonSaturatingGeneratorLoss() async throws { try await run(.nonSaturatingGeneratorLoss) }
    @Test("10.3 the minimax generator loss") func minimaxGeneratorLoss() async throws { try await run(.minimaxGeneratorLoss) }
    @Test("10.4 one discriminator step") func discriminatorStep() async throws { try await run(.discriminatorStep) }
    @Test("10.5 one generator step, through D") func generatorStep() async throws { try await run(.generatorStep) }
    @Test("10.6 batch norm over channels, forward and backward") func batchNorm2DForward() async throws { try await run(.batchNorm2DForward) }
    @Test("10.7 the modes-covered measure") func modesCovered() async throws { try await run(.modesCovered) }

    func run(_ exercise: GANsExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in GANsAnswers.probe(exercise) } != nil
        try GANsAnswers.report(exercise, survived: survived)
    }
}
