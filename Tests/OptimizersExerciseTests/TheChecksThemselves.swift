import ExerciseSupport
import ExerciseTesting
import Foundation
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake.

@Suite("Chapter 4 · Optimizers · the checks themselves")
struct OptimizersCheckTests {
    @Test("the worked solutions pass every check", arguments: OptimizersExercise.allCases)
    func solutionsPass(_ exercise: OptimizersExercise) {
        OptimizersAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: OptimizersExercise.allCases)
    func stubsAreNotAttempted(_ exercise: OptimizersExercise) {
        OptimizersAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Optimizers", arguments: OptimizersExercise.allCases)
    func exerciseIsDeclared(_ exercise: OptimizersExercise) throws {
        try OptimizersAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: optimizersWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: OptimizersWrongAnswer) {
        wrong.expectRejected(among: optimizersWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias OptimizersWrongAnswer = ExerciseTesting.WrongAnswer<OptimizersAnswers>

private let solved = OptimizersAnswers.solutions

let optimizersWrongAnswers: [OptimizersWrongAnswer] = [
    OptimizersWrongAnswer(.adamStep, "averages g² into m and g into v", hint: "m, v updated first") {
        $0.adamStep = { theta, g, m, v, t, rate, beta1, beta2, epsilon in
            let newM = zip(m, g).map { beta1 * $0 + (1 - beta1) * $1 * $1 }
            let newV = zip(v, g).map { beta2 * $0 + (1 - beta2) * $1 }
            let (c1, c2) = (1 - pow(beta1, Double(t)), 1 - pow(beta2, Double(t)))
            return (theta.indices.map { theta[$0] - rate * (newM[$0] / c1) / ((abs(newV[$0]) / c2).squareRoot() + epsilon) }, newM, newV)
        }
    },
    OptimizersWrongAnswer(.momentumStep, "moves θ with the old velocity", hint: "with the new v") {
        $0.momentumStep = { theta, g, v, rate, beta in (zip(theta, v).map(+), try solved.momentumStep(theta, g, v, rate, beta).velocity) }
    },
    OptimizersWrongAnswer(.rmspropStep, "returns the old s", hint: "s ← ρs + (1 − ρ)g²") {
        $0.rmspropStep = { theta, g, s, rate, rho, epsilon in (try solved.rmspropStep(theta, g, s, rate, rho, epsilon).parameters, s) }
    },
    OptimizersWrongAnswer(.cosineAnnealing, "uses sin instead of cos", hint: "(1 + cos(π · min(t, T)/T))") {
        $0.cosineAnnealing = { initial, minimum, epoch, period in
            minimum + 0.5 * (initial - minimum) * (1 + sin(Double.pi * Double(min(epoch, period)) / Double(period)))
        }
    },
    OptimizersWrongAnswer(.clipByGlobalNorm, "measures the L1 norm, Σ|g|", hint: "maxNorm / ‖g‖") {
        $0.clipByGlobalNorm = { gradients, maxNorm in
            let norm = gradients.flatMap { $0 }.map(abs).reduce(0, +)
            return norm > maxNorm ? gradients.map { $0.map { $0 * maxNorm / norm } } : gradients
        }
    },
    OptimizersWrongAnswer(.momentumStep, "uses the exponential-average form", hint: "exponential-average form") {
        $0.momentumStep = { theta, g, v, rate, beta in
            let newV = zip(v, g).map { beta * $0 + (1 - beta) * $1 }
            return (zip(theta, newV).map { $0 - rate * $1 }, newV)
        }
    },
    OptimizersWrongAnswer(.momentumStep, "returns the old velocity", hint: "return the new velocity") {
        $0.momentumStep = { theta, g, v, rate, beta in (try solved.momentumStep(theta, g, v, rate, beta).parameters, v) }
    },
    OptimizersWrongAnswer(.momentumStep, "adds ηg to the velocity", hint: "uphill") {
        $0.momentumStep = { theta, g, v, rate, beta in try solved.momentumStep(theta, g, v, -rate, beta) }
    },
    OptimizersWrongAnswer(.rmspropStep, "forgets the square root", hint: "square root") {
        $0.rmspropStep = { theta, g, s, rate, rho, epsilon in
            let newS = zip(s, g).map { rho * $0 + (1 - rho) * $1 * $1 }
            return (theta.indices.map { theta[$0] - rate * g[$0] / (newS[$0] + epsilon) }, newS)
        }
    },
    OptimizersWrongAnswer(.rmspropStep, "drops the (1 − ρ)", hint: "(1 − ρ)") {
        $0.rmspropStep = { theta, g, s, rate, rho, epsilon in
            let newS = zip(s, g).map { rho * $0 + $1 * $1 }
            return (theta.indices.map { theta[$0] - rate * g[$0] / (newS[$0].squareRoot() + epsilon) }, newS)
        }
    },
    OptimizersWrongAnswer(.rmspropStep, "uses s before updating it", hint: "update s first") {
        $0.rmspropStep = { theta, g, s, rate, rho, epsilon in
            let stepped = theta.indices.map { theta[$0] - rate * g[$0] / (s[$0].squareRoot() + epsilon) }
            return (stepped, zip(s, g).map { rho * $0 + (1 - rho) * $1 * $1 })
        }
    },
    OptimizersWrongAnswer(.adamStep, "skips the bias correction", hint: "not bias-corrected") {
        $0.adamStep = { theta, g, m, v, _, rate, beta1, beta2, epsilon in
            let newM = zip(m, g).map { beta1 * $0 + (1 - beta1) * $1 }
            let newV = zip(v, g).map { beta2 * $0 + (1 - beta2) * $1 * $1 }
            return (theta.indices.map { theta[$0] - rate * newM[$0] / (newV[$0].squareRoot() + epsilon) }, newM, newV)
        }
    },
    OptimizersWrongAnswer(.adamStep, "corrects m but not v", hint: "v needs its correction too") {
        $0.adamStep = { theta, g, m, v, t, rate, beta1, beta2, epsilon in
            let newM = zip(m, g).map { beta1 * $0 + (1 - beta1) * $1 }
            let newV = zip(v, g).map { beta2 * $0 + (1 - beta2) * $1 * $1 }
            let c1 = 1 - pow(beta1, Double(t))
            return (theta.indices.map { theta[$0] - rate * (newM[$0] / c1) / (newV[$0].squareRoot() + epsilon) }, newM, newV)
        }
    },
    OptimizersWrongAnswer(.adamStep, "counts t from 0", hint: "the first step is t = 1") {
        $0.adamStep = { theta, g, m, v, t, rate, beta1, beta2, epsilon in try solved.adamStep(theta, g, m, v, t - 1, rate, beta1, beta2, epsilon) }
    },
    OptimizersWrongAnswer(.adamStep, "uses t + 1", hint: "not t + 1") {
        $0.adamStep = { theta, g, m, v, t, rate, beta1, beta2, epsilon in try solved.adamStep(theta, g, m, v, t + 1, rate, beta1, beta2, epsilon) }
    },
    OptimizersWrongAnswer(.cosineAnnealing, "ends at 0 instead of η_min", hint: "ends at η_min") {
        $0.cosineAnnealing = { initial, _, epoch, period in try solved.cosineAnnealing(initial, 0, epoch, period) }
    },
    OptimizersWrongAnswer(.cosineAnnealing, "keeps going after the period", hint: "min(t, T)") {
        $0.cosineAnnealing = { initial, minimum, epoch, period in
            minimum + 0.5 * (initial - minimum) * (1 + cos(Double.pi * Double(epoch) / Double(period)))
        }
    },
    OptimizersWrongAnswer(.cosineAnnealing, "divides Ints", hint: "convert to Double first") {
        $0.cosineAnnealing = { initial, minimum, epoch, period in
            minimum + 0.5 * (initial - minimum) * (1 + cos(Double.pi * Double(min(epoch, period) / period)))
        }
    },
    OptimizersWrongAnswer(.clipByGlobalNorm, "clips each array by its own norm", hint: "one factor for all arrays") {
        $0.clipByGlobalNorm = { gradients, maxNorm in try gradients.map { try solved.clipByGlobalNorm([$0], maxNorm)[0] } }
    },
    OptimizersWrongAnswer(.clipByGlobalNorm, "always rescales to maxNorm", hint: "returned unchanged") {
        $0.clipByGlobalNorm = { gradients, maxNorm in
            let norm = gradients.flatMap { $0 }.map { $0 * $0 }.reduce(0, +).squareRoot()
            return gradients.map { $0.map { $0 * maxNorm / norm } }
        }
    },
    OptimizersWrongAnswer(.clipByGlobalNorm, "never clips", hint: "scale it by maxNorm / ‖g‖") {
        $0.clipByGlobalNorm = { gradients, _ in gradients }
    },
    // 4.6: each slip written out from the worked answer's loop.
    OptimizersWrongAnswer(.reduceOnPlateau, "cuts after `patience` bad epochs (Keras's rule)", hint: "not after `patience` of them") {
        $0.reduceOnPlateau = plateauSlip(atPatience: true)
    },
    OptimizersWrongAnswer(.reduceOnPlateau, "applies the cut to the epoch that caused it", hint: "a cut applies from the next epoch on") {
        $0.reduceOnPlateau = plateauSlip(sameEpoch: true)
    },
    OptimizersWrongAnswer(.reduceOnPlateau, "keeps counting after a cut", hint: "starts again from 0") {
        $0.reduceOnPlateau = plateauSlip(noReset: true)
    },
    OptimizersWrongAnswer(.reduceOnPlateau, "takes the threshold as absolute", hint: "the threshold is relative") {
        $0.reduceOnPlateau = plateauSlip(absolute: true)
    },
]

/// Reduce-on-plateau with one rule changed: the check's own slip, as an answer.
private func plateauSlip(atPatience: Bool = false, absolute: Bool = false, noReset: Bool = false, sameEpoch: Bool = false)
    -> @Sendable ([Double], Double, Double, Int, Double) throws -> [Double]
{
    { OptimizersChecks.plateauRates($0, $1, $2, $3, $4, atPatience: atPatience, absolute: absolute, noReset: noReset, sameEpoch: sameEpoch) }
}
