import ExerciseSupport
import ExerciseTesting
import LSTM
import LSTMExercises
import LSTMSolutions
import NumericChecks

/// The exercises of Chapter 7, in the order of the lesson's list.
enum LSTMExercise: String, ChapterExercise {
    case rnnStep, rnnStepBackward, rnnBackwardThroughTime, lstmStep, lstmStepBackward, gruStep, sampleWithTemperature, embeddingBackward, stackedRNN

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .rnnStep: "7.1 one step of a vanilla RNN"
        case .rnnStepBackward: "7.2 one RNN step, backward"
        case .rnnBackwardThroughTime: "7.3 backpropagation through time"
        case .lstmStep: "7.4 one step of an LSTM"
        case .lstmStepBackward: "7.5 one LSTM step, backward"
        case .gruStep: "7.6 one step of a GRU"
        case .sampleWithTemperature: "7.7 sampling with a temperature"
        case .embeddingBackward: "7.8 an embedding's backward pass"
        case .stackedRNN: "7.9 two stacked RNN layers with dropout between them"
        }
    }
}

typealias RNNStepBackwardAnswer = @Sendable ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> LSTMChecks.RNNStepGradients
typealias BPTTAnswer = @Sendable ([[Double]], [[Double]], [Double], [[Double]], [Double], [Double]) throws -> LSTMChecks.BPTTGradients
typealias LSTMStepBackwardAnswer =
    @Sendable ([Double], [Double], [Double], [Double], [Double], [Double], [Double], [Double]) throws -> LSTMChecks.LSTMStepGradients

/// One implementation of every Chapter 7 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
typealias StackedRNNAnswer = @Sendable ([[Double]], [Double], [Double], [Double], [Double], [Double], [Double], [[Double]]) throws -> [[Double]]

struct LSTMAnswers: ChapterAnswers {
    static let chapter = "LSTM"

    var rnnStep: @Sendable ([Double], [Double], [Double], [Double], [Double]) throws -> [Double]
    var rnnStepBackward: RNNStepBackwardAnswer
    var rnnBackwardThroughTime: BPTTAnswer
    var lstmStep: @Sendable ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> (h: [Double], c: [Double])
    var lstmStepBackward: LSTMStepBackwardAnswer
    var gruStep: @Sendable ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> [Double]
    var sampleWithTemperature: @Sendable ([Double], Double, Double) throws -> Int
    var embeddingBackward: @Sendable ([Int], [Double], Int, Int) throws -> [Double]
    var stackedRNN: StackedRNNAnswer

    /// The learner's answers, from `Exercises/LSTM`.
    static let exercises = LSTMAnswers(
        rnnStep: {
            CrashLog.noteCall(
                "rnnStep(x: \(shortList($0)), hPrevious: \(shortList($1)), inputWeights: \(shortList($2)), hiddenWeights: \(shortList($3)), bias: \(shortList($4)))"
            )
            return try LSTMExercises.rnnStep(x: $0, hPrevious: $1, inputWeights: $2, hiddenWeights: $3, bias: $4)
        },
        rnnStepBackward: {
            CrashLog.noteCall(
                "rnnStepBackward(x: \(shortList($0)), hPrevious: \(shortList($1)), h: \(shortList($2)), hGradient: \(shortList($3)), inputWeights: \(shortList($4)), hiddenWeights: \(shortList($5)))"
            )
            return try LSTMExercises.rnnStepBackward(x: $0, hPrevious: $1, h: $2, hGradient: $3, inputWeights: $4, hiddenWeights: $5)
        },
        rnnBackwardThroughTime: {
            CrashLog.noteCall(
                "rnnBackwardThroughTime(xs: \($0.count) steps, hs: \($1.count) steps, h0: \(shortList($2)), outputGradients: \($3.count) steps, inputWeights: \(shortList($4)), hiddenWeights: \(shortList($5)))"
            )
            return try LSTMExercises.rnnBackwardThroughTime(xs: $0, hs: $1, h0: $2, outputGradients: $3, inputWeights: $4, hiddenWeights: $5)
        },
        lstmStep: {
            CrashLog.noteCall(
                "lstmStep(x: \(shortList($0)), hPrevious: \(shortList($1)), cPrevious: \(shortList($2)), inputWeights: \(shortList($3)), hiddenWeights: \(shortList($4)), bias: \(shortList($5)))"
            )
            return try LSTMExercises.lstmStep(x: $0, hPrevious: $1, cPrevious: $2, inputWeights: $3, hiddenWeights: $4, bias: $5)
        },
        lstmStepBackward: {
            CrashLog.noteCall(
                "lstmStepBackward(x: \(shortList($0)), hPrevious: \(shortList($1)), cPrevious: \(shortList($2)), …, hGradient: \(shortList($6)), cGradient: \(shortList($7)))"
            )
            return try LSTMExercises.lstmStepBackward(
                x: $0, hPrevious: $1, cPrevious: $2, inputWeights: $3, hiddenWeights: $4, bias: $5, hGradient: $6, cGradient: $7)
        },
        gruStep: {
            CrashLog.noteCall(
                "gruStep(x: \(shortList($0)), hPrevious: \(shortList($1)), inputWeights: \(shortList($2)), hiddenWeights: \(shortList($3)), inputBias: \(shortList($4)), hiddenBias: \(shortList($5)))"
            )
            return try LSTMExercises.gruStep(x: $0, hPrevious: $1, inputWeights: $2, hiddenWeights: $3, inputBias: $4, hiddenBias: $5)
        },
        sampleWithTemperature: {
            CrashLog.noteCall("sampleWithTemperature(logits: \($0), temperature: \($1), uniform: \($2))")
            return try LSTMExercises.sampleWithTemperature(logits: $0, temperature: $1, uniform: $2)
        },
        embeddingBackward: {
            CrashLog.noteCall("embeddingBackward(tokens: \($0), outputGradient: \(shortList($1)), vocabulary: \($2), dimension: \($3))")
            return try LSTMExercises.embeddingBackward(tokens: $0, outputGradient: $1, vocabulary: $2, dimension: $3)
        },
        stackedRNN: {
            CrashLog.noteCall(
                "stackedRNN(sequence: \($0.count) steps, inputWeights1: \(shortList($1)), hiddenWeights1: \(shortList($2)), bias1: \(shortList($3)), inputWeights2: \(shortList($4)), hiddenWeights2: \(shortList($5)), bias2: \(shortList($6)), mask: \($7.count) rows)"
            )
            return try LSTMExercises.stackedRNN(
                sequence: $0, inputWeights1: $1, hiddenWeights1: $2, bias1: $3, inputWeights2: $4, hiddenWeights2: $5, bias2: $6, mask: $7)
        })

    /// The worked answers, from `Solutions/LSTM`.
    static let solutions = LSTMAnswers(
        rnnStep: { try LSTMSolutions.rnnStep(x: $0, hPrevious: $1, inputWeights: $2, hiddenWeights: $3, bias: $4) },
        rnnStepBackward: { try LSTMSolutions.rnnStepBackward(x: $0, hPrevious: $1, h: $2, hGradient: $3, inputWeights: $4, hiddenWeights: $5) },
        rnnBackwardThroughTime: { try LSTMSolutions.rnnBackwardThroughTime(xs: $0, hs: $1, h0: $2, outputGradients: $3, inputWeights: $4, hiddenWeights: $5) },
        lstmStep: { try LSTMSolutions.lstmStep(x: $0, hPrevious: $1, cPrevious: $2, inputWeights: $3, hiddenWeights: $4, bias: $5) },
        lstmStepBackward: {
            try LSTMSolutions.lstmStepBackward(x: $0, hPrevious: $1, cPrevious: $2, inputWeights: $3, hiddenWeights: $4, bias: $5, hGradient: $6, cGradient: $7)
        },
        gruStep: { try LSTMSolutions.gruStep(x: $0, hPrevious: $1, inputWeights: $2, hiddenWeights: $3, inputBias: $4, hiddenBias: $5) },
        sampleWithTemperature: { try LSTMSolutions.sampleWithTemperature(logits: $0, temperature: $1, uniform: $2) },
        embeddingBackward: { try LSTMSolutions.embeddingBackward(tokens: $0, outputGradient: $1, vocabulary: $2, dimension: $3) },
        stackedRNN: {
            try LSTMSolutions.stackedRNN(
                sequence: $0, inputWeights1: $1, hiddenWeights1: $2, bias1: $3, inputWeights2: $4, hiddenWeights2: $5, bias2: $6, mask: $7)
        })

    /// Every exercise left as an untouched stub.
    static let allStubs = LSTMAnswers(
        rnnStep: { _, _, _, _, _ in throw NotAttempted() }, rnnStepBackward: { _, _, _, _, _, _ in throw NotAttempted() },
        rnnBackwardThroughTime: { _, _, _, _, _, _ in throw NotAttempted() }, lstmStep: { _, _, _, _, _, _ in throw NotAttempted() },
        lstmStepBackward: { _, _, _, _, _, _, _, _ in throw NotAttempted() }, gruStep: { _, _, _, _, _, _ in throw NotAttempted() },
        sampleWithTemperature: { _, _, _ in throw NotAttempted() }, embeddingBackward: { _, _, _, _ in throw NotAttempted() },
        stackedRNN: { _, _, _, _, _, _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: LSTMExercise) -> CheckOutcome {
        switch exercise {
        case .rnnStep: LSTMChecks.rnnStep(rnnStep)
        case .rnnStepBackward: LSTMChecks.rnnStepBackward(rnnStepBackward)
        case .rnnBackwardThroughTime: LSTMChecks.backwardThroughTime(rnnBackwardThroughTime)
        case .lstmStep: LSTMChecks.lstmStep(lstmStep)
        case .lstmStepBackward: LSTMChecks.lstmStepBackward(lstmStepBackward)
        case .gruStep: LSTMChecks.gruStep(gruStep)
        case .sampleWithTemperature: LSTMChecks.sampling(sampleWithTemperature)
        case .embeddingBackward: LSTMChecks.embedding(embeddingBackward)
        case .stackedRNN: LSTMChecks.stacked(stackedRNN)
        }
    }
}
