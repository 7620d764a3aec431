import Activations
import Backprop
import LinearAlgebra
import NumericChecks
import Randomness
import Regularization
import Testing

@testable import CNN

/// Convolution settings that reach every path: strides 1 and 2, paddings 0 to 2,
/// non-square inputs and kernels, several channels and filters, a stride that skips
/// the last row.
let convolutionCases: [(batch: Int, channels: Int, height: Int, width: Int, filters: Int, kh: Int, kw: Int, stride: Int, padding: Int)] = [
    (1, 1, 5, 5, 1, 3, 3, 1, 0), (2, 3, 5, 7, 4, 3, 3, 1, 1), (2, 2, 6, 5, 3, 3, 2, 2, 0), (1, 3, 7, 6, 2, 3, 3, 2, 2),
    (3, 1, 8, 8, 5, 3, 3, 1, 2), (2, 2, 4, 9, 3, 2, 4, 3, 1), (1, 4, 6, 6, 2, 5, 5, 1, 2),
    (2, 2, 9, 10, 8, 3, 3, 1, 0),  // whole tiles: 8 filters, 8 output columns
    (2, 2, 5, 39, 6, 3, 3, 1, 1),  // 39 output columns: 8-wide steps, 4-wide, a partial 3
    (4, 2, 14, 14, 8, 3, 3, 1, 1),  // 784 positions in all: the backward pass's sums run past one k-slice (256), across images
]

/// Case `index` of `convolutionCases`: a layer named "1" with random filters and biases, and a random input.
func convolutionCase(_ index: Int, using rng: inout SeededGenerator) -> (Conv2D, Tensor) {
    let s = convolutionCases[index]
    let conv = Conv2D(
        filters: Tensor(shape: [s.filters, s.channels, s.kh, s.kw], values: rng.normals(s.filters * s.channels * s.kh * s.kw)),
        bias: rng.normals(s.filters), stride: s.stride, padding: s.padding, name: "1")
    return (conv, Tensor(shape: [s.batch, s.channels, s.height, s.width], values: rng.normals(s.batch * s.channels * s.height * s.width)))
}

@Suite("Chapter 6 · CNN · convolution")
struct ConvolutionTests {
    @Test("the output size ⌊(n + 2p − f)/s⌋ + 1, a stride that does not divide included")
    func outputSize() {
        #expect(convolutionOutputSize(28, filter: 3) == 26)
        #expect(convolutionOutputSize(8, filter: 3, padding: 1) == 8)  // "same" padding
        #expect(convolutionOutputSize(7, filter: 3, stride: 2) == 3)
        #expect(convolutionOutputSize(6, filter: 3, stride: 2) == 2)  // the last column is never reached
        #expect(convolutionOutputSize(5, filter: 5) == 1)
        #expect(convolutionOutputSize(3, filter: 5, padding: 1) == 1)
    }

    @Test("a filter larger than the padded input stops with the sizes named")
    func filterTooLarge() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = convolutionOutputSize(4, filter: 7, padding: 1)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("a filter of 7 does not fit an input of 4 padded by 1 on each side (6 in all)"), "\(message)")
    }

    @Test("an input with the wrong number of channels names both shapes")
    func wrongChannels() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var conv = Conv2D(filters: Tensor(shape: [4, 3, 3, 3]), bias: [0, 0, 0, 0], name: "1")
            _ = conv.forward(Tensor(shape: [2, 1, 8, 8]), mode: .inference)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Conv2D K1 (4×3×3×3): input (2×1×8×8) does not fit: it needs (batch × 3 × height × width)"), "\(message)")
    }

    @Test("Sobel filters on a 5×5 image of a 3×3 square: edges worked by hand")
    func sobel() {
        var image = [Double](repeating: 0, count: 25)
        for r in 1...3 { for c in 1...3 { image[r * 5 + c] = 1 } }
        let horizontal: [Double] = [-1, 0, 1, -2, 0, 2, -1, 0, 1]  // responds to a change from left to right
        let vertical: [Double] = [-1, -2, -1, 0, 0, 0, 1, 2, 1]
        let sobel = Conv2D(filters: Tensor(shape: [2, 1, 3, 3], values: horizontal + vertical), bias: [0, 0])
        let y = sobel.referenceForward(Tensor(shape: [1, 1, 5, 5], values: image))
        #expect(y.shape == [1, 2, 3, 3])
        // the window at (0, 0) covers [0 0 0; 0 1 1; 0 1 1]: −2·0 + 2·1 on the middle row, +1 on the bottom one
        #expect(Array(y.values[0..<9]) == [3, 0, -3, 4, 0, -4, 3, 0, -3])
        #expect(Array(y.values[9..<18]) == [3, 4, 3, 0, 0, 0, -3, -4, -3])
    }

    @Test("the tiled forward pass equals the formula's loops bit for bit, at every kernel level", arguments: convolutionCases.indices)
    func fastForwardMatchesReference(index: Int) {
        var rng = SeededGenerator(seed: UInt64(100 + index))
        var (conv, x) = convolutionCase(index, using: &rng)
        let reference = conv.referenceForward(x)
        #expect(conv.forward(x, mode: .training) == reference)
        for level in KernelLevel.supported { #expect(conv.forward(x, mode: .training, level: level) == reference, "level \(level)") }
    }

    @Test("the fast backward pass equals the formula's loops", arguments: convolutionCases.indices)
    func fastBackwardMatchesReference(index: Int) {
        var rng = SeededGenerator(seed: UInt64(200 + index))
        var (conv, x) = convolutionCase(index, using: &rng)
        let y = conv.forward(x, mode: .training)
        let g = Tensor(shape: y.shape, values: rng.normals(y.count))
        let reference = conv.referenceBackward(g, input: x)
        let dx = conv.backward(g)
        func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) } }
        #expect(close(conv.filters.gradient, reference.filters))
        #expect(close(conv.bias.gradient, reference.bias))
        #expect(dx.shape == x.shape && close(dx.values, reference.input.values))
    }

    @Test(
        "both backward passes, whole batch and image by image, equal the batch's products bit for bit: Gᵀ·patches added, col2im(G·w)",
        arguments: convolutionCases.indices)
    func perImageBackwardMatchesBatchProducts(index: Int) {
        var rng = SeededGenerator(seed: UInt64(500 + index))
        var (conv, x) = convolutionCase(index, using: &rng)
        let y = conv.forward(x, mode: .training)
        let g = Tensor(shape: y.shape, values: rng.normals(y.count))
        let start = rng.normals(conv.filters.count)  // a gradient already accumulating
        conv.filters.gradient = start
        // G: the gradient as rows, position (n, i, j) by filter, the batch-wide formulation.
        let (f, positions) = (y.shape[1], y.shape[2] * y.shape[3])
        var rows = [Double](repeating: 0, count: g.count)
        for n in 0..<y.shape[0] {
            for k in 0..<f {
                for p in 0..<positions { rows[(n * positions + p) * f + k] = g.values[(n * f + k) * positions + p] }
            }
        }
        let gradientRows = Matrix(rows: y.shape[0] * positions, columns: f, values: rows)
        var expectedFilters = start
        addTransposedProduct(gradientRows, conv.im2col(x), into: &expectedFilters)
        let expectedInput = conv.col2im(matmul(gradientRows, conv.filterMatrix), inputShape: x.shape)
        for imageByImage in [false, true] {
            var layer = conv
            let dx = layer.backward(g, inputGradient: true, imageByImage: imageByImage)
            #expect(layer.filters.gradient == expectedFilters, "image by image: \(imageByImage)")
            #expect(dx == expectedInput, "image by image: \(imageByImage)")
            var skipping = conv
            #expect(skipping.backward(g, inputGradient: false, imageByImage: imageByImage) == nil)
            #expect(skipping.filters.gradient == expectedFilters && skipping.bias.gradient == layer.bias.gradient)
        }
        #expect(conv.backward(g) == expectedInput)  // chosen by size
    }

    @Test("the reused buffers: an inference pass between a training pass and its backward pass changes nothing")
    func buffersReused() {
        var rng = SeededGenerator(seed: 400)
        var (conv, x) = convolutionCase(1, using: &rng)
        let reference = conv.referenceBackward(Tensor(shape: conv.outputShape(x.shape), values: rng.normals(conv.outputShape(x.shape).reduce(1, *))), input: x)
        var rng2 = SeededGenerator(seed: 400)
        _ = convolutionCase(1, using: &rng2)
        let g = Tensor(shape: conv.outputShape(x.shape), values: rng2.normals(conv.outputShape(x.shape).reduce(1, *)))
        let y = conv.forward(x, mode: .training)
        let other = Tensor(shape: x.shape, values: rng.normals(x.count))
        #expect(conv.forward(x, mode: .inference) == y)  // the same input again
        #expect(conv.forward(other, mode: .inference) == conv.referenceForward(other))  // then a different one, same sizes
        let dx = conv.backward(g)
        #expect(zip(conv.filters.gradient, reference.filters).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        #expect(zip(dx.values, reference.input.values).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
    }

    @Test("gradient check of Conv2D: filters, bias and input", arguments: convolutionCases.indices)
    func gradientCheck(index: Int) {
        var rng = SeededGenerator(seed: UInt64(300 + index))
        let (conv, x) = convolutionCase(index, using: &rng)
        let outputCount = conv.predict(x).count
        // L = Σ c ⊙ y is linear in the filters, the bias and x, so a central difference has
        // no truncation error at all and ε can be large: 1e-2 shrinks the round-off of a
        // sum over a few hundred outputs, divided by 2ε, far below the tolerance. (With
        // ε = 1e-5 that round-off alone reaches 1e-7 relative on the smallest gradients.)
        // The small-network test below checks a convolution inside nonlinear layers.
        let results = checkGradients(conv, input: x, epsilon: 1e-2, loss: weightedOutputLoss(rng.uniforms(outputCount, in: -1..<1)))
        #expect(results.map(\.parameter) == ["K1", "b1", "x"])
        for result in results { #expect(result.passed, "case \(index): \(result)") }
    }

    @Test("a wrong backward fails the check: a flipped filter (true convolution) is caught")
    func checkCatchesFlippedFilter() {
        /// The mistake of computing the input gradient with the filters not flipped back.
        struct Flipped: Layer {
            var conv: Conv2D
            mutating func forward(_ x: Tensor, mode: Mode) -> Tensor { conv.forward(x, mode: mode) }
            mutating func backward(_ g: Tensor) -> Tensor {
                let saved = conv.filters.value
                let (kh, kw) = (conv.kernelHeight, conv.kernelWidth)
                conv.filters.value = saved.indices.map { i in
                    let (v, u, plane) = (i % kw, (i / kw) % kh, i / (kh * kw))
                    return saved[(plane * kh + (kh - 1 - u)) * kw + (kw - 1 - v)]
                }
                let dx = conv.backward(g)
                conv.filters.value = saved
                return dx
            }
            mutating func visitParameters(_ body: (inout Parameter) -> Void) { conv.visitParameters(body) }
        }
        var rng = SeededGenerator(seed: 9)
        let conv = Conv2D(inChannels: 1, outChannels: 2, kernel: 3, initialization: .xavier, using: &rng, name: "1")
        let x = Tensor(shape: [1, 1, 5, 5], values: rng.normals(25))
        let results = checkGradients(Flipped(conv: conv), input: x, loss: weightedOutputLoss(rng.normals(18)))
        #expect(results.last!.parameter == "x" && !results.last!.passed)
    }
}

@Suite("Chapter 6 · CNN · pooling, reshaping, residual blocks")
struct PoolingTests {
    @Test("max pooling keeps the largest of each window; on a tie the first in reading order gets the gradient")
    func maxPoolTies() {
        var pool = Pool2D(.max, size: 2)
        let x = Tensor(shape: [1, 1, 2, 4], values: [1, 5, 7, 7, 5, 2, 7, 3])
        #expect(pool.forward(x, mode: .training).values == [5, 7])
        // window 1: 5 at (0, 1) and 5 at (1, 0) tie: (0, 1) comes first; window 2: 7 at (0, 2) first
        #expect(pool.backward(Tensor(shape: [1, 1, 1, 2], values: [10, 20])).values == [0, 10, 20, 0, 0, 0, 0, 0])
    }

    @Test("average pooling: the mean of each window, and g/k² back to each of its inputs")
    func averagePool() {
        var pool = Pool2D(.average, size: 2)
        let x = Tensor(shape: [1, 1, 2, 4], values: [1, 5, 7, 7, 5, 2, 7, 3])
        #expect(pool.forward(x, mode: .training).values == [3.25, 6])
        #expect(pool.backward(Tensor(shape: [1, 1, 1, 2], values: [4, 8])).values == [1, 1, 2, 2, 1, 1, 2, 2])
    }

    @Test(
        "gradient checks: max and average pooling, overlapping windows, several channels",
        arguments: [(Pool2D.Kind.max, 2, 2), (.max, 3, 1), (.average, 2, 2), (.average, 3, 2)])
    func poolingGradients(kind: Pool2D.Kind, size: Int, stride: Int) {
        var rng = SeededGenerator(seed: UInt64(size * 10 + stride))
        let x = Tensor(shape: [2, 3, 6, 7], values: rng.normals(2 * 3 * 6 * 7))  // distinct values: no ties
        let pool = Pool2D(kind, size: size, stride: stride)
        let results = checkGradients(pool, input: x, loss: weightedOutputLoss(rng.normals(pool.predict(x).count)))
        #expect(results.count == 1 && results[0].passed, "\(results)")
    }

    @Test("global average pooling: each map's mean by hand, g/HW back to every position, and a gradient check")
    func globalAveragePool() {
        var pool = GlobalAveragePool()
        let x = Tensor(shape: [2, 2, 1, 3], values: [1, 2, 6, -3, 0, 3, 4, 4, 4, 0.5, 0.25, 0.75])
        #expect(pool.forward(x, mode: .training) == Tensor(shape: [2, 2], values: [3, 0, 4, 0.5]))
        #expect(pool.backward(Tensor(shape: [2, 2], values: [3, 6, -3, 0])).values == [1, 1, 1, 2, 2, 2, -1, -1, -1, 0, 0, 0])
        var rng = SeededGenerator(seed: 31)
        let input = Tensor(shape: [3, 4, 5, 2], values: rng.normals(120))
        let results = checkGradients(GlobalAveragePool(), input: input, loss: weightedOutputLoss(rng.normals(12)))
        #expect(results.count == 1 && results[0].passed, "\(results)")
    }

    @Test(
        "the seeds' residual block, conv → BN → ReLU → conv → BN + x, then tanh (smooth, for the check): every parameter and the input gradient-checked in training mode"
    )
    func residualWithBatchNorm() {
        var rng = SeededGenerator(seed: 32)
        func conv(_ name: String) -> Conv2D {
            Conv2D(
                filters: Tensor(shape: [3, 3, 3, 3], values: rng.uniforms(81, in: -0.4..<0.4)), bias: rng.uniforms(3, in: -0.3..<0.3), padding: 1, name: name)
        }
        var first = BatchNorm2D(channels: 3, name: "1"), second = BatchNorm2D(channels: 3, name: "2")
        first.rows.gamma.value = rng.uniforms(3, in: 0.5..<1.5)
        second.rows.beta.value = rng.uniforms(3, in: -0.5..<0.5)
        let block = Sequential([Residual([conv("1"), first, ActivationLayer(.relu), conv("2"), second]), ActivationLayer(.tanh)])
        let x = Tensor(shape: [2, 3, 4, 4], values: rng.normals(96))
        let results = checkGradients(block, input: x, loss: weightedOutputLoss(rng.normals(96)))
        #expect(results.count == 9)
        for result in results { #expect(result.passed, "\(result)") }
    }

    @Test("flatten and reshape change the shape, not the values, and pass gradients back")
    func reshape() {
        var flatten = Reshape.flatten
        let x = Tensor(shape: [2, 3, 2, 2], values: (0..<24).map(Double.init))
        let y = flatten.forward(x, mode: .training)
        #expect(y.shape == [2, 12] && y.values == x.values)
        #expect(flatten.backward(y).shape == [2, 3, 2, 2])
        var toImages = Reshape([1, 8, 8])
        #expect(toImages.forward(Tensor(shape: [5, 64]), mode: .inference).shape == [5, 1, 8, 8])
    }

    @Test("a residual block F(x) + x: gradient check of its convolutions and input, and the identity path")
    func residual() {
        var rng = SeededGenerator(seed: 21)
        func conv(_ name: String) -> Conv2D {
            Conv2D(
                filters: Tensor(shape: [2, 2, 3, 3], values: rng.uniforms(36, in: -0.4..<0.4)), bias: rng.uniforms(2, in: -0.3..<0.3),
                padding: 1, name: name)
        }
        let block = Residual([conv("1"), ActivationLayer(.tanh), conv("2")])
        let x = Tensor(shape: [2, 2, 4, 5], values: rng.normals(80))
        let results = checkGradients(block, input: x, loss: weightedOutputLoss(rng.normals(80)))
        #expect(results.map(\.parameter) == ["K1", "b1", "K2", "b2", "x"])
        for result in results { #expect(result.passed, "\(result)") }
        // with F's last filters and bias at 0, F(x) = 0: the block is the identity and passes g unchanged
        var identity = Residual([conv("1"), ActivationLayer(.tanh), Conv2D(filters: Tensor(shape: [2, 2, 3, 3]), bias: [0, 0], padding: 1)])
        #expect(identity.forward(x, mode: .training) == x)
        let g = Tensor(shape: x.shape, values: rng.normals(80))
        #expect(identity.backward(g) == g)
    }

    @Test("a small CNN on 8×8 images: reshape → conv → tanh → max pool → flatten → dense, softmax + cross-entropy")
    func network() {
        var rng = SeededGenerator(seed: 33)
        let model = Sequential([
            Reshape([1, 8, 8]),
            Conv2D(inChannels: 1, outChannels: 3, kernel: 3, padding: 1, initialization: .he, using: &rng, name: "1"),
            ActivationLayer(.tanh),
            Pool2D(.max, size: 2),
            Reshape.flatten,
            Dense(inputs: 3 * 4 * 4, outputs: 4, initialization: .xavier, using: &rng, name: "2"),
        ])
        let x = Tensor(shape: [3, 64], values: rng.normals(192))
        let labels = [0, 3, 1]
        let results = checkGradients(model, input: x) { SoftmaxCrossEntropy().evaluate($0, labels) }
        #expect(results.map(\.parameter) == ["K1", "b1", "W2", "b2", "x"])
        for result in results { #expect(result.passed, "\(result)") }
    }
}

@Suite("Model core · names in a residual CNN")
struct ResidualNames {
    @Test("a CNN with a residual block names every parameter by its place: \"2.body.0.K2\"")
    func names() {
        var rng = SeededGenerator(seed: 3)
        let model = Sequential([
            Conv2D(inChannels: 1, outChannels: 4, kernel: 3, padding: 1, initialization: .he, using: &rng, name: "1"), ActivationLayer(.relu),
            Residual([
                Conv2D(inChannels: 4, outChannels: 4, kernel: 3, padding: 1, initialization: .he, using: &rng, name: "2"), ActivationLayer(.relu),
                Conv2D(inChannels: 4, outChannels: 4, kernel: 3, padding: 1, initialization: .he, using: &rng, name: "3"),
            ]),
        ])
        #expect(model.namedParameters.map(\.name) == ["0.K1", "0.b1", "2.body.0.K2", "2.body.0.b2", "2.body.2.K3", "2.body.2.b3"])
        requireUniqueNames(model, context: "test")
    }
}

@Suite("Chapter 6 · CNN · rectangular pooling windows")
struct RectangularPooling {
    @Test("a 2 × 3 window moved 1 down and 2 across, worked by hand, and gradient-checked both ways")
    func rectangular() {
        // x: one 3 × 5 image, 0…14 in reading order
        let x = Tensor(shape: [1, 1, 3, 5], values: (0..<15).map(Double.init))
        var maxPool = Pool2D(.max, window: (2, 3), strides: (1, 2))
        let y = maxPool.forward(x, mode: .training)
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.values == [7, 9, 12, 14])  // the bottom-right corner of each window
        var averagePool = Pool2D(.average, window: (2, 3), strides: (1, 2))
        #expect(averagePool.forward(x, mode: .inference).values == [3.5, 5.5, 8.5, 10.5])
        #expect(maxPool.size == nil && Pool2D(.max, size: 2).size == 2)
        var rng = SeededGenerator(seed: 4)
        let images = Tensor(shape: [2, 2, 4, 7], values: rng.normals(112))
        for kind in [Pool2D.Kind.max, .average] {
            for result in checkGradients(Pool2D(kind, window: (2, 3), strides: (1, 2)), input: images, loss: weightedOutputLoss(rng.normals(2 * 2 * 3 * 3))) {
                #expect(result.passed, "\(kind): \(result)")
            }
        }
    }
}

/// Extreme and degenerate values through Chapter 6's layers (see the suites of Chapters 2–5
/// and 7–8): finite and right where the true value fits, NaN from NaN, ∞ from ∞.
@Suite("Robustness · Chapter 6: finite where the answer fits, NaN in → NaN out")
struct ConvolutionRobustnessTests {
    @Test("convolution, transposed convolution, their backward passes and pooling over constant images of every extreme value; the counts are printed")
    func sweep() {
        let values: [Double] = [
            0, -0.0, 0x1p-1063, .leastNonzeroMagnitude, 1, -1, 1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan,
            .infinity, -.infinity,
        ]
        var (tried, right, nanPropagated, infinityPropagated) = (0, 0, 0, 0)
        var garbage: [String] = []
        func record(_ what: String, _ value: Double, input: Double, expected: Double?) {
            tried += 1
            if input.isNaN {
                if value.isNaN { nanPropagated += 1 } else { garbage.append("\(what) = \(value), but a NaN went in") }
            } else if let expected, expected.isInfinite {
                if value == expected { infinityPropagated += 1 } else { garbage.append("\(what) = \(value), expected \(expected)") }
            } else if let expected, value.isFinite, abs(value - expected) <= 1e-12 * max(1, abs(expected)) {
                right += 1
            } else {
                garbage.append("\(what) = \(value), expected " + (expected.map { "\($0)" } ?? "a finite number"))
            }
        }
        for v in values {
            // A constant 4×4 image: conv 3×3 with every weight 1/4, bias 0, padding 1. An output
            // with n taps inside the image is n·v/4; n ≤ 9, so it fits when 9|v|/4 does.
            let image = Tensor(shape: [1, 1, 4, 4], values: [Double](repeating: v, count: 16))
            var conv = Conv2D(filters: Tensor(shape: [1, 1, 3, 3], repeating: 0.25), bias: [0], padding: 1)
            let y = conv.forward(image, mode: .training).values
            for (k, value) in y.enumerated() {
                let (i, j) = (k / 4, k % 4)
                let taps = Double((i == 0 || i == 3 ? 2 : 3) * (j == 0 || j == 3 ? 2 : 3))
                let expected = v.isInfinite ? v : taps * (v / 4)
                guard expected.isFinite || v.isInfinite, (9 * (v / 4)).isFinite || v.isInfinite || v.isNaN else { continue }
                record("conv(\(v))[\(k)]", value, input: v, expected: v.isNaN ? nil : expected)
            }
            // Backward with upstream v everywhere: ∂L/∂K[u][w] sums v·1 over the outputs whose
            // window covers a pixel; ∂L/∂x sums v/4 over the windows on a pixel.
            if v.isFinite && !(16 * v).isInfinite {
                var unit = Conv2D(filters: Tensor(shape: [1, 1, 3, 3], repeating: 0.25), bias: [0], padding: 1)
                _ = unit.forward(Tensor(shape: [1, 1, 4, 4], repeating: 1), mode: .training)
                let dx = unit.backward(Tensor(shape: [1, 1, 4, 4], values: [Double](repeating: v, count: 16))).values
                for (k, value) in dx.enumerated() {
                    let (i, j) = (k / 4, k % 4)
                    let taps = Double((i == 0 || i == 3 ? 2 : 3) * (j == 0 || j == 3 ? 2 : 3))
                    record("conv′x(\(v))[\(k)]", value, input: v, expected: taps * (v / 4))
                }
                record("conv′b(\(v))", unit.bias.gradient[0], input: v, expected: 16 * v)
            }
            // A transposed convolution of the constant image, 3×3 weights of 1/4, stride 2,
            // padding 1: each output sums the stamps that land on it, n·v/4 with n ≤ 4 taps.
            var up = ConvTranspose2D(weight: Tensor(shape: [1, 1, 3, 3], repeating: 0.25), bias: [0], stride: 2, padding: 1)
            let stamped = up.forward(image, mode: .training).values
            for (k, value) in stamped.enumerated() {
                let (i, j) = (k / 7, k % 7)  // a 7×7 output: even rows and columns take 1 stamp per axis, odd ones 2
                let taps = Double((i % 2 == 0 ? 1 : 2) * (j % 2 == 0 ? 1 : 2))
                record("convT(\(v))[\(k)]", value, input: v, expected: v.isNaN ? nil : v.isInfinite ? v : taps * (v / 4))
            }
            if v.isFinite {
                let back = up.backward(Tensor(shape: [1, 1, 7, 7], values: [Double](repeating: 1, count: 49))).values
                for (k, value) in back.enumerated() {
                    let (i, j) = (k / 4, k % 4)  // how many of the 3×3 stamp's taps land inside the 7×7 output
                    let taps = Double((i == 0 || i == 3 ? 2 : 3) * (j == 0 || j == 3 ? 2 : 3))
                    record("convT′x(\(v))[\(k)]", value, input: 0, expected: taps / 4)
                }
                record("convT′b(\(v))", up.bias.gradient[0], input: 0, expected: 49)
            }
            // Pooling a constant image gives the constant, whatever it is.
            for kind in [Pool2D.Kind.max, .average] {
                var pool = Pool2D(kind, size: 2)
                for (k, value) in pool.forward(image, mode: .training).values.enumerated() {
                    record("\(kind)Pool(\(v))[\(k)]", value, input: v, expected: v.isNaN ? nil : v)
                }
            }
        }
        print(
            "robustness (Chapter 6): \(tried) cases tried, \(right) finite and right, \(nanPropagated) NaN propagated, \(infinityPropagated) ∞ propagated, \(garbage.count) silent garbage"
        )
        for line in garbage { print("  garbage: \(line)") }
        #expect(garbage.isEmpty, "silent garbage:\n\(garbage.joined(separator: "\n"))")
    }
}

/// Degenerate sizes and arguments at Chapter 6's entry points: each stops with a message
/// naming the entry point, never a bare trap of the standard library.
@Suite("Degenerate calls · Chapter 6: refused by name")
struct DegenerateConvolutionCalls {
    static let calls: [String: String] = [
        "Conv2D, filters of rank 3": "Conv2D",
        "Conv2D(inChannels: 0)": "Conv2D",
        "Conv2D, stride 0": "Conv2D",
        "Conv2D, padding −1": "Conv2D",
        "Conv2D, bias count": "Conv2D",
        "Conv2D forward, rank 2": "Conv2D",
        "Conv2D backward first": "Conv2D",
        "Pool2D(size: 0)": "Pool2D",
        "Pool2D, stride 0": "Pool2D",
        "Pool2D forward, window larger than image": "Pool2D",
        "Pool2D backward first": "Pool2D",
        "Reshape to 0 values": "Reshape",
        "Reshape forward, wrong count": "Reshape",
        "convolutionOutputSize(−1)": "convolution",
        "Residual([])": "Sequential",
        "Residual, shape changed": "Residual",
        "ConvTranspose2D, output padding = stride": "ConvTranspose2D",
        "ConvTranspose2D forward, wrong channels": "ConvTranspose2D",
        "ConvTranspose2D, padding crops everything": "transposed convolution",
    ]

    @Test("each degenerate call stops with a message naming its entry point", arguments: calls.keys.sorted())
    func refused(_ call: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            var rng = SeededGenerator(seed: 1)
            switch call {
            case "Conv2D, filters of rank 3": _ = Conv2D(filters: Tensor(shape: [1, 3, 3]), bias: [0])
            case "Conv2D(inChannels: 0)": _ = Conv2D(inChannels: 0, outChannels: 2, kernel: 3, initialization: .he, using: &rng)
            case "Conv2D, stride 0": _ = Conv2D(filters: Tensor(shape: [1, 1, 3, 3]), bias: [0], stride: 0)
            case "Conv2D, padding −1": _ = Conv2D(filters: Tensor(shape: [1, 1, 3, 3]), bias: [0], padding: -1)
            case "Conv2D, bias count": _ = Conv2D(filters: Tensor(shape: [2, 1, 3, 3]), bias: [0])
            case "Conv2D forward, rank 2":
                var conv = Conv2D(filters: Tensor(shape: [1, 1, 3, 3]), bias: [0])
                _ = conv.forward(Tensor(shape: [4, 4]), mode: .inference)
            case "Conv2D backward first":
                var conv = Conv2D(filters: Tensor(shape: [1, 1, 3, 3]), bias: [0])
                _ = conv.backward(Tensor(shape: [1, 1, 2, 2]))
            case "Pool2D(size: 0)": _ = Pool2D(.max, size: 0)
            case "Pool2D, stride 0": _ = Pool2D(.max, size: 2, stride: 0)
            case "Pool2D forward, window larger than image":
                var pool = Pool2D(.max, size: 5)
                _ = pool.forward(Tensor(shape: [1, 1, 3, 3]), mode: .inference)
            case "Pool2D backward first":
                var pool = Pool2D(.average, size: 2)
                _ = pool.backward(Tensor(shape: [1, 1, 1, 1]))
            case "Reshape to 0 values": _ = Reshape([0, 4])
            case "Reshape forward, wrong count":
                var reshape = Reshape([1, 3, 3])
                _ = reshape.forward(Tensor(shape: [2, 8]), mode: .inference)
            case "convolutionOutputSize(−1)": _ = convolutionOutputSize(-1, filter: 3)
            case "Residual([])": _ = Residual([])
            case "ConvTranspose2D, output padding = stride": _ = ConvTranspose2D(weight: Tensor(shape: [1, 1, 3, 3]), bias: [0], stride: 2, outputPadding: 2)
            case "ConvTranspose2D forward, wrong channels":
                var up = ConvTranspose2D(weight: Tensor(shape: [2, 1, 3, 3]), bias: [0])
                _ = up.forward(Tensor(shape: [1, 3, 4, 4]), mode: .inference)
            case "ConvTranspose2D, padding crops everything":
                var up = ConvTranspose2D(weight: Tensor(shape: [1, 1, 1, 1]), bias: [0], padding: 2)
                _ = up.forward(Tensor(shape: [1, 1, 2, 2]), mode: .inference)
            default:
                var block = Residual([Conv2D(filters: Tensor(shape: [2, 1, 3, 3]), bias: [0, 0], padding: 1)])
                _ = block.forward(Tensor(shape: [1, 1, 4, 4]), mode: .inference)
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        let name = Self.calls[call]!
        #expect(message.contains("Fatal error: \(name)"), "\(call): \(message.prefix(300))")
        for trap in ["Index out of range", "Division by zero", "Stride size must not be zero", "overflow"] {
            #expect(!message.contains(trap), "\(call): a bare trap: \(message.prefix(300))")
        }
    }
}

@Suite("Robustness · global average pooling: finite where the answer fits, NaN in → NaN out")
struct GlobalAveragePoolRobustnessTests {
    @Test("the mean of a constant map is the constant at every extreme (the sum of ±1.8e308 overflows; the mean does not); g/HW back")
    func sweep() {
        let tally = RobustnessTally()
        for v in RobustnessTally.extremes + [.nan] {
            var pool = GlobalAveragePool()
            let y = pool.forward(Tensor(shape: [1, 2, 3, 3], values: [Double](repeating: v, count: 18)), mode: .training)
            for (k, value) in y.values.enumerated() { tally.record("GAP([\(v) ×9])[\(k)]", value, nanIn: v.isNaN, expected: v) }
            for value in pool.backward(Tensor(shape: [1, 2], values: [9, v])).values.prefix(9) { tally.record("GAP′(9)", value, nanIn: false, expected: 1) }
        }
        print(tally.summary("global average pooling"))
        #expect(tally.garbage.isEmpty, "silent garbage:\n\(tally.garbage.joined(separator: "\n"))")
    }
}
