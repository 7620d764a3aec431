import Backprop
import Optimizers
import Validation

/// A penalty on the size of the weights, added to the loss: L = L_data + Ω(w).
///
/// ```
/// L1:           Ω = λ Σ |w|           ∂Ω/∂w = λ sign(w)
/// L2:           Ω = (λ/2) Σ w²        ∂Ω/∂w = λ w
/// elastic net:  Ω = λ₁ Σ |w| + (λ₂/2) Σ w²
/// ```
/// L2 pulls every weight towards 0 in proportion to its size, so weights shrink but
/// rarely reach 0. L1 pulls with the same force whatever the size, so small weights are
/// pushed all the way to 0: a sparse network. Biases are not penalized (they do not make
/// the function any more wiggly, and a class may need a large one). sign(0) is taken as 0.
public enum Penalty: Sendable, Equatable {
    /// No penalty.
    case none
    /// λ Σ|w|: pushes small weights to exactly 0.
    case l1(Double)
    /// (λ/2) Σ w²: shrinks every weight in proportion to its size.
    case l2(Double)
    /// λ₁ Σ|w| + (λ₂/2) Σ w².
    case elasticNet(l1: Double, l2: Double)

    var strengths: (l1: Double, l2: Double) {
        switch self {
        case .none: (0, 0)
        case .l1(let lambda): (lambda, 0)
        case .l2(let lambda): (0, lambda)
        case .elasticNet(let l1, let l2): (l1, l2)
        }
    }

    /// Ω(w).
    public func value(_ weights: [Double]) -> Double {
        let (l1, l2) = strengths
        var sum = 0.0
        for w in weights { sum += l1 * abs(w) + 0.5 * l2 * w * w }
        return sum
    }

    /// ∂Ω/∂w.
    public func gradient(_ weights: [Double]) -> [Double] {
        let (l1, l2) = strengths
        return weights.map { w in l1 * (w > 0 ? 1 : w < 0 ? -1 : 0) + l2 * w }
    }

    /// The penalty as the lessons print it ("L2 λ=0.001").
    public var name: String {
        switch self {
        case .none: "none"
        case .l1(let lambda): "L1 λ=\(lambda)"
        case .l2(let lambda): "L2 λ=\(lambda)"
        case .elasticNet(let l1, let l2): "elastic net λ₁=\(l1) λ₂=\(l2)"
        }
    }
}

/// A penalty as a training plugin: after every batch's backward pass, ∂Ω/∂w is added to
/// the gradient of every parameter that decays (the weights; not biases, γ or β) and is
/// not frozen (a frozen weight takes no step, so a penalty on it would change nothing
/// but the recorded loss). Ω is recorded as a loss term of its own ("L2 penalty").
public struct WeightPenalty: TrainingPlugin {
    /// The penalty added to the loss.
    public var penalty: Penalty

    /// A plugin that adds `penalty` to the loss and its gradient to the weights.
    public init(_ penalty: Penalty) {
        let (l1, l2) = penalty.strengths
        require(l1 >= 0 && l2 >= 0, "WeightPenalty: the strengths must not be negative, got \(penalty.name)")
        self.penalty = penalty
    }

    /// "L1 penalty", "L2 penalty" or "elastic-net penalty"; nil for `.none`.
    public var lossTermName: String? {
        switch penalty {
        case .none: nil
        case .l1: "L1 penalty"
        case .l2: "L2 penalty"
        case .elasticNet: "elastic-net penalty"
        }
    }

    /// Adds ∂Ω/∂w to the weights' gradients; returns Ω summed over them.
    public mutating func gradientsComputed<Model: Layer>(_ model: inout Model) -> Double {
        guard penalty != .none else { return 0 }
        var total = 0.0
        let penalty = penalty
        model.visitParameters { parameter in
            guard parameter.decays && !parameter.frozen else { return }
            total += penalty.value(parameter.value)
            let extra = penalty.gradient(parameter.value)
            for i in extra.indices { parameter.gradient[i] += extra[i] }
        }
        return total
    }

    /// Ω over the weights of `model` that decay and are not frozen.
    public func lossTerm<Model: Layer>(of model: Model) -> Double {
        model.parameters.filter { $0.decays && !$0.frozen }.reduce(0) { $0 + penalty.value($1.value) }
    }
}

/// L2 applied outside the loss: θ ← θ − η λ θ, then the wrapped optimizer's step.
///
/// With plain SGD this is exactly L2 in the loss: the gradient λθ would have been
/// subtracted times η all the same. With Adam it is not: an L2 gradient inside the loss is
/// divided by √v̂ like every other gradient, so weights with large gradients are hardly
/// decayed at all. Decoupling the decay (AdamW) shrinks every weight at the same rate λη.
/// Only parameters whose ``/Backprop/Parameter/decays`` is true are decayed: weights, not biases,
/// γ or β.
public struct DecoupledWeightDecay<Base: Optimizer>: Optimizer {
    /// The wrapped rule, stepped after the decay.
    public var base: Base
    /// λ: each step shrinks a decaying weight by η λ θ.
    public var decay: Double

    /// `base` with every decaying weight scaled by 1 − η λ before its step, λ = `decay`; a
    /// negative or non-finite decay stops naming it.
    public init(_ base: Base, decay: Double) {
        require(decay >= 0 && decay.isFinite, "DecoupledWeightDecay: the decay must be a finite number ≥ 0, got \(decay)")
        self.base = base
        self.decay = decay
    }

    public var learningRate: Double {
        get { base.learningRate }
        set { base.learningRate = newValue }
    }

    public mutating func update(_ parameter: inout Parameter) {
        if parameter.decays {
            let factor = 1 - learningRate * decay
            for i in parameter.value.indices { parameter.value[i] *= factor }
        }
        base.update(&parameter)
    }

    /// The wrapped rule's state: the decay itself remembers nothing.
    public func savedState(of parameter: Parameter) -> [String: [Double]] { base.savedState(of: parameter) }

    public mutating func restoreState(_ state: [String: [Double]], of parameter: Parameter) throws {
        try base.restoreState(state, of: parameter)
    }
}
