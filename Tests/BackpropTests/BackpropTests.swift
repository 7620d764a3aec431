import Activations
import Backprop
import Datasets
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

/// `expected` printed by NumPy 2.4.6 from the same formulas, or worked by hand.
func expectClose(_ actual: [Double], _ expected: [Double], relative: Double = 1e-14, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(mismatch(actual, expected, tolerance: Tolerance(relative: relative, absolute: 1e-16)) == nil, sourceLocation: sourceLocation)
}

@Suite("Chapter 3 · Backprop · the worked examples")
struct WorkedExampleTests {
    let network = Sequential([
        Dense(weights: Matrix([[0.5, -0.3], [0.8, 0.2], [-0.1, 0.9]]), biases: [0.1, 0.2, -0.1], name: "1"), ActivationLayer(.sigmoid),
        Dense(weights: Matrix([[-0.2, 0.4, 0.6]]), biases: [0.3], name: "2"), ActivationLayer(.sigmoid),
    ])

    @Test("the 2-3-1 forward pass and its backward pass with target 0.5 match NumPy")
    func twoThreeOne() {
        var model = network
        let x = Tensor(shape: [1, 2], values: [1, 2])
        let outputs = model.outputs(x)
        expectClose(outputs[1].values, [0.5, 0.8021838885585818, 0.8320183851339245])
        let y = model.forward(x, mode: .training)
        expectClose(y.values, [0.734989075564576])
        #expect(network.predict([1, 2]) == y.values)
        let inputGradient = model.backward(Tensor(shape: [1, 1], values: [y.values[0] - 0.5]))
        let gradients = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.gradient) })
        expectClose(gradients["b2"]!, [0.04577120371284716])  // δ²
        expectClose(gradients["b1"]!, [-0.002288560185642358, 0.0029052795077696186, 0.0038382941953488715])  // δ¹
        expectClose(gradients["W2"]!, [0.02288560185642358, 0.036716922178378734, 0.03808248299879898])
        expectClose(
            gradients["W1"]!,
            [-0.002288560185642358, -0.004577120371284716, 0.0029052795077696186, 0.005810559015539237, 0.0038382941953488715, 0.007676588390697743])
        // ∂L/∂x = W¹ᵀ δ¹, for the layer below (there is none here, but a GAN needs it)
        expectClose(
            inputGradient.values,
            [
                0.5 * -0.002288560185642358 + 0.8 * 0.0029052795077696186 - 0.1 * 0.0038382941953488715,
                -0.3 * -0.002288560185642358 + 0.2 * 0.0029052795077696186 + 0.9 * 0.0038382941953488715,
            ], relative: 1e-13)
    }

    @Test("gradients accumulate: two backward passes give twice the gradient; zeroGradients resets them")
    func accumulation() {
        var model = network
        let x = Tensor(shape: [1, 2], values: [1, 2])
        _ = model.forward(x, mode: .training)
        _ = model.backward(Tensor(shape: [1, 1], values: [0.3]))
        let once = model.parameters.map(\.gradient)
        _ = model.backward(Tensor(shape: [1, 1], values: [0.3]))
        for (twice, single) in zip(model.parameters.map(\.gradient), once) { expectClose(twice, single.map { 2 * $0 }) }
        model.zeroGradients()
        #expect(model.parameters.allSatisfy { $0.gradient.allSatisfy { $0 == 0 } })
    }

    @Test("the loss table on y = [1,0,1,1,0], ŷ = [0.9,0.2,0.8,0.6,0.1]")
    func lossTable() {
        let y: [Double] = [1, 0, 1, 1, 0], p = [0.9, 0.2, 0.8, 0.6, 0.1]
        #expect(abs(meanSquaredError(p, y) - 0.052) < 1e-15)
        #expect(abs(meanAbsoluteError(p, y) - 0.2) < 1e-15)
        let bce = -(log(0.9) + log(0.8) + log(0.8) + log(0.6) + log(0.9)) / 5
        #expect(abs(binaryCrossEntropy(p, y) - bce) < 1e-12)
        #expect(abs(bce - 0.2336) < 5e-5)
        let probabilities = Matrix([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
        let cce = -(log(0.7) + log(0.8) + log(0.8)) / 3
        #expect(abs(categoricalCrossEntropy(probabilities: probabilities, labels: [0, 1, 2]) - cce) < 1e-15)
        #expect(abs(categoricalCrossEntropy(probabilities: probabilities, oneHot: oneHot([0, 1, 2], classCount: 3)) - cce) < 1e-15)
    }
}

@Suite("Chapter 3 · Backprop · gradient checks")
struct GradientCheckTests {
    @Test("each loss gradient against central differences, on seeded random vectors", arguments: 0..<10)
    func lossGradients(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(100 + seed))
        let n = rng.int(in: 1..<(8 + 1))
        let targets = (0..<n).map { _ in Double(rng.int(below: 2)) }
        let p = rng.uniforms(n, in: 0.05..<0.95)
        let y = rng.uniforms(n, in: -2..<2)
        let cases: [(String, [Double], [Double], ([Double]) -> Double, [Double])] = [
            ("MSE", p, y, { meanSquaredError($0, y) }, meanSquaredErrorGradient(p, y)),
            ("MAE", p, y, { meanAbsoluteError($0, y) }, meanAbsoluteErrorGradient(p, y)),
            ("BCE", p, targets, { binaryCrossEntropy($0, targets) }, binaryCrossEntropyGradient(p, targets)),
        ]
        for (name, at, _, f, analytic) in cases {
            let result = checkGradient(name, at: at, analytic: analytic, of: f)
            #expect(result.passed, "\(result)")
        }
        let logits = Matrix(rows: 3, columns: n + 1, values: rng.uniforms(3 * (n + 1), in: -3..<3))
        let labels = (0..<3).map { _ in rng.int(below: n + 1) }
        let fused = softmaxCrossEntropy(logits: logits, labels: labels)
        let result = checkGradient("softmax CE", at: logits.values, analytic: fused.gradient.values) {
            softmaxCrossEntropy(logits: Matrix(rows: 3, columns: n + 1, values: $0), labels: labels).loss
        }
        #expect(result.passed, "\(result)")
        #expect(abs(fused.loss - categoricalCrossEntropy(probabilities: softmaxRows(logits), labels: labels)) < 1e-12)
        // −log p curves sharply near p = 0, where central differences with ε = 1e-5 lose
        // digits: check the formula at probabilities of moderate size.
        let raw = Matrix(rows: 3, columns: n + 1, values: rng.uniforms(3 * (n + 1), in: 0.2..<1))
        let probabilities = Matrix((0..<3).map { r in raw.row(r).map { $0 / raw.row(r).reduce(0, +) } })  // rows sum to 1
        let targetsOneHot = oneHot(labels, classCount: n + 1)
        let cce = checkGradient(
            "CCE", at: probabilities.values,
            analytic: categoricalCrossEntropyGradient(probabilities: probabilities, oneHot: targetsOneHot).values
        ) { categoricalCrossEntropy(probabilities: Matrix(rows: 3, columns: n + 1, values: $0), oneHot: targetsOneHot) }
        #expect(cce.passed, "\(cce)")
    }

    @Test("the generic check on a dense layer and on each activation layer: parameters and input")
    func layers() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<5 {
            let (inputs, outputs, batch) = (rng.int(in: 1..<(6 + 1)), rng.int(in: 1..<(5 + 1)), rng.int(in: 1..<(4 + 1)))
            var dense = Dense(inputs: inputs, outputs: outputs, initialization: .xavier, using: &rng, name: "1")
            dense.bias.value = rng.uniforms(outputs, in: -0.5..<0.5)
            let x = Tensor(shape: [batch, inputs], values: rng.uniforms(batch * inputs, in: -1.5..<1.5))
            let c = rng.uniforms(batch * outputs, in: -1..<1)
            // L = Σ c ⊙ y: its gradient with respect to y is c.
            let results = checkGradients(dense, input: x) { y in (dot(c, y.values), Tensor(shape: y.shape, values: c)) }
            #expect(results.map(\.parameter) == ["W1", "b1", "x"])
            for result in results { #expect(result.passed, "dense: \(result)") }
        }
        for activation in Activation.allCases {
            // away from ReLU's and leaky ReLU's kink at 0, where the derivative jumps
            let x = Tensor(shape: [3, 4], values: rng.uniforms(12, in: -3..<3).map { abs($0) < 0.05 ? 0.5 : $0 })
            let c = rng.uniforms(12, in: -1..<1)
            let results = checkGradients(ActivationLayer(activation), input: x) { y in (dot(c, y.values), Tensor(shape: y.shape, values: c)) }
            #expect(results.map(\.parameter) == ["x"])
            for result in results { #expect(result.passed, "\(activation.name): \(result)") }
        }
    }

    @Test("the check catches a wrong backward pass, naming the parameter and the worst index")
    func checkHasTeeth() {
        /// A dense layer whose backward pass forgets to sum the bias gradient over the batch.
        struct ForgetfulDense: Layer {
            var dense: Dense
            mutating func forward(_ x: Tensor, mode: Mode) -> Tensor { dense.forward(x, mode: mode) }
            mutating func backward(_ outputGradient: Tensor) -> Tensor {
                let lastRow = Tensor(shape: [1, outputGradient.shape[1]], values: Array(outputGradient.values.suffix(outputGradient.shape[1])))
                let savedBias = dense.bias.gradient
                let input = dense.backward(outputGradient)
                dense.bias.gradient = savedBias
                for j in lastRow.values.indices { dense.bias.gradient[j] += lastRow.values[j] }  // the last sample only
                return input
            }
            mutating func visitParameters(_ body: (inout Parameter) -> Void) { dense.visitParameters(body) }
        }
        var rng = SeededGenerator(seed: 8)
        let layer = ForgetfulDense(dense: Dense(inputs: 3, outputs: 2, initialization: .xavier, using: &rng, name: "1"))
        let x = Tensor(shape: [4, 3], values: rng.normals(12))
        let results = checkGradients(layer, input: x) { y in (y.values.reduce(0, +), Tensor(shape: y.shape, repeating: 1)) }
        #expect(results.map(\.passed) == [true, false, true])
        #expect(results[1].parameter == "b1" && results[1].analytic == 1 && abs(results[1].numeric - 4) < 1e-6)
    }

    @Test("whole networks of seeded random shapes, softmax + cross-entropy and MSE", arguments: 0..<6)
    func wholeNetworks(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(500 + seed))
        let depth = rng.int(in: 1..<(4 + 1))
        let sizes = (0...depth).map { _ in rng.int(in: 2..<(6 + 1)) }
        let hidden: Activation = [.tanh, .sigmoid, .gelu, .swish, .elu][seed % 5]
        var network = Sequential(sizes: sizes, hidden: hidden, initialization: .xavier, using: &rng)
        network.visitParameters { p in if !p.decays { p.value = rng.uniforms(p.count, in: -0.3..<0.3) } }
        let batch = rng.int(in: 1..<(5 + 1))
        let x = Tensor(shape: [batch, sizes[0]], values: rng.uniforms(batch * sizes[0], in: -2..<2))
        let labels = (0..<batch).map { _ in rng.int(below: sizes.last!) }
        let classification = checkGradients(network, input: x) { SoftmaxCrossEntropy().evaluate($0, labels) }
        #expect(classification.count == 2 * depth + 1)
        for result in classification { #expect(result.passed, "sizes \(sizes), \(hidden.name): \(result)") }
        let targets = Tensor(shape: [batch, sizes.last!], values: rng.uniforms(batch * sizes.last!, in: -1..<1))
        for result in checkGradients(network, input: x, loss: { MeanSquaredError().evaluate($0, targets) }) {
            #expect(result.passed, "sizes \(sizes), MSE: \(result)")
        }
    }
}

@Suite("Chapter 3 · Backprop · layers, networks, training")
struct NetworkTests {
    @Test("a batch forward pass equals the single-input pass row by row")
    func batchEqualsSingle() {
        var rng = SeededGenerator(seed: 3)
        let network = Sequential(sizes: [5, 7, 3], hidden: .relu, output: .sigmoid, initialization: .he, using: &rng)
        let x = Matrix(rows: 4, columns: 5, values: rng.uniforms(20, in: -1..<1))
        let output = network.predict(Tensor(x)).matrix
        for r in 0..<4 { expectClose(output.row(r), network.predict(x.row(r)), relative: 1e-15) }
        // …and the dense layer's batch product equals its two plain loops, sample by sample.
        var dense = network.denseLayers[0]
        let z = dense.forward(Tensor(x), mode: .inference).matrix
        for r in 0..<4 { expectClose(z.row(r), dense.affine(x.row(r)), relative: 1e-14) }
    }

    @Test("the input gradient is the same whether asked for or skipped; skipping leaves the parameter gradients as they are")
    func skippingInputGradient() {
        var rng = SeededGenerator(seed: 4)
        var a = Sequential(sizes: [3, 5, 2], hidden: .tanh, initialization: .xavier, using: &rng)
        var b = a
        let x = Tensor(shape: [4, 3], values: rng.normals(12)), g = Tensor(shape: [4, 2], values: rng.normals(8))
        _ = a.forward(x, mode: .training)
        _ = b.forward(x, mode: .training)
        _ = a.backward(g)
        b.backwardSkippingInputGradient(g)
        #expect(a.parameters.map(\.gradient) == b.parameters.map(\.gradient))
    }

    @Test("parameter counts: (inputs + 1) · outputs per layer")
    func parameterCounts() {
        var rng = SeededGenerator(seed: 1)
        #expect(Sequential(sizes: [64, 64, 10], hidden: .relu, initialization: .he, using: &rng).parameterCount == 4810)
        #expect(Sequential(sizes: [1, 50, 50, 50, 1], hidden: .tanh, initialization: .xavier, using: &rng).parameterCount == 5251)
        #expect(Sequential(sizes: [64, 128, 128, 10], hidden: .relu, initialization: .he, using: &rng).parameterCount == 26_122)
    }

    @Test("Xavier stays within ±√(6/(n_in + n_out)); He has standard deviation √(2/n_in), LeCun √(1/n_in); zeros are zeros")
    func initialization() {
        var rng = SeededGenerator(seed: 11)
        let xavier = Initialization.xavier.weights(inputs: 300, outputs: 100, using: &rng)
        let bound = (6.0 / 400).squareRoot()
        #expect(xavier.allSatisfy { abs($0) < bound })
        #expect(xavier.contains { abs($0) > 0.95 * bound })
        let he = Initialization.he.weights(inputs: 200, outputs: 200, using: &rng)
        let deviation = (he.map { $0 * $0 }.reduce(0, +) / Double(he.count)).squareRoot()
        #expect(abs(deviation - 0.1) < 0.003)  // √(2/200) = 0.1; 40,000 draws
        let lecun = Initialization.lecun.weights(inputs: 400, outputs: 100, using: &rng)
        let lecunDeviation = (lecun.map { $0 * $0 }.reduce(0, +) / Double(lecun.count)).squareRoot()
        #expect(abs(lecunDeviation - 0.05) < 0.0015)  // √(1/400) = 0.05; 40,000 draws
        #expect(abs(lecun.reduce(0, +) / Double(lecun.count)) < 0.001)
        #expect(Initialization.zeros.weights(inputs: 3, outputs: 2, using: &rng) == [0, 0, 0, 0, 0, 0])
    }

    @Test("softmax + cross-entropy stays finite for huge scores and equals softmax then log")
    func stableLoss() {
        let result = softmaxCrossEntropy(logits: Matrix([[1000, 0, -1000], [0, 0, 1000]]), labels: [0, 0])
        #expect(abs(result.loss - 500) < 1e-9)  // row 1 loss 0, row 2 loss 1000
        #expect(result.gradient.values.allSatisfy { $0.isFinite })
    }

    @Test("XOR: a 2-4-1 network trained with SGD gets every case right")
    func xor() {
        var rng = SeededGenerator(seed: 42)
        let gate = LogicGate.xor.samples
        var network = Sequential(sizes: [2, 4, 1], hidden: .tanh, output: .sigmoid, initialization: .xavier, using: &rng)
        var sgd = SGD(learningRate: 2)
        let losses = train(
            &network, on: RegressionSet(inputs: gate.inputs, targets: gate.labels.map(Double.init)), loss: MeanSquaredError(),
            optimizer: &sgd, epochs: 2000, batchSize: 4
        ).history.map(\.trainingLoss)
        #expect(losses.last! < 0.01 * losses.first!)
        let predicted = gate.inputs.map { network.predict($0)[0] > 0.5 ? 1 : 0 }
        #expect(predicted == gate.labels)
    }

    @Test("digits, the baselines' setup: epoch-1 loss 0.9820 and, after 30 epochs, 0.0126 and 96.9% test accuracy")
    func digits() throws {
        let experiment = DigitsBaseline(digits: try Digits.load())
        #expect(experiment.training.count == 1437 && experiment.test.count == 360)
        var network = Sequential(weights: experiment.initialWeights(), hidden: .relu)
        var sgd = SGD(learningRate: 0.1)
        let history = train(
            &network, on: experiment.training, validation: experiment.test, loss: SoftmaxCrossEntropy(), optimizer: &sgd,
            epochs: 30, batchSize: 32, order: .perEpoch(experiment.epochOrders(30))
        ).history
        // NumPy's figures (../shared/baselines/RESULTS.md): 0.9820 / 0.0126, 96.94% (349/360)
        #expect(abs(history[0].trainingLoss - 0.9820) < 5e-5)
        #expect(abs(history[29].trainingLoss - 0.0126) < 5e-5)
        #expect(abs(history[29].validation!.accuracy! - 349.0 / 360) < 1e-12)
        #expect(history[29].validation!.accuracy! == network.accuracy(on: experiment.test))
    }
}

@Suite("Chapter 3 · Backprop · shape errors name both shapes")
struct ShapeErrorTests {
    @Test("a layer given an input of the wrong size")
    func layerInput() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var layer = Dense(weights: Matrix(rows: 3, columns: 4), biases: [0, 0, 0], name: "1")
            _ = layer.forward(Tensor(shape: [2, 5]), mode: .inference)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Dense W1 (3×4): input (2×5) does not fit: it needs (batch × 4)"), "\(message)")
    }

    @Test("layers that do not chain")
    func layersChain() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Sequential(weights: [Matrix(rows: 3, columns: 2), Matrix(rows: 1, columns: 4)], hidden: .relu)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("layer 2 weights (1×4) expect 4 inputs but the layer below gives 3"), "\(message)")
    }

    @Test("predictions and targets of different lengths, labels that do not fit the scores")
    func losses() async {
        let lengths = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = meanSquaredError([1, 2, 3], [1, 2])
        }
        let lengthMessage = String(decoding: lengths?.standardErrorContent ?? [], as: UTF8.self)
        #expect(lengthMessage.contains("3 predictions but 2 targets"), "\(lengthMessage)")
        let labels = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = softmaxCrossEntropy(logits: Matrix(rows: 2, columns: 3), labels: [0, 1, 2])
        }
        let labelMessage = String(decoding: labels?.standardErrorContent ?? [], as: UTF8.self)
        #expect(labelMessage.contains("(2×3) has 2 rows but there are 3 labels"), "\(labelMessage)")
    }
}
