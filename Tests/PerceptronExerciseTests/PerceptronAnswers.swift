import ExerciseSupport
import ExerciseTesting
import Perceptron
import PerceptronExercises
import PerceptronSolutions

/// The exercises of Chapter 1, in the order the lesson introduces them.
enum PerceptronExercise: String, ChapterExercise {
    case weightedSum, predict, perceptronUpdate, trainPerceptron, sigmoidNeuron, sigmoidNeuronGradient

    /// The number and title the test report shows.
    var title: String {
        switch self {
        case .weightedSum: "1.1 the weighted sum z = w·x + b"
        case .predict: "1.2 the perceptron's prediction step(z)"
        case .perceptronUpdate: "1.3 the perceptron learning rule"
        case .trainPerceptron: "1.4 training until convergence"
        case .sigmoidNeuron: "1.5 a sigmoid neuron"
        case .sigmoidNeuronGradient: "1.6 the sigmoid neuron's gradient"
        }
    }
}

/// One implementation of every Chapter 1 exercise: the learner's, the worked solutions,
/// or (in the tests) a deliberately wrong one.
struct PerceptronAnswers: ChapterAnswers {
    static let chapter = "Perceptron"

    public typealias Update = (weights: [Double], bias: Double)

    var weightedSum: @Sendable ([Double], [Double], Double) throws -> Double
    var predict: @Sendable ([Double], [Double], Double) throws -> Int
    var perceptronUpdate: @Sendable ([Double], Double, [Double], Int, Double) throws -> Update
    var trainPerceptron: @Sendable ([[Double]], [Int], Double, Int) throws -> PerceptronTraining
    var sigmoidNeuron: @Sendable ([Double], [Double], Double) throws -> Double
    var sigmoidNeuronGradient: @Sendable ([Double], [Double], Double) throws -> Update

    public init(
        weightedSum: @escaping @Sendable ([Double], [Double], Double) throws -> Double,
        predict: @escaping @Sendable ([Double], [Double], Double) throws -> Int,
        perceptronUpdate: @escaping @Sendable ([Double], Double, [Double], Int, Double) throws -> Update,
        trainPerceptron: @escaping @Sendable ([[Double]], [Int], Double, Int) throws -> PerceptronTraining,
        sigmoidNeuron: @escaping @Sendable ([Double], [Double], Double) throws -> Double,
        sigmoidNeuronGradient: @escaping @Sendable ([Double], [Double], Double) throws -> Update
    ) {
        self.weightedSum = weightedSum
        self.predict = predict
        self.perceptronUpdate = perceptronUpdate
        self.trainPerceptron = trainPerceptron
        self.sigmoidNeuron = sigmoidNeuron
        self.sigmoidNeuronGradient = sigmoidNeuronGradient
    }

    /// The learner's answers, from `Exercises/Perceptron`.
    static let exercises = PerceptronAnswers(
        weightedSum: {
            CrashLog.noteCall("weightedSum(inputs: \($0), weights: \($1), bias: \($2))")
            return try PerceptronExercises.weightedSum(inputs: $0, weights: $1, bias: $2)
        },
        predict: {
            CrashLog.noteCall("predict(inputs: \($0), weights: \($1), bias: \($2))")
            return try PerceptronExercises.predict(inputs: $0, weights: $1, bias: $2)
        },
        perceptronUpdate: {
            CrashLog.noteCall("perceptronUpdate(weights: \($0), bias: \($1), inputs: \($2), target: \($3), learningRate: \($4))")
            return try PerceptronExercises.perceptronUpdate(weights: $0, bias: $1, inputs: $2, target: $3, learningRate: $4)
        },
        trainPerceptron: {
            CrashLog.noteCall("trainPerceptron(inputs: \($0), labels: \($1), learningRate: \($2), maxEpochs: \($3))")
            return try PerceptronExercises.trainPerceptron(inputs: $0, labels: $1, learningRate: $2, maxEpochs: $3)
        },
        sigmoidNeuron: {
            CrashLog.noteCall("sigmoidNeuron(inputs: \($0), weights: \($1), bias: \($2))")
            return try PerceptronExercises.sigmoidNeuron(inputs: $0, weights: $1, bias: $2)
        },
        sigmoidNeuronGradient: {
            CrashLog.noteCall("sigmoidNeuronGradient(inputs: \($0), weights: \($1), bias: \($2))")
            return try PerceptronExercises.sigmoidNeuronGradient(inputs: $0, weights: $1, bias: $2)
        })

    /// The worked answers, from `Solutions/Perceptron`.
    static let solutions = PerceptronAnswers(
        weightedSum: { try PerceptronSolutions.weightedSum(inputs: $0, weights: $1, bias: $2) },
        predict: { try PerceptronSolutions.predict(inputs: $0, weights: $1, bias: $2) },
        perceptronUpdate: {
            try PerceptronSolutions.perceptronUpdate(weights: $0, bias: $1, inputs: $2, target: $3, learningRate: $4)
        },
        trainPerceptron: {
            try PerceptronSolutions.trainPerceptron(inputs: $0, labels: $1, learningRate: $2, maxEpochs: $3)
        },
        sigmoidNeuron: { try PerceptronSolutions.sigmoidNeuron(inputs: $0, weights: $1, bias: $2) },
        sigmoidNeuronGradient: { try PerceptronSolutions.sigmoidNeuronGradient(inputs: $0, weights: $1, bias: $2) })

    /// Checks one exercise of these answers.
    func check(_ exercise: PerceptronExercise) -> CheckOutcome {
        switch exercise {
        case .weightedSum: PerceptronChecks.weightedSum(weightedSum)
        case .predict: PerceptronChecks.predict(predict)
        case .perceptronUpdate: PerceptronChecks.perceptronUpdate(perceptronUpdate)
        case .trainPerceptron: PerceptronChecks.trainPerceptron(trainPerceptron)
        case .sigmoidNeuron: PerceptronChecks.sigmoidNeuron(sigmoidNeuron)
        case .sigmoidNeuronGradient: PerceptronChecks.sigmoidNeuronGradient(sigmoidNeuronGradient)
        }
    }
}
