import Activations
import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Optimizers
import Randomness
import Testing

@testable import Practice

@Suite("Chapter 11 · metrics")
struct MetricsTests {
    @Test(
        "per-class and averaged precision, recall and F1, the confusion matrix and accuracy equal scikit-learn's (zero_division = 0)",
        arguments: metricsReferences.indices)
    func againstScikitLearn(_ index: Int) {
        let r = metricsReferences[index]
        let report = ClassificationReport(truth: r.truth, predicted: r.predicted, classCount: r.classes)
        let close = Tolerance(relative: 1e-12, absolute: 1e-15)
        #expect(report.matrix.counts == r.confusion)
        #expect(mismatch(report.classes.map(\.precision), r.precision, tolerance: close) == nil, "\(r.name): precision")
        #expect(mismatch(report.classes.map(\.recall), r.recall, tolerance: close) == nil, "\(r.name): recall")
        #expect(mismatch(report.classes.map(\.f1), r.f1, tolerance: close) == nil, "\(r.name): F1")
        #expect(report.classes.map(\.support) == r.support)
        for (averaging, expected) in [(Averaging.macro, r.macro), (.weighted, r.weighted), (.micro, r.micro)] {
            let a = report.average(averaging)
            #expect(mismatch([a.precision, a.recall, a.f1], expected, tolerance: close) == nil, "\(r.name): \(averaging)")
        }
        #expect(abs(report.accuracy - r.accuracy) < 1e-15)
    }

    @Test("by hand: a class never predicted has precision 0, one with no samples recall 0, and micro averages equal accuracy")
    func byHand() {
        let report = ClassificationReport(truth: [0, 0, 1, 1], predicted: [0, 0, 0, 0], classCount: 2)
        #expect(report.classes[1] == ClassScores(precision: 0, recall: 0, f1: 0, support: 2))
        #expect(report.classes[0].precision == 0.5 && report.classes[0].recall == 1)
        #expect(report.average(.micro).f1 == report.accuracy)
        let text = report.text(names: ["zero", "one"])
        #expect(text.contains("zero") && text.contains("macro avg") && text.contains("weighted avg") && text.contains("0.500"))
    }
}

@Suite("Chapter 11 · search")
struct SearchTests {
    @Test("a grid tries every combination, the first dimension slowest, each with its own seed")
    func grid() {
        var seen: [[String: Double]] = []
        let trials = gridSearch(["η": [0.1, 0.01], "width": [8, 16, 32]], seed: 5) { settings, _ in
            seen.append(settings)
            return -settings["η"]! * settings["width"]!
        }
        #expect(trials.count == 6 && Set(trials.map(\.seed)).count == 6)
        #expect(seen.map { $0["η"]! } == [0.1, 0.1, 0.1, 0.01, 0.01, 0.01])
        #expect(seen.map { $0["width"]! } == [8, 16, 32, 8, 16, 32])
        #expect(trials.best!.settings == ["η": 0.01, "width": 8])
    }

    @Test("a log-uniform draw gives every decade the same share; the same seed draws the same trials")
    func logUniform() {
        var rng = SeededGenerator(seed: 6)
        let draws = (0..<30_000).map { _ in SearchDimension.logUniform(1e-4...1e-1).draw(using: &rng) }
        #expect(draws.allSatisfy { $0 >= 1e-4 && $0 <= 1e-1 })
        for decade in [1e-4, 1e-3, 1e-2] {
            let share = Double(draws.filter { $0 >= decade && $0 < decade * 10 }.count) / Double(draws.count)
            #expect(abs(share - 1.0 / 3) < 0.02, "\(decade): \(share)")
        }
        let integers = (0..<3000).map { _ in SearchDimension.integers(2...4).draw(using: &rng) }
        #expect(Set(integers) == [2, 3, 4])
        let a = randomSearch(["η": .logUniform(1e-4...1e-1), "width": .integers(8...64)], trials: 5, seed: 7) { s, _ in s["width"]! }
        let b = randomSearch(["η": .logUniform(1e-4...1e-1), "width": .integers(8...64)], trials: 5, seed: 7) { s, _ in s["width"]! }
        #expect(a == b && Set(a.map(\.seed)).count == 5)
    }
}

@Suite("Chapter 11 · augmentation")
struct AugmentationTests {
    let image: [Double] = (0..<64).map { Double(($0 * 37) % 17) / 16 }

    @Test("whole-pixel shifts move pixels exactly, with 0 coming in; a quarter turn about the centre is a transpose and a flip")
    func transforms() {
        let right = ImageTransform.shifted(image, side: 8, dx: 1, dy: 0)
        for r in 0..<8 {
            #expect(right[r * 8] == 0)
            for c in 1..<8 { #expect(right[r * 8 + c] == image[r * 8 + c - 1]) }
        }
        let down = ImageTransform.shifted(image, side: 8, dx: 0, dy: 2)
        #expect(Array(down[0..<16]).allSatisfy { $0 == 0 } && Array(down[16...]) == Array(image[0..<48]))
        // Counter-clockwise as displayed: output (r, c) ← input (c, 7 − r).
        let turned = ImageTransform.rotated(image, side: 8, degrees: 90)
        for r in 0..<8 { for c in 0..<8 { #expect(abs(turned[r * 8 + c] - image[c * 8 + 7 - r]) < 1e-12) } }
        #expect(ImageTransform.rotated(image, side: 8, degrees: 0) == image)
        // A half-pixel shift averages neighbours.
        let half = ImageTransform.shifted(image, side: 8, dx: 0.5, dy: 0)
        #expect(abs(half[3] - (image[2] + image[3]) / 2) < 1e-15)
    }

    @Test("the digit jitter is reproducible from its generator and keeps the batch's shape")
    func jitter() {
        let transform = ImageTransform.digitJitter(maxShift: 1, maxDegrees: 10)
        let batch = Tensor(shape: [3, 64], values: image + image + image)
        var (a, b) = (SeededGenerator(seed: 8), SeededGenerator(seed: 8))
        let (x, y) = (transform(batch, &a), transform(batch, &b))
        #expect(x == y && x.shape == [3, 64])
        #expect(x.values != batch.values)
    }
}

@Suite("Chapter 11 · diagnostics")
struct DiagnosticsTests {
    func network(seed: UInt64, firstBias: Double = 0) -> Sequential {
        var rng = SeededGenerator(seed: seed)
        var model = Sequential(sizes: [4, 16, 3], hidden: .relu, initialization: .he, using: &rng)
        model.updateLayer(0, as: Dense.self) { $0.bias.value = [Double](repeating: firstBias, count: 16) }
        return model
    }

    @Test("initial loss near ln K for a fresh classifier; the dead fraction counts units zero for every sample")
    func initialLossAndDeadUnits() {
        #expect(abs(expectedInitialLoss(classes: 10) - log(10.0)) < 1e-15)
        let dead = Tensor(shape: [3, 4], values: [0, 1, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0])
        #expect(deadFraction(dead) == 0.5)  // units 0 and 2 are 0 for every sample
        var rng = SeededGenerator(seed: 9)
        let x = Tensor(shape: [32, 4], values: rng.normals(128))
        let labels = (0..<32).map { $0 % 3 }
        let healthy = layerStatistics(network(seed: 1), inputs: x, targets: labels, loss: SoftmaxCrossEntropy(), learningRate: 0.01)
        let broken = layerStatistics(network(seed: 1, firstBias: -20), inputs: x, targets: labels, loss: SoftmaxCrossEntropy(), learningRate: 0.01)
        #expect(healthy[1].deadFraction! < 0.2 && broken[1].deadFraction! == 1)
        let loss = SoftmaxCrossEntropy().evaluate(network(seed: 1).predict(x), labels).loss
        #expect(abs(loss - expectedInitialLoss(classes: 3)) < 0.5 * log(3.0))
    }

    @Test("the update ratio is ‖η g‖ / ‖w‖ of the layer's weights")
    func updateRatio() {
        var rng = SeededGenerator(seed: 10)
        let model = network(seed: 2)
        let x = Tensor(shape: [8, 4], values: rng.normals(32))
        let labels = (0..<8).map { $0 % 3 }
        let stats = layerStatistics(model, inputs: x, targets: labels, loss: SoftmaxCrossEntropy(), learningRate: 0.1)
        var probe = model
        probe.zeroGradients()
        probe.backwardSkippingInputGradient(SoftmaxCrossEntropy().evaluate(probe.forward(x, mode: .training), labels).gradient)
        let w = probe.parameters[0]
        let expected = 0.1 * w.gradient.reduce(0) { $0 + $1 * $1 }.squareRoot() / w.value.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(stats[0].updateRatio! - expected) < 1e-15 * expected)
        #expect(stats[1].updateRatio == nil && stats[1].kind == "ReLU")
    }

    @Test("a NaN is traced to the layer that made it, and the watch names the step and parameter where it first appeared")
    func nonFinite() {
        var model = network(seed: 3)
        #expect(firstNonFiniteLayer(model, inputs: Tensor(shape: [1, 4], values: [1, 2, 3, 4])) == nil)
        model.updateLayer(2, as: Dense.self) { $0.weight.value[0] = .infinity }
        let found = firstNonFiniteLayer(model, inputs: Tensor(shape: [2, 4], values: [1, 2, 3, 4, 1, 2, 3, 4]))
        #expect(found?.index == 2 && found?.kind == "Dense", "\(String(describing: found))")
        var watch = NonFiniteWatch()
        var healthy = network(seed: 4)
        _ = watch.gradientsComputed(&healthy)
        #expect(watch.first == nil)
        var broken = network(seed: 4)
        broken.updateLayer(0, as: Dense.self) { $0.bias.gradient[3] = .nan }
        _ = watch.gradientsComputed(&broken)
        #expect(watch.first?.step == 2 && watch.first?.parameter == "0.b1", "\(String(describing: watch.first))")
    }

    @Test("a healthy network overfits one small batch; one with every ReLU dead cannot")
    func overfitting() {
        var rng = SeededGenerator(seed: 11)
        let x = Tensor(shape: [6, 4], values: rng.normals(24))
        let labels = [0, 1, 2, 0, 1, 2]
        let healthy = overfitOneBatch(
            network(seed: 5), inputs: x, targets: labels, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 0.05), steps: 200)
        let dead = overfitOneBatch(
            network(seed: 5, firstBias: -20), inputs: x, targets: labels, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 0.05), steps: 200)
        #expect(healthy.after < 0.05 && healthy.before > 0.5)
        #expect(dead.after > 0.9)
    }
}

@Suite("Chapter 11 · degenerate calls name their cause")
struct PracticeRefusalTests {
    static let calls: [String: String] = [
        "ConfusionMatrix, a label out of range": "ConfusionMatrix: sample 1 has true class 3 and prediction 0; classes are 0..<3",
        "ConfusionMatrix, counts differ": "ConfusionMatrix: 2 true labels but 3 predictions",
        "ConfusionMatrix, no samples": "ConfusionMatrix: no samples",
        "ClassificationReport.text, wrong names": "ClassificationReport.text: 1 names for 2 classes",
        "logUniform over 0": "SearchDimension.logUniform: the range must be positive, got 0.0...1.0",
        "gridSearch, an empty dimension": "gridSearch: every dimension needs at least one value",
        "randomSearch, no trials": "randomSearch: needs at least one trial, got 0",
        "shifted, wrong size": "ImageTransform.shifted: 5 values for a 2 × 2 image",
        "digitJitter, not images": "ImageTransform.digitJitter: a batch (2×5) is not made of 8 × 8 images",
        "expectedInitialLoss, one class": "expectedInitialLoss: needs at least 2 classes, got 1",
        "deadFraction, no batch": "deadFraction: needs a batch of outputs, got (4)",
        "overfitOneBatch, no steps": "overfitOneBatch: needs at least one step, got 0",
        "ConfusionMatrix(counts:), not square": "ConfusionMatrix: the counts must be square, got rows of [2, 1]",
        "ConfusionMatrix(counts:), negative": "ConfusionMatrix: a count is negative in [[1, -1], [0, 2]]",
        "ConfusionMatrix(counts:), all zero": "ConfusionMatrix: no samples (every count is 0)",
        "PrecisionMLP, no hidden units": "PrecisionMLP: sizes 2 → 0 → 2 need at least one input and hidden unit and two classes",
        "PrecisionMLP, weights of the wrong size": "PrecisionMLP: w1 3, b1 2, w2 4, b2 2 values for 2 → 2 → 2",
        "PrecisionMLP.gradients, no samples": "PrecisionMLP.gradients: 0 inputs and 0 labels",
        "PrecisionMLP.gradients, a label out of range": "PrecisionMLP.gradients: a label outside 0..<2",
        "PrecisionMLP.classify, wrong input size": "PrecisionMLP.classify: every input needs 2 values",
        "trainInPrecision, a sample out of range": "trainInPrecision: a batch names a sample outside 0..<1",
        "PrecisionRecipe, negative scale": "PrecisionRecipe: the loss scale must be positive and finite, got -1.0",
        "PrecisionRecipe, NaN scale": "PrecisionRecipe: the loss scale must be positive and finite, got nan",
        "SineMAML, no points": "SineMAML: 0 points and 0 targets",
        "SineMAML, θ of 2": "SineMAML: θ has 3 values (bias, sin, cos), got 2",
        "NeuralODE, W of the wrong size": "NeuralODE: W needs 2² = 4 values, got 3",
        "NeuralODE, empty state": "NeuralODE: W needs 0² = 0 values, got 0",
        "NeuralODE.euler, no steps": "NeuralODE.euler: 0 steps from a state of 1 values (needs 1)",
        "NeuralODE.rungeKutta4, negative steps": "NeuralODE.rungeKutta4: -2 steps from a state of 1 values (needs 1)",
        "NeuralODE.eulerLossGradient, no steps": "NeuralODE.eulerLossGradient: 0 steps from a state of 1 values to a target of 1 (needs 1 each)",
        "messagePassingRound, a node its own neighbour": "messagePassingRound: node 0's neighbours [0] are not other nodes of the graph",
        "messagePassingRound, sizes differ": "messagePassingRound: W 1×2, M 1×1 and b (1) do not fit together",
    ]

    @Test("each degenerate call stops with a message naming its entry point and the values", arguments: calls.keys.sorted())
    func refused(_ call: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            var rng = SeededGenerator(seed: 1)
            switch call {
            case "ConfusionMatrix, a label out of range": _ = ConfusionMatrix(truth: [0, 3], predicted: [0, 0], classCount: 3)
            case "ConfusionMatrix, counts differ": _ = ConfusionMatrix(truth: [0, 1], predicted: [0, 0, 1], classCount: 3)
            case "ConfusionMatrix, no samples": _ = ConfusionMatrix(truth: [], predicted: [], classCount: 3)
            case "ClassificationReport.text, wrong names": _ = ClassificationReport(truth: [0, 1], predicted: [0, 1], classCount: 2).text(names: ["a"])
            case "logUniform over 0": _ = SearchDimension.logUniform(0...1).draw(using: &rng)
            case "gridSearch, an empty dimension": _ = gridSearch(["η": []], seed: 1) { _, _ in 0 }
            case "randomSearch, no trials": _ = randomSearch(["η": .uniform(0...1)], trials: 0, seed: 1) { _, _ in 0 }
            case "shifted, wrong size": _ = ImageTransform.shifted([1, 2, 3, 4, 5], side: 2, dx: 1, dy: 0)
            case "digitJitter, not images": _ = ImageTransform.digitJitter()(Tensor(shape: [2, 5]), &rng)
            case "expectedInitialLoss, one class": _ = expectedInitialLoss(classes: 1)
            case "deadFraction, no batch": _ = deadFraction(Tensor(shape: [4]))
            case "overfitOneBatch, no steps":
                let model = Sequential(sizes: [2, 2], hidden: .relu, initialization: .he, using: &rng)
                _ = overfitOneBatch(model, inputs: Tensor(shape: [1, 2]), targets: [0], loss: SoftmaxCrossEntropy(), optimizer: SGD(learningRate: 1), steps: 0)
            case "ConfusionMatrix(counts:), not square": _ = ConfusionMatrix(counts: [[1, 0], [2]])
            case "ConfusionMatrix(counts:), negative": _ = ConfusionMatrix(counts: [[1, -1], [0, 2]])
            case "ConfusionMatrix(counts:), all zero": _ = ConfusionMatrix(counts: [[0, 0], [0, 0]])
            case "PrecisionMLP, no hidden units": _ = PrecisionMLP<Double>(inputs: 2, hidden: 0, classes: 2, w1: [], b1: [], w2: [], b2: [0, 0])
            case "PrecisionMLP, weights of the wrong size":
                _ = PrecisionMLP<Double>(inputs: 2, hidden: 2, classes: 2, w1: [1, 2, 3], b1: [0, 0], w2: [1, 2, 3, 4], b2: [0, 0])
            case "PrecisionMLP.gradients, no samples": _ = tinyMLP().gradients([], labels: [])
            case "PrecisionMLP.gradients, a label out of range": _ = tinyMLP().gradients([[1, 2]], labels: [2])
            case "PrecisionMLP.classify, wrong input size": _ = tinyMLP().classify([[1, 2, 3]])
            case "trainInPrecision, a sample out of range":
                _ = trainInPrecision(Double.self, start: tinyMLP(), x: [[1, 2]], labels: [0], batches: [[0, 1]], learningRate: 0.1)
            case "PrecisionRecipe, negative scale": _ = PrecisionRecipe(lossScale: -1)
            case "PrecisionRecipe, NaN scale": _ = PrecisionRecipe(lossScale: .nan)
            case "SineMAML, no points": _ = SineMAML.loss([0, 0, 0], x: [], y: [])
            case "SineMAML, θ of 2": _ = SineMAML.metaLoss([0, 0], supportX: [1], supportY: [1], queryX: [1], queryY: [1], innerRate: 0.1)
            case "NeuralODE, W of the wrong size": _ = NeuralODE(w: [1, 2, 3], b: [0, 0])
            case "NeuralODE, empty state": _ = NeuralODE(w: [], b: [])
            case "NeuralODE.euler, no steps": _ = NeuralODE(w: [1], b: [0]).euler([1], steps: 0)
            case "NeuralODE.rungeKutta4, negative steps": _ = NeuralODE(w: [1], b: [0]).rungeKutta4([1], steps: -2)
            case "NeuralODE.eulerLossGradient, no steps": _ = NeuralODE(w: [1], b: [0]).eulerLossGradient([1], target: [0], steps: 0)
            case "messagePassingRound, a node its own neighbour":
                _ = messagePassingRound([[1]], neighbours: [[0]], w: Matrix([[1.0]]), m: Matrix([[1.0]]), b: [0])
            case "messagePassingRound, sizes differ":
                _ = messagePassingRound([[1, 2]], neighbours: [[]], w: Matrix([[1.0, 2]]), m: Matrix([[1.0]]), b: [0])
            default: Issue.record("no call for \(call)")
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains(Self.calls[call]!), "\(call): \(message)")
    }
}

/// A 2 → 2 → 2 network for the degenerate calls.
func tinyMLP() -> PrecisionMLP<Double> {
    PrecisionMLP(inputs: 2, hidden: 2, classes: 2, w1: [1, 0, 0, 1], b1: [0, 0], w2: [1, 0, 0, 1], b2: [0, 0])
}

@Suite("Chapter 11 · the bug zoo")
struct BugZooTests {
    @Test("the healthy run learns and no detector fires on it", arguments: [UInt64(1), 2, 3])
    func healthy(_ seed: UInt64) {
        let run = runZoo(nil, seed: seed)
        #expect(run.fired.isEmpty, "seed \(seed): \(run.fired.map { "\($0): \(run.findings[$0]!.measurement)" })")
        #expect(run.validationAccuracy > 0.8)
    }

    @Test("each bug makes its own detector fire", arguments: TrainingBug.allCases)
    func caught(_ bug: TrainingBug) {
        for seed in [UInt64(1), 2] {
            let run = runZoo(bug, seed: seed)
            #expect(run.findings[bug.detector]!.fired, "\(bug.rawValue), seed \(seed): \(run.findings[bug.detector]!.measurement); fired: \(run.fired)")
        }
    }
}
