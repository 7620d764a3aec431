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

// The model core's steps, parameter groups, freezing and checkpoints, proven with
// test-only steps (a two-term loss, a two-model adversarial game) before the chapters
// that need them build their own.

/// 120 samples of 6 features in 3 classes, separable but not trivially.
func blobs(seed: UInt64, count: Int = 120) -> ClassificationSet {
    var rng = SeededGenerator(seed: seed)
    var inputs: [[Double]] = [], labels: [Int] = []
    for i in 0..<count {
        let label = i % 3
        inputs.append((0..<6).map { j in rng.normal() + (j % 3 == label ? 2 : 0) })
        labels.append(label)
    }
    return ClassificationSet(inputs: inputs, labels: labels, classCount: 3)
}

/// 6 → 8 (batch norm, ReLU, dropout) → 3.
func smallNetwork(seed: UInt64) -> Sequential {
    var rng = SeededGenerator(seed: seed)
    return Sequential([
        Dense(inputs: 6, outputs: 8, initialization: .he, using: &rng, name: "1"), BatchNorm(features: 8, name: "1"),
        ActivationLayer(.relu), Dropout(rate: 0.2, seed: seed + 1),
        Dense(inputs: 8, outputs: 3, initialization: .xavier, using: &rng, name: "2"),
    ])
}

/// A test-only step with two loss terms: "fit", the mean squared error, and "size", λ times
/// the mean of y², reported apart and trained on together.
struct TwoTermStep: TrainingStep {
    var model: Sequential
    var optimizer: SGD
    let lambda = 0.1

    var learningRate: Double {
        get { optimizer.learningRate }
        set { optimizer.learningRate = newValue }
    }

    func terms(_ y: Tensor, _ target: Tensor) -> (LossTerms, Tensor) {
        let (fit, fitGradient) = MeanSquaredError().evaluate(y, target)
        let n = Double(y.count)
        let size = lambda * y.values.reduce(0) { $0 + $1 * $1 } / n
        let gradient = zip(fitGradient.values, y.values).map { $0 + lambda * 2 * $1 / n }
        return (LossTerms(["fit": fit, "size": size]), Tensor(shape: y.shape, values: gradient))
    }

    mutating func trainBatch(_ inputs: Tensor, _ targets: Tensor, plugins: inout TrainingPlugins) -> LossTerms {
        model.zeroGradients()
        var (terms, gradient) = self.terms(model.forward(inputs, mode: .training), targets)
        model.backwardSkippingInputGradient(gradient)
        plugins.gradientsComputed(&model, into: &terms)
        optimizer.step(&model)
        return terms
    }

    func evaluate<Data: TrainingData>(on data: Data) -> Evaluation where Data.Target == Tensor {
        let (x, target) = data.batch(Array(0..<data.count)[...])
        let (terms, _) = self.terms(model.predict(x), target)
        return Evaluation(loss: terms.total, terms: terms)
    }
}

/// The same objective as one loss, for comparison: MSE + λ mean(y²).
struct FitPlusSize: Loss {
    func evaluate(_ output: Tensor, _ target: Tensor) -> (loss: Double, gradient: Tensor) {
        let (terms, gradient) = TwoTermStep(model: Sequential([ActivationLayer(.relu)]), optimizer: SGD(learningRate: 0)).terms(output, target)
        return (terms.total, gradient)
    }
}

/// A test-only GAN on 1-D data: G maps noise to a number, D scores a number (a logit).
/// D's step sees real and generated samples (the generated ones carry no gradient into G);
/// G's step goes through D's input gradient, leaving D untouched.
struct AdversarialStep: TrainingStep {
    var model: Sequential  // G
    var discriminator: Sequential
    var generatorOptimizer: SGD
    var discriminatorOptimizer: SGD
    var noise: SeededGenerator
    /// What D looked like before and after the last G step (for the tests).
    var discriminatorAroundGeneratorStep: (before: Sequential, after: Sequential)?

    var learningRate: Double {
        get { generatorOptimizer.learningRate }
        set { generatorOptimizer.learningRate = newValue }
    }

    mutating func trainBatch(_ real: Tensor, _ targets: Void, plugins: inout TrainingPlugins) -> LossTerms {
        let batch = real.shape[0]
        let z = Tensor(shape: [batch, 1], values: (0..<batch).map { _ in noise.normal() })
        let bce = BinaryCrossEntropyWithLogits()
        var terms = LossTerms()
        // D: real → 1, fake → 0; the fake batch is data here.
        let fake = model.predict(z)
        discriminator.zeroGradients()
        let both = Tensor(shape: [2 * batch, 1], values: real.values + fake.values)
        let labels = Tensor(shape: [2 * batch, 1], values: [Double](repeating: 1, count: batch) + [Double](repeating: 0, count: batch))
        let (dLoss, dGradient) = bce.evaluate(discriminator.forward(both, mode: .training), labels)
        discriminator.backwardSkippingInputGradient(dGradient)
        terms.append("D", dLoss)
        plugins.gradientsComputed(&discriminator, into: &terms, label: "D")
        discriminatorOptimizer.step(&discriminator)
        // G: the non-saturating loss −log D(G(z)), through D's input gradient.
        let before = discriminator
        model.zeroGradients()
        let generated = model.forward(z, mode: .training)
        let ones = Tensor(shape: [batch, 1], repeating: 1)
        let (_, gLoss, throughD) = discriminator.inputGradient(at: generated) { bce.evaluate($0, ones) }
        model.backwardSkippingInputGradient(throughD)
        terms.append("G", gLoss)
        plugins.gradientsComputed(&model, into: &terms, label: "G")
        generatorOptimizer.step(&model)
        discriminatorAroundGeneratorStep = (before, discriminator)
        return terms
    }

    func evaluate<Data: TrainingData>(on data: Data) -> Evaluation where Data.Target == Void {
        let (real, _) = data.batch(Array(0..<data.count)[...])
        var noise = SeededGenerator(seed: 99)
        let z = Tensor(shape: real.shape, values: (0..<real.count).map { _ in noise.normal() })
        let fake = model.predict(z)
        let bce = BinaryCrossEntropyWithLogits()
        let n = real.shape[0]
        let d = bce.evaluate(
            discriminator.predict(Tensor(shape: [2 * n, 1], values: real.values + fake.values)),
            Tensor(shape: [2 * n, 1], values: [Double](repeating: 1, count: n) + [Double](repeating: 0, count: n))
        ).loss
        let g = bce.evaluate(discriminator.predict(fake), Tensor(shape: [n, 1], repeating: 1)).loss
        return Evaluation(loss: d + g, terms: LossTerms(["D": d, "G": g]))
    }
}

/// Samples of N(3, 0.5²), no targets.
struct RealNumbers: TrainingData {
    let values: [Double]
    var count: Int { values.count }
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Void) {
        (Tensor(shape: [indices.count, 1], values: indices.map { values[$0] }), ())
    }
}

@Suite("Model core · steps: one loop, named loss terms, two models")
struct StepTests {
    @Test("a two-term step trains exactly as one loss of their sum, and the records keep both terms and the penalty")
    func twoTerms() {
        var rng = SeededGenerator(seed: 3)
        let data = RegressionSet(inputs: (0..<40).map { _ in rng.normals(3) }, targets: rng.normals(40))
        let validation = RegressionSet(inputs: (0..<10).map { _ in rng.normals(3) }, targets: rng.normals(10))
        let start = Sequential(sizes: [3, 5, 1], hidden: .tanh, initialization: .xavier, using: &rng)
        var step = TwoTermStep(model: start, optimizer: SGD(learningRate: 0.05))
        let run = train(&step, on: data, validation: validation, epochs: 4, batchSize: 8, plugins: [WeightPenalty(.l2(0.01))])
        // The same objective as one loss through the supervised step.
        var model = start
        var sgd = SGD(learningRate: 0.05)
        let single = train(
            &model, on: data, validation: validation, loss: FitPlusSize(), optimizer: &sgd, epochs: 4, batchSize: 8, plugins: [WeightPenalty(.l2(0.01))])
        #expect(step.model.parameters.map(\.value) == model.parameters.map(\.value))
        for (a, b) in zip(run.history, single.history) {
            #expect(a.trainingTerms.names == ["fit", "size", "L2 penalty"])
            #expect(abs(a.trainingLoss - b.trainingLoss) <= 1e-15 * b.trainingLoss)
            #expect(abs(a.trainingTerms["fit"]! + a.trainingTerms["size"]! - a.trainingLoss) <= 1e-15)
            #expect(a.trainingTerms["L2 penalty"]! > 0)
            #expect(a.validation!.terms.names == ["fit", "size", "L2 penalty"])
            // The validation penalty is Ω of the weights after the epoch.
        }
        let omega = step.model.parameters.filter(\.decays).reduce(0) { $0 + Penalty.l2(0.01).value($1.value) }
        #expect(run.history.last!.validation!.terms["L2 penalty"] == omega)
        // Each term recomputed by hand from the model after the last epoch.
        let (x, y) = validation.batch(Array(0..<10)[...])
        let prediction = step.model.predict(x)
        #expect(run.history.last!.validation!.terms["fit"] == meanSquaredError(prediction.values, y.values))
    }

    @Test("an adversarial step: D's parameters, gradients and statistics are untouched by G's step; G's gradient goes through D")
    func adversarial() {
        var rng = SeededGenerator(seed: 11)
        let real = RealNumbers(values: (0..<64).map { _ in rng.normal(mean: 3, standardDeviation: 0.5) })
        let g = Sequential([
            Dense(inputs: 1, outputs: 8, initialization: .he, using: &rng, name: "1"), ActivationLayer(.tanh),
            Dense(inputs: 8, outputs: 1, initialization: .xavier, using: &rng, name: "2"),
        ])
        let d = Sequential([
            Dense(inputs: 1, outputs: 8, initialization: .he, using: &rng, name: "1"), BatchNorm(features: 8, name: "1"),
            ActivationLayer(.tanh), Dense(inputs: 8, outputs: 1, initialization: .xavier, using: &rng, name: "2"),
        ])
        var step = AdversarialStep(
            model: g, discriminator: d, generatorOptimizer: SGD(learningRate: 0.05), discriminatorOptimizer: SGD(learningRate: 0.05),
            noise: SeededGenerator(seed: 5))
        let run = train(
            &step, on: real, epochs: 600, batchSize: 16, order: .shuffled(epochs: 600, count: 64, using: &rng),
            plugins: [WeightPenalty(.l2(1e-4))], evaluatesTrainingSet: true)
        #expect(run.history[0].trainingTerms.names == ["D", "D L2 penalty", "G", "G L2 penalty"])
        #expect(run.history.last!.training!.terms.names == ["D", "G", "L2 penalty"])
        let (before, after) = step.discriminatorAroundGeneratorStep!
        #expect(before.parameters.map(\.value) == after.parameters.map(\.value))
        #expect(before.parameters.map(\.gradient) == after.parameters.map(\.gradient))
        #expect(before.namedBuffers.map(\.values) == after.namedBuffers.map(\.values))
        // G learned: its samples moved from around 0 towards the real mean 3.
        var noise = SeededGenerator(seed: 1)
        let samples = step.model.predict(Tensor(shape: [500, 1], values: (0..<500).map { _ in noise.normal() })).values
        let mean = samples.reduce(0, +) / 500
        #expect(abs(mean - 3) < 1, "generated mean \(mean)")
        // G's gradient through D equals central differences of −log D(G(z)).
        let z = Tensor(shape: [4, 1], values: [0.3, -1.2, 0.8, 2.0])
        let ones = Tensor(shape: [4, 1], repeating: 1)
        let frozenD = step.discriminator
        let results = checkGradients(step.model, input: z) { y in
            let (_, loss, gradient) = frozenD.inputGradient(at: y) { BinaryCrossEntropyWithLogits().evaluate($0, ones) }
            return (loss, gradient)
        }
        for result in results { #expect(result.passed, "\(result)") }
    }

    @Test("the supervised loop through its step gives the numbers of the loop written out by hand")
    func supervisedByHand() {
        let data = blobs(seed: 1)
        var model = mlp(seed: 2)
        var byHand = model
        var sgd = SGD(learningRate: 0.1)
        let run = train(&model, on: data, loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: 2, batchSize: 25)
        var handRule = SGD(learningRate: 0.1)
        var losses: [Double] = []
        for _ in 0..<2 {
            var total = 0.0
            for start in stride(from: 0, to: 120, by: 25) {
                let (x, labels) = data.batch(Array(start..<min(start + 25, 120))[...])
                byHand.zeroGradients()
                let (loss, gradient) = SoftmaxCrossEntropy().evaluate(byHand.forward(x, mode: .training), labels)
                _ = byHand.backward(gradient)
                handRule.step(&byHand)
                total += loss * Double(labels.count)
            }
            losses.append(total / 120)
        }
        #expect(model.parameters.map(\.value) == byHand.parameters.map(\.value))
        #expect(run.history.map(\.trainingLoss) == losses)
        #expect(run.history.map(\.trainingTerms) == losses.map { LossTerms(["loss": $0]) })
    }
}

/// 6 → 8 ReLU → 3, He-initialized from `seed`.
func mlp(seed: UInt64) -> Sequential {
    var rng = SeededGenerator(seed: seed)
    return Sequential(sizes: [6, 8, 3], hidden: .relu, initialization: .he, using: &rng)
}

@Suite("Model core · freezing, held layers, parameter groups")
struct FreezingTests {
    @Test("a frozen backbone leaves the head's clipped step as if the head trained alone")
    func frozenBackboneClipping() {
        let data = blobs(seed: 4, count: 30)
        var model = mlp(seed: 5)
        model.setFrozen(true, namesStartingWith: "0.")
        // By hand: the head's gradients alone, clipped to norm 0.05, then SGD.
        var probe = model
        let (x, labels) = data.batch(Array(0..<30)[...])
        probe.zeroGradients()
        _ = probe.backward(SoftmaxCrossEntropy().evaluate(probe.forward(x, mode: .training), labels).gradient)
        var head = [probe.parameter(named: "2.W2").gradient, probe.parameter(named: "2.b2").gradient]
        let norm = clipByGlobalNorm(&head, maxNorm: 0.05)
        #expect(norm > 0.05)  // clipping does act
        var sgd = SGD(learningRate: 0.5)
        train(
            &model, on: data, loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: 1, batchSize: 30,
            plugins: [WeightPenalty(.l2(0.5)), GradientClipping(maxNorm: 0.05)], evaluatesTrainingSet: false)
        // The L2 penalty skips frozen weights too, so only the head's W2 is decayed: add its term by hand.
        var expected = probe
        expected.zeroGradients()
        _ = expected.backward(SoftmaxCrossEntropy().evaluate(expected.forward(x, mode: .training), labels).gradient)
        var grads = [expected.parameter(named: "2.W2").gradient, expected.parameter(named: "2.b2").gradient]
        let w2 = expected.parameter(named: "2.W2").value
        for i in grads[0].indices { grads[0][i] += 0.5 * w2[i] }
        clipByGlobalNorm(&grads, maxNorm: 0.05)
        #expect(model.parameter(named: "2.W2").value == zip(w2, grads[0]).map { $0 - 0.5 * $1 })
        #expect(model.parameter(named: "2.b2").value == zip(expected.parameter(named: "2.b2").value, grads[1]).map { $0 - 0.5 * $1 })
        #expect(model.parameter(named: "0.W1").value == probe.parameter(named: "0.W1").value)  // frozen: not stepped
    }

    @Test("a batch norm held in inference keeps its statistics bit for bit through an epoch while the rest trains; its backward is gradient-checked")
    func heldBatchNorm() {
        var model = smallNetwork(seed: 7)
        model.updateLayer(1, as: BatchNorm.self) { bn in
            bn.runningMean = [0.1, -0.2, 0.3, 0, 0.5, -0.1, 0.2, 0.05]
            bn.runningVariance = [1.5, 0.7, 2, 1, 0.9, 1.1, 3, 0.4]
            bn.heldInInference = true
        }
        let before = model.namedBuffers
        let weightsBefore = model.parameter(named: "0.W1").value
        var adam = Adam(learningRate: 0.01)
        train(&model, on: blobs(seed: 8), loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: 1, batchSize: 16)
        #expect(model.namedBuffers.filter { $0.name.contains("running") }.map(\.values) == before.filter { $0.name.contains("running") }.map(\.values))
        #expect(model.parameter(named: "0.W1").value != weightsBefore)
        var held = BatchNorm(features: 3)
        held.runningMean = [0.5, -1, 2]
        held.runningVariance = [0.25, 4, 1]
        held.heldInInference = true
        var rng = SeededGenerator(seed: 9)
        let x = Tensor(shape: [4, 3], values: rng.normals(12))
        // Held, a training-mode pass computes what inference does.
        var copy = held
        #expect(copy.forward(x, mode: .training) == held.predict(x))
        for result in checkGradients(held, input: x, loss: weightedOutputLoss(rng.normals(12))) { #expect(result.passed, "\(result)") }
    }

    @Test("parameter groups: each group's rate and L2 decay, the rest as the rule is; frozen still skipped")
    func groups() {
        var model = mlp(seed: 6)
        let (x, labels) = blobs(seed: 2).batch(Array(0..<20)[...])
        model.zeroGradients()
        _ = model.backward(SoftmaxCrossEntropy().evaluate(model.forward(x, mode: .training), labels).gradient)
        var grouped = ParameterGroups(SGD(learningRate: 0.2), groups: [.init(prefixes: ["0."], learningRateScale: 0.1, weightDecay: 0.3)])
        var stepped = model
        grouped.step(&stepped)
        let w1 = model.parameter(named: "0.W1"), b1 = model.parameter(named: "0.b1"), w2 = model.parameter(named: "2.W2")
        #expect(stepped.parameter(named: "0.W1").value == w1.value.indices.map { w1.value[$0] - 0.2 * 0.1 * (w1.gradient[$0] + 0.3 * w1.value[$0]) })
        #expect(stepped.parameter(named: "0.b1").value == b1.value.indices.map { b1.value[$0] - 0.2 * 0.1 * b1.gradient[$0] })  // biases do not decay
        #expect(stepped.parameter(named: "2.W2").value == w2.value.indices.map { w2.value[$0] - 0.2 * w2.gradient[$0] })
        #expect(grouped.learningRate == 0.2)
        var frozen = model
        frozen.setFrozen(true, namesStartingWith: "0.")
        grouped.step(&frozen)
        #expect(frozen.parameter(named: "0.W1").value == w1.value)
    }

    @Test("inputGradient leaves the model as it was: parameters, gradients, running statistics, generators")
    func inputGradientLeavesModel() {
        var model = smallNetwork(seed: 12)
        let x = Tensor(shape: [5, 6], values: SeededGenerator(seed: 1).normalsArray(30))
        _ = model.forward(x, mode: .training)
        _ = model.backward(Tensor(shape: [5, 3], repeating: 0.1))
        let before = model
        let (_, _, gradient) = model.inputGradient(at: x) { y in (y.values.reduce(0, +), Tensor(shape: y.shape, repeating: 1)) }
        #expect(gradient.shape == [5, 6])
        #expect(model.namedParameters.map(\.parameter.value) == before.namedParameters.map(\.parameter.value))
        #expect(model.namedParameters.map(\.parameter.gradient) == before.namedParameters.map(\.parameter.gradient))
        #expect(model.namedBuffers.map(\.values) == before.namedBuffers.map(\.values))
    }
}

extension SeededGenerator {
    func normalsArray(_ count: Int) -> [Double] {
        var copy = self
        return copy.normals(count)
    }
}

@Suite("Model core · names and checkpoints: resuming equals never stopping")
struct CheckpointTests {
    /// A scratch directory of this test's own; only files the test wrote are removed.
    func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url
    }

    @Test("names are unique and hierarchical in the models the chapters build")
    func uniqueNames() {
        let model = smallNetwork(seed: 1)
        #expect(model.namedParameters.map(\.name) == ["0.W1", "0.b1", "1.γ1", "1.β1", "4.W2", "4.b2"])
        #expect(model.namedBuffers.map(\.name) == ["1.runningMean1", "1.runningVariance1", "3.generator"])
        requireUniqueNames(model, context: "test")
    }

    @Test("10 epochs equal 5, a checkpoint, a fresh model and optimizer, and 5 more: parameters, buffers and records bit for bit")
    func resume() throws {
        let data = Augmented(blobs(seed: 21), seed: 77) { x, generator in
            Tensor(shape: x.shape, values: x.values.map { $0 + 0.1 * generator.normal() })
        }
        let validation = Augmented(blobs(seed: 22, count: 30), seed: 0) { x, _ in x }  // evaluation sees samples as they are
        var rng = SeededGenerator(seed: 23)
        let order = BatchOrder.shuffled(epochs: 10, count: data.count, using: &rng)
        let plugins: [any TrainingPlugin] = [WeightPenalty(.l2(1e-3)), GradientClipping(maxNorm: 2)]
        func run(_ model: inout Sequential, _ adam: inout Adam, epochs: Int, first: Int) -> TrainingRun {
            train(
                &model, on: data, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: epochs, batchSize: 16,
                order: order, plugins: plugins, firstEpoch: first)
        }
        var whole = smallNetwork(seed: 30)
        var wholeAdam = Adam(learningRate: 0.01)
        let uninterrupted = run(&whole, &wholeAdam, epochs: 10, first: 0)

        var first = smallNetwork(seed: 30)
        var firstAdam = Adam(learningRate: 0.01)
        let firstHalf = run(&first, &firstAdam, epochs: 5, first: 0)
        var checkpoint = Checkpoint()
        checkpoint.store(first)
        checkpoint.store(firstAdam, of: first)
        checkpoint.store(5, as: "epoch")
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }  // the directory this test created
        let url = directory.appendingPathComponent("run.checkpoint")
        try checkpoint.write(to: url)

        var fresh = smallNetwork(seed: 999)  // other weights, another dropout stream
        var freshAdam = Adam(learningRate: 0.5)
        var saved = try Checkpoint(contentsOf: url)
        try saved.restore(&fresh)
        try saved.restore(&freshAdam, of: fresh)
        let epoch = try saved.integer("epoch")
        try saved.requireAllRestored()
        #expect(epoch == 5)
        let secondHalf = run(&fresh, &freshAdam, epochs: 10, first: epoch)

        #expect(fresh.namedParameters.map(\.parameter.value) == whole.namedParameters.map(\.parameter.value))
        #expect(fresh.namedBuffers.map(\.values) == whole.namedBuffers.map(\.values))
        #expect(firstHalf.history + secondHalf.history == uninterrupted.history)
        #expect(secondHalf.history.first?.epoch == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["run.checkpoint"])  // no temporary file left
    }

    @Test("a run paused, checkpointed with its schedule and early stopping, and resumed stops at the same epoch with the same model, bit for bit")
    func resumeWithScheduleAndEarlyStopping() throws {
        let data = blobs(seed: 31, count: 60)
        let validation = blobs(seed: 32, count: 40)
        var rng = SeededGenerator(seed: 33)
        let order = BatchOrder.shuffled(epochs: 40, count: data.count, using: &rng)
        func plugins(_ stopping: EarlyStopping) -> TrainingPlugins {
            TrainingPlugins([LearningRateSchedule(.cosine(period: 40, minimum: 1e-3), initial: 0.05), GradientClipping(maxNorm: 1), stopping])
        }
        func step(_ seed: UInt64, rate: Double) -> SupervisedStep<Sequential, SoftmaxCrossEntropy, Adam> {
            SupervisedStep(model: smallNetwork(seed: seed), loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: rate))
        }
        var whole = step(34, rate: 0.05)
        var wholePlugins = plugins(EarlyStopping(patience: 3))
        let uninterrupted = train(&whole, on: data, validation: validation, epochs: 40, batchSize: 8, order: order, plugins: &wholePlugins)
        // Early stopping must fire, after an improvement and a worse epoch, for the test to mean anything.
        #expect(uninterrupted.stoppedEarly && uninterrupted.keptEpoch < uninterrupted.history.count)
        let cut = uninterrupted.keptEpoch + 1  // paused after an epoch that did not improve: the kept model is an older one

        var first = step(34, rate: 0.05)
        var firstPlugins = plugins(EarlyStopping(patience: 3))
        let firstPart = train(&first, on: data, validation: validation, epochs: 40, batchSize: 8, order: order, plugins: &firstPlugins, pausingAfter: cut)
        #expect(firstPart.paused && firstPart.history.count == cut)
        var checkpoint = Checkpoint()
        checkpoint.store(first.model)
        checkpoint.store(first.optimizer, of: first.model)
        checkpoint.store(cut, as: "epoch")
        (firstPlugins.list[2] as! EarlyStopping).store(in: &checkpoint, for: first.model)
        var saved = try Checkpoint(bytes: checkpoint.bytes, source: "memory")

        var resumed = step(999, rate: 0.5)  // other weights and another rate, all replaced
        try saved.restore(&resumed.model)
        try saved.restore(&resumed.optimizer, of: resumed.model)
        var stopping = EarlyStopping(patience: 3)
        try stopping.restore(from: &saved, for: resumed.model)
        let epoch = try saved.integer("epoch")
        try saved.requireAllRestored()
        var resumedPlugins = plugins(stopping)
        let secondPart = train(&resumed, on: data, validation: validation, epochs: 40, batchSize: 8, order: order, plugins: &resumedPlugins, firstEpoch: epoch)

        #expect(firstPart.history + secondPart.history == uninterrupted.history)
        #expect(secondPart.keptEpoch == uninterrupted.keptEpoch && secondPart.stoppedEarly)
        #expect(resumed.model.namedParameters.map(\.parameter.value) == whole.model.namedParameters.map(\.parameter.value))

        // Without the early stopping's state the resumed run keeps another model.
        var forgetful = step(999, rate: 0.5)
        var again = try Checkpoint(bytes: checkpoint.bytes, source: "memory")
        try again.restore(&forgetful.model)
        try again.restore(&forgetful.optimizer, of: forgetful.model)
        var freshPlugins = plugins(EarlyStopping(patience: 3))
        let forgot = train(&forgetful, on: data, validation: validation, epochs: 40, batchSize: 8, order: order, plugins: &freshPlugins, firstEpoch: epoch)
        #expect(forgot.keptEpoch != uninterrupted.keptEpoch)
    }

    @Test("doubles round-trip bit for bit: −0, NaN payloads, subnormals, the last digit")
    func bitPatterns() throws {
        let values = [
            -0.0, Double(bitPattern: 0x7FF8_0000_0000_1234), .leastNonzeroMagnitude, 0.1 + 0.2, .infinity, -.greatestFiniteMagnitude,
            Double(bitPattern: 0x0000_1234_5678_9ABC),
        ]
        var checkpoint = Checkpoint()
        checkpoint.store(values, shape: [7, 1], as: "odd values")
        let read = try Checkpoint(bytes: checkpoint.bytes, source: "memory")
        #expect(read.entries.map(\.shape) == [[7, 1]])
        #expect(read.entries[0].values.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("a bad file is refused with the file and the entry named")
    func refusals() throws {
        var model = smallNetwork(seed: 1)
        var checkpoint = Checkpoint()
        checkpoint.store(model)
        let bytes = checkpoint.bytes
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        // Cut short anywhere: never read as a checkpoint.
        for cut in [0, 7, 12, 20, 40, bytes.count / 2, bytes.count - 5, bytes.count - 1] {
            let text = message { _ = try Checkpoint(bytes: Array(bytes.prefix(cut)), source: "cut.ckpt") }
            #expect(text.hasPrefix("checkpoint cut.ckpt "), "\(text)")
            #expect(text.contains("cut short") || text.contains("not a checkpoint") || text.contains("does not end"), "\(cut): \(text)")
        }
        #expect(message { _ = try Checkpoint(bytes: bytes.prefix(60) + [], source: "cut.ckpt") }.contains("entry 1 of 9 (\"model.0.W1\")"))
        var wrongVersion = bytes
        wrongVersion[8] = 7
        #expect(message { _ = try Checkpoint(bytes: wrongVersion, source: "v.ckpt") } == "checkpoint v.ckpt is format version 7; this build reads version 1")
        #expect(message { _ = try Checkpoint(bytes: bytes + [0], source: "long.ckpt") }.contains("does not end after its 9 entries"))
        // Missing, mis-shaped and extra entries.
        var missing = try Checkpoint(bytes: bytes, source: "m.ckpt")
        var other = Sequential([
            Dense(inputs: 6, outputs: 8, initialization: .he, using: &SeededGenerator.shared, name: "1"),
            Dense(inputs: 8, outputs: 3, initialization: .he, using: &SeededGenerator.shared, name: "9"),
        ])
        #expect(message { try missing.restore(&other) } == "checkpoint m.ckpt has no entry \"model.1.W9\"")
        var wide = smallNetwork(seed: 1)
        wide.layers[4] = Dense(inputs: 8, outputs: 4, initialization: .he, using: &SeededGenerator.shared, name: "2")
        var shaped = try Checkpoint(bytes: bytes, source: "s.ckpt")
        let before = wide.namedParameters.map(\.parameter.value)
        #expect(message { try shaped.restore(&wide) } == "checkpoint s.ckpt entry \"model.4.W2\" has the shape (3×8) but (4×8) is needed here")
        #expect(wide.namedParameters.map(\.parameter.value) == before)  // nothing changed
        var extra = checkpoint
        extra.store([1], as: "model.5.W3")
        var withExtra = try Checkpoint(bytes: extra.bytes, source: "x.ckpt")
        try withExtra.restore(&model)
        #expect(message { try withExtra.requireAllRestored() } == "checkpoint x.ckpt has entries this model and optimizer do not have: model.5.W3")
        // Optimizer state that does not fit.
        var adamCheckpoint = Checkpoint()
        adamCheckpoint.store([0.01], as: "optimizer.learningRate")
        adamCheckpoint.store([Double](repeating: 0, count: 48), as: "optimizer.0.W1.m")
        var adam = Adam()
        #expect(
            message { try adamCheckpoint.restore(&adam, of: model) }
                == "checkpoint (in memory) entries \"optimizer.0.W1.…\": Adam: the saved state of W1 has no \"v\"")
        adamCheckpoint.store([1, 2], as: "optimizer.0.W1.v")
        adamCheckpoint.store([3], as: "optimizer.0.W1.t")
        #expect(message { try adamCheckpoint.restore(&adam, of: model) }.hasSuffix("Adam: the saved \"v\" of W1 has 2 values; it needs 48"))
        #expect(
            message { _ = try Checkpoint(contentsOf: URL(fileURLWithPath: "/nonexistent/dir/a.ckpt")) }.hasPrefix(
                "checkpoint /nonexistent/dir/a.ckpt cannot be read"))
        #expect(
            message { try checkpoint.write(to: URL(fileURLWithPath: "/nonexistent/dir/a.ckpt")) }.hasPrefix(
                "checkpoint /nonexistent/dir/a.ckpt cannot be written"))
    }

    @Test("writing over a directory fails, names the file, and leaves no temporary file behind")
    func writeOverDirectory() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        var checkpoint = Checkpoint()
        checkpoint.store(3, as: "epoch")
        #expect(throws: CheckpointError.self) { try checkpoint.write(to: target) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["taken"])
    }

    @Test("an augmented data set draws per (epoch, batch): the same every run, different each epoch")
    func augmentation() {
        let data = Augmented(blobs(seed: 2, count: 8), seed: 5) { x, generator in
            Tensor(shape: x.shape, values: x.values.map { $0 + generator.normal() })
        }
        let a = data.trainingBatch([0, 1, 2], epoch: 3, number: 1).inputs
        #expect(a == data.trainingBatch([0, 1, 2], epoch: 3, number: 1).inputs)
        #expect(a != data.trainingBatch([0, 1, 2], epoch: 4, number: 1).inputs)
        #expect(a != data.trainingBatch([0, 1, 2], epoch: 3, number: 0).inputs)
        #expect(data.batch([0, 1, 2]).inputs == blobs(seed: 2, count: 8).batch([0, 1, 2]).inputs)  // evaluation is untouched
    }
}

extension SeededGenerator {
    nonisolated(unsafe) static var shared = SeededGenerator(seed: 1234)
}

@Suite("Model core · losses on logits and with ignored rows, against PyTorch 2.13")
struct CoreLossTests {
    // import torch, torch.nn.functional as F; torch.set_default_dtype(torch.float64)
    // z = torch.tensor([[-1000., -37.5, -3., -.5], [0., .7, 20., 1000.], [1e-3, -1e-3, 50., -50.]], requires_grad=True)
    // y = torch.tensor([[0., 1., .25, 1.], [.5, 0., 1., 0.], [1., 0., 0., 1.]])
    // F.binary_cross_entropy_with_logits(z, y, reduction=red).backward()  for red in mean, sum
    let z = Tensor(shape: [3, 4], values: [-1000, -37.5, -3, -0.5, 0, 0.7, 20, 1000, 1e-3, -1e-3, 50, -50])
    let y = Tensor(shape: [3, 4], values: [0, 1, 0.25, 1, 0.5, 0, 1, 0, 1, 0, 0, 1])

    @Test("binary cross-entropy on logits equals F.binary_cross_entropy_with_logits (mean and sum) for |z| up to 1e3")
    func bceWithLogits() {
        let mean = BinaryCrossEntropyWithLogits().evaluate(z, y)
        #expect(abs(mean.loss - 95.20452434819835) <= 1e-12 * 95.2)
        expectNear(
            mean.gradient.values,
            [
                0.0, -0.08333333333333333, -0.016881177235202768, -0.05187161093348788, 0.0, 0.05568231434734718, -1.717628076806458e-10, 0.08333333333333333,
                -0.041645833335069445, 0.041645833335069445, 0.08333333333333333, -0.08333333333333333,
            ])
        let sum = BinaryCrossEntropyWithLogits(reduction: .sum).evaluate(z, y)
        #expect(abs(sum.loss - 1142.4542921783802) <= 1e-12 * 1142)
        expectNear(
            sum.gradient.values,
            [
                0.0, -1.0, -0.20257412682243323, -0.6224593312018546, 0.0, 0.6681877721681662, -2.06115369216775e-09, 1.0, -0.49975000002083336,
                0.4997500000208333, 1.0, -1.0,
            ])
        let perSample = BinaryCrossEntropyWithLogits(reduction: .meanPerSample).evaluate(z, y)
        #expect(abs(perSample.loss - 1142.4542921783802 / 3) <= 1e-12 * 400)
        var rng = SeededGenerator(seed: 4)
        let small = Tensor(shape: [2, 3], values: rng.normals(6, standardDeviation: 3))
        let targets = Tensor(shape: [2, 3], values: rng.uniforms(6, in: 0..<1))
        let check = checkGradient("z", at: small.values, analytic: BinaryCrossEntropyWithLogits().evaluate(small, targets).gradient.values) { v in
            BinaryCrossEntropyWithLogits().evaluate(Tensor(shape: [2, 3], values: v), targets).loss
        }
        #expect(check.passed, "\(check)")
    }

    @Test("cross-entropy with an ignored label equals F.cross_entropy(ignore_index=-100): the mean over the rows that count")
    func ignoredRows() {
        // s = [[2,-1,.5],[.1,.2,.3],[5,1,-2],[-1,3,0]]; F.cross_entropy(s, [0,-100,2,1], ignore_index=-100)
        let s = Tensor(shape: [4, 3], values: [2, -1, 0.5, 0.1, 0.2, 0.3, 5, 1, -2, -1, 3, 0])
        let loss = SoftmaxCrossEntropy(ignoredLabel: -100)
        let (value, gradient) = loss.evaluate(s, maskedLabels([0, 7, 2, 1], mask: [true, false, true, true]))
        #expect(abs(value - 2.4420800694312814) <= 1e-14 * 2.45)
        expectNear(
            gradient.values,
            [
                -0.07146765513690803, 0.013037524423562482, 0.05843013071334556, 0.0, 0.0, 0.0, 0.3270450674781058, 0.005990039356270689, -0.3330351068343765,
                0.005715941848506796, -0.021253482707831412, 0.01553754085932463,
            ])
        #expect(loss.accuracy(s, [0, -100, 2, 1]) == 2.0 / 3)
        let none = loss.evaluate(s, [-100, -100, -100, -100])
        #expect(none.loss == 0 && none.gradient.values.allSatisfy { $0 == 0 })
    }
}

func expectNear(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        #expect(abs(a - e) <= tolerance * max(1, abs(e)), "index \(i): \(a) vs \(e)", sourceLocation: sourceLocation)
    }
}

/// Degenerate and extreme input at the model core's new entry points: refused with the
/// cause named, in every build, or right.
@Suite("Model core · degenerate calls refused by name, extremes passed through")
struct CoreDegenerateCalls {
    static let calls: [String: String] = [
        "Parallel([])": "Parallel: needs at least one branch",
        "concatenate([])": "concatenate: no tensors",
        "split, negative width": "split: widths [-1, 6] do not add up",
        "SwapAxes, rank 1": "SwapAxes: input (4) has fewer than two axes",
        "Group, negative scale": "learning-rate scale must be a finite number ≥ 0, got -0.1",
        "Group, no prefixes": "ParameterGroups.Group: needs at least one name prefix",
        "ParameterGroups, unmatched prefix": "ParameterGroups: no parameter's name starts with [\"head.\"]",
        "LossTerms, a name twice": "LossTerms: the term \"KL\" is reported twice",
        "Augmented, shape changed": "Augmented: the transform turned inputs (2×6) into (2×5)",
        "generator state of 3 halves": "SeededGenerator: the state is 8 halves, got 3",
        "generator state all zero": "SeededGenerator: an all-zero state would draw only zeros",
        "train, first epoch past the end": "train: the first epoch 3 must be in 0..<3",
        "schedule resumed without η₀": "LearningRateSchedule: training starts at epoch 2 (resumed?) but the schedule was not given η₀",
        "train, no epochs": "train: needs at least one epoch, got 0",
        "parameter(named:), unknown": "parameter(named:): the model has no parameter \"9.W\"",
        "Sequential.layer, wrong type": "Sequential.layer: layer 1 is a ActivationLayer, not a Dense",
        "Sequential.layer, no such index": "Sequential.layer: no layer 7",
        "Checkpoint, a name twice": "Checkpoint: an entry called \"epoch\" is already stored",
        "Checkpoint, shape and values disagree": "Checkpoint: entry \"w\" has 3 values for the shape [2, 2]",
        "BCE on logits, target 2": "BinaryCrossEntropyWithLogits: target 0 is 2.0, not in [0, 1]",
        "BCE on logits, no logits": "BinaryCrossEntropyWithLogits: no logits",
        "cross-entropy, ignored label 3": "the ignored label must be negative (never a class), got 3",
        "maskedLabels, mask too short": "maskedLabels: 3 labels but a mask of 2",
        "inputGradient before shapes fit": "Dense W1 (8×6): input (2×5) does not fit",
    ]

    @Test("each degenerate call stops with its cause named", arguments: calls.keys.sorted())
    func refused(_ call: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            switch call {
            case "Parallel([])": _ = Parallel([])
            case "concatenate([])": _ = concatenate([])
            case "split, negative width": _ = split(Tensor(shape: [2, 5]), sizes: [-1, 6])
            case "SwapAxes, rank 1": _ = SwapAxes.swapped(Tensor(shape: [4]))
            case "Group, negative scale": _ = ParameterGroups<SGD>.Group(prefixes: ["0."], learningRateScale: -0.1)
            case "Group, no prefixes": _ = ParameterGroups<SGD>.Group(prefixes: [])
            case "ParameterGroups, unmatched prefix":
                var model = mlp(seed: 1)
                var grouped = ParameterGroups(SGD(learningRate: 0.1), groups: [.init(prefixes: ["head."], learningRateScale: 0.1)])
                grouped.step(&model)
            case "LossTerms, a name twice": _ = LossTerms(["KL": 1, "KL": 2])
            case "Augmented, shape changed":
                let data = Augmented(blobs(seed: 1, count: 4), seed: 1) { x, _ in Tensor(shape: [2, 5]) }
                _ = data.trainingBatch([0, 1], epoch: 0, number: 0)
            case "generator state of 3 halves":
                var generator = SeededGenerator(seed: 1)
                generator.stateAsDoubles = [1, 2, 3]
            case "generator state all zero":
                var generator = SeededGenerator(seed: 1)
                generator.stateWords = [0, 0, 0, 0]
            case "train, first epoch past the end":
                var model = mlp(seed: 1)
                var sgd = SGD(learningRate: 0.1)
                train(&model, on: blobs(seed: 1, count: 6), loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: 3, batchSize: 2, firstEpoch: 3)
            case "schedule resumed without η₀":
                var model = mlp(seed: 1)
                var sgd = SGD(learningRate: 0.1)
                train(
                    &model, on: blobs(seed: 1, count: 6), loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: 3, batchSize: 2,
                    plugins: [LearningRateSchedule(.exponential(rate: 0.5))], firstEpoch: 2)
            case "train, no epochs":
                var model = mlp(seed: 1)
                var sgd = SGD(learningRate: 0.1)
                train(&model, on: blobs(seed: 1, count: 6), loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: 0, batchSize: 2)
            case "parameter(named:), unknown": _ = mlp(seed: 1).parameter(named: "9.W")
            case "Sequential.layer, wrong type": _ = mlp(seed: 1).layer(1, as: Dense.self)
            case "Sequential.layer, no such index": _ = mlp(seed: 1).layer(7, as: Dense.self)
            case "Checkpoint, a name twice":
                var checkpoint = Checkpoint()
                checkpoint.store(1, as: "epoch")
                checkpoint.store(2, as: "epoch")
            case "Checkpoint, shape and values disagree":
                var checkpoint = Checkpoint()
                checkpoint.store([1, 2, 3], shape: [2, 2], as: "w")
            case "BCE on logits, target 2":
                _ = BinaryCrossEntropyWithLogits().evaluate(Tensor(shape: [1, 1], values: [0]), Tensor(shape: [1, 1], values: [2]))
            case "BCE on logits, no logits": _ = BinaryCrossEntropyWithLogits().evaluate(Tensor(shape: [0, 1]), Tensor(shape: [0, 1]))
            case "cross-entropy, ignored label 3": _ = SoftmaxCrossEntropy(ignoredLabel: 3)
            case "maskedLabels, mask too short": _ = maskedLabels([0, 1, 2], mask: [true, false])
            default:
                _ = mlp(seed: 1).inputGradient(at: Tensor(shape: [2, 5])) { ($0.values.reduce(0, +), Tensor(shape: $0.shape, repeating: 1)) }
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains(Self.calls[call]!), "\(call): \(message.prefix(300))")
    }

    @Test("routing layers pass NaN, ±1e300 and ±∞ through untouched; a checkpoint keeps them bit for bit")
    func extremesPassThrough() throws {
        let values: [Double] = [.nan, 1e300, -1e300, .infinity, -.infinity, .greatestFiniteMagnitude, -0.0, .leastNonzeroMagnitude]
        let x = Tensor(shape: [2, 4], values: values)
        let parts = split(x, sizes: [1, 3])
        #expect(concatenate(parts).values.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(SwapAxes.swapped(SwapAxes.swapped(x)).values.map(\.bitPattern) == values.map(\.bitPattern))
        var checkpoint = Checkpoint()
        checkpoint.store(values, shape: [2, 4], as: "extremes")
        var read = try Checkpoint(bytes: checkpoint.bytes, source: "memory")
        #expect(try read.values("extremes", shape: [2, 4]).map(\.bitPattern) == values.map(\.bitPattern))
        // A Parallel whose second branch passes its input through (dropout at inference).
        var both = Parallel([ActivationLayer(.relu), Dropout(rate: 0.5)])
        let y = both.forward(x, mode: .inference)
        #expect(y.shape == [2, 8])
        #expect(Array(y.values[4..<8]).map(\.bitPattern) == Array(values[0..<4]).map(\.bitPattern))
    }
}
