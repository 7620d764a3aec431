import ExerciseSupport
import ExerciseTesting
import NumericChecks
import Practice
import PracticeExercises
import PracticeSolutions

/// The exercises of Chapter 11, in the order of the lesson's list.
enum PracticeExercise: String, ChapterExercise {
    case confusionMatrix, precisionRecallF1, logUniform, transferStep, shifted, deadFraction, updateRatio

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .confusionMatrix: "11.1 the confusion matrix"
        case .precisionRecallF1: "11.2 precision, recall and F1 from a confusion matrix"
        case .logUniform: "11.3 a log-uniform draw"
        case .transferStep: "11.4 one transfer step: a frozen or slower backbone, a new head"
        case .shifted: "11.5 shifting an image for augmentation"
        case .deadFraction: "11.6 the dead-unit fraction"
        case .updateRatio: "11.7 the update-to-weight ratio"
        }
    }
}

typealias ScoresAnswer = @Sendable ([[Int]]) throws -> (precision: [Double], recall: [Double], f1: [Double], macro: [Double])
typealias TransferAnswer =
    @Sendable ([Double], [Double], [Double], [Double], [[Double]], [Int], Double, Double) throws -> (
        w1: [Double], b1: [Double], w2: [Double], b2: [Double]
    )

/// One implementation of every Chapter 11 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct PracticeAnswers: ChapterAnswers {
    static let chapter = "Practice"

    var confusionMatrix: @Sendable ([Int], [Int], Int) throws -> [[Int]]
    var precisionRecallF1: ScoresAnswer
    var logUniform: @Sendable (Double, Double, Double) throws -> Double
    var transferStep: TransferAnswer
    var shifted: @Sendable ([Double], Int, Int, Int) throws -> [Double]
    var deadFraction: @Sendable ([Double], Int, Int, Int) throws -> Double
    var updateRatio: @Sendable ([Double], [Double], Double) throws -> Double?

    /// The learner's answers, from `Exercises/Practice`.
    static let exercises = PracticeAnswers(
        confusionMatrix: {
            CrashLog.noteCall("confusionMatrix(truth: \(shortList($0)), predicted: \(shortList($1)), classCount: \($2))")
            return try PracticeExercises.confusionMatrix(truth: $0, predicted: $1, classCount: $2)
        },
        precisionRecallF1: {
            CrashLog.noteCall("precisionRecallF1(counts: \($0))")
            return try PracticeExercises.precisionRecallF1(counts: $0)
        },
        logUniform: {
            CrashLog.noteCall("logUniform(\($0), low: \($1), high: \($2))")
            return try PracticeExercises.logUniform($0, low: $1, high: $2)
        },
        transferStep: {
            CrashLog.noteCall(
                "transferStep(w1: \(shortList($0)), b1: \(shortList($1)), w2: \(shortList($2)), b2: \(shortList($3)), inputs: \($4.count) rows, "
                    + "labels: \(shortList($5)), learningRate: \($6), backboneScale: \($7))")
            return try PracticeExercises.transferStep(w1: $0, b1: $1, w2: $2, b2: $3, inputs: $4, labels: $5, learningRate: $6, backboneScale: $7)
        },
        shifted: {
            CrashLog.noteCall("shifted(\(shortList($0)), side: \($1), dx: \($2), dy: \($3))")
            return try PracticeExercises.shifted($0, side: $1, dx: $2, dy: $3)
        },
        deadFraction: {
            CrashLog.noteCall("deadFraction(\(shortList($0)), batch: \($1), units: \($2), positions: \($3))")
            return try PracticeExercises.deadFraction($0, batch: $1, units: $2, positions: $3)
        },
        updateRatio: {
            CrashLog.noteCall("updateRatio(weights: \(shortList($0)), gradient: \(shortList($1)), learningRate: \($2))")
            return try PracticeExercises.updateRatio(weights: $0, gradient: $1, learningRate: $2)
        })

    /// The worked answers, from `Solutions/Practice`.
    static let solutions = PracticeAnswers(
        confusionMatrix: { try PracticeSolutions.confusionMatrix(truth: $0, predicted: $1, classCount: $2) },
        precisionRecallF1: { try PracticeSolutions.precisionRecallF1(counts: $0) },
        logUniform: { try PracticeSolutions.logUniform($0, low: $1, high: $2) },
        transferStep: { try PracticeSolutions.transferStep(w1: $0, b1: $1, w2: $2, b2: $3, inputs: $4, labels: $5, learningRate: $6, backboneScale: $7) },
        shifted: { try PracticeSolutions.shifted($0, side: $1, dx: $2, dy: $3) },
        deadFraction: { try PracticeSolutions.deadFraction($0, batch: $1, units: $2, positions: $3) },
        updateRatio: { try PracticeSolutions.updateRatio(weights: $0, gradient: $1, learningRate: $2) })

    /// Every exercise left as an untouched stub.
    static let allStubs = PracticeAnswers(
        confusionMatrix: { _, _, _ in throw NotAttempted() }, precisionRecallF1: { _ in throw NotAttempted() },
        logUniform: { _, _, _ in throw NotAttempted() }, transferStep: { _, _, _, _, _, _, _, _ in throw NotAttempted() },
        shifted: { _, _, _, _ in throw NotAttempted() }, deadFraction: { _, _, _, _ in throw NotAttempted() },
        updateRatio: { _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: PracticeExercise) -> CheckOutcome {
        switch exercise {
        case .confusionMatrix: PracticeExerciseChecks.confusionMatrix(confusionMatrix)
        case .precisionRecallF1: PracticeExerciseChecks.precisionRecallF1(precisionRecallF1)
        case .logUniform: PracticeExerciseChecks.logUniform(logUniform)
        case .transferStep: PracticeExerciseChecks.transferStep(transferStep)
        case .shifted: PracticeExerciseChecks.shifted(shifted)
        case .deadFraction: PracticeExerciseChecks.deadFraction(deadFraction)
        case .updateRatio: PracticeExerciseChecks.updateRatio(updateRatio)
        }
    }
}
