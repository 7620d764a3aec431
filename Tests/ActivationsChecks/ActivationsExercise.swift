import ActivationsExercises
import ActivationsSolutions
import ExerciseSupport

/// The exercises of Chapter 2, in the order of the lesson's catalogue.
public enum ActivationsExercise: String, CaseIterable, Sendable {
    case sigmoidDerivative, tanhDerivative, leakyReLU, elu, gelu, swishDerivative, softmax, softmaxBackward

    /// The number and title the test report shows.
    public var title: String {
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
public struct ActivationsAnswers: Sendable {
    public var sigmoidDerivative: @Sendable (Double) throws -> Double
    public var tanhDerivative: @Sendable (Double) throws -> Double
    public var leakyReLU: @Sendable (Double, Double) throws -> Double
    public var elu: @Sendable (Double, Double) throws -> Double
    public var gelu: @Sendable (Double) throws -> Double
    public var swishDerivative: @Sendable (Double) throws -> Double
    public var softmax: @Sendable ([Double]) throws -> [Double]
    public var softmaxBackward: @Sendable ([Double], [Double]) throws -> [Double]

    /// The learner's answers, from `Exercises/Activations`.
    public static let exercises = ActivationsAnswers(
        sigmoidDerivative: { try ActivationsExercises.sigmoidDerivative($0) },
        tanhDerivative: { try ActivationsExercises.tanhDerivative($0) },
        leakyReLU: { try ActivationsExercises.leakyReLU($0, slope: $1) },
        elu: { try ActivationsExercises.elu($0, alpha: $1) },
        gelu: { try ActivationsExercises.gelu($0) },
        swishDerivative: { try ActivationsExercises.swishDerivative($0) },
        softmax: { try ActivationsExercises.softmax($0) },
        softmaxBackward: { try ActivationsExercises.softmaxBackward(output: $0, upstream: $1) })

    /// The worked answers, from `Solutions/Activations`.
    public static let solutions = ActivationsAnswers(
        sigmoidDerivative: { try ActivationsSolutions.sigmoidDerivative($0) },
        tanhDerivative: { try ActivationsSolutions.tanhDerivative($0) },
        leakyReLU: { try ActivationsSolutions.leakyReLU($0, slope: $1) },
        elu: { try ActivationsSolutions.elu($0, alpha: $1) },
        gelu: { try ActivationsSolutions.gelu($0) },
        swishDerivative: { try ActivationsSolutions.swishDerivative($0) },
        softmax: { try ActivationsSolutions.softmax($0) },
        softmaxBackward: { try ActivationsSolutions.softmaxBackward(output: $0, upstream: $1) })

    /// Every exercise left as an untouched stub.
    public static let allStubs = ActivationsAnswers(
        sigmoidDerivative: { _ in throw NotAttempted() }, tanhDerivative: { _ in throw NotAttempted() },
        leakyReLU: { _, _ in throw NotAttempted() }, elu: { _, _ in throw NotAttempted() },
        gelu: { _ in throw NotAttempted() }, swishDerivative: { _ in throw NotAttempted() },
        softmax: { _ in throw NotAttempted() }, softmaxBackward: { _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    public func check(_ exercise: ActivationsExercise) -> CheckOutcome {
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

/// In a child process started by an exit test: runs the learner's answer to `exercise`
/// with standard error captured, so that a trap in it can be reported by the parent.
public func probeExercise(_ exercise: ActivationsExercise) {
    CrashLog.captureStandardError(exercise: "Activations.\(exercise.rawValue)")
    _ = ActivationsAnswers.exercises.check(exercise)
}
