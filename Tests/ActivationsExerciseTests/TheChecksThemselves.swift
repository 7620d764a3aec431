import Activations
import ExerciseSupport
import ExerciseTesting
import Foundation
import Perceptron
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake.

@Suite("Chapter 2 · Activations · the checks themselves")
struct ActivationsCheckTests {
    @Test("the worked solutions pass every check", arguments: ActivationsExercise.allCases)
    func solutionsPass(_ exercise: ActivationsExercise) {
        ActivationsAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: ActivationsExercise.allCases)
    func stubsAreNotAttempted(_ exercise: ActivationsExercise) {
        ActivationsAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Activations", arguments: ActivationsExercise.allCases)
    func exerciseIsDeclared(_ exercise: ActivationsExercise) throws {
        try ActivationsAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: activationWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: ActivationWrongAnswer) {
        wrong.expectRejected(among: activationWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias ActivationWrongAnswer = ExerciseTesting.WrongAnswer<ActivationsAnswers>

let activationWrongAnswers: [ActivationWrongAnswer] = [
    ActivationWrongAnswer(.sigmoidDerivative, "computes σ(z)(1 + σ(z))", hint: "1 − σ(z), not 1 + σ(z)") {
        $0.sigmoidDerivative = { z in sigmoid(z) * (1 + sigmoid(z)) }
    },
    ActivationWrongAnswer(.elu, "uses αz on the negative side", hint: "α (e^z − 1)") { $0.elu = { z, a in z > 0 ? z : a * z } },
    ActivationWrongAnswer(.softmaxBackward, "returns the upstream gradient unchanged", hint: "sᵢ (gᵢ − Σⱼ gⱼ sⱼ)") { $0.softmaxBackward = { _, g in g } },
    ActivationWrongAnswer(.tanhDerivative, "computes 1 − z² (forgets tanh)", hint: "apply tanh first") { $0.tanhDerivative = { 1 - $0 * $0 } },
    ActivationWrongAnswer(.gelu, "forgets the √2 inside erf", hint: "divide z by √2") { $0.gelu = { 0.5 * $0 * (1 + erf($0)) } },
    ActivationWrongAnswer(.swishDerivative, "keeps only z σ′(z)", hint: "the first term is missing") {
        $0.swishDerivative = { z in z * sigmoid(z) * (1 - sigmoid(z)) }
    },
    ActivationWrongAnswer(.leakyReLU, "writes max(z, αz), wrong once α > 1", hint: "only while α ≤ 1") {
        $0.leakyReLU = { z, slope in max(z, slope * z) }
    },
    ActivationWrongAnswer(.softmax, "shifts by z[0] instead of max(z)", hint: "subtract max(z) first") {
        $0.softmax = { z in
            let shifted = z.map { Foundation.exp($0 - z[0]) }
            let sum = shifted.reduce(0, +)
            return shifted.map { $0 / sum }
        }
    },
    ActivationWrongAnswer(.sigmoidDerivative, "returns σ(z)", hint: "that is σ(z) itself") { $0.sigmoidDerivative = { sigmoid($0) } },
    ActivationWrongAnswer(.sigmoidDerivative, "forgets to apply σ", hint: "apply σ first") { $0.sigmoidDerivative = { $0 * (1 - $0) } },
    ActivationWrongAnswer(.sigmoidDerivative, "computes σ as e^z/(1+e^z): NaN at z = 1000", hint: "NaN at z = 1000") {
        $0.sigmoidDerivative = { z in
            let s = exp(z) / (1 + exp(z))
            return s * (1 - s)
        }
    },
    ActivationWrongAnswer(.tanhDerivative, "forgets the square", hint: "square the tanh") { $0.tanhDerivative = { 1 - tanh($0) } },
    ActivationWrongAnswer(.leakyReLU, "is a plain ReLU", hint: "plain ReLU") { $0.leakyReLU = { z, _ in max(0, z) } },
    ActivationWrongAnswer(.leakyReLU, "ignores the slope parameter", hint: "use the slope parameter") {
        $0.leakyReLU = { z, _ in z > 0 ? z : 0.01 * z }
    },
    ActivationWrongAnswer(.elu, "computes exp(z) − 1", hint: "use expm1") { $0.elu = { z, a in z > 0 ? z : a * (exp(z) - 1) } },
    ActivationWrongAnswer(.elu, "forgets α", hint: "multiply the negative side by α") { $0.elu = { z, _ in z > 0 ? z : expm1(z) } },
    ActivationWrongAnswer(.gelu, "uses the tanh approximation", hint: "tanh approximation") { $0.gelu = { geluTanh($0) } },
    ActivationWrongAnswer(.gelu, "returns Φ(z)", hint: "that is Φ(z)") { $0.gelu = { 0.5 * (1 + erf($0 / 2.0.squareRoot())) } },
    ActivationWrongAnswer(.swishDerivative, "drops the z σ′ term", hint: "the second term is missing") { $0.swishDerivative = { sigmoid($0) } },
    ActivationWrongAnswer(.softmax, "does not subtract the max", hint: "subtract max(z) first") {
        $0.softmax = { softmaxWithoutShift($0) }
    },
    ActivationWrongAnswer(.softmax, "does not normalize", hint: "divide by the sum") {
        $0.softmax = { z in z.map { exp($0 - z.max()!) } }
    },
    ActivationWrongAnswer(.softmaxBackward, "keeps only the Jacobian's diagonal", hint: "off-diagonal") {
        $0.softmaxBackward = { s, g in zip(s, g).map { $0 * $1 * (1 - $0) } }
    },
    ActivationWrongAnswer(.softmaxBackward, "returns s ⊙ g", hint: "subtract Σⱼ gⱼ sⱼ") {
        $0.softmaxBackward = { s, g in zip(s, g).map { $0 * $1 } }
    },
]
