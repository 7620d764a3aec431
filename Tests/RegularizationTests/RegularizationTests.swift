import Activations
import Backprop
import Datasets
import Foundation
import LinearAlgebra
import NumericChecks
import Optimizers
import Randomness
import Regularization
import Testing

func expectClose(_ actual: [Double], _ expected: [Double], relative: Double = 1e-12, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(
        mismatch(actual, expected, tolerance: Tolerance(relative: relative, absolute: 1e-14)) == nil, "\(actual) vs \(expected)",
        sourceLocation: sourceLocation)
}

func expectPassed(_ result: GradientCheckResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.passed, "\(result.description)", sourceLocation: sourceLocation)
}

@Suite("Chapter 5 · Regularization · penalties and weight decay")
struct PenaltyTests {
    let w = [1.0, -2, 0, 0.5]

    @Test("L1, L2 and elastic net on w = [1, −2, 0, 0.5] by hand")
    func values() {
        // L1: 0.1 · (1 + 2 + 0 + 0.5) = 0.35;  L2: 0.05 · (1 + 4 + 0 + 0.25) = 0.2625
        #expect(abs(Penalty.l1(0.1).value(w) - 0.35) < 1e-15)
        #expect(abs(Penalty.l2(0.1).value(w) - 0.2625) < 1e-15)
        #expect(abs(Penalty.elasticNet(l1: 0.1, l2: 0.1).value(w) - 0.6125) < 1e-15)
        #expect(Penalty.none.value(w) == 0)
        expectClose(Penalty.l1(0.1).gradient(w), [0.1, -0.1, 0, 0.1])
        expectClose(Penalty.l2(0.1).gradient(w), [0.1, -0.2, 0, 0.05])
        expectClose(Penalty.elasticNet(l1: 0.1, l2: 0.1).gradient(w), [0.2, -0.3, 0, 0.15])
    }

    @Test("penalty gradients match finite differences", arguments: [Penalty.l1(0.3), .l2(0.7), .elasticNet(l1: 0.2, l2: 0.5)])
    func gradients(_ penalty: Penalty) {
        var rng = SeededGenerator(seed: 1)
        let weights = rng.uniforms(12, in: -2..<2).map { abs($0) < 0.01 ? 0.5 : $0 }  // away from L1's kink at 0
        expectPassed(checkGradient(penalty.name, at: weights, analytic: penalty.gradient(weights)) { penalty.value($0) })
    }

    @Test("a model's penalized loss: addPenalty's gradients match finite differences of loss + Ω")
    func modelPenalty() {
        var rng = SeededGenerator(seed: 2)
        let model = Sequential(sizes: [3, 4, 2], hidden: .tanh, initialization: .xavier, using: &rng)
        let x = Matrix(rows: 5, columns: 3, values: rng.normals(15)), labels = [0, 1, 1, 0, 1]
        let penalty = Penalty.l2(0.3)
        var copy = model
        var unused = SeededGenerator(seed: 0)
        var (_, gradients) = copy.softmaxCrossEntropyGradients(batch: x, labels: labels, using: &unused)
        _ = model.addPenalty(penalty, to: &gradients)
        let analytic = Sequential.arrays(of: gradients)[0]  // the first layer's weights
        let result = checkGradient("W1 with L2", at: model.denseWeights[0], analytic: analytic) { flat in
            var probe = model
            probe.updateParameters { slot, parameter in if slot == 0 { parameter = flat } }
            return softmaxCrossEntropy(logits: probe.forwardInference(x), labels: labels).loss
                + probe.denseWeights.map(penalty.value).reduce(0, +)
        }
        expectPassed(result)
    }

    @Test("with SGD, decoupled weight decay is exactly L2 in the loss; with Adam it is not")
    func decoupled() {
        let gradients = (0..<10).map { k in [sin(Double(k)), 3 * cos(Double(k))] }
        func run(_ optimizer: some Optimizer, l2: Double) -> [Double] {
            var optimizer = optimizer
            var theta = [1.0, -2]
            for g in gradients {
                let total = zip(g, Penalty.l2(l2).gradient(theta)).map(+)
                optimizer.update(&theta, gradient: total, slot: 0)
            }
            return theta
        }
        let inLoss = run(SGD(learningRate: 0.1), l2: 0.5)
        let decoupledSGD = run(DecoupledWeightDecay(SGD(learningRate: 0.1), decay: 0.5), l2: 0)
        expectClose(inLoss, decoupledSGD, relative: 1e-13)
        let adamInLoss = run(Adam(learningRate: 0.1), l2: 0.5)
        let adamW = run(DecoupledWeightDecay(Adam(learningRate: 0.1), decay: 0.5), l2: 0)
        #expect(mismatch(adamInLoss, adamW, tolerance: Tolerance(relative: 1e-3, absolute: 1e-3)) != nil)
    }

    @Test("decoupled decay leaves the slots it is told to skip (biases) alone")
    func decaySkipsBiases() {
        var optimizer = DecoupledWeightDecay(SGD(learningRate: 0.1), decay: 1)
        var weights = [2.0], biases = [2.0]
        optimizer.update(&weights, gradient: [0], slot: 0)
        optimizer.update(&biases, gradient: [0], slot: 1)
        #expect(weights == [1.8] && biases == [2])
    }
}

@Suite("Chapter 5 · Regularization · dropout")
struct DropoutTests {
    @Test("the mask holds 0 or 1/(1 − p), zeroes about p of the values, and averages 1")
    func mask() {
        var rng = SeededGenerator(seed: 3)
        let mask = Dropout(rate: 0.25).mask(count: 20000, using: &rng)
        #expect(mask.allSatisfy { $0 == 0 || $0 == 1 / 0.75 })
        let dropped = Double(mask.filter { $0 == 0 }.count) / 20000
        #expect(abs(dropped - 0.25) < 0.01)
        #expect(abs(mean(mask) - 1) < 0.02)
    }

    @Test("forward and backward with a fixed mask, by hand")
    func fixedMask() {
        let dropout = Dropout(rate: 0.5)
        let mask = [2.0, 0, 0, 2]
        let x = Matrix([[1, 2], [3, 4]])
        #expect(dropout.forward(x, mask: mask).values == [2, 0, 0, 8])
        #expect(dropout.backward(Matrix([[0.5, 0.5], [-1, 1]]), mask: mask).values == [1, 0, 0, 2])
    }

    @Test("dropout's backward pass matches finite differences for a fixed mask")
    func gradientCheck() {
        var rng = SeededGenerator(seed: 4)
        let dropout = Dropout(rate: 0.4)
        let mask = dropout.mask(count: 12, using: &rng)
        let weights = rng.normals(12)  // L = Σ c ⊙ dropout(x)
        let x = rng.normals(12)
        let analytic = dropout.backward(Matrix(rows: 3, columns: 4, values: weights), mask: mask).values
        expectPassed(checkGradient("dropout x", at: x, analytic: analytic) { probe in
            dot(weights, dropout.forward(Matrix(rows: 3, columns: 4, values: probe), mask: mask).values)
        })
    }
}

@Suite("Chapter 5 · Regularization · batch normalization")
struct BatchNormTests {
    @Test("training forward on one feature [1, 2, 3, 4], γ = 2, β = 1, by hand; running statistics move by 0.1")
    func forwardByHand() {
        var norm = BatchNorm(features: 1)
        norm.gamma = [2]
        norm.beta = [1]
        let (output, cache) = norm.forwardTraining(Matrix([[1], [2], [3], [4]]))
        // μ = 2.5, σ² = 1.25;  x̂ = (x − 2.5)/√(1.25 + 1e-5)
        let s = (1.25 + 1e-5).squareRoot()
        expectClose(cache.normalized.values, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s])
        expectClose(output.values, [1 - 3 / s, 1 - 1 / s, 1 + 1 / s, 1 + 3 / s])
        expectClose(norm.runningMean, [0.25])  // 0.9 · 0 + 0.1 · 2.5
        expectClose(norm.runningVariance, [1.025])  // 0.9 · 1 + 0.1 · 1.25
    }

    @Test("each feature comes out with mean β and standard deviation γ")
    func standardized() {
        var rng = SeededGenerator(seed: 5)
        var norm = BatchNorm(features: 3)
        norm.gamma = [1, 2, 0.5]
        norm.beta = [0, -1, 3]
        let x = Matrix(rows: 16, columns: 3, values: rng.normals(48, mean: 7, standardDeviation: 3))
        let y = norm.forwardTraining(x).output
        for j in 0..<3 {
            let column = (0..<16).map { y[$0, j] }
            let m = mean(column)
            let sd = (column.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 16).squareRoot()
            #expect(abs(m - norm.beta[j]) < 1e-12)
            #expect(abs(sd - norm.gamma[j]) < 1e-5)
        }
    }

    @Test("the backward pass matches finite differences for the input, γ and β")
    func gradientCheck() {
        var rng = SeededGenerator(seed: 6)
        var norm = BatchNorm(features: 3)
        norm.gamma = rng.uniforms(3, in: 0.5..<2)
        norm.beta = rng.uniforms(3, in: -1..<1)
        let x = Matrix(rows: 5, columns: 3, values: rng.normals(15))
        let c = rng.normals(15)  // L = Σ c ⊙ y
        func loss(_ layer: BatchNorm, _ input: Matrix) -> Double {
            var layer = layer
            return dot(c, layer.forwardTraining(input).output.values)
        }
        var forward = norm
        let cache = forward.forwardTraining(x).cache
        let (input, gradients) = norm.backward(Matrix(rows: 5, columns: 3, values: c), cache: cache)
        expectPassed(checkGradient("BN x", at: x.values, analytic: input.values) { loss(norm, Matrix(rows: 5, columns: 3, values: $0)) })
        expectPassed(checkGradient("BN γ", at: norm.gamma, analytic: gradients.gamma) { probe in
            var layer = norm
            layer.gamma = probe
            return loss(layer, x)
        })
        expectPassed(checkGradient("BN β", at: norm.beta, analytic: gradients.beta) { probe in
            var layer = norm
            layer.beta = probe
            return loss(layer, x)
        })
    }

    @Test("inference uses the running statistics: a sample's output does not depend on its batch")
    func inference() {
        var rng = SeededGenerator(seed: 7)
        var norm = BatchNorm(features: 2)
        for _ in 0..<50 { _ = norm.forwardTraining(Matrix(rows: 8, columns: 2, values: rng.normals(16, mean: 3, standardDeviation: 2))) }
        #expect(abs(norm.runningMean[0] - 3) < 0.5 && abs(norm.runningVariance[0] - 4) < 1.5)
        let batch = Matrix([[1, 2], [3, 4], [5, 6]])
        let alone = norm.forwardInference(Matrix([[3, 4]]))
        #expect(norm.forwardInference(batch).row(1) == alone.row(0))
        // y = γ (x − running mean)/√(running var + ε) + β
        expectClose(alone.values, (0..<2).map { j in ([3.0, 4][j] - norm.runningMean[j]) / (norm.runningVariance[j] + 1e-5).squareRoot() })
    }
}

@Suite("Chapter 5 · Regularization · a model with dense, batch-norm, activation and dropout layers")
struct SequentialTests {
    static func model(seed: UInt64) -> Sequential {
        var rng = SeededGenerator(seed: seed)
        return Sequential(sizes: [4, 5, 5, 3], hidden: .tanh, batchNorm: true, dropout: 0.3, initialization: .xavier, using: &rng)
    }

    @Test("whole-model gradients (dense, batch norm, dropout with a fixed seed) match finite differences")
    func gradientCheck() {
        let model = Self.model(seed: 8)
        var rng = SeededGenerator(seed: 9)
        let x = Matrix(rows: 6, columns: 4, values: rng.normals(24)), labels = [0, 1, 2, 2, 1, 0]
        var copy = model
        var masks = SeededGenerator(seed: 10)
        let arrays = Sequential.arrays(of: copy.softmaxCrossEntropyGradients(batch: x, labels: labels, using: &masks).gradients)
        var parameters: [[Double]] = []
        var probe = model
        probe.updateParameters { _, p in parameters.append(p) }
        #expect(arrays.count == parameters.count && arrays.count == 10)  // 3 dense × (W, b) + 2 BN × (γ, β)
        for slot in parameters.indices {
            let result = checkGradient("slot \(slot)", at: parameters[slot], analytic: arrays[slot]) { flat in
                var probe = model
                probe.updateParameters { s, p in if s == slot { p = flat } }
                var sameMasks = SeededGenerator(seed: 10)
                return probe.softmaxCrossEntropyGradients(batch: x, labels: labels, using: &sameMasks).loss
            }
            expectPassed(result)
        }
    }

    @Test("inference is deterministic: no dropout, running statistics, and rows independent of their batch")
    func inferenceIsDeterministic() {
        var model = Self.model(seed: 11)
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<5 { _ = model.forwardTraining(Matrix(rows: 8, columns: 4, values: rng.normals(32)), using: &rng) }
        let x = Matrix(rows: 4, columns: 4, values: rng.normals(16))
        let first = model.forwardInference(x)
        #expect(model.forwardInference(x) == first)
        #expect(model.forwardInference(Matrix([x.row(2)])).row(0) == first.row(2))
        // …and equal to the same model with its dropout layers removed.
        let withoutDropout = Sequential(model.layers.filter { if case .dropout = $0 { false } else { true } })
        #expect(withoutDropout.forwardInference(x) == first)
        // Training mode, by contrast, draws a new mask every time.
        var a = model, b = model
        #expect(a.forwardTraining(x, using: &rng).output != b.forwardTraining(x, using: &rng).output)
    }

    @Test("the slots that hold dense weights, for penalties and weight decay")
    func weightSlots() {
        #expect(Self.model(seed: 1).weightSlots == [0, 4, 8])
    }
}

@Suite("Chapter 5 · Regularization · early stopping")
struct EarlyStoppingTests {
    @Test("on a scripted validation-loss sequence: stops after the right epoch and keeps the best")
    func scripted() {
        // epoch:   1    2    3    4     5     6     7    8
        let losses = [1.0, 0.8, 0.7, 0.69, 0.72, 0.75, 0.71, 0.9]
        // min improvement 0.02: 0.69 is not better enough than 0.7, so epochs 4, 5, 6 are the 3 without
        var stopper = EarlyStopping<Int>(patience: 3, minimumImprovement: 0.02)
        var stoppedAfter: Int?
        for (index, loss) in losses.enumerated() {
            if stopper.shouldStop(afterEpoch: index + 1, validationLoss: loss, model: 100 + index + 1) {
                stoppedAfter = index + 1
                break
            }
        }
        #expect(stoppedAfter == 6)
        #expect(stopper.best?.epoch == 3 && stopper.best?.model == 103 && stopper.best?.loss == 0.7)
        // Without a minimum improvement 0.69 counts, and three more epochs are needed.
        var strict = EarlyStopping<Int>(patience: 3)
        let stop = losses.indices.first { strict.shouldStop(afterEpoch: $0 + 1, validationLoss: losses[$0], model: $0 + 1) }
        #expect(stop.map { $0 + 1 } == 7)
        #expect(strict.best?.epoch == 4)
    }

    @Test("never stops while the loss keeps improving")
    func keepsGoing() {
        var stopper = EarlyStopping<Int>(patience: 1, minimumImprovement: 0.001)
        for epoch in 1...20 {
            let stop = stopper.shouldStop(afterEpoch: epoch, validationLoss: 1 / Double(epoch), model: epoch)
            #expect(!stop)
        }
        #expect(stopper.best?.epoch == 20)
    }

    @Test("training with early stopping hands back the model of the best validation epoch")
    func restoresBest() throws {
        var rng = SeededGenerator(seed: 13)
        let data = blobs(centers: [[-1, 0], [1, 0], [0, 1.5]], pointsPerCenter: 30, standardDeviation: 0.8, using: &rng)
        let (training, validation) = data.split(testFraction: 0.5, using: &rng)
        var model = Sequential(sizes: [2, 32, 32, 3], hidden: .relu, initialization: .he, using: &rng)
        var adam = Adam(learningRate: 0.02)
        let run = train(
            &model, on: training, validation: validation, epochs: 200, batchSize: 8, optimizer: &adam,
            earlyStopping: EarlyStopping(patience: 10), using: &rng)
        let stopped = try #require(run.stoppedAfter)
        #expect(stopped == run.keptEpoch + 10)
        let best = run.history.min { $0.validationLoss < $1.validationLoss }!
        #expect(run.keptEpoch == best.epoch)
        #expect(model.evaluate(on: validation).loss == best.validationLoss)
    }
}

@Suite("Chapter 5 · Regularization · misuse is named")
struct RegularizationMisuseTests {
    @Test("a batch with the wrong number of features names both")
    func batchNormShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var norm = BatchNorm(features: 3)
            _ = norm.forwardTraining(Matrix(rows: 4, columns: 5))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("batch (4×5) does not fit 3 features"), "\(message)")
    }

    @Test("a dropout rate of 1 or more is refused")
    func dropoutRate() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { _ = Dropout(rate: 1) }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("the rate must be in [0, 1), got 1.0"), "\(message)")
    }
}
