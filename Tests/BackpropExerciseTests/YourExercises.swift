import BackpropChecks
import ExerciseTesting
import Testing

// Your exercises for Chapter 3. Each test first runs your answer in a child process (an
// exit test), so a crash costs only that exercise; then it checks the answer and reports
// each mismatch with the input, the expected and actual values, and a hint. An exercise
// you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 3 · Backprop · your exercises")
struct BackpropExerciseTests {
    @Test("3.1 a dense layer's forward pass")
    func denseForward() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.denseForward) } != nil
        try report(.denseForward, survived: survived)
    }

    @Test("3.2 binary cross-entropy and its gradient")
    func binaryCrossEntropy() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.binaryCrossEntropy) } != nil
        try report(.binaryCrossEntropy, survived: survived)
    }

    @Test("3.3 a dense layer's backward pass")
    func denseBackward() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.denseBackward) } != nil
        try report(.denseBackward, survived: survived)
    }

    @Test("3.4 the softmax + cross-entropy gradient")
    func softmaxCrossEntropyGradient() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.softmaxCrossEntropyGradient) } != nil
        try report(.softmaxCrossEntropyGradient, survived: survived)
    }

    @Test("3.5 one step of backpropagation and gradient descent")
    func backpropStep() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.backpropStep) } != nil
        try report(.backpropStep, survived: survived)
    }

    @Test("3.6 the gradient check itself")
    func centralDifferenceGradient() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.centralDifferenceGradient) } != nil
        try report(.centralDifferenceGradient, survived: survived)
    }

    func report(_ exercise: BackpropExercise, survived: Bool) throws {
        try reportExercise(exercise.title, crashLogKey: "Backprop.\(exercise.rawValue)", survived: survived) {
            BackpropAnswers.exercises.check(exercise)
        }
    }
}
