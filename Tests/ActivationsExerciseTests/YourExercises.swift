import ActivationsChecks
import ExerciseTesting
import Testing

// Your exercises for Chapter 2. Each test first runs your answer in a child process (an
// exit test), so a crash costs only that exercise; then it checks the answer and reports
// each mismatch with the input, the expected and actual values, and a hint. An exercise
// you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 2 · Activations · your exercises")
struct ActivationsExerciseTests {
    @Test("2.1 the sigmoid's derivative")
    func sigmoidDerivative() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.sigmoidDerivative) } != nil
        try report(.sigmoidDerivative, survived: survived)
    }

    @Test("2.2 the derivative of tanh")
    func tanhDerivative() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.tanhDerivative) } != nil
        try report(.tanhDerivative, survived: survived)
    }

    @Test("2.3 leaky ReLU")
    func leakyReLU() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.leakyReLU) } != nil
        try report(.leakyReLU, survived: survived)
    }

    @Test("2.4 ELU")
    func elu() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.elu) } != nil
        try report(.elu, survived: survived)
    }

    @Test("2.5 GELU (exact, with erf)")
    func gelu() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.gelu) } != nil
        try report(.gelu, survived: survived)
    }

    @Test("2.6 the derivative of Swish")
    func swishDerivative() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.swishDerivative) } != nil
        try report(.swishDerivative, survived: survived)
    }

    @Test("2.7 a numerically stable softmax")
    func softmax() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.softmax) } != nil
        try report(.softmax, survived: survived)
    }

    @Test("2.8 the backward pass of softmax")
    func softmaxBackward() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.softmaxBackward) } != nil
        try report(.softmaxBackward, survived: survived)
    }

    func report(_ exercise: ActivationsExercise, survived: Bool) throws {
        try reportExercise(exercise.title, crashLogKey: "Activations.\(exercise.rawValue)", survived: survived) {
            ActivationsAnswers.exercises.check(exercise)
        }
    }
}
