import Activations
import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

@testable import Practice

func smallPrecisionModel(seed: UInt64, inputs: Int = 5, hidden: Int = 4, classes: Int = 3) -> PrecisionMLP<Double> {
    var rng = SeededGenerator(seed: seed)
    return PrecisionMLP(
        inputs: inputs, hidden: hidden, classes: classes, w1: rng.normals(hidden * inputs).map { $0 * 0.5 }, b1: rng.normals(hidden).map { $0 * 0.1 },
        w2: rng.normals(classes * hidden).map { $0 * 0.5 }, b2: rng.normals(classes).map { $0 * 0.1 })
}

@Suite("Chapter 11 · training in Double, Float and Float16")
struct PrecisionTests {
    @Test("in Double the loss and gradients equal the chapters' Dense → ReLU → Dense with softmax cross-entropy, and pass central differences")
    func doubleMatchesTheLayers() {
        let model = smallPrecisionModel(seed: 1)
        var rng = SeededGenerator(seed: 2)
        let x = (0..<6).map { _ in rng.normals(5) }
        let labels = [0, 2, 1, 1, 0, 2]
        let (loss, g) = model.gradients(x, labels: labels)
        var net = Sequential([
            Dense(weights: Matrix(rows: 4, columns: 5, values: model.w1), biases: model.b1), ActivationLayer(.relu),
            Dense(weights: Matrix(rows: 3, columns: 4, values: model.w2), biases: model.b2),
        ])
        let y = net.forward(Tensor(shape: [6, 5], values: x.flatMap { $0 }), mode: .training)
        let reference = SoftmaxCrossEntropy().evaluate(y, labels)
        _ = net.backward(reference.gradient)
        #expect(abs(loss - reference.loss) < 1e-14)
        let expected = net.namedParameters.map(\.parameter.gradient)
        #expect(mismatch(g, expected[0] + expected[1] + expected[2] + expected[3], tolerance: Tolerance(relative: 1e-12, absolute: 1e-15)) == nil)
        let check = checkGradient("all parameters", at: model.flat, analytic: g) { flat in
            var probe = model
            (probe.w1, probe.b1, probe.w2, probe.b2) = (Array(flat[0..<20]), Array(flat[20..<24]), Array(flat[24..<36]), Array(flat[36..<39]))
            return probe.gradients(x, labels: labels).loss
        }
        #expect(check.passed, "\(check)")
    }

    @Test("a loss scale S multiplies every gradient by S exactly (a power of two) in Double")
    func scaleIsExact() {
        let model = smallPrecisionModel(seed: 3)
        let x = [[1.0, -2, 0.5, 0, 3], [0.1, 0.2, -0.3, 0.4, -0.5]]
        let plain = model.gradients(x, labels: [1, 2]).gradients
        let scaled = model.gradients(x, labels: [1, 2], lossScale: 1024).gradients
        #expect(scaled == plain.map { $0 * 1024 })
    }

    #if !(os(macOS) && arch(x86_64))
        @Test("Float16 flushes gradients below its range to 0; a loss scale of 2¹⁰ brings them back; Float keeps them")
        func float16Underflow() {
            // A large batch of confidently right samples: ∂L/∂z = (p − y)/B is tiny.
            var model = smallPrecisionModel(seed: 4)
            model.b2 = [14, 0, 0]
            let x = (0..<64).map { k in [0.01 * Double(k % 7), 0.02, -0.01, 0.03, 0.001 * Double(k)] }
            let labels = [Int](repeating: 0, count: 64)
            let reference = model.gradients(x, labels: labels).gradients
            func lost<T: BinaryFloatingPoint>(_ g: [T]) -> Int { zip(g, reference).filter { $0.0 == 0 && $0.1 != 0 }.count }
            let half = PrecisionMLP<Float16>(model).gradients(x, labels: labels).gradients
            let halfScaled = PrecisionMLP<Float16>(model).gradients(x, labels: labels, lossScale: 1024).gradients
            let single = PrecisionMLP<Float>(model).gradients(x, labels: labels).gradients
            #expect(lost(half) > reference.count / 4, "Float16 lost \(lost(half)) of \(reference.count)")
            #expect(lost(halfScaled) < lost(half) / 4, "scaled Float16 lost \(lost(halfScaled))")
            #expect(lost(single) == 0)
        }

        @Test(
            "training: Float16 compute with Float master weights and loss scaling learns like Double; updates below half a spacing leave Float16 weights unmoved; an overflowing scale skips every step"
        )
        func float16Training() {
            var rng = SeededGenerator(seed: 5)
            let centres = (0..<3).map { _ in rng.normals(5) }
            var x: [[Double]] = [], labels: [Int] = []
            for k in 0..<150 {
                labels.append(k % 3)
                x.append(centres[k % 3].map { $0 + 0.5 * rng.normal() })
            }
            let batches = (0..<100).flatMap { _ in stride(from: 0, to: 150, by: 50).map { Array($0..<($0 + 50)) } }
            let start = smallPrecisionModel(seed: 6, hidden: 16)
            func accuracy(_ m: PrecisionMLP<Double>) -> Double { Double(zip(m.classify(x), labels).filter { $0 == $1 }.count) / 150 }
            let double = trainInPrecision(Double.self, start: start, x: x, labels: labels, batches: batches, learningRate: 0.02)
            let mixed = trainInPrecision(
                Float16.self, start: start, x: x, labels: labels, batches: batches, learningRate: 0.02,
                recipe: PrecisionRecipe(floatMasterWeights: true, lossScale: 256))
            let overflowing = trainInPrecision(
                Float16.self, start: start, x: x, labels: labels, batches: batches, learningRate: 0.02,
                recipe: PrecisionRecipe(floatMasterWeights: true, lossScale: 1e9))
            let startLoss = start.gradients(x, labels: labels).loss
            #expect(double.model.gradients(x, labels: labels).loss < startLoss / 2)
            #expect(accuracy(double.model) > accuracy(start) + 0.3)
            #expect(abs(accuracy(mixed.model) - accuracy(double.model)) <= 0.02)
            // Updates far below half a Float16 spacing: weights kept in Float16 never move; a Float master copy does.
            let tiny = Array(batches.prefix(6))
            let halfWeights = trainInPrecision(
                Float16.self, start: start, x: x, labels: labels, batches: tiny, learningRate: 1e-5, recipe: PrecisionRecipe(lossScale: 256))
            let masterWeights = trainInPrecision(
                Float16.self, start: start, x: x, labels: labels, batches: tiny, learningRate: 1e-5,
                recipe: PrecisionRecipe(floatMasterWeights: true, lossScale: 256))
            #expect(halfWeights.model.flat == PrecisionMLP<Double>(PrecisionMLP<Float16>(start)).flat)
            #expect(masterWeights.model.flat != PrecisionMLP<Double>(PrecisionMLP<Float>(start)).flat)
            #expect(mixed.skippedSteps == 0)
            #expect(overflowing.skippedSteps == batches.count)
            #expect(overflowing.model.flat.map { Float($0) } == PrecisionMLP<Float>(start).flat)
        }
    #endif
}

@Suite("Chapter 11 · readings: MAML, a neural ODE, message passing")
struct ReadingsTests {
    @Test("MAML's meta-gradient, second-order term included, equals central differences of the meta-loss; first-order MAML differs")
    func mamlGradient() {
        var rng = SeededGenerator(seed: 7)
        let task = SineTask(amplitude: 2.5, phase: 0.7)
        let sx = rng.uniforms(5, in: -5..<5), qx = rng.uniforms(10, in: -5..<5)
        let theta = [0.3, -0.2, 0.5]
        let exact = SineMAML.metaLoss(
            theta, supportX: sx, supportY: sx.map(task.callAsFunction), queryX: qx, queryY: qx.map(task.callAsFunction), innerRate: 0.3)
        let check = checkGradient("θ", at: theta, analytic: exact.gradient) {
            SineMAML.metaLoss($0, supportX: sx, supportY: sx.map(task.callAsFunction), queryX: qx, queryY: qx.map(task.callAsFunction), innerRate: 0.3).loss
        }
        #expect(check.passed, "\(check)")
        let first = SineMAML.metaLoss(
            theta, supportX: sx, supportY: sx.map(task.callAsFunction), queryX: qx, queryY: qx.map(task.callAsFunction), innerRate: 0.3, firstOrder: true)
        #expect(zip(first.gradient, exact.gradient).map { abs($0 - $1) }.max()! > 1e-3)
        // With α = 0 the meta-loss is the plain loss and both gradients are its gradient.
        let plain = SineMAML.loss(theta, x: qx, y: qx.map(task.callAsFunction)).gradient
        #expect(
            SineMAML.metaLoss(theta, supportX: sx, supportY: sx.map(task.callAsFunction), queryX: qx, queryY: qx.map(task.callAsFunction), innerRate: 0)
                .gradient == plain)
    }

    @Test("a neural ODE: Euler's error shrinks like Δt and RK4's like Δt⁴; the gradient through the Euler steps passes central differences")
    func neuralODE() {
        let ode = NeuralODE(w: [0.5, -1.2, 0.9, 0.3], b: [0.1, -0.2])
        let h0 = [1.0, -0.5]
        let exact = ode.rungeKutta4(h0, steps: 2048)
        func error(_ h: [Double]) -> Double { zip(h, exact).map { abs($0 - $1) }.max()! }
        let eulerRatio = error(ode.euler(h0, steps: 32)) / error(ode.euler(h0, steps: 64))
        let rkRatio = error(ode.rungeKutta4(h0, steps: 8)) / error(ode.rungeKutta4(h0, steps: 16))
        #expect(abs(eulerRatio - 2) < 0.1, "Euler: halving Δt divided the error by \(eulerRatio)")
        #expect(abs(rkRatio - 16) < 2, "RK4: halving Δt divided the error by \(rkRatio)")
        let target = [0.3, 0.4]
        let g = ode.eulerLossGradient(h0, target: target, steps: 10)
        func loss(_ m: NeuralODE, _ start: [Double]) -> Double { 0.5 * zip(m.euler(start, steps: 10), target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        #expect(abs(g.loss - loss(ode, h0)) < 1e-15)
        for check in [
            checkGradient("W", at: ode.w, analytic: g.w) { loss(NeuralODE(w: $0, b: ode.b), h0) },
            checkGradient("b", at: ode.b, analytic: g.b) { loss(NeuralODE(w: ode.w, b: $0), h0) },
            checkGradient("h(0)", at: h0, analytic: g.h0) { loss(ode, $0) },
        ] {
            #expect(check.passed, "\(check)")
        }
    }

    @Test("message passing: by hand on a path of three nodes, and relabelling the nodes relabels the output")
    func messagePassing() {
        let w = Matrix([[1.0, 0], [0, 1]]), m = Matrix([[0.5, 0], [0, -1]])
        let states = [[1.0, 0], [0, 1], [2, 2]]
        let path = [[1], [0, 2], [1]]
        let out = messagePassingRound(states, neighbours: path, w: w, m: m, b: [0, 0])
        #expect(out[1] == [tanh(0 + 0.5 * 3), tanh(1 - 1 * 2)])
        #expect(out[0] == [tanh(1 + 0), tanh(0 - 1)])
        let permutation = [2, 0, 1]  // new node k is old node permutation[k]
        let inverse = permutation.indices.map { k in permutation.firstIndex(of: k)! }
        let relabelled = messagePassingRound(
            permutation.map { states[$0] }, neighbours: permutation.map { path[$0].map { inverse[$0] } }, w: w, m: m, b: [0, 0])
        #expect(relabelled == permutation.map { out[$0] })
    }
}
