import ExerciseTesting
import Testing

// Your exercises for Chapter 9. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 9 · Autoencoders · your exercises")
struct AutoencodersExerciseTests {
    @Test("9.1 the reparameterization trick, forward") func reparameterizeSample() async throws { try await run(.reparameterizeSample) }
    @Test("9.2 the reparameterization trick, backward") func reparameterizeSampleBackward() async throws {
        try await run(.reparameterizeSampleBackward)
    }
    @Test("9.3 the KL term and its gradient") func klToStandardNormal() async throws { try await run(.klToStandardNormal) }
    @Test("9.4 the ELBO's two terms for a batch") func elboTerms() async throws { try await run(.elboTerms) }
    @Test("9.5 a transposed convolution, forward") func transposedConvolution() async throws { try await run(.transposedConvolution) }
    @Test("9.6 a transposed convolution, backward") func transposedConvolutionBackward() async throws {
        try await run(.transposedConvolutionBackward)
    }
    @Test("9.7 the importance-weighted bound") func importanceWeightedLogLikelihood() async throws {
        try await run(.importanceWeightedLogLikelihood)
    }

    func run(_ exercise: AutoencodersExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in AutoencodersAnswers.probe(exercise) } != nil
        try AutoencodersAnswers.report(exercise, survived: survived)
    }
}
