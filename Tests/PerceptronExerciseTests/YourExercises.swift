import ExerciseTesting
import Testing

// Your exercises for Chapter 1. Each test first runs your answer in a child process (an
// exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 1 · Perceptron · your exercises")
struct PerceptronExerciseTests {
    @Test("1.1 the weighted sum z = w·x + b") func weightedSum() async throws { try await run(.weightedSum) }
    @Test("1.2 the perceptron's prediction step(z)") func predict() async throws { try await run(.predict) }
    @Test("1.3 the perceptron learning rule") func perceptronUpdate() async throws { try await run(.perceptronUpdate) }
    @Test("1.4 training until convergence") func trainPerceptron() async throws { try await run(.trainPerceptron) }
    @Test("1.5 a sigmoid neuron") func sigmoidNeuron() async throws { try await run(.sigmoidNeuron) }
    @Test("1.6 the sigmoid neuron's gradient") func sigmoidNeuronGradient() async throws { try await run(.sigmoidNeuronGradient) }

    func run(_ exercise: PerceptronExercise) async throws {
        let survived = await #expect(processExitsWith: .success) { [exercise] in PerceptronAnswers.probe(exercise) } != nil
        try PerceptronAnswers.report(exercise, survived: survived)
    }
}
