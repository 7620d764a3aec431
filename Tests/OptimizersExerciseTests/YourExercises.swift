import ExerciseTesting
import OptimizersChecks
import Testing

// Your exercises for Chapter 4. Each test first runs your answer in a child process (an
// exit test), so a crash costs only that exercise; then it checks the answer and reports
// each mismatch with the input, the expected and actual values, and a hint. An exercise
// you have not touched yet is reported as cancelled: not attempted.

@Suite("Chapter 4 · Optimizers · your exercises")
struct OptimizersExerciseTests {
    @Test("4.1 one step of SGD with momentum")
    func momentumStep() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.momentumStep) } != nil
        try report(.momentumStep, survived: survived)
    }

    @Test("4.2 one RMSprop step")
    func rmspropStep() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.rmspropStep) } != nil
        try report(.rmspropStep, survived: survived)
    }

    @Test("4.3 one Adam step with bias correction")
    func adamStep() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.adamStep) } != nil
        try report(.adamStep, survived: survived)
    }

    @Test("4.4 cosine annealing")
    func cosineAnnealing() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.cosineAnnealing) } != nil
        try report(.cosineAnnealing, survived: survived)
    }

    @Test("4.5 gradient clipping by global norm")
    func clipByGlobalNorm() async throws {
        let survived = await #expect(processExitsWith: .success) { probeExercise(.clipByGlobalNorm) } != nil
        try report(.clipByGlobalNorm, survived: survived)
    }

    func report(_ exercise: OptimizersExercise, survived: Bool) throws {
        try reportExercise(exercise.title, crashLogKey: "Optimizers.\(exercise.rawValue)", survived: survived) {
            OptimizersAnswers.exercises.check(exercise)
        }
    }
}
