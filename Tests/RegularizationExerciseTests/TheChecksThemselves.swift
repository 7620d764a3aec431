import ExerciseSupport
import ExerciseTesting
import Foundation
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake.

@Suite("Chapter 5 · Regularization · the checks themselves")
struct RegularizationCheckTests {
    @Test("the worked solutions pass every check", arguments: RegularizationExercise.allCases)
    func solutionsPass(_ exercise: RegularizationExercise) {
        RegularizationAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: RegularizationExercise.allCases)
    func stubsAreNotAttempted(_ exercise: RegularizationExercise) {
        RegularizationAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Regularization", arguments: RegularizationExercise.allCases)
    func exerciseIsDeclared(_ exercise: RegularizationExercise) throws {
        try RegularizationAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: regularizationWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: RegularizationWrongAnswer) {
        wrong.expectRejected(among: regularizationWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias RegularizationWrongAnswer = ExerciseTesting.WrongAnswer<RegularizationAnswers>

private let solved = RegularizationAnswers.solutions

/// Column means and variances divided by `divisor(N)`.
private func statistics(_ batch: [[Double]], divisor: (Double) -> Double) -> (mean: [Double], variance: [Double]) {
    let n = Double(batch.count)
    let means = batch[0].indices.map { j in batch.map { $0[j] }.reduce(0, +) / n }
    let variances = batch[0].indices.map { j in batch.map { ($0[j] - means[j]) * ($0[j] - means[j]) }.reduce(0, +) / divisor(n) }
    return (means, variances)
}

let regularizationWrongAnswers: [RegularizationWrongAnswer] = [
    RegularizationWrongAnswer(.dropoutForward, "returns the draws as the mask", hint: "not the draws themselves") {
        $0.dropoutForward = { x, draws, rate in (try RegularizationAnswers.solutions.dropoutForward(x, draws, rate).output, draws) }
    },
    RegularizationWrongAnswer(.earlyStoppingEpochs, "counts epochs from 0", hint: "epochs count from 1") {
        $0.earlyStoppingEpochs = { losses, patience, minimum in
            let right = try RegularizationAnswers.solutions.earlyStoppingEpochs(losses, patience, minimum)
            return (right.stopAfter.map { $0 - 1 }, right.keep - 1)
        }
    },
    RegularizationWrongAnswer(.l2Penalty, "computes L1, λ Σ |w|", hint: "that is L1") {
        $0.l2Penalty = { w, lambda in (w.map { lambda * abs($0) }.reduce(0, +), w.map { lambda * ($0 > 0 ? 1 : $0 < 0 ? -1 : 0) }) }
    },
    RegularizationWrongAnswer(.batchNormForward, "leaves out ε", hint: "√(σ²ⱼ + ε)") {
        $0.batchNormForward = { b, gamma, beta, mean, variance, momentum, _, training in
            try RegularizationAnswers.solutions.batchNormForward(b, gamma, beta, mean, variance, momentum, 0, training)
        }
    },
    RegularizationWrongAnswer(.batchNormBackward, "forgets γ in ∂L/∂x", hint: "γⱼ/(N √(σ²ⱼ + ε))") {
        $0.batchNormBackward = { b, upstream, gamma, epsilon in
            let right = try RegularizationAnswers.solutions.batchNormBackward(b, upstream, gamma, epsilon)
            let ones = try RegularizationAnswers.solutions.batchNormBackward(b, upstream, gamma.map { _ in 1 }, epsilon)
            return (ones.input, right.gamma, right.beta)
        }
    },
    RegularizationWrongAnswer(.l2Penalty, "forgets the ½", hint: "the penalty is (λ/2) Σ w²") {
        $0.l2Penalty = { w, lambda in (w.map { lambda * $0 * $0 }.reduce(0, +), w.map { lambda * $0 }) }
    },
    RegularizationWrongAnswer(.l2Penalty, "gradient 2λw", hint: "not 2λw") {
        $0.l2Penalty = { w, lambda in (try solved.l2Penalty(w, lambda).penalty, w.map { 2 * lambda * $0 }) }
    },
    RegularizationWrongAnswer(.dropoutForward, "does not scale the survivors", hint: "scale the survivors by 1/(1 − rate)") {
        $0.dropoutForward = { x, draws, rate in
            let mask = draws.map { $0 < rate ? 0.0 : 1 }
            return (zip(x, mask).map(*), mask)
        }
    },
    RegularizationWrongAnswer(.dropoutForward, "scales by (1 − rate)", hint: "not by (1 − rate)") {
        $0.dropoutForward = { x, draws, rate in
            let mask = draws.map { $0 < rate ? 0 : 1 - rate }
            return (zip(x, mask).map(*), mask)
        }
    },
    RegularizationWrongAnswer(.dropoutForward, "keeps the values it should drop", hint: "drop a value when its draw is below the rate") {
        $0.dropoutForward = { x, draws, rate in
            let mask = draws.map { $0 < rate ? 1 / (1 - rate) : 0 }
            return (zip(x, mask).map(*), mask)
        }
    },
    RegularizationWrongAnswer(.dropoutForward, "backward ignores the mask", hint: "upstream ⊙ mask") {
        $0.dropoutBackward = { upstream, _ in upstream }
    },
    RegularizationWrongAnswer(.batchNormForward, "uses the N − 1 variance", hint: "not N − 1") {
        $0.batchNormForward = { batch, gamma, beta, runningMean, runningVariance, momentum, epsilon, training in
            guard training else { return try solved.batchNormForward(batch, gamma, beta, runningMean, runningVariance, momentum, epsilon, false) }
            let (means, variances) = statistics(batch) { $0 - 1 }
            return try solved.batchNormForward(batch, gamma, beta, means, variances, momentum, epsilon, false)
        }
    },
    RegularizationWrongAnswer(.batchNormForward, "uses the batch statistics at inference", hint: "use the running mean and variance") {
        $0.batchNormForward = { batch, gamma, beta, runningMean, runningVariance, momentum, epsilon, _ in
            let trained = try solved.batchNormForward(batch, gamma, beta, runningMean, runningVariance, momentum, epsilon, true)
            return (trained.output, runningMean, runningVariance)
        }
    },
    RegularizationWrongAnswer(.batchNormForward, "weights the running average the wrong way", hint: "momentum · running + (1 − momentum) · batch") {
        $0.batchNormForward = { batch, gamma, beta, runningMean, runningVariance, momentum, epsilon, training in
            try solved.batchNormForward(batch, gamma, beta, runningMean, runningVariance, 1 - momentum, epsilon, training)
        }
    },
    RegularizationWrongAnswer(.batchNormBackward, "treats μ and σ² as constants", hint: "every xᵢ also moves them") {
        $0.batchNormBackward = { batch, upstream, gamma, epsilon in
            let right = try solved.batchNormBackward(batch, upstream, gamma, epsilon)
            let (_, variances) = statistics(batch) { $0 }
            let input = upstream.map { row in row.indices.map { j in gamma[j] * row[j] / (variances[j] + epsilon).squareRoot() } }
            return (input, right.gamma, right.beta)
        }
    },
    RegularizationWrongAnswer(.batchNormBackward, "∂L/∂γ with x instead of x̂", hint: "not x") {
        $0.batchNormBackward = { batch, upstream, gamma, epsilon in
            let right = try solved.batchNormBackward(batch, upstream, gamma, epsilon)
            let dGamma = gamma.indices.map { j in batch.indices.map { upstream[$0][j] * batch[$0][j] }.reduce(0, +) }
            return (right.input, dGamma, right.beta)
        }
    },
    RegularizationWrongAnswer(.earlyStoppingEpochs, "ignores the minimum improvement", hint: "more than the minimum improvement") {
        $0.earlyStoppingEpochs = { losses, patience, _ in try solved.earlyStoppingEpochs(losses, patience, 0) }
    },
    RegularizationWrongAnswer(.earlyStoppingEpochs, "keeps the last epoch", hint: "not the last one") {
        $0.earlyStoppingEpochs = { losses, patience, minimum in
            let right = try solved.earlyStoppingEpochs(losses, patience, minimum)
            return (right.stopAfter, right.stopAfter ?? losses.count)
        }
    },
    RegularizationWrongAnswer(.earlyStoppingEpochs, "waits one epoch too many", hint: "reaches patience") {
        $0.earlyStoppingEpochs = { losses, patience, minimum in try solved.earlyStoppingEpochs(losses, patience + 1, minimum) }
    },
]
