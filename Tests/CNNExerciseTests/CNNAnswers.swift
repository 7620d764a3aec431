import CNN
import CNNExercises
import CNNSolutions
import ExerciseSupport
import ExerciseTesting
import NumericChecks

/// The exercises of Chapter 6, in the order of the lesson's list.
enum CNNExercise: String, ChapterExercise {
    case convolutionOutputSize, convolutionForward, convolutionBackwardInput, convolutionBackwardFilters, maxPoolForward, convolutionBlock

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .convolutionOutputSize: "6.1 the output size"
        case .convolutionForward: "6.2 convolution, forward"
        case .convolutionBackwardInput: "6.3 convolution, backward: the input"
        case .convolutionBackwardFilters: "6.4 convolution, backward: filters and bias"
        case .maxPoolForward: "6.5 max pooling, forward and backward"
        case .convolutionBlock: "6.6 convolution → ReLU → max pooling"
        }
    }
}

typealias MaxPoolForwardAnswer = @Sendable ([Double], Int, Int, Int, Int, Int) throws -> (output: [Double], argmax: [Int])

/// One implementation of every Chapter 6 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct CNNAnswers: ChapterAnswers {
    static let chapter = "CNN"

    var convolutionOutputSize: @Sendable (Int, Int, Int, Int) throws -> Int
    var convolutionForward: @Sendable ([Double], [Double], [Double], ConvolutionShape) throws -> [Double]
    var convolutionBackwardInput: @Sendable ([Double], [Double], ConvolutionShape) throws -> [Double]
    var convolutionBackwardFilters: @Sendable ([Double], [Double], ConvolutionShape) throws -> (filters: [Double], bias: [Double])
    var maxPoolForward: MaxPoolForwardAnswer
    var maxPoolBackward: @Sendable ([Double], [Int], Int) throws -> [Double]
    var convolutionBlock: @Sendable ([Double], [Double], [Double], ConvolutionShape, Int) throws -> [Double]

    /// The learner's answers, from `Exercises/CNN`.
    static let exercises = CNNAnswers(
        convolutionOutputSize: {
            CrashLog.noteCall("convolutionOutputSize(inputSize: \($0), filterSize: \($1), padding: \($2), stride: \($3))")
            return try CNNExercises.convolutionOutputSize(inputSize: $0, filterSize: $1, padding: $2, stride: $3)
        },
        convolutionForward: {
            CrashLog.noteCall("convolutionForward(input: \(shortList($0)), filters: \(shortList($1)), bias: \($2), shape: \($3))")
            return try CNNExercises.convolutionForward(input: $0, filters: $1, bias: $2, shape: $3)
        },
        convolutionBackwardInput: {
            CrashLog.noteCall("convolutionBackwardInput(upstream: \(shortList($0)), filters: \(shortList($1)), shape: \($2))")
            return try CNNExercises.convolutionBackwardInput(upstream: $0, filters: $1, shape: $2)
        },
        convolutionBackwardFilters: {
            CrashLog.noteCall("convolutionBackwardFilters(upstream: \(shortList($0)), input: \(shortList($1)), shape: \($2))")
            return try CNNExercises.convolutionBackwardFilters(upstream: $0, input: $1, shape: $2)
        },
        maxPoolForward: {
            CrashLog.noteCall("maxPoolForward(input: \(shortList($0)), batch: \($1), channels: \($2), height: \($3), width: \($4), size: \($5))")
            return try CNNExercises.maxPoolForward(input: $0, batch: $1, channels: $2, height: $3, width: $4, size: $5)
        },
        maxPoolBackward: {
            CrashLog.noteCall("maxPoolBackward(upstream: \(shortList($0)), argmax: \(shortList($1)), inputCount: \($2))")
            return try CNNExercises.maxPoolBackward(upstream: $0, argmax: $1, inputCount: $2)
        },
        convolutionBlock: {
            CrashLog.noteCall("convolutionBlock(input: \(shortList($0)), filters: \(shortList($1)), bias: \($2), shape: \($3), poolSize: \($4))")
            return try CNNExercises.convolutionBlock(input: $0, filters: $1, bias: $2, shape: $3, poolSize: $4)
        })

    /// The worked answers, from `Solutions/CNN`.
    static let solutions = CNNAnswers(
        convolutionOutputSize: { try CNNSolutions.convolutionOutputSize(inputSize: $0, filterSize: $1, padding: $2, stride: $3) },
        convolutionForward: { try CNNSolutions.convolutionForward(input: $0, filters: $1, bias: $2, shape: $3) },
        convolutionBackwardInput: { try CNNSolutions.convolutionBackwardInput(upstream: $0, filters: $1, shape: $2) },
        convolutionBackwardFilters: { try CNNSolutions.convolutionBackwardFilters(upstream: $0, input: $1, shape: $2) },
        maxPoolForward: { try CNNSolutions.maxPoolForward(input: $0, batch: $1, channels: $2, height: $3, width: $4, size: $5) },
        maxPoolBackward: { try CNNSolutions.maxPoolBackward(upstream: $0, argmax: $1, inputCount: $2) },
        convolutionBlock: { try CNNSolutions.convolutionBlock(input: $0, filters: $1, bias: $2, shape: $3, poolSize: $4) })

    /// Every exercise left as an untouched stub.
    static let allStubs = CNNAnswers(
        convolutionOutputSize: { _, _, _, _ in throw NotAttempted() }, convolutionForward: { _, _, _, _ in throw NotAttempted() },
        convolutionBackwardInput: { _, _, _ in throw NotAttempted() }, convolutionBackwardFilters: { _, _, _ in throw NotAttempted() },
        maxPoolForward: { _, _, _, _, _, _ in throw NotAttempted() }, maxPoolBackward: { _, _, _ in throw NotAttempted() },
        convolutionBlock: { _, _, _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: CNNExercise) -> CheckOutcome {
        switch exercise {
        case .convolutionOutputSize: CNNChecks.outputSize(convolutionOutputSize)
        case .convolutionForward: CNNChecks.forward(convolutionForward)
        case .convolutionBackwardInput: CNNChecks.backwardInput(convolutionBackwardInput)
        case .convolutionBackwardFilters: CNNChecks.backwardFilters(convolutionBackwardFilters)
        case .maxPoolForward: CNNChecks.maxPool(forward: maxPoolForward, backward: maxPoolBackward)
        case .convolutionBlock: CNNChecks.block(convolutionBlock)
        }
    }
}
