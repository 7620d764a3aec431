import ExerciseTesting
import RegularizationChecks
import Testing

// Your exercises for Chapter 5. Each test first runs your answer in a child process (an
// exit test), so a crash costs only that exercise; then it checks the answer and reports
// each mismatch with the input, the expected and actual values, and a hint. An exercise
// you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 5 · Regularization · your exercises")
struct RegularizationExerciseTests {
    @Test("5.1 the L2 penalty and its gradient")
    func l2Penalty() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.l2Penalty) } != nil
        try report(.l2Penalty, survived: survived)
    }

    @Test("5.2 inverted dropout, forward and backward")
    func dropoutForward() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.dropoutForward) } != nil
        try report(.dropoutForward, survived: survived)
    }

    @Test("5.3 batch normalization, forward (training and inference)")
    func batchNormForward() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.batchNormForward) } != nil
        try report(.batchNormForward, survived: survived)
    }

    @Test("5.4 batch normalization, backward")
    func batchNormBackward() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.batchNormBackward) } != nil
        try report(.batchNormBackward, survived: survived)
    }

    @Test("5.5 early stopping")
    func earlyStoppingEpochs() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.earlyStoppingEpochs) } != nil
        try report(.earlyStoppingEpochs, survived: survived)
    }

    func report(_ exercise: RegularizationExercise, survived: Bool) throws {
        try reportExercise(exercise.title, crashLogKey: "Regularization.\(exercise.rawValue)", survived: survived) {
            RegularizationAnswers.exercises.check(exercise)
        }
    }
}
