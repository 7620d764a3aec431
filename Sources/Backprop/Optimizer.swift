import LinearAlgebra
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

    /// One step on every parameter of `model` that is not frozen. The default calls
    /// ``update(_:)`` on each; a rule with settings per group of parameters overrides it.
    mutating func step<Model: Layer>(_ model: inout Model)

    /// What the rule remembers about `parameter`, as named arrays ("m", "v", "t"): empty
    /// before its first step, and always for a rule that remembers nothing. A
    /// ``/Backprop/Checkpoint`` saves it under the parameter's name in the model.
    func savedState(of parameter: Parameter) -> [String: [Double]]

    /// Puts back what ``savedState(of:)`` returned, for the parameter of the same name in
    /// another copy of the model (with another identity). Refuses arrays it does not
    /// know or that do not fit the parameter, naming them.
    mutating func restoreState(_ state: [String: [Double]], of parameter: Parameter) throws
}

extension Optimizer {
    public mutating func step<Model: Layer>(_ model: inout Model) {
        model.visitParameters { parameter in
            if !parameter.frozen { update(&parameter) }
        }
    }
}

/// A saved optimizer state that does not fit: its message names the parameter and the array.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String

    /// An error with its description.
    public init(_ description: String) {
        self.description = description
    }
}

/// Checks that a saved state has exactly the arrays `expected` (or none at all), each of
/// the parameter's length unless listed in `scalars` (one number).
public func checkSavedState(
    _ state: [String: [Double]], of parameter: Parameter, rule: String, expected: [String], scalars: Set<String> = []
) throws {
    guard !state.isEmpty else { return }
    for name in state.keys.sorted() where !expected.contains(name) {
        throw OptimizerStateError(
            "\(rule): the saved state of \(parameter.name) has an array \"\(name)\" it does not keep (it keeps \(expected.joined(separator: ", ")))")
    }
    for name in expected {
        guard let values = state[name] else {
            throw OptimizerStateError("\(rule): the saved state of \(parameter.name) has no \"\(name)\"")
        }
        let count = scalars.contains(name) ? 1 : parameter.count
        guard values.count == count else {
            throw OptimizerStateError(
                "\(rule): the saved \"\(name)\" of \(parameter.name) has \(values.count) values; it needs \(count)")
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

    /// Plain gradient descent with step size η = `learningRate`; a negative or non-finite rate
    /// stops naming it.
    public init(learningRate: Double) {
        requireLearningRate(learningRate, "SGD")
        self.learningRate = learningRate
    }

    public mutating func update(_ parameter: inout Parameter) {
        require(
            parameter.gradient.count == parameter.count,
            "SGD: \(parameter.name) has \(parameter.count) values but its gradient has \(parameter.gradient.count)")
        subtractScaled(parameter.gradient, by: learningRate, from: &parameter.value)  // θᵢ ← θᵢ − η gᵢ
    }

    /// Nothing: plain gradient descent remembers nothing between steps.
    public func savedState(of parameter: Parameter) -> [String: [Double]] { [:] }

    public mutating func restoreState(_ state: [String: [Double]], of parameter: Parameter) throws {
        try checkSavedState(state, of: parameter, rule: "SGD", expected: [])
    }
}
