import Backprop
import LinearAlgebra
import Randomness
import Validation

/// Inverted dropout: during training each value is zeroed with probability `rate` and the
/// survivors are scaled by 1 / (1 − rate); at inference nothing happens.
///
/// ```
/// mask = 0 with probability p, 1/(1 − p) otherwise     (a fresh mask every training pass)
/// training:   y = x ⊙ mask        ∂L/∂x = ∂L/∂y ⊙ mask
/// inference:  y = x
/// ```
/// Zeroing random units stops the network from relying on any one of them: every unit must
/// be useful in many different thinned networks. Scaling the survivors during training
/// keeps each value's expected size unchanged, so inference needs no correction: the
/// "inverted" part. The backward pass lets gradient through exactly where the mask did,
/// with the same scale.
///
/// The layer owns its seeded generator, so a model with dropout trains the same way
/// every time, and a copy of the layer draws the same masks as the original.
public struct Dropout: Layer {
    /// p, the probability that a value is dropped in training.
    public let rate: Double
    /// The layer's own generator, so that a model with dropout trains the same way every run
    /// (its state is checkpointed as a buffer).
    public var generator: SeededGenerator
    /// The mask of the last training-mode forward pass.
    public private(set) var mask: [Double]?
    /// Holds the layer in inference mode while the rest of the model trains: a
    /// training-mode pass then drops nothing (and draws nothing).
    public var heldInInference = false

    /// A layer dropping each value with probability `rate`. `seed` starts the generator its
    /// training-mode passes draw masks from; a layer only ever given explicit masks
    /// (``forward(_:mask:)``) needs none. Two layers with the same seed draw the same masks.
    public init(rate: Double, seed: UInt64 = 0) {
        require((0..<1).contains(rate), "Dropout: the rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.generator = SeededGenerator(seed: seed)
    }

    /// The mask for uniform draws uᵢ in [0, 1): 0 where uᵢ < rate, otherwise 1 / (1 − rate).
    public static func mask(draws: [Double], rate: Double) -> [Double] {
        let keep = 1 / (1 - rate)
        return draws.map { $0 < rate ? 0 : keep }
    }

    /// A mask of `count` values, 0 with probability `rate`, from `count` uniform draws.
    public static func mask(count: Int, rate: Double, using generator: inout SeededGenerator) -> [Double] {
        mask(draws: (0..<count).map { _ in generator.uniform() }, rate: rate)
    }

    /// Training mode draws a fresh mask from the layer's generator; inference returns x.
    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        guard mode == .training else { return x }
        if heldInInference { return forward(x, mask: [Double](repeating: 1, count: x.count)) }
        return forward(x, mask: Dropout.mask(count: x.count, rate: rate, using: &generator))
    }

    /// y = x ⊙ mask with a given mask (one value per element of x), remembered for the
    /// backward pass: what a training-mode pass does, with the randomness supplied.
    public mutating func forward(_ x: Tensor, mask: [Double]) -> Tensor {
        require(mask.count == x.count, "Dropout.forward: a mask of \(mask.count) values for input \(x.shapeDescription)")
        self.mask = mask  // cache for the backward pass
        return Tensor(shape: x.shape, values: zip(x.values, mask).map(*))
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        guard let mask else { requirementFailed("Dropout.backward: no training-mode forward pass to go back through") }
        require(
            mask.count == outputGradient.count,
            "Dropout.backward: the gradient \(outputGradient.shapeDescription) does not match the mask of \(mask.count) values")
        return Tensor(shape: outputGradient.shape, values: zip(outputGradient.values, mask).map(*))
    }

    /// No parameters.
    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}

    /// The generator's state as "generator" (8 exact halves of its 4 words), so that a
    /// resumed run draws the masks the interrupted one would have drawn.
    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        var state = generator.stateAsDoubles
        body("\(prefix)generator", &state)
        generator.stateAsDoubles = state
    }
}
