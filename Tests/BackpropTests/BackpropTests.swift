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
    let network = Network(layers: [
        DenseLayer(weights: Matrix([[0.5, -0.3], [0.8, 0.2], [-0.1, 0.9]]), biases: [0.1, 0.2, -0.1], activation: .sigmoid),
        DenseLayer(weights: Matrix([[-0.2, 0.4, 0.6]]), biases: [0.3], activation: .sigmoid),
    ])

    @Test("the 2-3-1 forward pass and its backward pass with target 0.5 match NumPy")
    func twoThreeOne() {
        let caches = network.forward(batch: Matrix([[1, 2]]))
        expectClose(caches[0].output.values, [0.5, 0.8021838885585818, 0.8320183851339245])
        expectClose(caches[1].output.values, [0.734989075564576])
        #expect(network.predict([1, 2]) == caches[1].output.values)
        let steps = network.backward(outputGradient: Matrix([[caches[1].output.values[0] - 0.5]]), caches: caches)
        expectClose(steps[1].delta.values, [0.04577120371284716])
        expectClose(steps[0].delta.values, [-0.002288560185642358, 0.0029052795077696186, 0.0038382941953488715])
        expectClose(steps[1].gradients.weights.values, [0.02288560185642358, 0.036716922178378734, 0.03808248299879898])
        expectClose(
            steps[0].gradients.weights.values,
            [-0.002288560185642358, -0.004577120371284716, 0.0029052795077696186, 0.005810559015539237, 0.0038382941953488715, 0.007676588390697743])
        #expect(steps[0].gradients.biases == steps[0].delta.values)
        #expect(steps[0].input == nil)  // the data's gradient is never needed
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
        let probabilities = Matrix(rows: 3, columns: n + 1, values: rng.uniforms(3 * (n + 1), in: 0.2..<1))
        let targetsOneHot = oneHot(labels, classCount: n + 1)
        let cce = checkGradient(
            "CCE", at: probabilities.values,
            analytic: categoricalCrossEntropyGradient(probabilities: probabilities, oneHot: targetsOneHot).values
        ) { categoricalCrossEntropy(probabilities: Matrix(rows: 3, columns: n + 1, values: $0), oneHot: targetsOneHot) }
        #expect(cce.passed, "\(cce)")
    }

    @Test("a dense layer's backward pass, for every activation and a linear layer", arguments: [nil] + Activation.allCases.map { Optional($0) })
    func denseLayer(activation: Activation?) {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<5 {
            let (inputs, outputs, batch) = (rng.int(in: 1..<(6 + 1)), rng.int(in: 1..<(5 + 1)), rng.int(in: 1..<(4 + 1)))
            var layer = DenseLayer(inputs: inputs, outputs: outputs, activation: activation, initialization: .xavier, using: &rng)
            layer.biases = rng.uniforms(outputs, in: -0.5..<0.5)
            let x = Matrix(rows: batch, columns: inputs, values: rng.uniforms(batch * inputs, in: -1.5..<1.5))
            let upstream = Matrix(rows: batch, columns: outputs, values: rng.uniforms(batch * outputs, in: -1..<1))
            // L = Σ upstream ⊙ A: its gradient with respect to A is `upstream`.
            func loss(_ layer: DenseLayer, _ x: Matrix) -> Double { dot(layer.forward(batch: x).output.values, upstream.values) }
            let step = layer.backward(upstream, cache: layer.forward(batch: x))
            let network = Network(layers: [layer])
            for result in network.checkGradients([step.gradients], loss: { loss($0.layers[0], x) }) {
                #expect(result.passed, "\(activation?.name ?? "linear"): \(result)")
            }
            let input = checkGradient("X", at: x.values, analytic: step.input!.values) {
                loss(layer, Matrix(rows: batch, columns: inputs, values: $0))
            }
            #expect(input.passed, "\(activation?.name ?? "linear"): \(input)")
        }
    }

    @Test("whole networks of seeded random shapes, softmax + cross-entropy and MSE", arguments: 0..<6)
    func wholeNetworks(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(500 + seed))
        let depth = rng.int(in: 1..<(4 + 1))
        let sizes = (0...depth).map { _ in rng.int(in: 2..<(6 + 1)) }
        let hidden: Activation = [.tanh, .sigmoid, .gelu, .swish, .elu][seed % 5]
        var network = Network(sizes: sizes, hidden: hidden, output: nil, initialization: .xavier, using: &rng)
        for l in network.layers.indices { network.layers[l].biases = rng.uniforms(sizes[l + 1], in: -0.3..<0.3) }
        let batch = rng.int(in: 1..<(5 + 1))
        let x = Matrix(rows: batch, columns: sizes[0], values: rng.uniforms(batch * sizes[0], in: -2..<2))
        let labels = (0..<batch).map { _ in rng.int(below: sizes.last!) }
        let classification = network.softmaxCrossEntropyGradients(batch: x, labels: labels)
        for result in network.checkGradients(classification.gradients, loss: { $0.softmaxCrossEntropyGradients(batch: x, labels: labels).loss }) {
            #expect(result.passed, "sizes \(sizes), \(hidden.name): \(result)")
        }
        let targets = Matrix(rows: batch, columns: sizes.last!, values: rng.uniforms(batch * sizes.last!, in: -1..<1))
        let regression = network.meanSquaredErrorGradients(batch: x, targets: targets)
        for result in network.checkGradients(regression.gradients, loss: { $0.meanSquaredErrorGradients(batch: x, targets: targets).loss }) {
            #expect(result.passed, "sizes \(sizes), MSE: \(result)")
        }
    }
}

@Suite("Chapter 3 · Backprop · layers, networks, training")
struct NetworkTests {
    @Test("a batch forward pass equals the single-input pass row by row")
    func batchEqualsSingle() {
        var rng = SeededGenerator(seed: 3)
        let network = Network(sizes: [5, 7, 3], hidden: .relu, output: .sigmoid, initialization: .he, using: &rng)
        let x = Matrix(rows: 4, columns: 5, values: rng.uniforms(20, in: -1..<1))
        let output = network.forward(batch: x).last!.output
        for r in 0..<4 { expectClose(output.row(r), network.predict(x.row(r)), relative: 1e-15) }
    }

    @Test("parameter counts: (inputs + 1) · outputs per layer")
    func parameterCounts() {
        var rng = SeededGenerator(seed: 1)
        #expect(Network(sizes: [64, 64, 10], hidden: .relu, output: nil, initialization: .he, using: &rng).parameterCount == 4810)
        #expect(Network(sizes: [1, 50, 50, 50, 1], hidden: .tanh, output: nil, initialization: .xavier, using: &rng).parameterCount == 5251)
    }

    @Test("Xavier stays within ±√(6/(n_in + n_out)); He has standard deviation √(2/n_in); zeros are zeros")
    func initialization() {
        var rng = SeededGenerator(seed: 11)
        let xavier = Initialization.xavier.weights(inputs: 300, outputs: 100, using: &rng)
        let bound = (6.0 / 400).squareRoot()
        #expect(xavier.allSatisfy { abs($0) < bound })
        #expect(xavier.contains { abs($0) > 0.95 * bound })
        let he = Initialization.he.weights(inputs: 200, outputs: 200, using: &rng)
        let deviation = (he.map { $0 * $0 }.reduce(0, +) / Double(he.count)).squareRoot()
        #expect(abs(deviation - 0.1) < 0.003)  // √(2/200) = 0.1; 40,000 draws
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
        var network = Network(sizes: [2, 4, 1], hidden: .tanh, output: .sigmoid, initialization: .xavier, using: &rng)
        let losses = trainRegressor(
            &network, on: RegressionSet(inputs: gate.inputs, targets: gate.labels.map(Double.init)), epochs: 2000, batchSize: 4,
            learningRate: 2, using: &rng)
        #expect(losses.last! < 0.01 * losses.first!)
        let predicted = gate.inputs.map { network.predict($0)[0] > 0.5 ? 1 : 0 }
        #expect(predicted == gate.labels)
    }

    @Test("digits, the baselines' setup: epoch-1 loss 0.9820 and, after 30 epochs, 0.0126 and 96.9% test accuracy")
    func digits() throws {
        let experiment = DigitsExperiment(digits: try Digits.load())
        #expect(experiment.training.count == 1437 && experiment.test.count == 360)
        var network = experiment.initialNetwork()
        let history = experiment.train(&network, learningRate: 0.1)
        // NumPy's figures (../shared/baselines/RESULTS.md): 0.9820 / 0.0126, 96.94% (349/360)
        #expect(abs(history[0].trainingLoss - 0.9820) < 5e-5)
        #expect(abs(history[29].trainingLoss - 0.0126) < 5e-5)
        #expect(history[29].validationAccuracy! >= 0.969)
    }
}

@Suite("Chapter 3 · Backprop · shape errors name both shapes")
struct ShapeErrorTests {
    @Test("a layer given an input of the wrong size")
    func layerInput() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = DenseLayer(weights: Matrix(rows: 3, columns: 4), biases: [0, 0, 0], activation: nil).forward(batch: Matrix(rows: 2, columns: 5))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("batch (2×5) does not fit weights (3×4)"), "\(message)")
    }

    @Test("layers that do not chain")
    func layersChain() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Network(layers: [
                DenseLayer(weights: Matrix(rows: 3, columns: 2), biases: [0, 0, 0], activation: .relu),
                DenseLayer(weights: Matrix(rows: 1, columns: 4), biases: [0], activation: nil),
            ])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("weights (3×2) give 3 outputs but layer 2 weights (1×4) expect 4 inputs"), "\(message)")
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
