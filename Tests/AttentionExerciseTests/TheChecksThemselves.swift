import Activations
import Attention
import ExerciseSupport
import ExerciseTesting
import Foundation
import LinearAlgebra
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake.

@Suite("Chapter 8 · Attention · the checks themselves")
struct AttentionCheckTests {
    @Test("the worked solutions pass every check", arguments: AttentionExercise.allCases)
    func solutionsPass(_ exercise: AttentionExercise) {
        AttentionAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: AttentionExercise.allCases)
    func stubsAreNotAttempted(_ exercise: AttentionExercise) {
        AttentionAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Attention", arguments: AttentionExercise.allCases)
    func exerciseIsDeclared(_ exercise: AttentionExercise) throws {
        try AttentionAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: attentionWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: AttentionWrongAnswer) {
        wrong.expectRejected(among: attentionWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias AttentionWrongAnswer = ExerciseTesting.WrongAnswer<AttentionAnswers>

private let solved = AttentionAnswers.solutions

private func slipped(_ slip: AttentionExerciseChecks.Slip) -> AttentionForwardAnswer {
    { q, k, v, dk, dv, allowed in AttentionExerciseChecks.slipped(AttentionExerciseChecks.Case(q: q, k: k, v: v, dk: dk, dv: dv, allowed: allowed), slip) }
}

let attentionWrongAnswers: [AttentionWrongAnswer] = [
    AttentionWrongAnswer(.attentionForward, "forgets 1/√d_k", hint: "missing 1/√d_k") { $0.attentionForward = slipped(.noScale) },
    AttentionWrongAnswer(.attentionForward, "masks after the softmax", hint: "the mask is applied after the softmax") {
        $0.attentionForward = slipped(.maskAfterSoftmax)
    },
    AttentionWrongAnswer(.attentionForward, "normalizes over the queries", hint: "over the wrong axis") { $0.attentionForward = slipped(.softmaxOverQueries) },
    AttentionWrongAnswer(.attentionForward, "exponentiates without subtracting the row's largest score", hint: "subtract each row's largest score before exp") {
        $0.attentionForward = slipped(.unshiftedExp)
    },
    AttentionWrongAnswer(.attentionBackward, "forgets 1/√d_k in ∂L/∂Q and ∂L/∂K", hint: "missing 1/√d_k") {
        $0.attentionBackward = { g, q, k, v, a, dk, dv in
            let right = try solved.attentionBackward(g, q, k, v, a, dk, dv)
            let s = Double(dk).squareRoot()
            return (right.queries.map { $0 * s }, right.keys.map { $0 * s }, right.values)
        }
    },
    AttentionWrongAnswer(.attentionBackward, "drops the softmax's row sum", hint: "the row sum subtracted") {
        $0.attentionBackward = { g, q, k, v, a, dk, dv in
            let (tq, tk) = (q.count / dk, k.count / dk)
            let dA = matmul(Matrix(rows: tq, columns: dv, values: g), Matrix(rows: tk, columns: dv, values: v).transposed)
            let dS = Matrix(rows: tq, columns: tk, values: zip(a, dA.values).map { $0 * $1 / Double(dk).squareRoot() })
            let right = try solved.attentionBackward(g, q, k, v, a, dk, dv)
            return (
                matmul(dS, Matrix(rows: tk, columns: dk, values: k)).values, matmul(dS.transposed, Matrix(rows: tq, columns: dk, values: q)).values,
                right.values
            )
        }
    },
    AttentionWrongAnswer(.causalMask, "masks the past instead of the future", hint: "the lower triangle") {
        $0.causalMask = { t in (0..<(t * t)).map { $0 % t >= $0 / t } }
    },
    AttentionWrongAnswer(.causalMask, "hides the diagonal", hint: "a position may see itself") {
        $0.causalMask = { t in (0..<(t * t)).map { $0 % t < $0 / t } }
    },
    AttentionWrongAnswer(.splitHeads, "takes every h-th column", hint: "not every h-th column") {
        $0.splitHeads = { x, t, h in
            let d = x.count / t, dh = d / h
            return (0..<x.count).map { index in x[(index / dh % t) * d + (index % dh) * h + index / (t * dh)] }
        }
    },
    AttentionWrongAnswer(.positionalEncoding, "uses k/d for the exponent", hint: "both features of a pair share one rate") {
        $0.positionalEncoding = { positions, features in
            (0..<(positions * features)).map { index in
                let (p, k) = (index / features, index % features)
                let angle = Double(p) / pow(10000, Double(k) / Double(features))
                return k % 2 == 0 ? sin(angle) : cos(angle)
            }
        }
    },
    AttentionWrongAnswer(.positionalEncoding, "puts cos on the even features", hint: "sin goes on the even features") {
        $0.positionalEncoding = { positions, features in
            (0..<(positions * features)).map { index in
                let (p, k) = (index / features, index % features)
                let angle = Double(p) / pow(10000, Double(2 * (k / 2)) / Double(features))
                return k % 2 == 0 ? cos(angle) : sin(angle)
            }
        }
    },
    AttentionWrongAnswer(.layerNormForward, "divides the variance by d − 1", hint: "not d − 1") {
        $0.layerNormForward = { x, d, gamma, beta, epsilon in
            try solved.layerNormForward(x, d, gamma.map { $0 * (Double(d - 1) / Double(d)).squareRoot() }, beta, epsilon)
        }
    },
    AttentionWrongAnswer(.layerNormForward, "treats μ and σ as constants in the backward pass", hint: "μ and σ depend on x too") {
        $0.layerNormBackward = { g, x, d, gamma, epsilon in
            let right = try solved.layerNormBackward(g, x, d, gamma, epsilon)
            let input = (0..<x.count).map { index -> Double in
                let row = Array(x[(index / d * d)..<(index / d * d + d)])
                let mean = row.reduce(0, +) / Double(d)
                let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
                return g[index] * gamma[index % d] / (variance + epsilon).squareRoot()
            }
            return (input, right.scale, right.shift)
        }
    },
    AttentionWrongAnswer(.attentionPoolingBackward, "forgets that hⱼ moves its own score", hint: "hⱼ also moves its own score") {
        $0.attentionPoolingBackward = { states, w, b, v, g in
            let right = try solved.attentionPoolingBackward(states, w, b, v, g)
            let (h, a) = (states[0].count, b.count)
            let t = states.map { s in (0..<a).map { i in tanh((0..<h).reduce(b[i]) { $0 + w[i * h + $1] * s[$1] }) } }
            let e = t.map { zip(v, $0).reduce(0) { $0 + $1.0 * $1.1 } }
            let exps = e.map { exp($0 - e.max()!) }
            let alpha = exps.map { $0 / exps.reduce(0, +) }
            return (states.indices.map { j in g.map { alpha[j] * $0 } }, right.weights, right.bias, right.scorer)
        }
    },
    AttentionWrongAnswer(.attentionPoolingBackward, "drops the softmax Jacobian's mean", hint: "the softmax's Jacobian") {
        $0.attentionPoolingBackward = { states, w, b, v, g in
            let right = try solved.attentionPoolingBackward(states, w, b, v, g)
            let c = AttentionExerciseChecks.PoolingCase(states: states, w: w, b: b, v: v, g: g)
            let slip = AttentionExerciseChecks.noSoftmaxJacobian(c)
            return (right.states, slip.w, right.bias, slip.v)
        }
    },
    AttentionWrongAnswer(.attentionPoolingBackward, "forgets tanh's derivative", hint: "tanh's derivative") {
        $0.attentionPoolingBackward = { states, w, b, v, g in
            let right = try solved.attentionPoolingBackward(states, w, b, v, g)
            return (
                right.states, AttentionExerciseChecks.withoutTanhDerivative(AttentionExerciseChecks.PoolingCase(states: states, w: w, b: b, v: v, g: g)),
                right.bias, right.scorer
            )
        }
    },
]
