import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

@testable import CNN

func sines(_ count: Int, _ start: Double, _ scale: Double = 0.5) -> [Double] {
    (0..<count).map { scale * sin(start + 0.7 * Double($0)) }
}

@Suite("Chapter 6 · transposed convolution (for Chapter 9's decoders)")
struct TransposedConvolutionTests {
    @Test("the output-size rule: (n − 1)·s − 2p + f + op, inverting the convolution's, with its errors named")
    func outputSize() async {
        #expect(transposedConvolutionOutputSize(7, filter: 4, padding: 1, stride: 2) == 14)  // a DCGAN step: 7 → 14
        #expect(transposedConvolutionOutputSize(3, filter: 3, padding: 1, stride: 2, outputPadding: 1) == 6)
        #expect(transposedConvolutionOutputSize(5, filter: 3) == 7)
        for n in 1...9 {
            for (f, p, s) in [(3, 1, 2), (4, 1, 2), (3, 0, 3), (5, 2, 1), (2, 0, 2)] where f <= n + 2 * p {
                let convolved = convolutionOutputSize(n, filter: f, padding: p, stride: s)
                let back = transposedConvolutionOutputSize(convolved, filter: f, padding: p, stride: s, outputPadding: (n + 2 * p - f) % s)
                #expect(back == n, "n \(n), f \(f), p \(p), s \(s)")
            }
        }
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = transposedConvolutionOutputSize(3, filter: 3, padding: 1, stride: 2, outputPadding: 2)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("the output padding must be in 0..<stride (0..<2), got 2"), "\(message)")
    }

    @Test(
        "output and every gradient equal PyTorch's nn.ConvTranspose2d (strides 1–3, paddings 0–1, output paddings 0–2)", arguments: transposedReferences.indices
    )
    func againstPyTorch(_ index: Int) {
        let r = transposedReferences[index]
        let (ci, co, k) = (r.inChannels, r.outChannels, r.kernel)
        var layer = ConvTranspose2D(
            weight: Tensor(shape: [ci, co, k, k], values: sines(ci * co * k * k, 3 + Double(r.start))), bias: sines(co, 4 + Double(r.start), 0.2),
            stride: r.stride, padding: r.padding, outputPadding: r.outputPadding)
        let x = Tensor(shape: [r.N, ci, r.height, r.width], values: sines(r.N * ci * r.height * r.width, 1 + Double(r.start), 1))
        let y = layer.forward(x, mode: .training)
        #expect(y.shape == r.outputShape)
        #expect(mismatch(y.values, r.output, tolerance: Tolerance(relative: 1e-12, absolute: 1e-12)) == nil)
        let dx = layer.backward(Tensor(shape: y.shape, values: sines(y.count, 2 + Double(r.start), 1)))
        #expect(mismatch(dx.values, r.inputGradient, tolerance: Tolerance(relative: 1e-12, absolute: 1e-12)) == nil)
        #expect(mismatch(layer.weight.gradient, r.weightGradient, tolerance: Tolerance(relative: 1e-12, absolute: 1e-12)) == nil)
        #expect(mismatch(layer.bias.gradient, r.biasGradient, tolerance: Tolerance(relative: 1e-12, absolute: 1e-12)) == nil)
    }

    @Test(
        "the fast forward and backward (through the adjoint convolution) equal the reference loops",
        arguments: [(1, 0, 0, 3), (2, 1, 1, 3), (3, 2, 2, 5), (2, 0, 1, 2), (3, 1, 0, 4), (2, 1, 0, 4)])
    func fastEqualsReference(stride: Int, padding: Int, outputPadding: Int, kernel: Int) {
        var rng = SeededGenerator(seed: UInt64(1000 * stride + 100 * padding + 10 * outputPadding + kernel))
        var layer = ConvTranspose2D(
            inChannels: 3, outChannels: 2, kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding, initialization: .he, using: &rng)
        layer.bias.value = rng.normals(2)
        let x = Tensor(shape: [2, 3, 4, 5], values: rng.normals(120))
        let reference = layer.referenceForward(x)
        let y = layer.forward(x, mode: .training)
        let close = Tolerance(relative: 1e-12, absolute: 1e-13)
        #expect(y.shape == reference.shape)
        #expect(mismatch(y.values, reference.values, tolerance: close) == nil, "stride \(stride), padding \(padding), op \(outputPadding), k \(kernel)")
        let g = Tensor(shape: y.shape, values: rng.normals(y.count))
        let expected = layer.referenceBackward(g, input: x)
        layer.zeroGradients()
        let dx = layer.backward(g)
        #expect(mismatch(dx.values, expected.input.values, tolerance: close) == nil)
        #expect(mismatch(layer.weight.gradient, expected.weight, tolerance: close) == nil)
        #expect(mismatch(layer.bias.gradient, expected.bias, tolerance: close) == nil)
    }

    @Test("Conv2D skipping ∂L/∂x leaves its parameter gradients exactly as the full backward pass gives them")
    func convolutionSkipsInputGradient() {
        var rng = SeededGenerator(seed: 77)
        var a = Conv2D(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1, initialization: .he, using: &rng)
        var b = a
        let x = Tensor(shape: [2, 2, 5, 6], values: rng.normals(120))
        let y = a.forward(x, mode: .training)
        _ = b.forward(x, mode: .training)
        let g = Tensor(shape: y.shape, values: rng.normals(y.count))
        _ = a.backward(g)
        b.backwardSkippingInputGradient(g)
        #expect(a.parameters.map(\.gradient) == b.parameters.map(\.gradient))
        #expect(a.parameters.map(\.gradient).allSatisfy { $0.contains { $0 != 0 } })
    }

    @Test("it is the adjoint of the convolution with the same weights: ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩", arguments: [(1, 0), (2, 1), (3, 2), (2, 0)])
    func adjoint(stride: Int, padding: Int) {
        var rng = SeededGenerator(seed: UInt64(10 * stride + padding))
        let (c, f, k, h, w) = (2, 3, 3, 7, 13)  // h and w leave the same remainder, so one output padding fits both
        let weights = Tensor(shape: [f, c, k, k], values: rng.normals(f * c * k * k))
        var conv = Conv2D(filters: weights, bias: [0, 0, 0], stride: stride, padding: padding)
        let x = Tensor(shape: [2, c, h, w], values: rng.normals(2 * c * h * w))
        let convX = conv.forward(x, mode: .inference)
        let y = Tensor(shape: convX.shape, values: rng.normals(convX.count))
        // Conv2D's (F, C, KH, KW) filters are ConvTranspose2D's (C_in = F, C_out = C, KH, KW) weight.
        var transposed = ConvTranspose2D(
            weight: weights, bias: [0, 0], stride: stride, padding: padding,
            outputPadding: (h + 2 * padding - k) % stride)
        let convTY = transposed.forward(y, mode: .inference)
        #expect(convTY.shape == x.shape)
        let left = zip(convX.values, y.values).reduce(0) { $0 + $1.0 * $1.1 }
        let right = zip(x.values, convTY.values).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) <= 1e-12 * max(1, abs(left)), "\(left) vs \(right)")
    }

    @Test(
        "gradient-checked over strides 1–3, paddings 0–2, output paddings, non-square inputs, several channels",
        arguments: [(1, 0, 0), (2, 1, 1), (3, 2, 2), (2, 0, 1), (3, 1, 0), (1, 2, 0)])
    func gradients(stride: Int, padding: Int, outputPadding: Int) {
        var rng = SeededGenerator(seed: UInt64(100 * stride + 10 * padding + outputPadding))
        let layer = ConvTranspose2D(
            inChannels: 2, outChannels: 3, kernel: 3, stride: stride, padding: padding, outputPadding: outputPadding, initialization: .he, using: &rng)
        var withBias = layer
        withBias.bias.value = rng.normals(3)
        let x = Tensor(shape: [2, 2, 3, 4], values: rng.normals(48))
        let outputCount = withBias.outputShape(x.shape).reduce(1, *)
        for result in checkGradients(withBias, input: x, loss: weightedOutputLoss(rng.normals(outputCount))) {
            #expect(result.passed, "stride \(stride), padding \(padding), output padding \(outputPadding): \(result)")
        }
    }
}
