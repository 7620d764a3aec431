import ActivationsExercises
import ActivationsSolutions
import ExerciseSupport
import ExerciseTesting

/// The exercises of Chapter 2, in the order of the lesson's catalogue.
enum ActivationsExercise: String, ChapterExercise {
    case sigmoidDerivative, tanhDerivative, leakyReLU, elu, gelu, swishDerivative, softmax, softmaxBackward

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .sigmoidDerivative: "2.1 the sigmoid's derivative"
        case .tanhDerivative: "2.2 the derivative of tanh"
        case .leakyReLU: "2.3 leaky ReLU"
        case .elu: "2.4 ELU"
        case .gelu: "2.5 GELU (exact, with erf)"
        case .swishDerivative: "2.6 the derivative of Swish"
        case .softmax: "2.7 a numerically stable softmax"
        case .softmaxBackward: "2.8 the backward pass of softmax"
        }
    }
}

/// One implementation of every Chapter 2 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct ActivationsAnswers: ChapterAnswers {
    static let chapter = "Activations"

    var sigmoidDerivative: @Sendable (Double) throws -> Double
    var tanhDerivative: @Sendable (Double) throws -> Double
    var leakyReLU: @Sendable (Double, Double) throws -> Double
    var elu: @Sendable (Double, Double) throws -> Double
    var gelu: @Sendable (Double) throws -> Double
    var swishDerivative: @Sendable (Double) throws -> Double
    var softmax: @Sendable ([Double]) throws -> [Double]
    var softmaxBackward: @Sendable ([Double], [Double]) throws -> [Double]

    /// The learner's answers, from `Exercises/Activations`.
    static let exercises = ActivationsAnswers(
        sigmoidDerivative: {
            CrashLog.noteCall("sigmoidDerivative(\($0))")
            return try ActivationsExercises.sigmoidDerivative($0)
        },
        tanhDerivative: {
            CrashLog.noteCall("tanhDerivative(\($0))")
            return try ActivationsExercises.tanhDerivative($0)
        },
        leakyReLU: {
            CrashLog.noteCall("leakyReLU(\($0), slope: \($1))")
            return try ActivationsExercises.leakyReLU($0, slope: $1)
        },
        elu: {
            CrashLog.noteCall("elu(\($0), alpha: \($1))")
            return try ActivationsExercises.elu($0, alpha: $1)
        },
        gelu: {
            CrashLog.noteCall("gelu(\($0))")
            return try ActivationsExercises.gelu($0)
        },
        swishDerivative: {
            CrashLog.noteCall("swishDerivative(\($0))")
            return try ActivationsExercises.swishDerivative($0)
        },
        softmax: {
            CrashLog.noteCall("softmax(\($0))")
            return try ActivationsExercises.softmax($0)
        },
        softmaxBackward: {
            CrashLog.noteCall("softmaxBackward(output: \($0), upstream: \($1))")
            return try ActivationsExercises.softmaxBackward(output: $0, upstream: $1)
        })

    /// The worked answers, from `Solutions/Activations`.
    static let solutions = ActivationsAnswers(
        sigmoidDerivative: { try ActivationsSolutions.sigmoidDerivative($0) },
        tanhDerivative: { try ActivationsSolutions.tanhDerivative($0) },
        leakyReLU: { try ActivationsSolutions.leakyReLU($0, slope: $1) },
        elu: { try ActivationsSolutions.elu($0, alpha: $1) },
        gelu: { try ActivationsSolutions.gelu($0) },
        swishDerivative: { try ActivationsSolutions.swishDerivative($0) },
        softmax: { try ActivationsSolutions.softmax($0) },
        softmaxBackward: { try ActivationsSolutions.softmaxBackward(output: $0, upstream: $1) })

    /// Every exercise left as an untouched stub.
    static let allStubs = ActivationsAnswers(
        sigmoidDerivative: { _ in throw NotAttempted() }, tanhDerivative: { _ in throw NotAttempted() },
        leakyReLU: { _, _ in throw NotAttempted() }, elu: { _, _ in throw NotAttempted() },
        gelu: { _ in throw NotAttempted() }, swishDerivative: { _ in throw NotAttempted() },
        softmax: { _ in throw NotAttempted() }, softmaxBackward: { _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: ActivationsExercise) -> CheckOutcome {
        switch exercise {
        case .sigmoidDerivative: ActivationsChecks.sigmoidDerivative(sigmoidDerivative)
        case .tanhDerivative: ActivationsChecks.tanhDerivative(tanhDerivative)
        case .leakyReLU: ActivationsChecks.leakyReLU(leakyReLU)
        case .elu: ActivationsChecks.elu(elu)
        case .gelu: ActivationsChecks.gelu(gelu)
        case .swishDerivative: ActivationsChecks.swishDerivative(swishDerivative)
        case .softmax: ActivationsChecks.softmax(softmax)
        case .softmaxBackward: ActivationsChecks.softmaxBackward(softmaxBackward)
        }
    }
}
