import Activations
import Backprop
import Foundation
import LinearAlgebra
import Validation

// Checks to run on a network before and while trying to make it learn (Karpathy's
// "recipe"): each one turns a symptom into a number.

/// The loss a classifier should start near: with outputs close to uniform over K classes,
/// cross-entropy is −log(1/K) = ln K. Far above it, the initialization is too large (or the
/// labels disagree with the outputs); far below it, the model knows the answers before
/// training, which means a leak.
public func expectedInitialLoss(classes: Int) -> Double {
    require(classes > 1, "expectedInitialLoss: needs at least 2 classes, got \(classes)")
    return log(Double(classes))
}

/// What one layer of a model looked like during one training step.
public struct LayerStatistics: Sendable {
    /// The layer's position in the Sequential and a short name of its kind.
    public var index: Int
    /// A short name of the layer's kind ("Dense", "ReLU").
    public var kind: String
    /// Mean and standard deviation of the layer's output on the batch.
    public var outputMean: Double
    /// The standard deviation of the layer's output on the batch.
    public var outputDeviation: Double
    /// For a ReLU: the share of its units that output 0 for every sample of the batch
    /// (a unit that is 0 everywhere also has gradient 0 everywhere: it cannot recover).
    public var deadFraction: Double?
    /// Standard deviations of the layer's weights (its first parameter) and their gradient.
    public var weightDeviation: Double?
    /// The standard deviation of that parameter's gradient.
    public var gradientDeviation: Double?
    /// ‖η g‖ / ‖w‖: how much one plain gradient step with rate η would change the weights,
    /// relative to their size. Around 1e-3 is the usual healthy range; 1e-1 and up rewrites
    /// the weights every step, 1e-6 and below barely moves them.
    public var updateRatio: Double?
    /// Whether the output holds NaN or ±∞.
    public var nonFinite: Bool
}

/// One training-mode forward and backward pass of `model` on a batch, measured layer by
/// layer; the model itself is left as it was (it runs on a copy). `learningRate` is the η
/// of the update ratio.
public func layerStatistics<Objective: Loss>(
    _ model: Sequential, inputs: Tensor, targets: Objective.Target, loss: Objective, learningRate: Double
) -> [LayerStatistics] {
    var probe = model
    probe.zeroGradients()
    var outputs: [Tensor] = []
    var x = inputs
    for l in probe.layers.indices {
        x = probe.layers[l].forward(x, mode: .training)
        outputs.append(x)
    }
    var gradient = loss.evaluate(x, targets).gradient
    for l in probe.layers.indices.reversed() { gradient = probe.layers[l].backward(gradient) }
    return probe.layers.indices.map { l in
        let layer = probe.layers[l]
        let y = outputs[l]
        let (mean, deviation) = meanAndDeviation(y.values)
        var stats = LayerStatistics(
            index: l, kind: kindName(layer), outputMean: mean, outputDeviation: deviation, deadFraction: nil, weightDeviation: nil,
            gradientDeviation: nil, updateRatio: nil, nonFinite: y.values.contains { !$0.isFinite })
        if let activation = layer as? ActivationLayer, activation.function == .relu { stats.deadFraction = deadFraction(y) }
        if let weights = layer.parameters.first {
            stats.weightDeviation = meanAndDeviation(weights.value).deviation
            stats.gradientDeviation = meanAndDeviation(weights.gradient).deviation
            let (update, size) = (norm(weights.gradient) * learningRate, norm(weights.value))
            stats.updateRatio = size > 0 ? update / size : nil
        }
        return stats
    }
}

/// The share of units (features of a (B × F) output; channels of a (B, C, H, W) one) that
/// are exactly 0 for every sample and position of the batch.
public func deadFraction(_ output: Tensor) -> Double {
    require(output.rank >= 2 && output.shape[0] > 0, "deadFraction: needs a batch of outputs, got \(output.shapeDescription)")
    let (batch, units) = (output.shape[0], output.shape[1])
    let positions = output.count / (batch * units)
    var alive = [Bool](repeating: false, count: units)
    for n in 0..<batch {
        for u in 0..<units {
            for p in 0..<positions where output.values[(n * units + u) * positions + p] != 0 { alive[u] = true }
        }
    }
    return Double(alive.filter { !$0 }.count) / Double(units)
}

/// Where a NaN or ±∞ first appears in a forward pass: the first layer (by index in the
/// Sequential) whose output holds one although its input did not, with both described;
/// nil when every output is finite. (Run on a copy, in inference mode.)
public func firstNonFiniteLayer(_ model: Sequential, inputs: Tensor) -> (index: Int, kind: String, description: String)? {
    guard inputs.values.allSatisfy(\.isFinite) else {
        return (-1, "input", "the input itself holds \(inputs.values.filter { !$0.isFinite }.count) non-finite values")
    }
    var probe = model
    var x = inputs
    for l in probe.layers.indices {
        let y = probe.layers[l].forward(x, mode: .inference)
        let bad = y.values.filter { !$0.isFinite }
        if !bad.isEmpty {
            let largest = x.values.map(abs).max() ?? 0
            return (l, kindName(probe.layers[l]), "\(bad.count) of its \(y.count) outputs are NaN or ±∞; its input's largest magnitude was \(largest)")
        }
        x = y
    }
    return nil
}

/// A plugin that watches every gradient and parameter after each backward pass, and
/// records the first step at which one is NaN or ±∞, naming the parameter: a NaN found at
/// its first step rather than after it has spread to every weight.
public struct NonFiniteWatch: TrainingPlugin {
    /// (step, from 1; epoch, from 1; the parameter's name), or nil while all is finite.
    public private(set) var first: (step: Int, epoch: Int, parameter: String)?
    private var step = 0
    private var epoch = 0

    /// A watch that stops training at the first NaN or ±∞ and names where it appeared.
    public init() {}

    public mutating func epochWillStart(_ epoch: Int, learningRate: inout Double) { self.epoch = epoch + 1 }

    public mutating func gradientsComputed<Model: Layer>(_ model: inout Model) -> Double {
        step += 1
        guard first == nil else { return 0 }
        for (name, parameter) in model.namedParameters where !(parameter.gradient + parameter.value).allSatisfy(\.isFinite) {
            first = (step, epoch, name)
            break
        }
        return 0
    }

    /// Training stops at the end of the epoch in which a non-finite value appeared.
    public mutating func epochDidEnd<Model: Layer>(_ record: EpochRecord, model: Model) -> Bool { first != nil }
}

/// Trains `model` on one small batch alone for `steps` steps and returns the loss before
/// and after: a network that cannot drive the loss of a handful of samples towards 0 has
/// a bug (or too little capacity) that no amount of data will fix.
public func overfitOneBatch<Objective: Loss>(
    _ model: Sequential, inputs: Tensor, targets: Objective.Target, loss: Objective, optimizer: some Optimizer, steps: Int
) -> (before: Double, after: Double) {
    require(steps > 0, "overfitOneBatch: needs at least one step, got \(steps)")
    var step = SupervisedStep(model: model, loss: loss, optimizer: optimizer)
    let before = loss.evaluate(model.predict(inputs), targets).loss
    var plugins = TrainingPlugins()
    for _ in 0..<steps { _ = step.trainBatch(inputs, targets, plugins: &plugins) }
    return (before, loss.evaluate(step.model.predict(inputs), targets).loss)
}

func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
    guard !values.isEmpty else { return (0, 0) }
    let mean = values.reduce(0, +) / Double(values.count)
    return (mean, (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot())
}

func norm(_ values: [Double]) -> Double { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

/// "Dense", "Conv2D", "ReLU", … for a report.
func kindName(_ layer: any Layer) -> String {
    if let activation = layer as? ActivationLayer { return activation.function.name }
    return String(describing: type(of: layer))
}
