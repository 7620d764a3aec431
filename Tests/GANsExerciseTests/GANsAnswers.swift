import ExerciseSupport
import ExerciseTesting
import GANs
import GANsExercises
import GANsSolutions
import NumericChecks

/// The exercises of Chapter 10, in the order of the lesson's list.
enum GANsExercise: String, ChapterExercise {
    case discriminatorLoss, nonSaturatingGeneratorLoss, minimaxGeneratorLoss, discriminatorStep, generatorStep, batchNorm2DForward, modesCovered

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .discriminatorLoss: "10.1 the discriminator's loss on logits"
        case .nonSaturatingGeneratorLoss: "10.2 the non-saturating generator loss"
        case .minimaxGeneratorLoss: "10.3 the minimax generator loss"
        case .discriminatorStep: "10.4 one discriminator step"
        case .generatorStep: "10.5 one generator step, through D"
        case .batchNorm2DForward: "10.6 batch norm over channels, forward and backward"
        case .modesCovered: "10.7 the modes-covered measure"
        }
    }
}

typealias GeneratorLossAnswer = @Sendable ([Double]) throws -> (loss: Double, gradient: [Double])
typealias DiscriminatorStepAnswer =
    @Sendable ([[Double]], [[Double]], [Double], [Double], [Double], Double, Double) throws -> (
        generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double
    )
typealias GeneratorStepAnswer =
    @Sendable ([[Double]], [Double], [Double], [Double], Double, Double) throws -> (
        generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double
    )
typealias NormForwardAnswer = @Sendable ([Double], Int, Int, Int, Int, [Double], [Double], Double) throws -> [Double]
typealias NormBackwardAnswer = @Sendable ([Double], [Double], Int, Int, Int, Int, [Double], Double) throws -> (input: [Double], gamma: [Double], beta: [Double])

/// One implementation of every Chapter 10 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct GANsAnswers: ChapterAnswers {
    static let chapter = "GANs"

    var discriminatorLoss: @Sendable ([Double], [Double]) throws -> (loss: Double, realGradient: [Double], fakeGradient: [Double])
    var nonSaturatingGeneratorLoss: GeneratorLossAnswer
    var minimaxGeneratorLoss: GeneratorLossAnswer
    var discriminatorStep: DiscriminatorStepAnswer
    var generatorStep: GeneratorStepAnswer
    var batchNorm2DForward: NormForwardAnswer
    var batchNorm2DBackward: NormBackwardAnswer
    var modesCovered: @Sendable ([[Double]], [[Double]], Double) throws -> (covered: Int, highQuality: Double)

    /// The learner's answers, from `Exercises/GANs`.
    static let exercises = GANsAnswers(
        discriminatorLoss: {
            CrashLog.noteCall("discriminatorLoss(realLogits: \(shortList($0)), fakeLogits: \(shortList($1)))")
            return try GANsExercises.discriminatorLoss(realLogits: $0, fakeLogits: $1)
        },
        nonSaturatingGeneratorLoss: {
            CrashLog.noteCall("nonSaturatingGeneratorLoss(fakeLogits: \(shortList($0)))")
            return try GANsExercises.nonSaturatingGeneratorLoss(fakeLogits: $0)
        },
        minimaxGeneratorLoss: {
            CrashLog.noteCall("minimaxGeneratorLoss(fakeLogits: \(shortList($0)))")
            return try GANsExercises.minimaxGeneratorLoss(fakeLogits: $0)
        },
        discriminatorStep: {
            CrashLog.noteCall(
                "discriminatorStep(real: \($0.count) rows, noise: \($1.count) rows, generatorWeights: \(shortList($2)), generatorBias: \(shortList($3)), "
                    + "discriminatorWeights: \(shortList($4)), discriminatorBias: \($5), learningRate: \($6))")
            return try GANsExercises.discriminatorStep(
                real: $0, noise: $1, generatorWeights: $2, generatorBias: $3, discriminatorWeights: $4, discriminatorBias: $5, learningRate: $6)
        },
        generatorStep: {
            CrashLog.noteCall(
                "generatorStep(noise: \($0.count) rows, generatorWeights: \(shortList($1)), generatorBias: \(shortList($2)), "
                    + "discriminatorWeights: \(shortList($3)), discriminatorBias: \($4), learningRate: \($5))")
            return try GANsExercises.generatorStep(
                noise: $0, generatorWeights: $1, generatorBias: $2, discriminatorWeights: $3, discriminatorBias: $4, learningRate: $5)
        },
        batchNorm2DForward: {
            CrashLog.noteCall(
                "batchNorm2DForward(\(shortList($0)), batch: \($1), channels: \($2), height: \($3), width: \($4), gamma: \(shortList($5)), beta: \(shortList($6)), epsilon: \($7))"
            )
            return try GANsExercises.batchNorm2DForward($0, batch: $1, channels: $2, height: $3, width: $4, gamma: $5, beta: $6, epsilon: $7)
        },
        batchNorm2DBackward: {
            CrashLog.noteCall(
                "batchNorm2DBackward(outputGradient: \(shortList($0)), input: \(shortList($1)), batch: \($2), channels: \($3), height: \($4), width: \($5), "
                    + "gamma: \(shortList($6)), epsilon: \($7))")
            return try GANsExercises.batchNorm2DBackward(
                outputGradient: $0, input: $1, batch: $2, channels: $3, height: $4, width: $5, gamma: $6, epsilon: $7)
        },
        modesCovered: {
            CrashLog.noteCall("modesCovered(points: \($0.count) points, centres: \($1.count) centres, spread: \($2))")
            return try GANsExercises.modesCovered(points: $0, centres: $1, spread: $2)
        })

    /// The worked answers, from `Solutions/GANs`.
    static let solutions = GANsAnswers(
        discriminatorLoss: { try GANsSolutions.discriminatorLoss(realLogits: $0, fakeLogits: $1) },
        nonSaturatingGeneratorLoss: { try GANsSolutions.nonSaturatingGeneratorLoss(fakeLogits: $0) },
        minimaxGeneratorLoss: { try GANsSolutions.minimaxGeneratorLoss(fakeLogits: $0) },
        discriminatorStep: {
            try GANsSolutions.discriminatorStep(
                real: $0, noise: $1, generatorWeights: $2, generatorBias: $3, discriminatorWeights: $4, discriminatorBias: $5, learningRate: $6)
        },
        generatorStep: {
            try GANsSolutions.generatorStep(
                noise: $0, generatorWeights: $1, generatorBias: $2, discriminatorWeights: $3, discriminatorBias: $4, learningRate: $5)
        },
        batchNorm2DForward: { try GANsSolutions.batchNorm2DForward($0, batch: $1, channels: $2, height: $3, width: $4, gamma: $5, beta: $6, epsilon: $7) },
        batchNorm2DBackward: {
            try GANsSolutions.batchNorm2DBackward(outputGradient: $0, input: $1, batch: $2, channels: $3, height: $4, width: $5, gamma: $6, epsilon: $7)
        },
        modesCovered: { try GANsSolutions.modesCovered(points: $0, centres: $1, spread: $2) })

    /// Every exercise left as an untouched stub.
    static let allStubs = GANsAnswers(
        discriminatorLoss: { _, _ in throw NotAttempted() }, nonSaturatingGeneratorLoss: { _ in throw NotAttempted() },
        minimaxGeneratorLoss: { _ in throw NotAttempted() }, discriminatorStep: { _, _, _, _, _, _, _ in throw NotAttempted() },
        generatorStep: { _, _, _, _, _, _ in throw NotAttempted() }, batchNorm2DForward: { _, _, _, _, _, _, _, _ in throw NotAttempted() },
        batchNorm2DBackward: { _, _, _, _, _, _, _, _ in throw NotAttempted() }, modesCovered: { _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: GANsExercise) -> CheckOutcome {
        switch exercise {
        case .discriminatorLoss: GANsExerciseChecks.discriminatorLoss(discriminatorLoss)
        case .nonSaturatingGeneratorLoss: GANsExerciseChecks.generatorLoss(.nonSaturating, nonSaturatingGeneratorLoss)
        case .minimaxGeneratorLoss: GANsExerciseChecks.generatorLoss(.minimax, minimaxGeneratorLoss)
        case .discriminatorStep: GANsExerciseChecks.discriminatorStep(discriminatorStep)
        case .generatorStep: GANsExerciseChecks.generatorStep(generatorStep)
        case .batchNorm2DForward: GANsExerciseChecks.batchNorm(forward: batchNorm2DForward, backward: batchNorm2DBackward)
        case .modesCovered: GANsExerciseChecks.modes(modesCovered)
        }
    }
}
