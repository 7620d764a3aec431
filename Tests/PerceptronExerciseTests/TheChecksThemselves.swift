import ExerciseSupport
import ExerciseTesting
import Foundation
import Perceptron
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected, with the hint that names
// the mistake.

@Suite("Chapter 1 · Perceptron · the checks themselves")
struct PerceptronCheckTests {
    @Test("the worked solutions pass every check", arguments: PerceptronExercise.allCases)
    func solutionsPass(_ exercise: PerceptronExercise) {
        PerceptronAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: PerceptronExercise.allCases)
    func stubsAreNotAttempted(_ exercise: PerceptronExercise) {
        PerceptronAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Perceptron", arguments: PerceptronExercise.allCases)
    func exerciseIsDeclared(_ exercise: PerceptronExercise) throws {
        try PerceptronAnswers.expectDeclared(exercise)
    }

    @Test("a stub's message names the file and function to open")
    func stubMessageNamesFileAndFunction() {
        let stub = NotAttempted(function: "weightedSum(inputs:weights:bias:)", filePath: "/home/me/dl/Exercises/Perceptron/WeightedSum.swift")
        #expect(stub.file == "Exercises/Perceptron/WeightedSum.swift")
        #expect("\(stub)" == "not attempted yet: open Exercises/Perceptron/WeightedSum.swift and fill in weightedSum(inputs:weights:bias:)")
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: wrongAnswers)
    func wrongAnswersAreRejected(_ wrong: WrongAnswer) {
        wrong.expectRejected(among: wrongAnswers)
    }

    @Test("a failure message shows the input, the expected and the actual value")
    func failureMessagesAreComplete() throws {
        var answers = PerceptronAnswers.solutions
        answers.weightedSum = { _, _, _ in 42 }
        let first = try #require(answers.check(.weightedSum).failures.first)
        #expect(first.contains("for inputs [1.0, 2.0], weights [0.5, -0.3], bias 0.1"))
        #expect(first.contains("expected: "))
        #expect(first.contains("actual:   42.0"))
        #expect(first.contains("hint: "))
    }

    @Test("an answer that throws its own error fails with that error's text")
    func thrownErrorsFail() {
        struct Oops: Error {}
        var answers = PerceptronAnswers.solutions
        answers.predict = { _, _, _ in throw Oops() }
        let outcome = answers.check(.predict)
        #expect(outcome.failures.contains { $0.contains("threw an error") })
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias WrongAnswer = ExerciseTesting.WrongAnswer<PerceptronAnswers>

let wrongAnswers: [WrongAnswer] = [
    WrongAnswer(.weightedSum, "uses the first weight for every input", hint: "each input by its own weight") {
        $0.weightedSum = { x, w, b in x.reduce(0, +) * (w.first ?? 0) + b }
    },
    WrongAnswer(.predict, "subtracts the bias", hint: "z = w·x + b") {
        $0.predict = { x, w, b in try PerceptronAnswers.solutions.predict(x, w, -b) }
    },
    WrongAnswer(.perceptronUpdate, "moves by η·y·x even when the prediction is right", hint: "not by the target y") {
        $0.perceptronUpdate = { w, b, x, y, rate in (zip(w, x).map { $0 + rate * Double(y) * $1 }, b + rate * Double(y)) }
    },
    WrongAnswer(.trainPerceptron, "stops after one epoch", hint: "stop after a clean epoch") {
        $0.trainPerceptron = { inputs, labels, rate, _ in try PerceptronAnswers.solutions.trainPerceptron(inputs, labels, rate, 1) }
    },
    WrongAnswer(.sigmoidNeuron, "returns z, forgetting σ", hint: "pass it through σ") {
        $0.sigmoidNeuron = { x, w, b in Perceptron.weightedSum(inputs: x, weights: w, bias: b) }
    },
    WrongAnswer(.sigmoidNeuronGradient, "returns 0 for the bias", hint: "∂a/∂b = σ′(z)") {
        $0.sigmoidNeuronGradient = { x, w, b in (try PerceptronAnswers.solutions.sigmoidNeuronGradient(x, w, b).weights, 0) }
    },
    WrongAnswer(.weightedSum, "forgets the bias", hint: "the bias is missing") {
        $0.weightedSum = { x, w, _ in zip(x, w).map { $0 * $1 }.reduce(0, +) }
    },
    WrongAnswer(.weightedSum, "adds the bias inside the loop", hint: "add the bias once") {
        $0.weightedSum = { x, w, b in zip(x, w).map { $0 * $1 + b }.reduce(0, +) }
    },
    WrongAnswer(.predict, "uses > instead of ≥", hint: "use ≥, not >") {
        $0.predict = { x, w, b in Perceptron.weightedSum(inputs: x, weights: w, bias: b) > 0 ? 1 : 0 }
    },
    WrongAnswer(.predict, "flips the output", hint: "the output is flipped") {
        $0.predict = { x, w, b in Perceptron.weightedSum(inputs: x, weights: w, bias: b) >= 0 ? 0 : 1 }
    },
    WrongAnswer(.perceptronUpdate, "uses prediction minus target", hint: "wrong sign") {
        $0.perceptronUpdate = { w, b, x, y, rate in
            let error = Double(step(Perceptron.weightedSum(inputs: x, weights: w, bias: b)) - y)
            return (zip(w, x).map { $0 + rate * error * $1 }, b + rate * error)
        }
    },
    WrongAnswer(.perceptronUpdate, "never corrects the bias", hint: "the bias must be corrected too") {
        $0.perceptronUpdate = { w, b, x, y, rate in
            (Perceptron.perceptronUpdate(weights: w, bias: b, inputs: x, target: y, learningRate: rate).weights, b)
        }
    },
    WrongAnswer(.trainPerceptron, "never stops early", hint: "stop after the first epoch without a mistake") {
        $0.trainPerceptron = { inputs, labels, rate, maxEpochs in
            var result = Perceptron.trainPerceptron(inputs: inputs, labels: labels, learningRate: rate, maxEpochs: maxEpochs)
            var neuron = result.neuron
            for _ in result.epochs..<maxEpochs {
                for (x, y) in zip(inputs, labels) {
                    (neuron.weights, neuron.bias) = Perceptron.perceptronUpdate(
                        weights: neuron.weights, bias: neuron.bias, inputs: x, target: y, learningRate: rate)
                }
                result.mistakesPerEpoch.append(0)
            }
            result.neuron = neuron
            result.epochs = maxEpochs
            return result
        }
    },
    WrongAnswer(.trainPerceptron, "does not count the clean epoch", hint: "off by one") {
        $0.trainPerceptron = { inputs, labels, rate, maxEpochs in
            var result = Perceptron.trainPerceptron(inputs: inputs, labels: labels, learningRate: rate, maxEpochs: maxEpochs)
            if result.converged { result.epochs -= 1 }
            return result
        }
    },
    WrongAnswer(.sigmoidNeuron, "computes e^z / (1 + e^z), NaN at z = 1000", hint: "NaN") {
        $0.sigmoidNeuron = { x, w, b in
            let e = exp(Perceptron.weightedSum(inputs: x, weights: w, bias: b))
            return e / (1 + e)
        }
    },
    WrongAnswer(.sigmoidNeuron, "flips the sign of the exponent", hint: "sign in the exponent is flipped") {
        $0.sigmoidNeuron = { x, w, b in 1 / (1 + exp(Perceptron.weightedSum(inputs: x, weights: w, bias: b))) }
    },
    WrongAnswer(.sigmoidNeuronGradient, "forgets the input factor", hint: "each ∂a/∂wᵢ needs its input") {
        $0.sigmoidNeuronGradient = { x, w, b in
            let a = sigmoid(Perceptron.weightedSum(inputs: x, weights: w, bias: b))
            return ([Double](repeating: a * (1 - a), count: x.count), a * (1 - a))
        }
    },
    WrongAnswer(.sigmoidNeuronGradient, "uses σ(z) instead of σ′(z)", hint: "the slope is σ′(z)") {
        $0.sigmoidNeuronGradient = { x, w, b in
            let a = sigmoid(Perceptron.weightedSum(inputs: x, weights: w, bias: b))
            return (x.map { a * $0 }, a)
        }
    },
]

extension PerceptronAnswers {
    /// Every exercise left as an untouched stub.
    static let allStubs = PerceptronAnswers(
        weightedSum: { _, _, _ in throw NotAttempted() },
        predict: { _, _, _ in throw NotAttempted() },
        perceptronUpdate: { _, _, _, _, _ in throw NotAttempted() },
        trainPerceptron: { _, _, _, _ in throw NotAttempted() },
        sigmoidNeuron: { _, _, _ in throw NotAttempted() },
        sigmoidNeuronGradient: { _, _, _ in throw NotAttempted() })
}
