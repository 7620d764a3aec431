import Activations
import BackpropExercises
import BackpropSolutions
import ExerciseSupport
import ExerciseTesting

/// The exercises of Chapter 3, in the order of the lesson's list.
enum BackpropExercise: String, ChapterExercise {
    case denseForward, binaryCrossEntropy, denseBackward, softmaxCrossEntropyGradient, backpropStep, centralDifferenceGradient

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .denseForward: "3.1 a dense layer's forward pass"
        case .binaryCrossEntropy: "3.2 binary cross-entropy and its gradient"
        case .denseBackward: "3.3 a dense layer's backward pass"
        case .softmaxCrossEntropyGradient: "3.4 the softmax + cross-entropy gradient"
        case .backpropStep: "3.5 one step of backpropagation and gradient descent"
        case .centralDifferenceGradient: "3.6 the gradient check itself"
        }
    }
}

public typealias DenseGradients = (weights: [[Double]], biases: [Double], input: [Double])
public typealias TinyParameters = (w1: [[Double]], b1: [Double], w2: [Double], b2: Double)

/// One implementation of every Chapter 3 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct BackpropAnswers: ChapterAnswers {
    static let chapter = "Backprop"

    var denseForward: @Sendable ([[Double]], [Double], [Double], Activation) throws -> [Double]
    var binaryCrossEntropy: @Sendable ([Double], [Double]) throws -> (loss: Double, gradient: [Double])
    var denseBackward: @Sendable ([[Double]], [Double], [Double], [Double], Activation) throws -> DenseGradients
    var softmaxCrossEntropyGradient: @Sendable ([Double], Int) throws -> [Double]
    var backpropStep: @Sendable (TinyParameters, [Double], Double, Double) throws -> TinyParameters
    var centralDifferenceGradient: @Sendable (([Double]) -> Double, [Double], Double) throws -> [Double]

    /// The learner's answers, from `Exercises/Backprop`.
    static let exercises = BackpropAnswers(
        denseForward: {
            CrashLog.noteCall("denseForward(weights: \($0), biases: \($1), input: \($2), activation: \($3))")
            return try BackpropExercises.denseForward(weights: $0, biases: $1, input: $2, activation: $3)
        },
        binaryCrossEntropy: {
            CrashLog.noteCall("binaryCrossEntropy(predictions: \($0), targets: \($1))")
            return try BackpropExercises.binaryCrossEntropy(predictions: $0, targets: $1)
        },
        denseBackward: {
            CrashLog.noteCall("denseBackward(weights: \($0), input: \($1), preactivation: \($2), upstream: \($3), activation: \($4))")
            return try BackpropExercises.denseBackward(weights: $0, input: $1, preactivation: $2, upstream: $3, activation: $4)
        },
        softmaxCrossEntropyGradient: {
            CrashLog.noteCall("softmaxCrossEntropyGradient(logits: \($0), label: \($1))")
            return try BackpropExercises.softmaxCrossEntropyGradient(logits: $0, label: $1)
        },
        backpropStep: { p, x, y, rate in
            CrashLog.noteCall("backpropStep(w1: \(p.w1), b1: \(p.b1), w2: \(p.w2), b2: \(p.b2), input: \(x), target: \(y), learningRate: \(rate))")
            return try BackpropExercises.backpropStep(w1: p.w1, b1: p.b1, w2: p.w2, b2: p.b2, input: x, target: y, learningRate: rate)
        },
        centralDifferenceGradient: {
            CrashLog.noteCall("centralDifferenceGradient(of: f, at: \($1), epsilon: \($2))")
            return try BackpropExercises.centralDifferenceGradient(of: $0, at: $1, epsilon: $2)
        })

    /// The worked answers, from `Solutions/Backprop`.
    static let solutions = BackpropAnswers(
        denseForward: { try BackpropSolutions.denseForward(weights: $0, biases: $1, input: $2, activation: $3) },
        binaryCrossEntropy: { try BackpropSolutions.binaryCrossEntropy(predictions: $0, targets: $1) },
        denseBackward: {
            try BackpropSolutions.denseBackward(weights: $0, input: $1, preactivation: $2, upstream: $3, activation: $4)
        },
        softmaxCrossEntropyGradient: { try BackpropSolutions.softmaxCrossEntropyGradient(logits: $0, label: $1) },
        backpropStep: { p, x, y, rate in
            try BackpropSolutions.backpropStep(w1: p.w1, b1: p.b1, w2: p.w2, b2: p.b2, input: x, target: y, learningRate: rate)
        },
        centralDifferenceGradient: { try BackpropSolutions.centralDifferenceGradient(of: $0, at: $1, epsilon: $2) })

    /// Every exercise left as an untouched stub.
    static let allStubs = BackpropAnswers(
        denseForward: { _, _, _, _ in throw NotAttempted() }, binaryCrossEntropy: { _, _ in throw NotAttempted() },
        denseBackward: { _, _, _, _, _ in throw NotAttempted() }, softmaxCrossEntropyGradient: { _, _ in throw NotAttempted() },
        backpropStep: { _, _, _, _ in throw NotAttempted() }, centralDifferenceGradient: { _, _, _ in throw NotAttempted() })

    /// Checks one exercise of these answers.
    func check(_ exercise: BackpropExercise) -> CheckOutcome {
        switch exercise {
        case .denseForward: BackpropChecks.denseForward(denseForward)
        case .binaryCrossEntropy: BackpropChecks.binaryCrossEntropy(binaryCrossEntropy)
        case .denseBackward: BackpropChecks.denseBackward(denseBackward)
        case .softmaxCrossEntropyGradient: BackpropChecks.softmaxCrossEntropyGradient(softmaxCrossEntropyGradient)
        case .backpropStep: BackpropChecks.backpropStep(backpropStep)
        case .centralDifferenceGradient: BackpropChecks.centralDifferenceGradient(centralDifferenceGradient)
        }
    }
}
