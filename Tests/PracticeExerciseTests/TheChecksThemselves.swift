import ExerciseSupport
import ExerciseTesting
import Foundation
import Practice
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake (and with no other mistake's hint).

@Suite("Chapter 11 · Practice · the checks themselves")
struct PracticeCheckTests {
    @Test("the worked solutions pass every check", arguments: PracticeExercise.allCases)
    func solutionsPass(_ exercise: PracticeExercise) {
        PracticeAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: PracticeExercise.allCases)
    func stubsAreNotAttempted(_ exercise: PracticeExercise) {
        PracticeAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/Practice", arguments: PracticeExercise.allCases)
    func exerciseIsDeclared(_ exercise: PracticeExercise) throws {
        try PracticeAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: practiceWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: PracticeWrongAnswer) {
        wrong.expectRejected(among: practiceWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias PracticeWrongAnswer = ExerciseTesting.WrongAnswer<PracticeAnswers>

private let solved = PracticeAnswers.solutions

/// Per-class scores with one slip: `swap` exchanges precision and recall, `nanOnEmpty` leaves 0/0 as NaN,
/// `plainMeanF1` takes (P + R)/2, `macro` chooses how the averages are taken.
private enum MacroSlip { case right, bySupport, f1OfAverages }
private func scores(swap: Bool = false, nanOnEmpty: Bool = false, plainMeanF1: Bool = false, macro: MacroSlip = .right) -> ScoresAnswer {
    { counts in
        let k = counts.count
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? (nanOnEmpty ? .nan : 0) : Double(a) / Double(b) }
        var (p, r, f) = ([Double](), [Double](), [Double]())
        for c in 0..<k {
            let column = (0..<k).reduce(0) { $0 + counts[$1][c] }, row = counts[c].reduce(0, +)
            var (precision, recall) = (ratio(counts[c][c], column), ratio(counts[c][c], row))
            if swap { (precision, recall) = (recall, precision) }
            p.append(precision)
            r.append(recall)
            f.append(plainMeanF1 ? (precision + recall) / 2 : precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall))
        }
        let support = counts.map { Double($0.reduce(0, +)) }
        let total = support.reduce(0, +)
        func average(_ v: [Double]) -> Double {
            macro == .bySupport ? zip(v, support).reduce(0) { $0 + $1.0 * $1.1 } / total : v.reduce(0, +) / Double(v.count)
        }
        let (mp, mr) = (average(p), average(r))
        return (p, r, f, [mp, mr, macro == .f1OfAverages ? 2 * mp * mr / (mp + mr) : average(f)])
    }
}

/// The transfer step with a slip: the backbone at `backboneRate` × η (nil: η · backboneScale),
/// the head at `headRate` × η (nil: η · 1).
private func transfer(backboneFull: Bool = false, headScaled: Bool = false, headFrozen: Bool = false, summed: Bool = false) -> TransferAnswer {
    { w1, b1, w2, b2, inputs, labels, rate, scale in
        let (h, k, d) = (b1.count, b2.count, inputs[0].count)
        let batch = summed ? 1 : Double(inputs.count)
        var (g1, gb1, g2, gb2) = (
            [Double](repeating: 0, count: w1.count), [Double](repeating: 0, count: h), [Double](repeating: 0, count: w2.count), [Double](repeating: 0, count: k)
        )
        for (x, label) in zip(inputs, labels) {
            let u = (0..<h).map { j in (0..<d).reduce(b1[j]) { $0 + w1[j * d + $1] * x[$1] } }
            let hv = u.map { max($0, 0) }
            let z = (0..<k).map { c in (0..<h).reduce(b2[c]) { $0 + w2[c * h + $1] * hv[$1] } }
            let e = z.map { exp($0 - z.max()!) }
            let dz = (0..<k).map { c in (e[c] / e.reduce(0, +) - (c == label ? 1 : 0)) / batch }
            for c in 0..<k {
                gb2[c] += dz[c]
                for j in 0..<h { g2[c * h + j] += dz[c] * hv[j] }
            }
            for j in 0..<h where u[j] > 0 {
                let dh = (0..<k).reduce(0) { $0 + w2[$1 * h + j] * dz[$1] }
                gb1[j] += dh
                for i in 0..<d { g1[j * d + i] += dh * x[i] }
            }
        }
        let backboneRate = backboneFull || headScaled ? rate : rate * scale
        let headRate = headFrozen ? 0 : headScaled ? rate * scale : rate
        return (
            zip(w1, g1).map { $0 - backboneRate * $1 }, zip(b1, gb1).map { $0 - backboneRate * $1 },
            zip(w2, g2).map { $0 - headRate * $1 }, zip(b2, gb2).map { $0 - headRate * $1 }
        )
    }
}

let practiceWrongAnswers: [PracticeWrongAnswer] = [
    // 11.1
    PracticeWrongAnswer(.confusionMatrix, "puts the prediction in the rows", hint: "rows are the true class and columns the prediction") {
        $0.confusionMatrix = { truth, predicted, k in try solved.confusionMatrix(predicted, truth, k) }
    },
    PracticeWrongAnswer(.confusionMatrix, "sizes the matrix by the labels that occur", hint: "every class in 0..<classCount gets a row and a column") {
        $0.confusionMatrix = { truth, predicted, _ in try solved.confusionMatrix(truth, predicted, (truth + predicted).max()! + 1) }
    },
    // 11.2
    PracticeWrongAnswer(.precisionRecallF1, "swaps precision and recall", hint: "precision and recall are swapped") {
        $0.precisionRecallF1 = scores(swap: true)
    },
    PracticeWrongAnswer(.precisionRecallF1, "weighs the macro average by support", hint: "each class weighted by its support is the weighted average") {
        $0.precisionRecallF1 = scores(macro: .bySupport)
    },
    PracticeWrongAnswer(.precisionRecallF1, "takes macro F1 from the macro precision and recall", hint: "macro F1 is the mean of the per-class F1s") {
        $0.precisionRecallF1 = scores(macro: .f1OfAverages)
    },
    PracticeWrongAnswer(.precisionRecallF1, "leaves 0/0 as NaN", hint: "a ratio 0/0 (a class never predicted, or never present) counts as 0") {
        $0.precisionRecallF1 = scores(nanOnEmpty: true)
    },
    PracticeWrongAnswer(.precisionRecallF1, "takes F1 as the plain mean", hint: "F1 is the harmonic mean") {
        $0.precisionRecallF1 = scores(plainMeanF1: true)
    },
    // 11.3
    PracticeWrongAnswer(.logUniform, "draws uniformly in the learning rate itself", hint: "that is a uniform draw in η itself") {
        $0.logUniform = { u, a, b in a + u * (b - a) }
    },
    PracticeWrongAnswer(.logUniform, "forgets log a", hint: "log a is missing") {
        $0.logUniform = { u, _, b in exp(u * log(b)) }
    },
    PracticeWrongAnswer(.logUniform, "runs from b down to a", hint: "u = 0 must give a (low) and u = 1 must give b (high)") {
        $0.logUniform = { u, a, b in exp(log(b) + u * (log(a) - log(b))) }
    },
    // 11.4
    PracticeWrongAnswer(.transferStep, "steps the frozen backbone at the full rate", hint: "the backbone is frozen (backboneScale 0)") {
        $0.transferStep = transfer(backboneFull: true)
    },
    PracticeWrongAnswer(.transferStep, "slows the head instead of the backbone", hint: "backboneScale slows the backbone, not the head") {
        $0.transferStep = transfer(headScaled: true)
    },
    PracticeWrongAnswer(.transferStep, "never steps the new head", hint: "the new head must take its step") {
        $0.transferStep = transfer(headFrozen: true)
    },
    PracticeWrongAnswer(.transferStep, "sums the loss over the batch", hint: "the loss is a mean over the batch") {
        $0.transferStep = transfer(summed: true)
    },
    // 11.5
    PracticeWrongAnswer(.shifted, "wraps around like np.roll", hint: "the shift wraps around") {
        $0.shifted = { image, side, dx, dy in
            (0..<(side * side)).map { i in image[(((i / side - dy) % side + side) % side) * side + ((i % side - dx) % side + side) % side] }
        }
    },
    PracticeWrongAnswer(.shifted, "moves the image left and up", hint: "the direction is reversed") {
        $0.shifted = { image, side, dx, dy in try solved.shifted(image, side, -dx, -dy) }
    },
    PracticeWrongAnswer(.shifted, "exchanges dx and dy", hint: "dx moves along a row") {
        $0.shifted = { image, side, dx, dy in try solved.shifted(image, side, dy, dx) }
    },
    // 11.6
    PracticeWrongAnswer(.deadFraction, "counts zero outputs", hint: "that is the share of zero outputs") {
        $0.deadFraction = { output, _, _, _ in Double(output.filter { $0 == 0 }.count) / Double(output.count) }
    },
    PracticeWrongAnswer(.deadFraction, "calls a unit dead when one sample is 0", hint: "a unit that is 0 for some samples but not all is alive") {
        $0.deadFraction = { output, batch, units, positions in
            Double((0..<units).filter { u in (0..<batch).contains { n in (0..<positions).allSatisfy { output[(n * units + u) * positions + $0] == 0 } } }.count)
                / Double(units)
        }
    },
    PracticeWrongAnswer(.deadFraction, "looks at the first position only", hint: "every position of a unit counts") {
        $0.deadFraction = { output, batch, units, positions in
            Double((0..<units).filter { u in (0..<batch).allSatisfy { output[($0 * units + u) * positions] == 0 } }.count) / Double(units)
        }
    },
    // 11.7
    PracticeWrongAnswer(.updateRatio, "leaves η out", hint: "η is missing") {
        $0.updateRatio = { w, g, rate in try solved.updateRatio(w, g, rate).map { $0 / rate } }
    },
    PracticeWrongAnswer(.updateRatio, "divides squared norms", hint: "those are squared norms") {
        $0.updateRatio = { w, g, rate in
            let size = w.reduce(0) { $0 + $1 * $1 }
            return size == 0 ? nil : rate * rate * g.reduce(0) { $0 + $1 * $1 } / size
        }
    },
    PracticeWrongAnswer(.updateRatio, "returns 0 for zero weights", hint: "weights that are all 0 have no size to compare with") {
        $0.updateRatio = { w, g, rate in try solved.updateRatio(w, g, rate) ?? 0 }
    },
]
