import Backprop

/// A rule for moving parameters against their gradients.
///
/// An optimizer sees one parameter array at a time, named by its `slot`: a model lists its
/// parameters in a fixed order (for a ``Network``: layer 1's weights, layer 1's biases,
/// layer 2's weights, …) and the slot is the position in that list. Whatever the rule
/// remembers between steps — a velocity, running averages, a step count — it keeps per
/// slot, so one optimizer serves parameters of any number and shape.
public protocol Optimizer: Sendable {
    /// η, the step size. A ``Schedule`` changes it between epochs.
    var learningRate: Double { get set }

    /// Moves the parameter in `slot` one step against `gradient`, updating its state.
    mutating func update(_ parameter: inout [Double], gradient: [Double], slot: Int)
}

/// A model whose parameters are a fixed list of flat arrays of numbers.
///
/// Dense layers fit (weights and biases); so do convolution filters, LSTM gates and
/// attention projections. A model that conforms can be trained by every ``Optimizer``.
public protocol Trainable {
    /// What the model's backward pass returns.
    associatedtype Gradients

    /// The gradients as flat arrays, in the model's parameter order.
    static func arrays(of gradients: Gradients) -> [[Double]]

    /// Calls `body` with every parameter array, in the model's parameter order, for it to
    /// change in place.
    mutating func updateParameters(_ body: (_ slot: Int, _ parameter: inout [Double]) -> Void)
}

extension Network: Trainable {
    /// Layer l's weights (row by row) are slot 2l, its biases slot 2l + 1.
    public static func arrays(of gradients: [DenseLayer.Gradients]) -> [[Double]] {
        gradients.flatMap { [$0.weights.values, $0.biases] }
    }

    public mutating func updateParameters(_ body: (_ slot: Int, _ parameter: inout [Double]) -> Void) {
        for l in layers.indices {
            body(2 * l, &layers[l].weights.values)
            body(2 * l + 1, &layers[l].biases)
        }
    }
}

extension Optimizer {
    /// One step on every parameter of `model`.
    ///
    /// With `clippingNorm` set, the gradients are first clipped by their global norm (see
    /// ``clipByGlobalNorm(_:maxNorm:)``). Returns the global norm before clipping.
    @discardableResult
    public mutating func step<Model: Trainable>(
        _ model: inout Model, gradients: Model.Gradients, clippingNorm: Double? = nil
    ) -> Double {
        var arrays = Model.arrays(of: gradients)
        let norm = clippingNorm.map { clipByGlobalNorm(&arrays, maxNorm: $0) } ?? globalNorm(arrays)
        var visited = 0
        model.updateParameters { slot, parameter in
            precondition(
                slot < arrays.count, "Optimizer.step: the model has a parameter in slot \(slot) but only \(arrays.count) gradients")
            update(&parameter, gradient: arrays[slot], slot: slot)
            visited += 1
        }
        precondition(visited == arrays.count, "Optimizer.step: \(arrays.count) gradients for \(visited) parameters")
        return norm
    }
}

extension Optimizer {
    /// One step at the learning rate `schedule` sets for `epoch`, starting from η₀ = `initial`.
    public mutating func step<Model: Trainable>(
        _ model: inout Model, gradients: Model.Gradients, schedule: Schedule, initial: Double, epoch: Int,
        clippingNorm: Double? = nil
    ) {
        learningRate = schedule.learningRate(initial: initial, at: epoch)
        step(&model, gradients: gradients, clippingNorm: clippingNorm)
    }
}

/// Checks that a gradient fits its parameter and that saved state (if any) fits both.
func checkShapes(_ name: String, parameter: [Double], gradient: [Double], state: [Double]?, slot: Int) {
    precondition(
        gradient.count == parameter.count,
        "\(name): slot \(slot) has \(parameter.count) values but its gradient has \(gradient.count)")
    if let state {
        precondition(
            state.count == parameter.count,
            "\(name): slot \(slot) held \(state.count) values in earlier steps but now has \(parameter.count); use one slot per parameter")
    }
}
