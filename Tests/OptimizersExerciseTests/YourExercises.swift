import ExerciseTesting
import Testing

// Your exercises for Chapter 4. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 4 · Optimizers · your exercises")
struct OptimizersExerciseTests {
    @Test("4.1 one step of SGD with momentum") func momentumStep() async throws { try await run(.momentumStep) }
    @Test("4.2 one RMSprop step") func rmspropStep() async throws { try await run(.rmspropStep) }
    @Test("4.3 one Adam step with bias correction") func adamStep() async throws { try await run(.adamStep) }
    @Test("4.4 cosine annealing") func cosineAnnealing() async throws { try await run(.cosineAnnealing) }
    @Test("4.5 gradient clipping by global norm") func clipByGlobalNorm() async throws { try await run(.clipByGlobalNorm) }
    @Test("4.6 reduce on plateau") func reduceOnPlateau() async throws { try await run(.reduceOnPlateau) }

    func run(_ exercise: OptimizersExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in OptimizersAnswers.probe(exercise) } != nil
        try OptimizersAnswers.report(exercise, survived: survived)
    }
}
