import CNN
import ExerciseSupport
import ExerciseTesting
import Foundation
import Testing

// The checks are proven in both directions: the worked solutions pass every one, and
// untouched stubs and plausible wrong answers are rejected with the hint that names the
// mistake.

@Suite("Chapter 6 · CNN · the checks themselves")
struct CNNCheckTests {
    @Test("the worked solutions pass every check", arguments: CNNExercise.allCases)
    func solutionsPass(_ exercise: CNNExercise) {
        CNNAnswers.expectSolutionPasses(exercise)
    }

    @Test("an untouched stub is reported as not attempted, not as failed", arguments: CNNExercise.allCases)
    func stubsAreNotAttempted(_ exercise: CNNExercise) {
        CNNAnswers.expectStubNotAttempted(exercise)
    }

    @Test("each exercise's function is declared under Exercises/CNN", arguments: CNNExercise.allCases)
    func exerciseIsDeclared(_ exercise: CNNExercise) throws {
        try CNNAnswers.expectDeclared(exercise)
    }

    @Test("plausible wrong answers are rejected with the hint that names the mistake", arguments: cnnWrongAnswers)
    func wrongAnswersAreRejected(_ wrong: CNNWrongAnswer) {
        wrong.expectRejected(among: cnnWrongAnswers)
    }
}

/// A wrong answer built from the worked solutions with one function replaced.
typealias CNNWrongAnswer = ExerciseTesting.WrongAnswer<CNNAnswers>

private let solved = CNNAnswers.solutions

/// The solution's forward pass with one slip, through the checks' own slip model.
private func slipped(_ slip: CNNChecks.Slip) -> @Sendable ([Double], [Double], [Double], ConvolutionShape) throws -> [Double] {
    { x, w, b, shape in CNNChecks.forward(CNNChecks.Case(shape: shape, input: x, filters: w, bias: b), with: slip) }
}

let cnnWrongAnswers: [CNNWrongAnswer] = [
    CNNWrongAnswer(.convolutionOutputSize, "forgets the padding", hint: "adds p zeros on each side") {
        $0.convolutionOutputSize = { n, f, _, s in (n - f) / s + 1 }
    },
    CNNWrongAnswer(.convolutionOutputSize, "pads one side only", hint: "not n + p") { $0.convolutionOutputSize = { n, f, p, s in (n + p - f) / s + 1 } },
    CNNWrongAnswer(.convolutionOutputSize, "forgets the + 1", hint: "count the first position too") {
        $0.convolutionOutputSize = { n, f, p, s in (n + 2 * p - f) / s }
    },
    CNNWrongAnswer(.convolutionOutputSize, "rounds up", hint: "round down") { $0.convolutionOutputSize = { n, f, p, s in (n + 2 * p - f + s - 1) / s + 1 } },
    CNNWrongAnswer(.convolutionOutputSize, "adds the 1 before dividing", hint: "the + 1 comes after the division") {
        $0.convolutionOutputSize = { n, f, p, s in (n + 2 * p - f + 1) / s }
    },
    CNNWrongAnswer(.convolutionForward, "flips the filter (true convolution)", hint: "cross-correlation") { $0.convolutionForward = slipped(.flippedFilter) },
    CNNWrongAnswer(.convolutionForward, "leaves the padding out of the indices", hint: "starts at row i·s − p") {
        $0.convolutionForward = slipped(.paddingNotSubtracted)
    },
    CNNWrongAnswer(.convolutionForward, "applies the stride inside the window", hint: "does not spread the filter") {
        $0.convolutionForward = slipped(.strideInsideWindow)
    },
    CNNWrongAnswer(.convolutionForward, "forgets the bias", hint: "add the filter's bias") { $0.convolutionForward = slipped(.noBias) },
    CNNWrongAnswer(.convolutionBackwardInput, "flips the filter", hint: "the filter is flipped") {
        $0.convolutionBackwardInput = { g, w, shape in try solved.convolutionBackwardInput(g, CNNChecks.flipped(w, shape), shape) }
    },
    CNNWrongAnswer(.convolutionBackwardInput, "overwrites instead of adding", hint: "sums upstream[n, f, i, j] · w[f, c, u, v] over every window") {
        $0.convolutionBackwardInput = { g, w, shape in
            // each pixel keeps only the last window's contribution
            var dx = [Double](repeating: 0, count: shape.inputCount)
            let (oh, ow) = (shape.outputHeight, shape.outputWidth)
            for n in 0..<shape.batch {
                for f in 0..<shape.filters {
                    for i in 0..<oh {
                        for j in 0..<ow {
                            for c in 0..<shape.channels {
                                for u in 0..<shape.kernelHeight {
                                    for v in 0..<shape.kernelWidth {
                                        let (r, q) = (i * shape.stride + u - shape.padding, j * shape.stride + v - shape.padding)
                                        guard r >= 0 && r < shape.height && q >= 0 && q < shape.width else { continue }
                                        dx[((n * shape.channels + c) * shape.height + r) * shape.width + q] =
                                            g[((n * shape.filters + f) * oh + i) * ow + j]
                                            * w[((f * shape.channels + c) * shape.kernelHeight + u) * shape.kernelWidth + v]
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return dx
        }
    },
    CNNWrongAnswer(.convolutionBackwardFilters, "averages the bias gradient", hint: "not a mean") {
        $0.convolutionBackwardFilters = { g, x, shape in
            let right = try solved.convolutionBackwardFilters(g, x, shape)
            return (right.filters, right.bias.map { $0 / Double(shape.batch * shape.outputHeight * shape.outputWidth) })
        }
    },
    CNNWrongAnswer(.convolutionBackwardFilters, "uses the first image only", hint: "every image of the batch") {
        $0.convolutionBackwardFilters = { g, x, shape in
            var one = shape
            one.batch = 1
            let first = try solved.convolutionBackwardFilters(Array(g.prefix(one.outputCount)), Array(x.prefix(one.inputCount)), one)
            return (first.filters, try solved.convolutionBackwardFilters(g, x, shape).bias)
        }
    },
    CNNWrongAnswer(.maxPoolForward, "keeps the last maximum on a tie", hint: "on a tie keep the first") {
        $0.maxPoolForward = { x, b, c, h, w, size in
            let right = try solved.maxPoolForward(x, b, c, h, w, size)
            return (right.output, CNNChecks.maxima(x, planes: b * c, height: h, width: w, size: size, last: true))
        }
    },
    CNNWrongAnswer(.maxPoolForward, "backward sends output o's gradient to input o", hint: "dx[argmax[o]] += upstream[o]") {
        $0.maxPoolBackward = { g, _, count in
            var dx = [Double](repeating: 0, count: count)
            for o in g.indices { dx[o] += g[o] }
            return dx
        }
    },
    CNNWrongAnswer(.maxPoolForward, "starts each maximum at 0", hint: "not 0: every value of a window may be negative") {
        $0.maxPoolForward = { x, b, c, h, w, size in
            let right = try solved.maxPoolForward(x, b, c, h, w, size)
            return (right.output.map { max($0, 0) }, right.argmax)
        }
    },
    CNNWrongAnswer(.convolutionBlock, "writes the pool size as 2", hint: "the size is a parameter") {
        $0.convolutionBlock = { x, w, b, shape, _ in try solved.convolutionBlock(x, w, b, shape, 2) }
    },
    CNNWrongAnswer(.convolutionBlock, "forgets the ReLU", hint: "apply ReLU") {
        $0.convolutionBlock = { x, w, b, shape, size in
            let y = try solved.convolutionForward(x, w, b, shape)
            return try solved.maxPoolForward(y, shape.batch, shape.filters, shape.outputHeight, shape.outputWidth, size).output
        }
    },
]
