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

    @Test("the penalty plugin: the weights' gradients match finite differences of loss + Ω; biases are not penalized")
    func modelPenalty() {
        var rng = SeededGenerator(seed: 2)
        let model = Sequential(sizes: [3, 4, 2], hidden: .tanh, initialization: .xavier, using: &rng)
        let x = Tensor(shape: [5, 3], values: rng.normals(15)), labels = [0, 1, 1, 0, 1]
        let penalty = Penalty.l2(0.3)
        var copy = model
        _ = copy.backward(SoftmaxCrossEntropy().evaluate(copy.forward(x, mode: .training), labels).gradient)
        let dataGradients = copy.parameters.map(\.gradient)
        var plugin = WeightPenalty(penalty)
        let omega = plugin.gradientsComputed(&copy)
        let weights = model.parameters.filter(\.decays)
        #expect(weights.map(\.name) == ["W1", "W2"])
        expectClose([omega], [weights.map { penalty.value($0.value) }.reduce(0, +)])
        for (k, parameter) in copy.parameters.enumerated() {
            if !parameter.decays { #expect(parameter.gradient == dataGradients[k], "\(parameter.name) is not penalized") }
            let result = checkGradient("\(parameter.name) with L2", at: model.parameters[k].value, analytic: parameter.gradient) { flat in
                var probe = model
                var index = 0
                probe.visitParameters { p in
                    if index == k { p.value = flat }
                    index += 1
                }
                return SoftmaxCrossEntropy().evaluate(probe.predict(x), labels).loss
                    + probe.parameters.filter(\.decays).map { penalty.value($0.value) }.reduce(0, +)
            }
            expectPassed(result)
        }
    }

    @Test("with SGD, decoupled weight decay is exactly L2 in the loss; with Adam it is not")
    func decoupled() {
        let gradients = (0..<10).map { k in [sin(Double(k)), 3 * cos(Double(k))] }
        func run(_ optimizer: some Optimizer, l2: Double) -> [Double] {
            var optimizer = optimizer
            var theta = Parameter(name: "w", shape: [2], value: [1.0, -2], decays: true)
            for g in gradients {
                theta.gradient = zip(g, Penalty.l2(l2).gradient(theta.value)).map(+)
                optimizer.update(&theta)
            }
            return theta.value
        }
        let inLoss = run(SGD(learningRate: 0.1), l2: 0.5)
        let decoupledSGD = run(DecoupledWeightDecay(SGD(learningRate: 0.1), decay: 0.5), l2: 0)
        expectClose(inLoss, decoupledSGD, relative: 1e-13)
        let adamInLoss = run(Adam(learningRate: 0.1), l2: 0.5)
        let adamW = run(DecoupledWeightDecay(Adam(learningRate: 0.1), decay: 0.5), l2: 0)
        #expect(mismatch(adamInLoss, adamW, tolerance: Tolerance(relative: 1e-3, absolute: 1e-3)) != nil)
    }

    @Test("decoupled decay shrinks the weights only: not biases, γ or β")
    func decaySkipsBiasesAndBatchNorm() {
        var rng = SeededGenerator(seed: 3)
        var model = Sequential(sizes: [3, 4, 2], hidden: .relu, batchNorm: true, initialization: .xavier, using: &rng)
        model.visitParameters { p in p.value = [Double](repeating: 2, count: p.count) }  // gradients stay 0
        var optimizer = DecoupledWeightDecay(SGD(learningRate: 0.1), decay: 1)
        optimizer.step(&model)
        let values = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value) })
        #expect(values.keys.sorted() == ["W1", "W2", "b1", "b2", "β1", "γ1"])
        for (name, value) in values {
            #expect(value.allSatisfy { $0 == (name.hasPrefix("W") ? 1.8 : 2) }, "\(name): \(value)")
        }
    }
}

@Suite("Chapter 5 · Regularization · dropout")
struct DropoutTests {
    @Test("the mask holds 0 or 1/(1 − p), zeroes about p of the values, and averages 1")
    func mask() {
        var rng = SeededGenerator(seed: 3)
        let mask = Dropout.mask(count: 20000, rate: 0.25, using: &rng)
        #expect(mask.allSatisfy { $0 == 0 || $0 == 1 / 0.75 })
        let dropped = Double(mask.filter { $0 == 0 }.count) / 20000
        #expect(abs(dropped - 0.25) < 0.01)
        #expect(abs(mean(mask) - 1) < 0.02)
    }

    @Test("forward and backward with a given mask, by hand; inference is the identity")
    func fixedMask() {
        var dropout = Dropout(rate: 0.5, seed: 1)
        let x = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        #expect(dropout.forward(x, mask: [2.0, 0, 0, 2]).values == [2, 0, 0, 8])
        #expect(dropout.backward(Tensor(shape: [2, 2], values: [0.5, 0.5, -1, 1])).values == [1, 0, 0, 2])
        #expect(dropout.forward(x, mode: .inference) == x)
    }

    @Test("the layer draws its masks from its own seeded generator: a copy draws the same, the next pass a new one")
    func ownGenerator() {
        var a = Dropout(rate: 0.5, seed: 7)
        var b = a
        let x = Tensor(shape: [4, 8], repeating: 1)
        let first = a.forward(x, mode: .training)
        #expect(b.forward(x, mode: .training) == first)
        #expect(a.forward(x, mode: .training) != first)
        var generator = SeededGenerator(seed: 7)
        #expect(first.values == Dropout.mask(count: 32, rate: 0.5, using: &generator))
    }

    @Test("dropout's backward pass matches finite differences (the generic check: same mask in every pass)")
    func gradientCheck() {
        var rng = SeededGenerator(seed: 4)
        let c = rng.normals(12)  // L = Σ c ⊙ dropout(x)
        let x = Tensor(shape: [3, 4], values: rng.normals(12))
        let results = checkGradients(Dropout(rate: 0.4, seed: 5), input: x) { y in
            (dot(c, y.values), Tensor(shape: y.shape, values: c))
        }
        #expect(results.map(\.parameter) == ["x"])
        for result in results { expectPassed(result) }
    }
}

@Suite("Chapter 5 · Regularization · batch normalization")
struct BatchNormTests {
    @Test("training forward on one feature [1, 2, 3, 4], γ = 2, β = 1, by hand; running statistics move by 0.1")
    func forwardByHand() {
        var norm = BatchNorm(features: 1)
        norm.gamma.value = [2]
        norm.beta.value = [1]
        let output = norm.forward(Tensor(shape: [4, 1], values: [1, 2, 3, 4]), mode: .training)
        // μ = 2.5, σ² = 1.25;  x̂ = (x − 2.5)/√(1.25 + 1e-5)
        let s = (1.25 + 1e-5).squareRoot()
        expectClose(norm.normalized!.values, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s])
        expectClose(output.values, [1 - 3 / s, 1 - 1 / s, 1 + 1 / s, 1 + 3 / s])
        expectClose(norm.runningMean, [0.25])  // 0.9 · 0 + 0.1 · 2.5
        expectClose(norm.runningVariance, [1.025])  // 0.9 · 1 + 0.1 · 1.25
    }

    @Test("each feature comes out with mean β and standard deviation γ")
    func standardized() {
        var rng = SeededGenerator(seed: 5)
        var norm = BatchNorm(features: 3)
        norm.gamma.value = [1, 2, 0.5]
        norm.beta.value = [0, -1, 3]
        let x = Tensor(shape: [16, 3], values: rng.normals(48, mean: 7, standardDeviation: 3))
        let y = norm.forward(x, mode: .training).matrix
        for j in 0..<3 {
            let column = (0..<16).map { y[$0, j] }
            let m = mean(column)
            let sd = (column.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 16).squareRoot()
            #expect(abs(m - norm.beta.value[j]) < 1e-12)
            #expect(abs(sd - norm.gamma.value[j]) < 1e-5)
        }
    }

    @Test("the backward pass matches finite differences for γ, β and the input; gradients accumulate")
    func gradientCheck() {
        var rng = SeededGenerator(seed: 6)
        var norm = BatchNorm(features: 3, name: "1")
        norm.gamma.value = rng.uniforms(3, in: 0.5..<2)
        norm.beta.value = rng.uniforms(3, in: -1..<1)
        let x = Tensor(shape: [5, 3], values: rng.normals(15))
        let c = rng.normals(15)  // L = Σ c ⊙ y
        let results = checkGradients(norm, input: x) { y in (dot(c, y.values), Tensor(shape: y.shape, values: c)) }
        #expect(results.map(\.parameter) == ["γ1", "β1", "x"])
        for result in results { expectPassed(result) }
        // Two backward passes add up: twice the gradient of one.
        var twice = norm
        _ = twice.forward(x, mode: .training)
        _ = twice.backward(Tensor(shape: [5, 3], values: c))
        let once = twice.gamma.gradient
        _ = twice.backward(Tensor(shape: [5, 3], values: c))
        expectClose(twice.gamma.gradient, once.map { 2 * $0 })
    }

    @Test("inference uses the running statistics: a sample's output does not depend on its batch")
    func inference() {
        var rng = SeededGenerator(seed: 7)
        var norm = BatchNorm(features: 2)
        for _ in 0..<50 { _ = norm.forward(Tensor(shape: [8, 2], values: rng.normals(16, mean: 3, standardDeviation: 2)), mode: .training) }
        #expect(abs(norm.runningMean[0] - 3) < 0.5 && abs(norm.runningVariance[0] - 4) < 1.5)
        let batch = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let alone = norm.predict(Tensor(shape: [1, 2], values: [3, 4]))
        #expect(Array(norm.predict(batch).values[2..<4]) == alone.values)
        // y = γ (x − running mean)/√(running var + ε) + β
        expectClose(alone.values, (0..<2).map { j in ([3.0, 4][j] - norm.runningMean[j]) / (norm.runningVariance[j] + 1e-5).squareRoot() })
    }
}

@Suite("Chapter 5 · Regularization · a model with every layer kind")
struct SequentialTests {
    static func model(seed: UInt64) -> Sequential {
        var rng = SeededGenerator(seed: seed)
        return Sequential(sizes: [4, 5, 5, 3], hidden: .tanh, batchNorm: true, dropout: 0.3, initialization: .xavier, using: &rng)
    }

    @Test("whole-model gradients (dense, batch norm, activation, dropout, a nested Sequential): every parameter and the input")
    func gradientCheck() {
        var rng = SeededGenerator(seed: 9)
        let inner = Self.model(seed: 8)
        // A Sequential inside a Sequential, followed by more layers of every kind.
        let model = Sequential([
            inner, ActivationLayer(.sigmoid), Dense(inputs: 3, outputs: 4, initialization: .xavier, using: &rng, name: "4"),
            BatchNorm(features: 4, name: "4"), Dropout(rate: 0.5, seed: 3), ActivationLayer(.gelu),
            Dense(inputs: 4, outputs: 3, initialization: .xavier, using: &rng, name: "5"),
        ])
        let x = Tensor(shape: [6, 4], values: rng.normals(24)), labels = [0, 1, 2, 2, 1, 0]
        let results = checkGradients(model, input: x) { SoftmaxCrossEntropy().evaluate($0, labels) }
        #expect(results.map(\.parameter) == ["W1", "b1", "γ1", "β1", "W2", "b2", "γ2", "β2", "W3", "b3", "W4", "b4", "γ4", "β4", "W5", "b5", "x"])
        for result in results { expectPassed(result) }
    }

    @Test("inference is deterministic: no dropout, running statistics, and rows independent of their batch")
    func inferenceIsDeterministic() {
        var model = Self.model(seed: 11)
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<5 { _ = model.forward(Tensor(shape: [8, 4], values: rng.normals(32)), mode: .training) }
        let x = Tensor(shape: [4, 4], values: rng.normals(16))
        let first = model.predict(x)
        #expect(model.predict(x) == first)
        #expect(model.predict(Tensor(shape: [1, 4], values: Array(x.values[8..<12]))).values == Array(first.values[6..<9]))
        // …and equal to the same model with its dropout layers removed.
        let withoutDropout = Sequential(model.layers.filter { !($0 is Dropout) })
        #expect(withoutDropout.predict(x) == first)
        // Training mode, by contrast, draws a new mask every time.
        var a = model
        #expect(a.forward(x, mode: .training) != a.forward(x, mode: .training))
    }

    @Test("the parameters are named and flagged: weights decay; biases, γ and β do not")
    func parameterFlags() {
        let parameters = Self.model(seed: 1).parameters
        #expect(parameters.map(\.name) == ["W1", "b1", "γ1", "β1", "W2", "b2", "γ2", "β2", "W3", "b3"])
        #expect(parameters.filter(\.decays).map(\.name) == ["W1", "W2", "W3"])
        #expect(parameters.allSatisfy { !$0.frozen })
    }
}

@Suite("Chapter 5 · Regularization · early stopping")
struct EarlyStoppingTests {
    @Test("on a scripted validation-loss sequence: stops after the right epoch and keeps the best")
    func scripted() {
        // epoch:   1    2    3    4     5     6     7    8
        let losses = [1.0, 0.8, 0.7, 0.69, 0.72, 0.75, 0.71, 0.9]
        // min improvement 0.02: 0.69 is not better enough than 0.7, so epochs 4, 5, 6 are the 3 without
        var stopper = EarlyStopping(patience: 3, minimumImprovement: 0.02)
        var stoppedAfter: Int?
        for (index, loss) in losses.enumerated() {
            if stopper.shouldStop(afterEpoch: index + 1, validationLoss: loss) {
                stoppedAfter = index + 1
                break
            }
        }
        #expect(stoppedAfter == 6)
        #expect(stopper.best?.epoch == 3 && stopper.best?.loss == 0.7)
        // Without a minimum improvement 0.69 counts, and three more epochs are needed.
        var strict = EarlyStopping(patience: 3)
        let stop = losses.indices.first { strict.shouldStop(afterEpoch: $0 + 1, validationLoss: losses[$0]) }
        #expect(stop.map { $0 + 1 } == 7)
        #expect(strict.best?.epoch == 4)
    }

    @Test("never stops while the loss keeps improving")
    func keepsGoing() {
        var stopper = EarlyStopping(patience: 1, minimumImprovement: 0.001)
        for epoch in 1...20 {
            let stop = stopper.shouldStop(afterEpoch: epoch, validationLoss: 1 / Double(epoch))
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
            &model, on: training, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: 200, batchSize: 8,
            order: .shuffled(epochs: 200, count: training.count, using: &rng), plugins: [EarlyStopping(patience: 10)])
        #expect(run.stoppedEarly)
        #expect(run.history.count == run.keptEpoch + 10)
        let best = run.history.min { $0.validation!.loss < $1.validation!.loss }!
        #expect(run.keptEpoch == best.epoch)
        #expect(evaluate(model, on: validation, loss: SoftmaxCrossEntropy()).loss == best.validation!.loss)
    }
}

@Suite("Chapter 5 · Regularization · misuse is named")
struct RegularizationMisuseTests {
    @Test("a batch with the wrong number of features names both")
    func batchNormShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var norm = BatchNorm(features: 3)
            _ = norm.forward(Tensor(shape: [4, 5]), mode: .training)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("BatchNorm: input (4×5) does not fit: it needs (batch × 3)"), "\(message)")
    }

    @Test("a dropout rate of 1 or more is refused")
    func dropoutRate() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { _ = Dropout(rate: 1, seed: 0) }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("the rate must be in [0, 1), got 1.0"), "\(message)")
    }
}
