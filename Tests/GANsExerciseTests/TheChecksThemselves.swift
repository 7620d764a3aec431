import ExerciseSupport
import ExerciseTesting
import Foundation
import GANs
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake (and with no other mistake's hint).

@Suite("Chapter 10 · GANs · the checks themselves")
struct GANsCheckTests {
    @Test("the worked solutions pass every check", arguments: GANsExercise.allCases)
    func solutionsPass(_ exercise: GANsExercise) {
        GANsAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: GANsExercise.allCases)
    func stubsAreNotAttempted(_ exercise: GANsExercise) {
        GANsAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/GANs", arguments: GANsExercise.allCases)
    func exerciseIsDeclared(_ exercise: GANsExercise) throws {
        try GANsAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: gansWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: GANsWrongAnswer) {
        wrong.expectRejected(among: gansWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias GANsWrongAnswer = ExerciseTesting.WrongAnswer<GANsAnswers>

private let solved = GANsAnswers.solutions

private func sigma(_ t: Double) -> Double { 1 / (1 + exp(-t)) }

/// A D step with SGD written out, given the targets, whether the generated half counts, and
/// whether G is (wrongly) updated too.
private func dStep(realTarget: Double = 1, fakeTarget: Double = 0, withFake: Bool = true, updatesG: Bool = false) -> DiscriminatorStepAnswer {
    { real, noise, a, c, w, b, rate in
        let (d, k) = (c.count, noise[0].count)
        let fake = noise.map { z in (0..<d).map { i in c[i] + (0..<k).reduce(0) { $0 + a[i * k + $1] * z[$1] } } }
        var dw = [Double](repeating: 0, count: d), db = 0.0
        var dA = [Double](repeating: 0, count: d * k), dc = [Double](repeating: 0, count: d)
        for x in real {
            let g = (sigma(b + zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }) - realTarget) / Double(real.count)
            for i in 0..<d { dw[i] += g * x[i] }
            db += g
        }
        if withFake {
            for (x, z) in zip(fake, noise) {
                let g = (sigma(b + zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }) - fakeTarget) / Double(fake.count)
                for i in 0..<d {
                    dw[i] += g * x[i]
                    for j in 0..<k { dA[i * k + j] += g * w[i] * z[j] }  // through x_fake into G: not detached
                    dc[i] += g * w[i]
                }
                db += g
            }
        }
        let newA = updatesG ? (0..<(d * k)).map { a[$0] - rate * dA[$0] } : a
        let newC = updatesG ? (0..<d).map { c[$0] - rate * dc[$0] } : c
        return (newA, newC, (0..<d).map { w[$0] - rate * dw[$0] }, b - rate * db)
    }
}

let gansWrongAnswers: [GANsWrongAnswer] = [
    // 10.1
    GANsWrongAnswer(.discriminatorLoss, "swaps the labels", hint: "the labels are swapped") {
        $0.discriminatorLoss = { r, f in
            // BCE(t, 0) = BCE(−t, 1): the real logits scored against 0 and the generated against 1.
            let swappedLoss = try solved.discriminatorLoss(f.map { -$0 }, r.map { -$0 }).loss
            return (swappedLoss, r.map { sigma($0) / Double(r.count) }, f.map { (sigma($0) - 1) / Double(f.count) })
        }
    },
    GANsWrongAnswer(.discriminatorLoss, "sums each batch instead of averaging", hint: "a sum where each batch's loss is a mean") {
        $0.discriminatorLoss = { r, f in
            let right = try solved.discriminatorLoss(r, f)
            let realLoss = r.reduce(0) { $0 + max($1, 0) - $1 + log(1 + exp(-abs($1))) }
            let fakeLoss = f.reduce(0) { $0 + max($1, 0) + log(1 + exp(-abs($1))) }
            return (realLoss + fakeLoss, right.realGradient, right.fakeGradient)
        }
    },
    GANsWrongAnswer(.discriminatorLoss, "leaves the generated batch out", hint: "the generated batch's half of the loss is missing") {
        $0.discriminatorLoss = { r, f in
            let right = try solved.discriminatorLoss(r, f)
            return (r.reduce(0) { $0 + max($1, 0) - $1 + log(1 + exp(-abs($1))) } / Double(r.count), right.realGradient, right.fakeGradient)
        }
    },
    GANsWrongAnswer(.discriminatorLoss, "takes log σ(t) as written", hint: "log σ(t) took log 0") {
        $0.discriminatorLoss = { r, f in
            let right = try solved.discriminatorLoss(r, f)
            let loss = -r.reduce(0) { $0 + log(sigma($1)) } / Double(r.count) - f.reduce(0) { $0 + log(1 - sigma($1)) } / Double(f.count)
            return (loss, right.realGradient, right.fakeGradient)
        }
    },
    // 10.2 and 10.3
    GANsWrongAnswer(.nonSaturatingGeneratorLoss, "minimizes log(1 − D) where −log D was asked", hint: "log(1 − D(G(z))) minimized is the minimax loss") {
        $0.nonSaturatingGeneratorLoss = { try solved.minimaxGeneratorLoss($0) }
    },
    GANsWrongAnswer(.nonSaturatingGeneratorLoss, "flips the sign", hint: "the sign: G minimizes this loss") {
        $0.nonSaturatingGeneratorLoss = { t in
            let right = try solved.nonSaturatingGeneratorLoss(t)
            return (-right.loss, right.gradient.map { -$0 })
        }
    },
    GANsWrongAnswer(.nonSaturatingGeneratorLoss, "takes log σ(t) as written", hint: "never take log σ(t)") {
        $0.nonSaturatingGeneratorLoss = { t in
            let right = try solved.nonSaturatingGeneratorLoss(t)
            return (-t.reduce(0) { $0 + log(sigma($1)) } / Double(t.count), right.gradient)
        }
    },
    GANsWrongAnswer(.minimaxGeneratorLoss, "uses −log D instead", hint: "−log D(G(z)) is the non-saturating loss") {
        $0.minimaxGeneratorLoss = { try solved.nonSaturatingGeneratorLoss($0) }
    },
    GANsWrongAnswer(.minimaxGeneratorLoss, "maximizes log(1 − D)", hint: "the sign: G minimizes this loss") {
        $0.minimaxGeneratorLoss = { t in
            let right = try solved.minimaxGeneratorLoss(t)
            return (-right.loss, right.gradient.map { -$0 })
        }
    },
    // 10.4
    GANsWrongAnswer(.discriminatorStep, "lets D's gradient flow into G (the generated batch not detached)", hint: "the generated batch is data in D's step") {
        $0.discriminatorStep = dStep(updatesG: true)
    },
    GANsWrongAnswer(.discriminatorStep, "swaps the labels", hint: "the labels are swapped") { $0.discriminatorStep = dStep(realTarget: 0, fakeTarget: 1) },
    GANsWrongAnswer(.discriminatorStep, "trains D on the real batch only", hint: "the generated batch's half of the gradient is missing") {
        $0.discriminatorStep = dStep(withFake: false)
    },
    // 10.5
    GANsWrongAnswer(.generatorStep, "updates D in G's step", hint: "G's step updated D") {
        $0.generatorStep = { z, a, c, w, b, rate in
            let right = try solved.generatorStep(z, a, c, w, b, rate)
            let (d, k, m) = (c.count, z[0].count, Double(z.count))
            var dw = [Double](repeating: 0, count: d), db = 0.0
            for row in z {
                let x = (0..<d).map { i in c[i] + (0..<k).reduce(0) { $0 + a[i * k + $1] * row[$1] } }
                let dt = -(1 - sigma(b + zip(w, x).reduce(0) { $0 + $1.0 * $1.1 })) / m
                for i in 0..<d { dw[i] += dt * x[i] }
                db += dt
            }
            return (right.generatorWeights, right.generatorBias, (0..<d).map { w[$0] - rate * dw[$0] }, b - rate * db)
        }
    },
    GANsWrongAnswer(.generatorStep, "steps on the minimax loss", hint: "log(1 − D(G(z))) minimized is the minimax loss") {
        $0.generatorStep = { z, a, c, w, b, rate in
            let (d, k, m) = (c.count, z[0].count, Double(z.count))
            var dA = [Double](repeating: 0, count: d * k), dc = [Double](repeating: 0, count: d)
            for row in z {
                let x = (0..<d).map { i in c[i] + (0..<k).reduce(0) { $0 + a[i * k + $1] * row[$1] } }
                let dt = -sigma(b + zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }) / m
                for i in 0..<d {
                    for j in 0..<k { dA[i * k + j] += dt * w[i] * row[j] }
                    dc[i] += dt * w[i]
                }
            }
            return ((0..<(d * k)).map { a[$0] - rate * dA[$0] }, (0..<d).map { c[$0] - rate * dc[$0] }, w, b)
        }
    },
    // 10.6
    GANsWrongAnswer(.batchNorm2DForward, "takes the statistics across the channels", hint: "one mean and variance per channel") {
        $0.batchNorm2DForward = { x, n, c, h, w, gamma, beta, e in
            GANsExerciseChecks.overChannels(.init(x: x, batch: n, channels: c, height: h, width: w, gamma: gamma, beta: beta, epsilon: e))
        }
    },
    GANsWrongAnswer(.batchNorm2DForward, "divides the variance by M − 1", hint: "the variance is the biased one") {
        $0.batchNorm2DForward = { x, n, c, h, w, gamma, beta, e in
            GANsExerciseChecks.unbiasedForward(.init(x: x, batch: n, channels: c, height: h, width: w, gamma: gamma, beta: beta, epsilon: e))
        }
    },
    GANsWrongAnswer(.batchNorm2DForward, "treats the statistics as constants in the backward pass", hint: "every x moves the channel's mean and variance") {
        $0.batchNorm2DBackward = { g, x, n, c, h, w, gamma, e in
            let right = try solved.batchNorm2DBackward(g, x, n, c, h, w, gamma, e)
            let plain = GANsExerciseChecks.plainScaling(.init(x: x, batch: n, channels: c, height: h, width: w, gamma: gamma, beta: [], epsilon: e), g)
            return (plain, right.gamma, right.beta)
        }
    },
    // 10.7
    GANsWrongAnswer(.modesCovered, "uses σ where 3σ was asked", hint: "within 3σ of the nearest centre, not σ") {
        $0.modesCovered = { p, centres, spread in try solved.modesCovered(p, centres, spread / 3) }
    },
    GANsWrongAnswer(.modesCovered, "counts a mode with one point", hint: "a mode needs count/(4K) high-quality points") {
        $0.modesCovered = { p, centres, spread in
            let right = try solved.modesCovered(p, centres, spread)
            let hit = Set(
                p.compactMap { q -> Int? in
                    let d = centres.map { (($0[0] - q[0]) * ($0[0] - q[0]) + ($0[1] - q[1]) * ($0[1] - q[1])).squareRoot() }
                    let k = d.indices.min { d[$0] < d[$1] }!
                    return d[k] <= 3 * spread ? k : nil
                })
            return (hit.count, right.highQuality)
        }
    },
    GANsWrongAnswer(.modesCovered, "counts every point at its nearest mode", hint: "only high-quality points count towards a mode") {
        $0.modesCovered = { p, centres, spread in
            let right = try solved.modesCovered(p, centres, spread)
            var counts = [Int](repeating: 0, count: centres.count)
            for q in p {
                let d = centres.map { ($0[0] - q[0]) * ($0[0] - q[0]) + ($0[1] - q[1]) * ($0[1] - q[1]) }
                counts[d.indices.min { d[$0] < d[$1] }!] += 1
            }
            return (counts.filter { Double($0) >= Double(p.count) / Double(4 * centres.count) }.count, right.highQuality)
        }
    },
]
