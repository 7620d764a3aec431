import Validation

/// A rule for moving parameters against their gradients.
///
/// An optimizer sees one ``Parameter`` at a time and reads its `gradient`. Whatever the
/// rule remembers between steps (a velocity, running averages, a step count) it keeps
/// per parameter, under the parameter's ``Parameter/id``: never by position, so a model
/// can add, reorder or freeze layers without any state landing on the wrong array.
/// This chapter has plain gradient descent; Chapter 4 adds momentum, RMSprop and Adam.
public protocol Optimizer: Sendable {
    /// η, the step size. A learning-rate schedule changes it between epochs.
    var learningRate: Double { get set }

    /// Moves `parameter.value` one step using `parameter.gradient`, updating its state.
    mutating func update(_ parameter: inout Parameter)
}

extension Optimizer {
    /// One step on every parameter of `model` that is not frozen.
    public mutating func step<Model: Layer>(_ model: inout Model) {
        model.visitParameters { parameter in
            if !parameter.frozen { update(&parameter) }
        }
    }
}

/// Stops unless η is a finite number ≥ 0: a negative rate climbs the loss, NaN poisons
/// every parameter.
public func requireLearningRate(_ rate: Double, _ rule: String) {
    require(rate >= 0 && rate.isFinite, "\(rule): the learning rate must be a finite number ≥ 0, got \(rate)")
}

/// Gradient descent: θ ← θ − η ∂L/∂θ.
///
/// "Stochastic" gradient descent is this rule with the gradient of a mini-batch, a noisy
/// estimate of the gradient over the whole training set; with the whole set as the batch
/// it is batch gradient descent.
public struct SGD: Optimizer {
    public var learningRate: Double

    public init(learningRate: Double) {
        requireLearningRate(learningRate, "SGD")
        self.learningRate = learningRate
    }

    public mutating func update(_ parameter: inout Parameter) {
        for i in parameter.value.indices { parameter.value[i] -= learningRate * parameter.gradient[i] }
    }
}
