import Attention
import AttentionExercises
import AttentionSolutions
import ExerciseSupport
import ExerciseTesting
import NumericChecks

/// The exercises of Chapter 8, in the order of the lesson's list.
enum AttentionExercise: String, ChapterExercise {
    case attentionForward, attentionBackward, causalMask, splitHeads, positionalEncoding, layerNormForward, attentionPoolingBackward

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .attentionForward: "8.1 scaled dot-product attention, forward"
        case .attentionBackward: "8.2 scaled dot-product attention, backward"
        case .causalMask: "8.3 the causal mask"
        case .splitHeads: "8.4 splitting into heads and merging back"
        case .positionalEncoding: "8.5 sinusoidal positional encoding"
        case .layerNormForward: "8.6 layer normalization, forward and backward"
        case .attentionPoolingBackward: "8.7 attention pooling over a sequence, backward"
        }
    }
}

typealias AttentionForwardAnswer = @Sendable ([Double], [Double], [Double], Int, Int, [Bool]?) throws -> (output: [Double], weights: [Double])
typealias AttentionBackwardAnswer =
    @Sendable ([Double], [Double], [Double], [Double], [Double], Int, Int) throws -> (queries: [Double], keys: [Double], values: [Double])
typealias PoolingBackwardAnswer =
    @Sendable ([[Double]], [Double], [Double], [Double], [Double]) throws -> (
        states: [[Double]], weights: [Double], bias: [Double], scorer: [Double]
    )
typealias LayerNormBackwardAnswer = @Sendable ([Double], [Double], Int, [Double], Double) throws -> (input: [Double], scale: [Double], shift: [Double])

/// One implementation of every Chapter 8 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct AttentionAnswers: ChapterAnswers {
    static let chapter = "Attention"

    var attentionForward: AttentionForwardAnswer
    var attentionBackward: AttentionBackwardAnswer
    var causalMask: @Sendable (Int) throws -> [Bool]
    var splitHeads: @Sendable ([Double], Int, Int) throws -> [Double]
    var mergeHeads: @Sendable ([Double], Int, Int) throws -> [Double]
    var positionalEncoding: @Sendable (Int, Int) throws -> [Double]
    var layerNormForward: @Sendable ([Double], Int, [Double], [Double], Double) throws -> [Double]
    var layerNormBackward: LayerNormBackwardAnswer
    var attentionPoolingBackward: PoolingBackwardAnswer

    /// The learner's answers, from `Exercises/Attention`.
    static let exercises = AttentionAnswers(
        attentionForward: {
            CrashLog.noteCall(
                "attentionForward(queries: \(shortList($0)), keys: \(shortList($1)), values: \(shortList($2)), keyWidth: \($3), valueWidth: \($4), allowed: \($5.map { "\($0.count) flags" } ?? "nil"))"
            )
            return try AttentionExercises.attentionForward(queries: $0, keys: $1, values: $2, keyWidth: $3, valueWidth: $4, allowed: $5)
        },
        attentionBackward: {
            CrashLog.noteCall(
                "attentionBackward(outputGradient: \(shortList($0)), queries: \(shortList($1)), keys: \(shortList($2)), values: \(shortList($3)), weights: \(shortList($4)), keyWidth: \($5), valueWidth: \($6))"
            )
            return try AttentionExercises.attentionBackward(outputGradient: $0, queries: $1, keys: $2, values: $3, weights: $4, keyWidth: $5, valueWidth: $6)
        },
        causalMask: {
            CrashLog.noteCall("causalMask(length: \($0))")
            return try AttentionExercises.causalMask(length: $0)
        },
        splitHeads: {
            CrashLog.noteCall("splitHeads(\(shortList($0)), length: \($1), heads: \($2))")
            return try AttentionExercises.splitHeads($0, length: $1, heads: $2)
        },
        mergeHeads: {
            CrashLog.noteCall("mergeHeads(\(shortList($0)), length: \($1), heads: \($2))")
            return try AttentionExercises.mergeHeads($0, length: $1, heads: $2)
        },
        positionalEncoding: {
            CrashLog.noteCall("positionalEncoding(positions: \($0), features: \($1))")
            return try AttentionExercises.positionalEncoding(positions: $0, features: $1)
        },
        layerNormForward: {
            CrashLog.noteCall("layerNormForward(\(shortList($0)), features: \($1), scale: \(shortList($2)), shift: \(shortList($3)), epsilon: \($4))")
            return try AttentionExercises.layerNormForward($0, features: $1, scale: $2, shift: $3, epsilon: $4)
        },
        layerNormBackward: {
            CrashLog.noteCall(
                "layerNormBackward(outputGradient: \(shortList($0)), input: \(shortList($1)), features: \($2), scale: \(shortList($3)), epsilon: \($4))")
            return try AttentionExercises.layerNormBackward(outputGradient: $0, input: $1, features: $2, scale: $3, epsilon: $4)
        },
        attentionPoolingBackward: {
            CrashLog.noteCall(
                "attentionPoolingBackward(states: \($0.count) rows, weights: \(shortList($1)), bias: \(shortList($2)), scorer: \(shortList($3)), outputGradient: \(shortList($4)))"
            )
            return try AttentionExercises.attentionPoolingBackward(states: $0, weights: $1, bias: $2, scorer: $3, outputGradient: $4)
        })

    /// The worked answers, from `Solutions/Attention`.
    static let solutions = AttentionAnswers(
        attentionForward: { try AttentionSolutions.attentionForward(queries: $0, keys: $1, values: $2, keyWidth: $3, valueWidth: $4, allowed: $5) },
        attentionBackward: {
            try AttentionSolutions.attentionBackward(outputGradient: $0, queries: $1, keys: $2, values: $3, weights: $4, keyWidth: $5, valueWidth: $6)
        },
        causalMask: { try AttentionSolutions.causalMask(length: $0) },
        splitHeads: { try AttentionSolutions.splitHeads($0, length: $1, heads: $2) },
        mergeHeads: { try AttentionSolutions.mergeHeads($0, length: $1, heads: $2) },
        positionalEncoding: { try AttentionSolutions.positionalEncoding(positions: $0, features: $1) },
        layerNormForward: { try AttentionSolutions.layerNormForward($0, features: $1, scale: $2, shift: $3, epsilon: $4) },
        layerNormBackward: { try AttentionSolutions.layerNormBackward(outputGradient: $0, input: $1, features: $2, scale: $3, epsilon: $4) },
        attentionPoolingBackward: { try AttentionSolutions.attentionPoolingBackward(states: $0, weights: $1, bias: $2, scorer: $3, outputGradient: $4) })

    /// Every exercise left as an untouched stub.
    static let allStubs = AttentionAnswers(
        attentionForward: { _, _, _, _, _, _ in throw NotAttempted() }, attentionBackward: { _, _, _, _, _, _, _ in throw NotAttempted() },
        causalMask: { _ in throw NotAttempted() }, splitHeads: { _, _, _ in throw NotAttempted() }, mergeHeads: { _, _, _ in throw NotAttempted() },
        positionalEncoding: { _, _ in throw NotAttempted() }, layerNormForward: { _, _, _, _, _ in throw NotAttempted() },
        layerNormBackward: { _, _, _, _, _ in throw NotAttempted() }, attentionPoolingBackward: { _, _, _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: AttentionExercise) -> CheckOutcome {
        switch exercise {
        case .attentionForward: AttentionExerciseChecks.forward(attentionForward)
        case .attentionBackward: AttentionExerciseChecks.backward(attentionBackward)
        case .causalMask: AttentionExerciseChecks.causal(causalMask)
        case .splitHeads: AttentionExerciseChecks.heads(split: splitHeads, merge: mergeHeads)
        case .positionalEncoding: AttentionExerciseChecks.positions(positionalEncoding)
        case .layerNormForward: AttentionExerciseChecks.layerNorm(forward: layerNormForward, backward: layerNormBackward)
        case .attentionPoolingBackward: AttentionExerciseChecks.pooling(attentionPoolingBackward)
        }
    }
}
