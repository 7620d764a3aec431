import LinearAlgebra
import Validation

// A model's state by name: every parameter and buffer under a unique, hierarchical name
// ("0.W1", "2.body.0.K1", "encoder.attention.Wq"), the same in every copy of the model and
// in every run that builds it the same way. Checkpoints and optimizer state are saved
// under these names; parameter groups and freezing select by them.

extension Layer {
    /// Every parameter with its full name, in visiting order (copies: changing them
    /// changes nothing).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var copy = self
        var list: [(name: String, parameter: Parameter)] = []
        copy.visitNamedParameters(prefix: "") { name, parameter in list.append((name, parameter)) }
        return list
    }

    /// Every buffer with its full name, in visiting order (copies).
    public var namedBuffers: [(name: String, values: [Double])] {
        var copy = self
        var list: [(name: String, values: [Double])] = []
        copy.visitBuffers(prefix: "") { name, values in list.append((name, values)) }
        return list
    }

    /// The parameter called `name` (its full name); stops with the names there are if none is.
    public func parameter(named name: String) -> Parameter {
        let all = namedParameters
        guard let found = all.first(where: { $0.name == name }) else {
            requirementFailed("parameter(named:): the model has no parameter \"\(name)\"; it has \(describeNames(all.map(\.name)))")
        }
        return found.parameter
    }

    /// Freezes (or, with `false`, unfreezes) every parameter whose full name starts with
    /// `prefix` ("0." is the first layer of a ``Sequential``); returns how many it changed.
    /// Stops, naming the model's parameters, if `prefix` matches none: a misspelt prefix
    /// would otherwise freeze nothing and train everything.
    @discardableResult
    public mutating func setFrozen(_ frozen: Bool, namesStartingWith prefix: String) -> Int {
        var count = 0
        visitNamedParameters(prefix: "") { name, parameter in
            guard name.hasPrefix(prefix) else { return }
            parameter.frozen = frozen
            count += 1
        }
        if count == 0 {
            requirementFailed(
                "setFrozen: no parameter's name starts with \"\(prefix)\"; the model has \(describeNames(namedParameters.map(\.name)))")
        }
        return count
    }

    /// y = f(x) and ∂L/∂x for the loss `loss` of y, leaving this model exactly as it is:
    /// its parameters, their gradients, its running statistics and its generators.
    ///
    /// The forward and backward passes run on a copy. This is how a GAN's generator learns
    /// through its discriminator: D's input gradient carries the generator's loss back to
    /// the generated samples, while D's own gradients and statistics stay untouched.
    /// The forward pass is a training-mode one (dropout drops, batch normalization uses the
    /// batch's statistics), as the backward pass needs; a layer held in inference mode
    /// stays so.
    public func inputGradient(
        at x: Tensor, loss: (Tensor) -> (loss: Double, gradient: Tensor)
    ) -> (output: Tensor, loss: Double, inputGradient: Tensor) {
        var probe = self
        let y = probe.forward(x, mode: .training)
        let (value, gradient) = loss(y)
        return (y, value, probe.backward(gradient))
    }
}

/// Stops unless every parameter and buffer of `model` has its own name, naming the
/// duplicate: the training loop calls it, and a ``Checkpoint`` depends on it.
public func requireUniqueNames<Model: Layer>(_ model: Model, context: String) {
    var seen = Set<String>()
    for name in model.namedParameters.map(\.name) + model.namedBuffers.map(\.name) {
        require(
            seen.insert(name).inserted,
            "\(context): two parameters or buffers of the model are both called \"\(name)\"; give the layers different names "
                + "(the name: argument of their initializers) or put them in a Sequential, which numbers its layers")
    }
}

/// "a, b and c" for up to 12 names, then how many more.
func describeNames(_ names: [String]) -> String {
    guard !names.isEmpty else { return "no parameters" }
    let shown = names.prefix(12).joined(separator: ", ")
    return names.count > 12 ? "\(shown) and \(names.count - 12) more" : shown
}
