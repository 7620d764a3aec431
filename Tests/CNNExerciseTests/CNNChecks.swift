import Backprop
import CNN
import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness

/// The checks of Chapter 6's exercises: fixed and random convolutions compared with this
/// chapter's reference loops (`Conv2D.referenceForward`, `referenceBackward`, `Pool2D`),
/// backward passes also against central differences, and hints computed from the usual
/// slips: a flipped filter, padding left out of the indices, the stride applied inside
/// the window, a forgotten bias.
enum CNNChecks {
    static let seed: UInt64 = 1998  // LeNet-5's year

    /// A convolution to check on: its sizes and flat input, filters and biases.
    struct Case {
        var shape: ConvolutionShape
        var input: [Double], filters: [Double], bias: [Double]
        var description: String { "\(shape), input \(shortList(input)), filters \(shortList(filters)), bias \(shortList(bias))" }
        var layer: Conv2D { shape.layer(filters: filters, bias: bias) }
    }

    /// The exercise files' worked example, Sobel on a square, and random sizes over strides
    /// 1–3, paddings 0–2, non-square inputs and kernels, several channels and filters.
    static func cases() -> [Case] {
        var rng = SeededGenerator(seed: seed)
        var square = [Double](repeating: 0, count: 25)
        for r in 1...3 { for c in 1...3 { square[r * 5 + c] = 1 } }
        var list = [
            Case(
                shape: ConvolutionShape(batch: 1, channels: 1, height: 3, width: 3, filters: 1, kernelHeight: 2, kernelWidth: 2),
                input: (1...9).map(Double.init), filters: [1, 0, 0, -1], bias: [0]),
            Case(
                shape: ConvolutionShape(batch: 1, channels: 1, height: 5, width: 5, filters: 2, kernelHeight: 3, kernelWidth: 3),
                input: square, filters: [-1, 0, 1, -2, 0, 2, -1, 0, 1, -1, -2, -1, 0, 0, 0, 1, 2, 1], bias: [0, 0]),
        ]
        let sizes: [(Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
            (2, 1, 5, 5, 2, 3, 3, 1, 1), (1, 3, 6, 5, 2, 3, 3, 2, 0), (2, 2, 5, 7, 3, 3, 2, 1, 2), (1, 2, 7, 7, 2, 3, 3, 3, 1),
            (2, 1, 6, 6, 1, 2, 2, 2, 0), (1, 3, 4, 6, 2, 1, 3, 1, 1),
        ]
        for (b, c, h, w, f, kh, kw, s, p) in sizes {
            let shape = ConvolutionShape(batch: b, channels: c, height: h, width: w, filters: f, kernelHeight: kh, kernelWidth: kw, stride: s, padding: p)
            list.append(
                Case(
                    shape: shape, input: rng.uniforms(shape.inputCount, in: -2..<2), filters: rng.uniforms(shape.filterCount, in: -1..<1),
                    bias: rng.uniforms(f, in: -1..<1)))
        }
        return list
    }

    /// Every filter turned by 180°: w[f, c, KH−1−u, KW−1−v], the "true convolution" slip.
    static func flipped(_ filters: [Double], _ shape: ConvolutionShape) -> [Double] {
        let (kh, kw) = (shape.kernelHeight, shape.kernelWidth)
        return filters.indices.map { i in filters[(i / (kh * kw) * kh + (kh - 1 - (i / kw) % kh)) * kw + (kw - 1 - i % kw)] }
    }

    /// The slips the hints name.
    enum Slip { case flippedFilter, paddingNotSubtracted, strideInsideWindow, noBias }

    /// The forward pass as it comes out with one slip (the same output size).
    static func forward(_ c: Case, with slip: Slip) -> [Double] {
        let s = c.shape
        let (oh, ow) = (s.outputHeight, s.outputWidth)
        var y = [Double](repeating: 0, count: s.outputCount)
        for n in 0..<s.batch {
            for f in 0..<s.filters {
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = slip == .noBias ? 0 : c.bias[f]
                        for ch in 0..<s.channels {
                            for u in 0..<s.kernelHeight {
                                for v in 0..<s.kernelWidth {
                                    let (r, q): (Int, Int)
                                    switch slip {
                                    case .paddingNotSubtracted: (r, q) = (i * s.stride + u, j * s.stride + v)
                                    case .strideInsideWindow: (r, q) = (i + u * s.stride - s.padding, j + v * s.stride - s.padding)
                                    default: (r, q) = (i * s.stride + u - s.padding, j * s.stride + v - s.padding)
                                    }
                                    guard r >= 0 && r < s.height && q >= 0 && q < s.width else { continue }
                                    let (fu, fv) = slip == .flippedFilter ? (s.kernelHeight - 1 - u, s.kernelWidth - 1 - v) : (u, v)
                                    sum +=
                                        c.filters[((f * s.channels + ch) * s.kernelHeight + fu) * s.kernelWidth + fv]
                                        * c.input[((n * s.channels + ch) * s.height + r) * s.width + q]
                                }
                            }
                        }
                        y[((n * s.filters + f) * oh + i) * ow + j] = sum
                    }
                }
            }
        }
        return y
    }

    static func forwardHints(_ c: Case) -> [Hint] {
        [
            Hint(
                ifActual: forward(c, with: .flippedFilter),
                "the filter is flipped: deep-learning convolution is cross-correlation, w[f, c, u, v] times x at (i·s + u − p, j·s + v − p)"),
            Hint(
                ifActual: forward(c, with: .paddingNotSubtracted), "the padding: the window at output (i, j) starts at row i·s − p, column j·s − p of the image"
            ),
            Hint(ifActual: forward(c, with: .strideInsideWindow), "the stride moves the window (i·s), it does not spread the filter (u·s)"),
            Hint(ifActual: forward(c, with: .noBias), "add the filter's bias b[f] to every output of that filter"),
        ]
    }

    // MARK: 6.1

    static func outputSize(_ answer: (Int, Int, Int, Int) throws -> Int) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        var cases = [(7, 3, 1, 2), (28, 3, 0, 1), (8, 3, 1, 1), (6, 3, 0, 2), (5, 5, 2, 3), (32, 5, 0, 1), (224, 11, 2, 4)]
        for _ in 0..<20 {
            let (n, f, p, s) = (rng.int(in: 3..<40), rng.int(in: 1..<6), rng.int(in: 0..<3), rng.int(in: 1..<4))
            if f <= n + 2 * p { cases.append((n, f, p, s)) }
        }
        // The usual slips as formulas. The hint names the slip whose formula gives the answer
        // on every case (not on one case by coincidence), or none. Stricter than `diagnose`,
        // which looks at the failing cases only: a formula is a whole answer, so it can be
        // held to all of them; with the looser rule another slip's formula claims the answer
        // (n + 2p − f + 1)/s on the cases both get wrong.
        let slips: [(hint: String, formula: (Int, Int, Int, Int) -> Int)] = [
            ("the padding adds p zeros on each side: n + 2p", { n, f, _, s in (n - f) / s + 1 }),
            ("the padding counts on both sides: n + 2p, not n + p", { n, f, p, s in (n + p - f) / s + 1 }),
            ("count the first position too: ⌊(n + 2p − f)/s⌋ + 1", { n, f, p, s in (n + 2 * p - f) / s }),
            ("round down: a window hanging over the end is not used", { n, f, p, s in (n + 2 * p - f + s - 1) / s + 1 }),
            ("the + 1 comes after the division: ⌊(n + 2p − f)/s⌋ + 1, not ⌊(n + 2p − f + 1)/s⌋", { n, f, p, s in (n + 2 * p - f + 1) / s }),
        ]
        return runCheck { check in
            let answers = try cases.map { n, f, p, s in try answer(n, f, p, s) }
            let diagnosed = slips.first { slip in zip(cases, answers).allSatisfy { c, a in slip.formula(c.0, c.1, c.2, c.3) == a } }
            for ((n, f, p, s), actual) in zip(cases, answers) {
                let input = "input size \(n), filter \(f), padding \(p), stride \(s)"
                let expected = convolutionOutputSize(n, filter: f, padding: p, stride: s)
                try check.expect(actual, equals: expected, input: input, hint: diagnosed?.hint ?? "⌊(n + 2p − f) / s⌋ + 1")
            }
        }
    }

    // MARK: 6.2

    static func forward(_ answer: ([Double], [Double], [Double], ConvolutionShape) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            for c in cases() {
                let actual = try answer(c.input, c.filters, c.bias, c.shape)
                try check.expect(
                    actual, equals: c.layer.referenceForward(c.shape.input(c.input)).values, input: c.description,
                    hints: forwardHints(c), otherwise: "y[n, f, i, j] = b[f] + Σ w[f, c, u, v] · x[n, c, i·s + u − p, j·s + v − p]")
            }
        }
    }

    // MARK: 6.3

    static func backwardInput(_ answer: ([Double], [Double], ConvolutionShape) throws -> [Double]) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 3)
        return runCheck { check in
            for c in cases() {
                let upstream = rng.uniforms(c.shape.outputCount, in: -1..<1)
                let input = c.description + ", upstream \(shortList(upstream))"
                let actual = try answer(upstream, c.filters, c.shape)
                let expected = c.layer.referenceBackward(c.shape.output(upstream), input: c.shape.input(c.input)).input.values
                let flippedAnswer = c.shape.layer(filters: flipped(c.filters, c.shape), bias: c.bias)
                    .referenceBackward(c.shape.output(upstream), input: c.shape.input(c.input)).input.values
                try check.expect(
                    actual, equals: expected, input: input,
                    hints: [
                        Hint(
                            ifActual: flippedAnswer,
                            "the filter is flipped: each output sends upstream · w[f, c, u, v] back to the pixel the forward pass multiplied by w[f, c, u, v]")
                    ],
                    otherwise: "∂L/∂x[n, c, r, q] sums upstream[n, f, i, j] · w[f, c, u, v] over every window that covered (r, q)")
                // L = Σ upstream ⊙ y is linear in x: central differences are exact up to round-off.
                try check.expectGradient("∂L/∂x", at: c.input, analytic: actual, input: input, hint: "the gradient does not match the convolution") { x in
                    zip(upstream, c.layer.referenceForward(c.shape.input(x)).values).map { $0 * $1 }.reduce(0, +)
                }
            }
        }
    }

    // MARK: 6.4

    static func backwardFilters(_ answer: ([Double], [Double], ConvolutionShape) throws -> (filters: [Double], bias: [Double])) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 4)
        return runCheck { check in
            for c in cases() {
                let upstream = rng.uniforms(c.shape.outputCount, in: -1..<1)
                let input = c.description + ", upstream \(shortList(upstream))"
                let (dw, db) = try answer(upstream, c.input, c.shape)
                let expected = c.layer.referenceBackward(c.shape.output(upstream), input: c.shape.input(c.input))
                let firstImage =
                    c.shape.batch > 1
                    ? { () -> [Double] in
                        var one = c
                        one.shape.batch = 1
                        one.input = Array(c.input.prefix(one.shape.inputCount))
                        return one.layer.referenceBackward(one.shape.output(Array(upstream.prefix(one.shape.outputCount))), input: one.shape.input(one.input))
                            .filters
                    }() : []
                try check.expect(
                    dw, equals: expected.filters, input: input + " — ∂L/∂w",
                    hints: firstImage.isEmpty ? [] : [Hint(ifActual: firstImage, "sum over every image of the batch, not just the first")],
                    otherwise: "∂L/∂w[f, c, u, v] = Σ over n, i, j of upstream[n, f, i, j] · x[n, c, i·s + u − p, j·s + v − p]")
                let positions = Double(c.shape.batch * c.shape.outputHeight * c.shape.outputWidth)
                try check.expect(
                    db, equals: expected.bias, input: input + " — ∂L/∂b",
                    hints: [Hint(ifActual: expected.bias.map { $0 / positions }, "the bias gradient is a sum over every output position, not a mean")],
                    otherwise: "∂L/∂b[f] = Σ over n, i, j of upstream[n, f, i, j]")
                try check.expectGradient("∂L/∂w", at: c.filters, analytic: dw, input: input, hint: "the gradient does not match the convolution") { w in
                    zip(upstream, c.shape.layer(filters: w, bias: c.bias).referenceForward(c.shape.input(c.input)).values).map { $0 * $1 }.reduce(0, +)
                }
            }
        }
    }

    // MARK: 6.5

    /// The first maximum of each window in reading order (or the last, to recognize that slip).
    static func maxima(_ x: [Double], planes: Int, height: Int, width: Int, size: Int, last: Bool = false) -> [Int] {
        var winners: [Int] = []
        for plane in 0..<planes {
            for i in 0..<(height / size) {
                for j in 0..<(width / size) {
                    var best = (plane * height + i * size) * width + j * size
                    for u in 0..<size {
                        for v in 0..<size {
                            let index = (plane * height + i * size + u) * width + j * size + v
                            if x[index] > x[best] || (last && x[index] == x[best]) { best = index }
                        }
                    }
                    winners.append(best)
                }
            }
        }
        return winners
    }

    static func maxPool(
        forward: ([Double], Int, Int, Int, Int, Int) throws -> (output: [Double], argmax: [Int]),
        backward: ([Double], [Int], Int) throws -> [Double]
    ) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed + 5)
        var cases = [([1.0, 5, 7, 7, 5, 2, 7, 3], 1, 1, 2, 4, 2), ([-3.0, -1, -2, -5, -4, -1, -6, -2], 1, 1, 2, 4, 2)]
        for k in 0..<14 {
            let (b, c, size) = (rng.int(in: 1..<3), rng.int(in: 1..<4), rng.int(in: 1..<5))
            let (h, w) = (rng.int(in: size..<(3 * size + 2)), rng.int(in: size..<(3 * size + 2)))
            // small whole numbers, so that ties happen: all negative, mixed signs, or huge
            let offset = [-6.0, -2, 0][k % 3], scale = k % 5 == 4 ? 1e300 : 1
            cases.append(((0..<(b * c * h * w)).map { _ in scale * (Double(rng.int(below: 5)) + offset) }, b, c, h, w, size))
        }
        return runCheck { check in
            for (x, b, c, h, w, size) in cases {
                let input = "input \(shortList(x)), batch \(b), channels \(c), height \(h), width \(w), size \(size)"
                var pool = Pool2D(.max, size: size)
                let tensor = Tensor(shape: [b, c, h, w], values: x)
                let expected = pool.forward(tensor, mode: .training).values
                let (output, argmax) = try forward(x, b, c, h, w, size)
                try check.expect(
                    output, equals: expected, input: input,
                    hints: [
                        Hint(
                            ifActual: expected.map { max($0, 0) },
                            "start each window's maximum from its first value, not 0: every value of a window may be negative")
                    ],
                    otherwise: "the largest value of each size × size window")
                let winners = maxima(x, planes: b * c, height: h, width: w, size: size)
                let tookLast = argmax == maxima(x, planes: b * c, height: h, width: w, size: size, last: true)
                try check.expect(
                    argmax, equals: winners, input: input + " — argmax",
                    hint: tookLast
                        ? "on a tie keep the first maximum in reading order: replace it only by a strictly larger value"
                        : "the flat input index of each window's first maximum")
                let upstream = rng.uniforms(expected.count, in: -1..<1)
                let dx = try backward(upstream, winners, x.count)
                var averagePool = Pool2D(.average, size: size)
                _ = averagePool.forward(tensor, mode: .training)
                try check.expect(
                    dx, equals: pool.backward(Tensor(shape: [b, c, h / size, w / size], values: upstream)).values,
                    input: input + ", upstream \(shortList(upstream))",
                    hints: [
                        Hint(
                            ifActual: averagePool.backward(Tensor(shape: [b, c, h / size, w / size], values: upstream)).values,
                            "that spreads the gradient as average pooling does: with max pooling all of it goes to the maximum")
                    ],
                    otherwise: "dx[argmax[o]] += upstream[o], 0 everywhere else")
            }
        }
    }

    // MARK: 6.6

    static func block(_ answer: ([Double], [Double], [Double], ConvolutionShape, Int) throws -> [Double]) -> CheckOutcome {
        runCheck { check in
            for c in cases() {
                for size in [2, 3, 1] where c.shape.outputHeight >= size && c.shape.outputWidth >= size {
                    let y = c.layer.referenceForward(c.shape.input(c.input))
                    var relu = ActivationLayer(.relu), pool = Pool2D(.max, size: size), average = Pool2D(.average, size: size)
                    var pool2 = Pool2D(.max, size: min(2, c.shape.outputHeight, c.shape.outputWidth))
                    let expected = pool.forward(relu.forward(y, mode: .inference), mode: .inference).values
                    let noReLU = pool.forward(y, mode: .inference).values
                    let averaged = average.forward(relu.forward(y, mode: .inference), mode: .inference).values
                    let sizeTwo = pool2.forward(relu.forward(y, mode: .inference), mode: .inference).values
                    try check.expect(
                        try answer(c.input, c.filters, c.bias, c.shape, size), equals: expected, input: c.description + ", pool size \(size)",
                        hints: [Hint(ifActual: noReLU, "apply ReLU, max(0, y), before pooling"), Hint(ifActual: averaged, "max pooling, not the average")]
                            + (size == 2 ? [] : [Hint(ifActual: sizeTwo, "pool with poolSize × poolSize windows: the size is a parameter")]),
                        otherwise: "convolution (6.2), then max(0, ·) on every value, then max pooling (6.5)")
                }
            }
        }
    }
}
