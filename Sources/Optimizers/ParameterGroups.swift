import Backprop
import Validation

/// One optimizer with its own settings for groups of parameters, chosen by name: a small
/// learning rate for a pretrained backbone and a larger one for a new head, no weight
/// decay on some layers. PyTorch's `param_groups`.
///
/// ```
/// group g:   η_g = η · learningRateScale_g          (η: the optimizer's rate, which a schedule moves)
///            g ← g + λ_g θ   before the rule's step, for parameters that decay (L2, as
///                            PyTorch's `weight_decay` in SGD and Adam; not AdamW's decoupled form)
/// ```
/// A parameter belongs to the first group one of whose prefixes starts its full name
/// ("0." is the first layer of a ``/Backprop/Sequential``); a parameter in no group takes the
/// wrapped rule as it is. Frozen parameters take no step, whatever their group. State
/// (momentum, Adam's m and v) is the wrapped rule's, one per parameter as always.
public struct ParameterGroups<Base: Optimizer>: Optimizer {
    /// Settings for the parameters whose names start with one of `prefixes`.
    public struct Group: Sendable {
        /// The name prefixes ("0.", "encoder.") that select the group's parameters.
        public var prefixes: [String]
        /// η for the group is the optimizer's η times this.
        public var learningRateScale: Double
        /// λ of the L2 term added to the group's gradients (decaying parameters only).
        public var weightDecay: Double

        /// A group of the parameters whose names start with one of `prefixes`; no prefix, or a
        /// negative or non-finite scale or decay, stops naming it.
        public init(prefixes: [String], learningRateScale: Double = 1, weightDecay: Double = 0) {
            require(!prefixes.isEmpty, "ParameterGroups.Group: needs at least one name prefix")
            require(
                learningRateScale >= 0 && learningRateScale.isFinite,
                "ParameterGroups.Group \(prefixes): the learning-rate scale must be a finite number ≥ 0, got \(learningRateScale)")
            require(
                weightDecay >= 0 && weightDecay.isFinite,
                "ParameterGroups.Group \(prefixes): the weight decay must be a finite number ≥ 0, got \(weightDecay)")
            self.prefixes = prefixes
            self.learningRateScale = learningRateScale
            self.weightDecay = weightDecay
        }
    }

    /// The wrapped rule, which every group's parameters are stepped with.
    public var base: Base
    /// The groups; a parameter takes the first whose prefix its name starts with.
    public var groups: [Group]

    /// `base`'s rule with the settings of `groups` for the parameters they name.
    public init(_ base: Base, groups: [Group]) {
        self.base = base
        self.groups = groups
    }

    public var learningRate: Double {
        get { base.learningRate }
        set { base.learningRate = newValue }
    }

    /// The wrapped rule's step, ungrouped: a parameter seen without its name.
    public mutating func update(_ parameter: inout Parameter) {
        base.update(&parameter)
    }

    /// Every parameter that is not frozen, with its group's settings.
    public mutating func step<Model: Layer>(_ model: inout Model) {
        let rate = base.learningRate
        var matched = [Bool](repeating: false, count: groups.count)
        model.visitNamedParameters(prefix: "") { name, parameter in
            let index = groups.firstIndex { $0.prefixes.contains { name.hasPrefix($0) } }
            if let index { matched[index] = true }
            guard !parameter.frozen else { return }
            guard let index else {
                base.update(&parameter)
                return
            }
            let group = groups[index]
            if group.weightDecay > 0 && parameter.decays {
                for i in parameter.gradient.indices { parameter.gradient[i] += group.weightDecay * parameter.value[i] }
            }
            base.learningRate = rate * group.learningRateScale
            base.update(&parameter)
            base.learningRate = rate
        }
        // A group that selects nothing is a misspelt prefix: it would leave its layers at the base settings.
        if let unmatched = matched.firstIndex(of: false) {
            requirementFailed(
                "ParameterGroups: no parameter's name starts with \(groups[unmatched].prefixes); the model has \(model.namedParameters.map(\.name))")
        }
    }

    public func savedState(of parameter: Parameter) -> [String: [Double]] { base.savedState(of: parameter) }

    public mutating func restoreState(_ state: [String: [Double]], of parameter: Parameter) throws {
        try base.restoreState(state, of: parameter)
    }
}
