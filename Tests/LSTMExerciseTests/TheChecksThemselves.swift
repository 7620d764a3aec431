import Activations
import ExerciseSupport
import ExerciseTesting
import Foundation
import LSTM
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake.

@Suite("Chapter 7 · LSTM · the checks themselves")
struct LSTMCheckTests {
    @Test("the worked solutions pass every check", arguments: LSTMExercise.allCases)
    func solutionsPass(_ exercise: LSTMExercise) {
        LSTMAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: LSTMExercise.allCases)
    func stubsAreNotAttempted(_ exercise: LSTMExercise) {
        LSTMAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/LSTM", arguments: LSTMExercise.allCases)
    func exerciseIsDeclared(_ exercise: LSTMExercise) throws {
        try LSTMAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: lstmWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: LSTMWrongAnswer) {
        wrong.expectRejected(among: lstmWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias LSTMWrongAnswer = ExerciseTesting.WrongAnswer<LSTMAnswers>

private let solved = LSTMAnswers.solutions

/// The solution's LSTM step as the checks' slip model computes it.
private func lstmSlipped(_ slip: LSTMChecks.LSTMSlip)
    -> @Sendable ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> (h: [Double], c: [Double])
{
    { x, h, c, wx, wh, b in
        let step = LSTMChecks.lstmStep(LSTMChecks.Case(x: x, h: h, c: c, wx: wx, wh: wh, bx: b, bh: []), slip)
        return (step.h, step.c)
    }
}

private func gruSlipped(_ slip: LSTMChecks.GRUSlip) -> @Sendable ([Double], [Double], [Double], [Double], [Double], [Double]) throws -> [Double] {
    { x, h, wx, wh, bx, bh in LSTMChecks.gruStep(LSTMChecks.Case(x: x, h: h, c: [], wx: wx, wh: wh, bx: bx, bh: bh), slip) }
}

/// 7.7 with the probabilities computed some other way.
private func sampler(_ probabilities: @escaping @Sendable ([Double], Double) -> [Double]) -> @Sendable ([Double], Double, Double) throws -> Int {
    { z, t, u in LSTMChecks.draw(probabilities(z, t), u) }
}

let lstmWrongAnswers: [LSTMWrongAnswer] = [
    LSTMWrongAnswer(.rnnStep, "forgets the tanh", hint: "apply tanh") {
        $0.rnnStep = { x, h, wx, wh, b in try solved.rnnStep(x, h, wx, wh, b).map { atanh($0) } }
    },
    LSTMWrongAnswer(.rnnStep, "leaves out the previous state", hint: "add W_h hₜ₋₁") {
        $0.rnnStep = { x, h, wx, wh, b in try solved.rnnStep(x, h.map { _ in 0 }, wx, wh, b) }
    },
    LSTMWrongAnswer(.rnnStep, "forgets the bias", hint: "add the bias") {
        $0.rnnStep = { x, h, wx, wh, b in try solved.rnnStep(x, h, wx, wh, b.map { _ in 0 }) }
    },
    LSTMWrongAnswer(.rnnStep, "reads W_x as F × H", hint: "row i starts at i·F") {
        $0.rnnStep = { x, h, wx, wh, b in
            let (f, n) = (x.count, b.count)
            let transposed = (0..<(n * f)).map { index in wx[(index % f) * n + index / f] }  // element (i, j) taken from j·H + i
            return try solved.rnnStep(x, h, transposed, wh, b)
        }
    },
    LSTMWrongAnswer(.rnnStepBackward, "takes tanh′ of the output again", hint: "tanh′ taken of the wrong value") {
        $0.rnnStepBackward = { x, hp, h, g, wx, wh in try solved.rnnStepBackward(x, hp, h.map { tanh($0) }, g, wx, wh) }
    },
    LSTMWrongAnswer(.rnnStepBackward, "forgets tanh′", hint: "multiply by tanh′") {
        $0.rnnStepBackward = { x, hp, h, g, wx, wh in try solved.rnnStepBackward(x, hp, h.map { _ in 0 }, g, wx, wh) }
    },
    LSTMWrongAnswer(.rnnStepBackward, "sends W_h da back instead of W_hᵀ da", hint: "(the transpose)") {
        $0.rnnStepBackward = { x, hp, h, g, wx, wh in
            let right = try solved.rnnStepBackward(x, hp, h, g, wx, wh)
            return (right.input, LSTMChecks.product(wh, right.bias), right.inputWeights, right.hiddenWeights, right.bias)
        }
    },
    LSTMWrongAnswer(.rnnBackwardThroughTime, "drops the gradient through hₜ₋₁", hint: "the gradient through hₜ₋₁ is dropped") {
        $0.rnnBackwardThroughTime = { xs, hs, h0, gs, wx, wh in
            var sums: LSTMChecks.BPTTGradients = (
                [Double](repeating: 0, count: wx.count), [Double](repeating: 0, count: wh.count), [Double](repeating: 0, count: h0.count), []
            )
            for t in xs.indices {
                let step = try solved.rnnStepBackward(xs[t], t > 0 ? hs[t - 1] : h0, hs[t], gs[t], wx, wh)  // each step alone
                sums.inputWeights = zip(sums.inputWeights, step.inputWeights).map(+)
                sums.hiddenWeights = zip(sums.hiddenWeights, step.hiddenWeights).map(+)
                sums.bias = zip(sums.bias, step.bias).map(+)
                if t == 0 { sums.h0 = step.hPrevious }
            }
            return sums
        }
    },
    LSTMWrongAnswer(.lstmStep, "stacks the gates [i | f | o | g]", hint: "the gate order") { $0.lstmStep = lstmSlipped(.gatesIFOG) },
    LSTMWrongAnswer(.lstmStep, "shows the cell without tanh", hint: "the cell goes through tanh before the output gate") {
        $0.lstmStep = lstmSlipped(.noTanhOnCell)
    },
    LSTMWrongAnswer(.lstmStep, "squashes the candidate with σ", hint: "uses tanh, not σ") { $0.lstmStep = lstmSlipped(.sigmoidCandidate) },
    LSTMWrongAnswer(.lstmStep, "writes σ(z) as exp(z) / (1 + exp(z))", hint: "an exp overflowed") { $0.lstmStep = lstmSlipped(.overflowingSigmoid) },
    LSTMWrongAnswer(.lstmStepBackward, "does not carry the cell's gradient", hint: "the cell state's gradient is not carried") {
        $0.lstmStepBackward = { x, h, c, wx, wh, b, dh, dc in try solved.lstmStepBackward(x, h, c, wx, wh, b, dh, dc.map { _ in 0 }) }
    },
    LSTMWrongAnswer(.lstmStepBackward, "takes tanh′(cₜ) as 1 − cₜ²", hint: "tanh′ taken of the wrong value") {
        $0.lstmStepBackward = { x, h, c, wx, wh, b, dh, dc in
            LSTMChecks.lstmBackward(LSTMChecks.Case(x: x, h: h, c: c, wx: wx, wh: wh, bx: b, bh: []), dh, dc, wrongTanh: true)
        }
    },
    LSTMWrongAnswer(.lstmStepBackward, "forgets the × f on the way to cₜ₋₁", hint: "the × f is missing") {
        $0.lstmStepBackward = { x, h, c, wx, wh, b, dh, dc in
            LSTMChecks.lstmBackward(LSTMChecks.Case(x: x, h: h, c: c, wx: wx, wh: wh, bx: b, bh: []), dh, dc, withoutForget: true)
        }
    },
    LSTMWrongAnswer(.gruStep, "resets before the product (the paper's GRU)", hint: "the paper's reset") { $0.gruStep = gruSlipped(.paperReset) },
    LSTMWrongAnswer(.gruStep, "swaps z and 1 − z", hint: "z and 1 − z are swapped") { $0.gruStep = gruSlipped(.swappedUpdate) },
    LSTMWrongAnswer(.gruStep, "adds b_hn outside the reset", hint: "b_hn is inside the reset") { $0.gruStep = gruSlipped(.resetOutsideBias) },
    LSTMWrongAnswer(.sampleWithTemperature, "multiplies by the temperature", hint: "divide the scores by T") {
        $0.sampleWithTemperature = sampler { z, t in softmax(z.map { $0 * t }) }
    },
    LSTMWrongAnswer(.sampleWithTemperature, "ignores the temperature", hint: "use the temperature") {
        $0.sampleWithTemperature = sampler { z, _ in softmax(z) }
    },
    LSTMWrongAnswer(.sampleWithTemperature, "takes the largest score", hint: "draw with u") {
        $0.sampleWithTemperature = { z, _, _ in z.indices.max { z[$0] < z[$1] }! }
    },
    LSTMWrongAnswer(.sampleWithTemperature, "exponentiates without subtracting the largest score", hint: "subtract the largest score") {
        $0.sampleWithTemperature = sampler { z, t in
            let e = z.map { exp($0 / t) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        }
    },
    LSTMWrongAnswer(.embeddingBackward, "overwrites a row instead of adding", hint: "add, do not overwrite") {
        $0.embeddingBackward = { tokens, g, v, d in
            var dE = [Double](repeating: 0, count: v * d)
            for (k, token) in tokens.enumerated() { for j in 0..<d { dE[token * d + j] = g[k * d + j] } }
            return dE
        }
    },
    LSTMWrongAnswer(.stackedRNN, "drops inside layer 1's recurrence too", hint: "layer 1's recurrence uses the undropped") {
        $0.stackedRNN = stackedSlip(.alsoInRecurrence)
    },
    LSTMWrongAnswer(.stackedRNN, "drops the top layer's outputs", hint: "nothing is dropped after the last layer") {
        $0.stackedRNN = stackedSlip(.afterTop)
    },
    LSTMWrongAnswer(.stackedRNN, "forgets the mask", hint: "the mask is missing") {
        $0.stackedRNN = stackedSlip(.nowhere)
    },
]

/// The stacked RNN with the mask in the wrong place, through the check's own reference.
private func stackedSlip(_ place: LSTMChecks.StackedCase.Place) -> StackedRNNAnswer {
    { x, wx1, wh1, b1, wx2, wh2, b2, mask in
        let c = LSTMChecks.StackedCase(x: x, wx1: wx1, wh1: wh1, b1: b1, wx2: wx2, wh2: wh2, b2: b2, mask: mask)
        let flat = c.reference(place)
        return (0..<x.count).map { Array(flat[($0 * b2.count)..<(($0 + 1) * b2.count)]) }
    }
}
