import Foundation
import Validation

// Training in lower precision. The chapters compute in Double (53-bit significand). Float
// has 24 bits and a range to 3.4e38; Float16 (IEEE half, Swift's own type) has 11 bits
// and a range only from 6.1e-5 (smallest normal; subnormals go down to 6.0e-8) to 65504.
// A gradient below 6e-8 becomes 0 in Float16, and an update smaller than half a weight's
// spacing (about 0.0005 × |w|) leaves the weight unchanged. Mixed precision (the seeds'
// `mixed_float16`) keeps a master copy of the weights in Float, computes the forward and
// backward passes in Float16, and multiplies the loss by a scale S before the backward
// pass so that small gradients stay representable; the step divides by S again.

/// A classifier D → H (ReLU) → K (softmax cross-entropy, mean over the batch) whose
/// forward and backward passes run in any IEEE type `T`: Double, Float or Float16.
///
/// Layouts as in ``/Backprop/Dense``: `w1` is H × D and `w2` is K × H, row-major
/// (output-major, PyTorch's `nn.Linear.weight`). Every product, sum and activation is
/// rounded to `T`, except the softmax at the end and its gradient, computed in Double and
/// rounded to `T` once.
public struct PrecisionMLP<T: BinaryFloatingPoint & Sendable>: Sendable {
    /// The sizes D → H → K: inputs, hidden units, classes.
    public let inputs: Int, hidden: Int, classes: Int
    /// W₁ (H × D), b₁ (H), W₂ (K × H), b₂ (K), row-major, in `T`.
    public var w1: [T], b1: [T], w2: [T], b2: [T]

    /// The weights of a model given in Double, rounded to `T`.
    @inlinable
    public init<Other: BinaryFloatingPoint & Sendable>(_ other: PrecisionMLP<Other>) {
        (inputs, hidden, classes) = (other.inputs, other.hidden, other.classes)
        (w1, b1, w2, b2) = (other.w1.map(T.init), other.b1.map(T.init), other.w2.map(T.init), other.b2.map(T.init))
    }

    /// A network with the given sizes and weights; sizes below one input, one hidden unit or
    /// two classes, or weights that do not fit them, stop naming them.
    @inlinable
    public init(inputs: Int, hidden: Int, classes: Int, w1: [T], b1: [T], w2: [T], b2: [T]) {
        require(
            inputs > 0 && hidden > 0 && classes > 1,
            "PrecisionMLP: sizes \(inputs) → \(hidden) → \(classes) need at least one input and hidden unit and two classes")
        require(
            w1.count == hidden * inputs && b1.count == hidden && w2.count == classes * hidden && b2.count == classes,
            "PrecisionMLP: w1 \(w1.count), b1 \(b1.count), w2 \(w2.count), b2 \(b2.count) values for \(inputs) → \(hidden) → \(classes)")
        (self.inputs, self.hidden, self.classes) = (inputs, hidden, classes)
        (self.w1, self.b1, self.w2, self.b2) = (w1, b1, w2, b2)
    }

    /// All parameters, flat: w1, b1, w2, b2.
    @inlinable
    public var flat: [T] { w1 + b1 + w2 + b2 }

    /// The gradients of one batch, flat in the order of ``flat``, and the loss (mean
    /// cross-entropy, as Double). `lossScale` S multiplies ∂L/∂logits before the backward
    /// pass, so every gradient comes out S times larger (and S times further from underflow).
    @inlinable
    public func gradients(_ x: [[Double]], labels: [Int], lossScale: T = 1) -> (loss: Double, gradients: [T]) {
        require(!x.isEmpty && x.count == labels.count, "PrecisionMLP.gradients: \(x.count) inputs and \(labels.count) labels")
        require(x.allSatisfy { $0.count == inputs }, "PrecisionMLP.gradients: every input needs \(inputs) values")
        require(labels.allSatisfy { (0..<classes).contains($0) }, "PrecisionMLP.gradients: a label outside 0..<\(classes)")
        var (g1, gb1, g2, gb2) = (
            [T](repeating: 0, count: w1.count), [T](repeating: 0, count: hidden), [T](repeating: 0, count: w2.count), [T](repeating: 0, count: classes)
        )
        var loss = 0.0
        for (sample, label) in zip(x, labels) {
            let input = sample.map(T.init)
            let (h, z) = forward(input)
            // The softmax and ∂L/∂z = S (p − onehot) / B in Double, rounded to T once: in
            // Float16, p of the right class rounds to exactly 1 and p − 1 to 0 (mixed
            // precision keeps the softmax in float32 for this reason).
            let logits = z.map(Double.init)
            let top = logits.max()!
            let e = logits.map { Foundation.exp($0 - top) }
            let total = e.reduce(0, +)
            loss += Foundation.log(total) - (logits[label] - top)
            let dz = (0..<classes).map { k in T((e[k] / total - (k == label ? 1 : 0)) / Double(x.count) * Double(lossScale)) }
            var dh = [T](repeating: 0, count: hidden)
            for k in 0..<classes {
                gb2[k] += dz[k]
                for j in 0..<hidden {
                    g2[k * hidden + j] += dz[k] * h[j]
                    dh[j] += dz[k] * w2[k * hidden + j]
                }
            }
            for j in 0..<hidden where h[j] > 0 {
                gb1[j] += dh[j]
                for i in 0..<inputs { g1[j * inputs + i] += dh[j] * input[i] }
            }
        }
        return (loss / Double(x.count), g1 + gb1 + g2 + gb2)
    }

    /// θ ← θ − η g on the flat parameters, in `T`.
    @inlinable
    public mutating func step(_ gradients: [T], learningRate: T) {
        require(gradients.count == flat.count, "PrecisionMLP.step: \(gradients.count) gradients for \(flat.count) parameters")
        var offset = 0
        func update(_ values: inout [T]) {
            for i in values.indices { values[i] -= learningRate * gradients[offset + i] }
            offset += values.count
        }
        update(&w1)
        update(&b1)
        update(&w2)
        update(&b2)
    }

    /// The predicted class of each input.
    @inlinable
    public func classify(_ x: [[Double]]) -> [Int] {
        require(x.allSatisfy { $0.count == inputs }, "PrecisionMLP.classify: every input needs \(inputs) values")
        return x.map { sample in
            let z = forward(sample.map(T.init)).z
            return z.indices.max { z[$0] < z[$1] || (z[$0] == z[$1] && $0 > $1) }!
        }
    }

    /// One sample's hidden layer h = ReLU(W1 x + b1) and scores z = W2 h + b2, in T.
    @inlinable
    func forward(_ input: [T]) -> (h: [T], z: [T]) {
        let h = (0..<hidden).map { j in max(0, (0..<inputs).reduce(b1[j]) { $0 + w1[j * inputs + $1] * input[$1] }) }
        return (h, (0..<classes).map { k in (0..<hidden).reduce(b2[k]) { $0 + w2[k * hidden + $1] * h[$1] } })
    }
}

/// How a low-precision run keeps its weights and scales its loss.
public struct PrecisionRecipe: Sendable {
    /// A master copy of the weights in Float, rounded to the compute type for each batch;
    /// false: the weights live in the compute type and the step rounds to it.
    public var floatMasterWeights: Bool
    /// The loss scale S (1: none). Gradients are divided by S in the master's type.
    public var lossScale: Double

    /// A recipe; a loss scale that is not positive and finite stops naming it.
    @inlinable
    public init(floatMasterWeights: Bool = false, lossScale: Double = 1) {
        require(lossScale > 0 && lossScale.isFinite, "PrecisionRecipe: the loss scale must be positive and finite, got \(lossScale)")
        self.floatMasterWeights = floatMasterWeights
        self.lossScale = lossScale
    }
}

/// Trains `start` (rounded to `T`) with plain SGD on `batches` (each a list of sample
/// indices into `x`), computing in `T` under `recipe`; returns the trained weights as
/// Double and the number of steps whose gradients were not all finite (skipped, as
/// dynamic loss scaling skips them).
@inlinable
public func trainInPrecision<T: BinaryFloatingPoint & Sendable>(
    _ type: T.Type, start: PrecisionMLP<Double>, x: [[Double]], labels: [Int], batches: [[Int]], learningRate: Double,
    recipe: PrecisionRecipe = PrecisionRecipe()
) -> (model: PrecisionMLP<Double>, skippedSteps: Int) {
    require(x.count == labels.count, "trainInPrecision: \(x.count) inputs and \(labels.count) labels")
    require(
        batches.allSatisfy { $0.allSatisfy { x.indices.contains($0) } },
        "trainInPrecision: a batch names a sample outside 0..<\(x.count)")
    var compute = PrecisionMLP<T>(start)
    var master = PrecisionMLP<Float>(start)
    var skipped = 0
    for batch in batches {
        if recipe.floatMasterWeights { compute = PrecisionMLP<T>(master) }
        let (_, g) = compute.gradients(batch.map { x[$0] }, labels: batch.map { labels[$0] }, lossScale: T(recipe.lossScale))
        guard g.allSatisfy(\.isFinite) else {
            skipped += 1
            continue
        }
        if recipe.floatMasterWeights {
            master.step(g.map { Float($0) / Float(recipe.lossScale) }, learningRate: Float(learningRate))
        } else {
            compute.step(g.map { $0 / T(recipe.lossScale) }, learningRate: T(learningRate))
        }
    }
    return (recipe.floatMasterWeights ? PrecisionMLP<Double>(master) : PrecisionMLP<Double>(compute), skipped)
}
