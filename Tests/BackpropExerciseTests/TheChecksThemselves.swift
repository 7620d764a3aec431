import Activations
import Backprop
import ExerciseSupport
import ExerciseTesting
import Foundation
import LinearAlgebra
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake.

@Suite("Chapter 3 · Backprop · the checks themselves")
struct BackpropCheckTests {
    @Test("the worked solutions pass every check", arguments: BackpropExercise.allCases)
    func solutionsPass(_ exercise: BackpropExercise) {
        BackpropAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: BackpropExercise.allCases)
    func stubsAreNotAttempted(_ exercise: BackpropExercise) {
        BackpropAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Backprop", arguments: BackpropExercise.allCases)
    func exerciseIsDeclared(_ exercise: BackpropExercise) throws {
        try BackpropAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: backpropWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: BackpropWrongAnswer) {
        wrong.expectRejected(among: backpropWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias BackpropWrongAnswer = ExerciseTesting.WrongAnswer<BackpropAnswers>

private let solved = BackpropAnswers.solutions

let backpropWrongAnswers: [BackpropWrongAnswer] = [
    BackpropWrongAnswer(.denseBackward, "∂L/∂x from the upstream gradient, not δ", hint: "use δ, not the upstream gradient") {
        $0.denseBackward = { w, x, z, upstream, g in
            let right = try solved.denseBackward(w, x, z, upstream, g)
            let input = x.indices.map { i in w.indices.map { j in w[j][i] * upstream[j] }.reduce(0, +) }
            return (right.weights, right.biases, input)
        }
    },
    BackpropWrongAnswer(.binaryCrossEntropy, "gradient (p − y)/n, the logit's gradient", hint: "with respect to the logit") {
        $0.binaryCrossEntropy = { p, y in
            (try solved.binaryCrossEntropy(p, y).loss, zip(p, y).map { ($0 - $1) / Double(p.count) })
        }
    },
    BackpropWrongAnswer(.softmaxCrossEntropyGradient, "divides by the number of classes", hint: "not by the number of classes") {
        $0.softmaxCrossEntropyGradient = { z, label in try solved.softmaxCrossEntropyGradient(z, label).map { $0 / Double(z.count) } }
    },
    BackpropWrongAnswer(.backpropStep, "takes the step twice", hint: "compare your δ², δ¹") {
        $0.backpropStep = { p, x, y, rate in try solved.backpropStep(p, x, y, 2 * rate) }
    },
    BackpropWrongAnswer(.centralDifferenceGradient, "nudges every component at once", hint: "moving only component i") {
        $0.centralDifferenceGradient = { f, x, epsilon in
            let both = (f(x.map { $0 + epsilon }) - f(x.map { $0 - epsilon })) / (2 * epsilon)
            return x.map { _ in both }
        }
    },
    BackpropWrongAnswer(.denseForward, "uses row i of Wᵀ: W transposed", hint: "W is transposed") {
        $0.denseForward = { w, b, x, g in
            try solved.denseForward(Matrix(w).transposed.nestedRows, b, x, g)
        }
    },
    BackpropWrongAnswer(.denseForward, "forgets the activation", hint: "apply the activation") {
        $0.denseForward = { w, b, x, _ in try solved.denseForward(w, b, x, .relu).indices.map { j in b[j] + zip(w[j], x).map(*).reduce(0, +) } }
    },
    BackpropWrongAnswer(.denseForward, "forgets the bias", hint: "add the bias") {
        $0.denseForward = { w, b, x, g in try solved.denseForward(w, b.map { _ in 0 }, x, g) }
    },
    BackpropWrongAnswer(.binaryCrossEntropy, "sums instead of averaging", hint: "divide by n for the mean") {
        $0.binaryCrossEntropy = { p, y in
            let right = try solved.binaryCrossEntropy(p, y)
            return (right.loss * Double(p.count), right.gradient)
        }
    },
    BackpropWrongAnswer(.binaryCrossEntropy, "drops the 1/n from the gradient", hint: "carries the 1/n too") {
        $0.binaryCrossEntropy = { p, y in
            let right = try solved.binaryCrossEntropy(p, y)
            return (right.loss, right.gradient.map { $0 * Double(p.count) })
        }
    },
    BackpropWrongAnswer(.binaryCrossEntropy, "does not clamp", hint: "clamp p") {
        $0.binaryCrossEntropy = { p, y in
            let n = Double(p.count)
            let loss = -zip(p, y).map { $1 * log($0) + (1 - $1) * log(1 - $0) }.reduce(0, +) / n
            return (loss, zip(p, y).map { ($0 - $1) / ($0 * (1 - $0)) / n })
        }
    },
    BackpropWrongAnswer(.denseBackward, "forgets g′(z)", hint: "multiply the upstream gradient by g′(z)") {
        $0.denseBackward = { w, x, _, upstream, _ in
            (upstream.map { d in x.map { d * $0 } }, upstream, x.indices.map { i in w.indices.map { w[$0][i] * upstream[$0] }.reduce(0, +) })
        }
    },
    BackpropWrongAnswer(.denseBackward, "returns ∂L/∂W transposed", hint: "∂L/∂W has W's shape") {
        $0.denseBackward = { w, x, z, upstream, g in
            let right = try solved.denseBackward(w, x, z, upstream, g)
            return (x.indices.map { i in right.weights.map { $0[i] } }, right.biases, right.input)
        }
    },
    BackpropWrongAnswer(.softmaxCrossEntropyGradient, "returns the softmax alone", hint: "subtract the one-hot target") {
        $0.softmaxCrossEntropyGradient = { z, _ in softmax(z) }
    },
    BackpropWrongAnswer(.softmaxCrossEntropyGradient, "computes y − softmax(z)", hint: "the sign is flipped") {
        $0.softmaxCrossEntropyGradient = { z, c in try solved.softmaxCrossEntropyGradient(z, c).map { -$0 } }
    },
    BackpropWrongAnswer(.softmaxCrossEntropyGradient, "does not subtract the maximum", hint: "subtract max(z)") {
        $0.softmaxCrossEntropyGradient = { z, c in
            let e = z.map(exp)
            let sum = e.reduce(0, +)
            return e.indices.map { e[$0] / sum - ($0 == c ? 1 : 0) }
        }
    },
    BackpropWrongAnswer(.backpropStep, "adds the gradient", hint: "the step goes uphill") {
        $0.backpropStep = { p, x, y, rate in try solved.backpropStep(p, x, y, -rate) }
    },
    BackpropWrongAnswer(.backpropStep, "updates w² before computing δ¹", hint: "compute every gradient before changing any parameter") {
        $0.backpropStep = { p, x, y, rate in
            func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
            let a1 = p.w1.indices.map { j in sigmoid(p.b1[j] + zip(p.w1[j], x).map(*).reduce(0, +)) }
            let out = sigmoid(p.b2 + zip(p.w2, a1).map(*).reduce(0, +))
            let delta2 = (out - y) * out * (1 - out)
            let w2 = p.w2.indices.map { p.w2[$0] - rate * delta2 * a1[$0] }
            let delta1 = a1.indices.map { w2[$0] * delta2 * a1[$0] * (1 - a1[$0]) }
            return (
                p.w1.indices.map { j in x.indices.map { p.w1[j][$0] - rate * delta1[j] * x[$0] } },
                p.b1.indices.map { p.b1[$0] - rate * delta1[$0] }, w2, p.b2 - rate * delta2
            )
        }
    },
    BackpropWrongAnswer(.centralDifferenceGradient, "uses the one-sided difference", hint: "one-sided difference") {
        $0.centralDifferenceGradient = { f, x, epsilon in
            x.indices.map { i in
                var probe = x
                probe[i] += epsilon
                return (f(probe) - f(x)) / epsilon
            }
        }
    },
    BackpropWrongAnswer(.centralDifferenceGradient, "divides by ε instead of 2ε", hint: "divide by 2ε") {
        $0.centralDifferenceGradient = { f, x, epsilon in try solved.centralDifferenceGradient(f, x, epsilon).map { 2 * $0 } }
    },
]
