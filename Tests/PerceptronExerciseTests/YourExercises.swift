import ExerciseSupport
import PerceptronChecks
import Testing

// Your exercises for Chapter 1. Each test first runs your answer in a child process
// (an exit test), so that a crash in it (an index out of range, say) is reported as that
// exercise's failure while the rest of the run goes on; then it runs the check and
// reports each mismatch with the input, the expected and actual values, and a hint.
// An exercise you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 1 · Perceptron · your exercises")
struct PerceptronExerciseTests {
    @Test("1.1 the weighted sum z = w·x + b")
    func weightedSum() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.weightedSum) } != nil
        try report(.weightedSum, survived: survived)
    }

    @Test("1.2 the perceptron's prediction step(z)")
    func predict() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.predict) } != nil
        try report(.predict, survived: survived)
    }

    @Test("1.3 the perceptron learning rule")
    func perceptronUpdate() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.perceptronUpdate) } != nil
        try report(.perceptronUpdate, survived: survived)
    }

    @Test("1.4 training until convergence")
    func trainPerceptron() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.trainPerceptron) } != nil
        try report(.trainPerceptron, survived: survived)
    }

    @Test("1.5 a sigmoid neuron")
    func sigmoidNeuron() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.sigmoidNeuron) } != nil
        try report(.sigmoidNeuron, survived: survived)
    }

    @Test("1.6 the sigmoid neuron's gradient")
    func sigmoidNeuronGradient() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.sigmoidNeuronGradient) } != nil
        try report(.sigmoidNeuronGradient, survived: survived)
    }

    /// Turns a check's outcome into the test's result: passed, cancelled, or failed.
    func report(_ exercise: PerceptronExercise, survived: Bool) throws {
        guard survived else {
            let message = CrashLog.takeMessage(exercise: "Perceptron.\(exercise.rawValue)") ?? "(no message captured)"
            let text =
                "\(exercise.title): your code crashed while being checked:\n\(message)\n"
                + "  hint: a trap is usually an index out of range — check the loop bounds "
                + "and that arrays have the lengths you expect"
            Issue.record(Comment(rawValue: text))
            return
        }
        switch PerceptronAnswers.exercises.check(exercise) {
        case .passed:
            return
        case .notAttempted(let stub):
            try Test.cancel("not attempted — open \(stub.file) and fill in \(stub.function)")
        case .failed(let failures):
            for failure in failures {
                Issue.record(Comment(rawValue: "\(exercise.title): \(failure)"))
            }
        }
    }
}
