import ExerciseSupport
import ExerciseTesting
import OptimizersExercises
import OptimizersSolutions

/// The exercises of Chapter 4, in the order of the lesson's list.
enum OptimizersExercise: String, ChapterExercise {
    case momentumStep, rmspropStep, adamStep, cosineAnnealing, clipByGlobalNorm, reduceOnPlateau

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .momentumStep: "4.1 one step of SGD with momentum"
        case .rmspropStep: "4.2 one RMSprop step"
        case .adamStep: "4.3 one Adam step with bias correction"
        case .cosineAnnealing: "4.4 cosine annealing"
        case .clipByGlobalNorm: "4.5 gradient clipping by global norm"
        case .reduceOnPlateau: "4.6 reduce on plateau"
        }
    }
}

public typealias MomentumAnswer = @Sendable ([Double], [Double], [Double], Double, Double) throws -> (parameters: [Double], velocity: [Double])
public typealias RMSpropAnswer = @Sendable ([Double], [Double], [Double], Double, Double, Double) throws -> (parameters: [Double], squareAverage: [Double])
public typealias AdamAnswer =
    @Sendable ([Double], [Double], [Double], [Double], Int, Double, Double, Double, Double) throws -> (parameters: [Double], m: [Double], v: [Double])

/// One implementation of every Chapter 4 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct OptimizersAnswers: ChapterAnswers {
    static let chapter = "Optimizers"

    var momentumStep: MomentumAnswer
    var rmspropStep: RMSpropAnswer
    var adamStep: AdamAnswer
    var cosineAnnealing: @Sendable (Double, Double, Int, Int) throws -> Double
    var clipByGlobalNorm: @Sendable ([[Double]], Double) throws -> [[Double]]
    var reduceOnPlateau: @Sendable ([Double], Double, Double, Int, Double) throws -> [Double]

    /// The learner's answers, from `Exercises/Optimizers`.
    static let exercises = OptimizersAnswers(
        momentumStep: {
            CrashLog.noteCall("momentumStep(parameters: \($0), gradient: \($1), velocity: \($2), learningRate: \($3), beta: \($4))")
            return try OptimizersExercises.momentumStep(parameters: $0, gradient: $1, velocity: $2, learningRate: $3, beta: $4)
        },
        rmspropStep: {
            CrashLog.noteCall("rmspropStep(parameters: \($0), gradient: \($1), squareAverage: \($2), learningRate: \($3), rho: \($4), epsilon: \($5))")
            return try OptimizersExercises.rmspropStep(parameters: $0, gradient: $1, squareAverage: $2, learningRate: $3, rho: $4, epsilon: $5)
        },
        adamStep: {
            CrashLog.noteCall(
                "adamStep(parameters: \($0), gradient: \($1), m: \($2), v: \($3), t: \($4), learningRate: \($5), beta1: \($6), beta2: \($7), epsilon: \($8))")
            return try OptimizersExercises.adamStep(parameters: $0, gradient: $1, m: $2, v: $3, t: $4, learningRate: $5, beta1: $6, beta2: $7, epsilon: $8)
        },
        cosineAnnealing: {
            CrashLog.noteCall("cosineAnnealing(initial: \($0), minimum: \($1), epoch: \($2), period: \($3))")
            return try OptimizersExercises.cosineAnnealing(initial: $0, minimum: $1, epoch: $2, period: $3)
        },
        clipByGlobalNorm: {
            CrashLog.noteCall("clipByGlobalNorm(gradients: \($0), maxNorm: \($1))")
            return try OptimizersExercises.clipByGlobalNorm(gradients: $0, maxNorm: $1)
        },
        reduceOnPlateau: {
            CrashLog.noteCall("reduceOnPlateau(losses: \($0), initialRate: \($1), factor: \($2), patience: \($3), threshold: \($4))")
            return try OptimizersExercises.reduceOnPlateau(losses: $0, initialRate: $1, factor: $2, patience: $3, threshold: $4)
        })

    /// The worked answers, from `Solutions/Optimizers`.
    static let solutions = OptimizersAnswers(
        momentumStep: { try OptimizersSolutions.momentumStep(parameters: $0, gradient: $1, velocity: $2, learningRate: $3, beta: $4) },
        rmspropStep: {
            try OptimizersSolutions.rmspropStep(parameters: $0, gradient: $1, squareAverage: $2, learningRate: $3, rho: $4, epsilon: $5)
        },
        adamStep: {
            try OptimizersSolutions.adamStep(
                parameters: $0, gradient: $1, m: $2, v: $3, t: $4, learningRate: $5, beta1: $6, beta2: $7, epsilon: $8)
        },
        cosineAnnealing: { try OptimizersSolutions.cosineAnnealing(initial: $0, minimum: $1, epoch: $2, period: $3) },
        clipByGlobalNorm: { try OptimizersSolutions.clipByGlobalNorm(gradients: $0, maxNorm: $1) },
        reduceOnPlateau: { try OptimizersSolutions.reduceOnPlateau(losses: $0, initialRate: $1, factor: $2, patience: $3, threshold: $4) })

    /// Every exercise left as an untouched stub.
    static let allStubs = OptimizersAnswers(
        momentumStep: { _, _, _, _, _ in throw NotAttempted() }, rmspropStep: { _, _, _, _, _, _ in throw NotAttempted() },
        adamStep: { _, _, _, _, _, _, _, _, _ in throw NotAttempted() }, cosineAnnealing: { _, _, _, _ in throw NotAttempted() },
        clipByGlobalNorm: { _, _ in throw NotAttempted() }, reduceOnPlateau: { _, _, _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: OptimizersExercise) -> CheckOutcome {
        switch exercise {
        case .momentumStep: OptimizersChecks.momentumStep(momentumStep)
        case .rmspropStep: OptimizersChecks.rmspropStep(rmspropStep)
        case .adamStep: OptimizersChecks.adamStep(adamStep)
        case .cosineAnnealing: OptimizersChecks.cosineAnnealing(cosineAnnealing)
        case .clipByGlobalNorm: OptimizersChecks.clipByGlobalNorm(clipByGlobalNorm)
        case .reduceOnPlateau: OptimizersChecks.reduceOnPlateau(reduceOnPlateau)
        }
    }
}
