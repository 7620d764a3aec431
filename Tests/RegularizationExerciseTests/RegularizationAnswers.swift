import ExerciseSupport
import ExerciseTesting
import RegularizationExercises
import RegularizationSolutions

/// The exercises of Chapter 5, in the order of the lesson's list.
enum RegularizationExercise: String, ChapterExercise {
    case l2Penalty, dropoutForward, batchNormForward, batchNormBackward, earlyStoppingEpochs

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .l2Penalty: "5.1 the L2 penalty and its gradient"
        case .dropoutForward: "5.2 inverted dropout, forward and backward"
        case .batchNormForward: "5.3 batch normalization, forward (training and inference)"
        case .batchNormBackward: "5.4 batch normalization, backward"
        case .earlyStoppingEpochs: "5.5 early stopping"
        }
    }
}

public typealias BatchNormForwardAnswer =
    @Sendable ([[Double]], [Double], [Double], [Double], [Double], Double, Double, Bool) throws
    -> (output: [[Double]], runningMean: [Double], runningVariance: [Double])
public typealias BatchNormBackwardAnswer =
    @Sendable ([[Double]], [[Double]], [Double], Double) throws
    -> (input: [[Double]], gamma: [Double], beta: [Double])

/// One implementation of every Chapter 5 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct RegularizationAnswers: ChapterAnswers {
    static let chapter = "Regularization"

    var l2Penalty: @Sendable ([Double], Double) throws -> (penalty: Double, gradient: [Double])
    var dropoutForward: @Sendable ([Double], [Double], Double) throws -> (output: [Double], mask: [Double])
    var dropoutBackward: @Sendable ([Double], [Double]) throws -> [Double]
    var batchNormForward: BatchNormForwardAnswer
    var batchNormBackward: BatchNormBackwardAnswer
    var earlyStoppingEpochs: @Sendable ([Double], Int, Double) throws -> (stopAfter: Int?, keep: Int)

    /// The learner's answers, from `Exercises/Regularization`.
    static let exercises = RegularizationAnswers(
        l2Penalty: {
            CrashLog.noteCall("l2Penalty(weights: \($0), lambda: \($1))")
            return try RegularizationExercises.l2Penalty(weights: $0, lambda: $1)
        },
        dropoutForward: {
            CrashLog.noteCall("dropoutForward(input: \($0), draws: \($1), rate: \($2))")
            return try RegularizationExercises.dropoutForward(input: $0, draws: $1, rate: $2)
        },
        dropoutBackward: {
            CrashLog.noteCall("dropoutBackward(upstream: \($0), mask: \($1))")
            return try RegularizationExercises.dropoutBackward(upstream: $0, mask: $1)
        },
        batchNormForward: {
            CrashLog.noteCall(
                "batchNormForward(batch: \($0), gamma: \($1), beta: \($2), runningMean: \($3), runningVariance: \($4), momentum: \($5), epsilon: \($6), training: \($7))"
            )
            return try RegularizationExercises.batchNormForward(
                batch: $0, gamma: $1, beta: $2, runningMean: $3, runningVariance: $4, momentum: $5, epsilon: $6, training: $7)
        },
        batchNormBackward: {
            CrashLog.noteCall("batchNormBackward(batch: \($0), upstream: \($1), gamma: \($2), epsilon: \($3))")
            return try RegularizationExercises.batchNormBackward(batch: $0, upstream: $1, gamma: $2, epsilon: $3)
        },
        earlyStoppingEpochs: {
            CrashLog.noteCall("earlyStoppingEpochs(validationLosses: \($0), patience: \($1), minimumImprovement: \($2))")
            return try RegularizationExercises.earlyStoppingEpochs(validationLosses: $0, patience: $1, minimumImprovement: $2)
        })

    /// The worked answers, from `Solutions/Regularization`.
    static let solutions = RegularizationAnswers(
        l2Penalty: { try RegularizationSolutions.l2Penalty(weights: $0, lambda: $1) },
        dropoutForward: { try RegularizationSolutions.dropoutForward(input: $0, draws: $1, rate: $2) },
        dropoutBackward: { try RegularizationSolutions.dropoutBackward(upstream: $0, mask: $1) },
        batchNormForward: {
            try RegularizationSolutions.batchNormForward(
                batch: $0, gamma: $1, beta: $2, runningMean: $3, runningVariance: $4, momentum: $5, epsilon: $6, training: $7)
        },
        batchNormBackward: { try RegularizationSolutions.batchNormBackward(batch: $0, upstream: $1, gamma: $2, epsilon: $3) },
        earlyStoppingEpochs: {
            try RegularizationSolutions.earlyStoppingEpochs(validationLosses: $0, patience: $1, minimumImprovement: $2)
        })

    /// Every exercise left as an untouched stub.
    static let allStubs = RegularizationAnswers(
        l2Penalty: { _, _ in throw NotAttempted() }, dropoutForward: { _, _, _ in throw NotAttempted() },
        dropoutBackward: { _, _ in throw NotAttempted() }, batchNormForward: { _, _, _, _, _, _, _, _ in throw NotAttempted() },
        batchNormBackward: { _, _, _, _ in throw NotAttempted() }, earlyStoppingEpochs: { _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: RegularizationExercise) -> CheckOutcome {
        switch exercise {
        case .l2Penalty: RegularizationChecks.l2Penalty(l2Penalty)
        case .dropoutForward: RegularizationChecks.dropout(forward: dropoutForward, backward: dropoutBackward)
        case .batchNormForward: RegularizationChecks.batchNormForward(batchNormForward)
        case .batchNormBackward: RegularizationChecks.batchNormBackward(batchNormBackward)
        case .earlyStoppingEpochs: RegularizationChecks.earlyStoppingEpochs(earlyStoppingEpochs)
        }
    }
}
