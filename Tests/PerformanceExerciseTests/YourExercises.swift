import ExerciseTesting
import Testing

// Your exercises for the appendix. Each test first runs your answer in a child process
// (an exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Appendix · Performance · your exercises")
struct PerformanceExerciseTests {
    @Test("12.1 the loops turned: i, k, j") func matmulIKJ() async throws { try await run(.matmulIKJ) }
    @Test("12.2 a 2×2 register tile") func matmulTiled2x2() async throws { try await run(.matmulTiled2x2) }
    @Test("12.3 a dot product in four lanes") func dotSIMD4() async throws { try await run(.dotSIMD4) }
    @Test("12.4 transposing in blocks") func transposeBlocked() async throws { try await run(.transposeBlocked) }

    func run(_ exercise: PerformanceExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in PerformanceAnswers.probe(exercise) } != nil
        try PerformanceAnswers.report(exercise, survived: survived)
    }
}
