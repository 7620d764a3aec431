import Backprop
import Foundation
import Validation

/// Gradient descent with momentum: steps keep going the way recent gradients pointed.
///
/// Two forms are in use, and they trace the same path when their learning rates are matched:
///
/// ```
/// exponential average:  v ← β v + (1 − β) g     θ ← θ − η v
/// velocity (classical): v ← β v − η g           θ ← θ + v
/// ```
/// The average keeps v on the scale of one gradient; the velocity sums them, growing to
/// about g / (1 − β) on a steady slope. So the average with η / (1 − β) equals the velocity
/// with η. With β = 0 both are plain SGD.
public struct Momentum: Optimizer {
    /// Which of the two equivalent forms the rule keeps (see ``Momentum``).
    public enum Form: String, Sendable, CaseIterable {
        /// v ← β v + (1 − β) g, θ ← θ − η v: an exponential average of the gradients.
        case exponentialAverage = "exponential average"
        /// v ← β v − η g, θ ← θ + v: the classical velocity.
        case velocity
    }

    public var learningRate: Double
    /// β, how much of the last step carries over.
    public var beta: Double
    /// Which of the two forms the rule keeps.
    public var form: Form
    /// v for each parameter, zero before its first step. Set an entry to start from a given velocity.
    public var velocities: [ParameterID: [Double]] = [:]

    /// Momentum with step size η, carry-over β and the given form; a bad η or a β outside
    /// [0, 1) stops naming it.
    public init(learningRate: Double, beta: Double = 0.9, form: Form = .velocity) {
        requireLearningRate(learningRate, "Momentum")
        require((0..<1).contains(beta), "Momentum: β must be in [0, 1), got \(beta)")
        self.learningRate = learningRate
        self.beta = beta
        self.form = form
    }

    public mutating func update(_ parameter: inout Parameter) {
        checkShapes("Momentum", parameter, state: velocities[parameter.id])
        // Taken out of the dictionary while it changes, so the array is not copied.
        var v = velocities.removeValue(forKey: parameter.id) ?? [Double](repeating: 0, count: parameter.count)
        let g = parameter.gradient
        switch form {
        case .exponentialAverage:
            for i in v.indices {
                v[i] = beta * v[i] + (1 - beta) * g[i]
                parameter.value[i] -= learningRate * v[i]
            }
        case .velocity:
            for i in v.indices {
                v[i] = beta * v[i] - learningRate * g[i]
                parameter.value[i] += v[i]
            }
        }
        velocities[parameter.id] = v
    }

    public func savedState(of parameter: Parameter) -> [String: [Double]] {
        velocities[parameter.id].map { ["velocity": $0] } ?? [:]
    }

    public mutating func restoreState(_ state: [String: [Double]], of parameter: Parameter) throws {
        try checkSavedState(state, of: parameter, rule: "Momentum", expected: ["velocity"])
        velocities[parameter.id] = state["velocity"]
    }
}

/// RMSprop: each parameter's step is divided by the root of its recent squared gradients.
///
/// ```
/// s ← ρ s + (1 − ρ) g²        θ ← θ − η g / (√s + ε)
/// ```
/// A parameter whose gradients are large takes smaller steps and one whose gradients are
/// small takes larger ones: steps of about η in every direction, whatever the scale.
public struct RMSprop: Optimizer {
    public var learningRate: Double
    /// ρ, the decay of the average of squared gradients.
    public var rho: Double
    /// ε, added to √s so that a parameter with no gradient yet does not divide by 0.
    public var epsilon: Double
    /// s for each parameter, zero before its first step. Set an entry to start from given values.
    public var squareAverages: [ParameterID: [Double]] = [:]

    /// RMSprop with step size η, decay ρ and ε; a bad η, a ρ outside [0, 1) or a negative ε
    /// stops naming it.
    public init(learningRate: Double, rho: Double = 0.9, epsilon: Double = 1e-8) {
        requireLearningRate(learningRate, "RMSprop")
        require((0..<1).contains(rho), "RMSprop: ρ must be in [0, 1), got \(rho)")
        require(epsilon >= 0, "RMSprop: ε must not be negative, got \(epsilon)")
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
    }

    public mutating func update(_ parameter: inout Parameter) {
        checkShapes("RMSprop", parameter, state: squareAverages[parameter.id])
        var s = squareAverages.removeValue(forKey: parameter.id) ?? [Double](repeating: 0, count: parameter.count)
        let g = parameter.gradient
        var overflow = false
        for i in s.indices {
            s[i] = rho * s[i] + (1 - rho) * g[i] * g[i]
            parameter.value[i] -= learningRate * g[i] / (s[i].squareRoot() + epsilon)
            overflow = overflow || s[i].isInfinite
        }
        if overflow { checkSquaresFit("RMSprop", parameter) }  // as in Adam: names the gradient whose square overflowed
        squareAverages[parameter.id] = s
    }

    public func savedState(of parameter: Parameter) -> [String: [Double]] {
        squareAverages[parameter.id].map { ["squareAverage": $0] } ?? [:]
    }

    public mutating func restoreState(_ state: [String: [Double]], of parameter: Parameter) throws {
        try checkSavedState(state, of: parameter, rule: "RMSprop", expected: ["squareAverage"])
        squareAverages[parameter.id] = state["squareAverage"]
    }
}

/// Adam: momentum and RMSprop together, with both averages corrected for starting at zero.
///
/// ```
/// m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²          t ← t + 1
/// m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
/// θ ← θ − η m̂ / (√v̂ + ε)
/// ```
/// Both averages start at 0, so early on they are too small: after one step m = (1 − β₁) g,
/// a tenth of g. Dividing by 1 − β₁ᵗ undoes exactly that (m̂ = g at t = 1); the correction
/// fades to 1 as t grows. t counts the steps of each parameter.
public struct Adam: Optimizer {
    /// What Adam remembers about one parameter.
    public struct State: Sendable, Equatable {
        /// The running average of the gradients.
        public var m: [Double]
        /// The running average of the squared gradients.
        public var v: [Double]
        /// The number of steps taken so far.
        public var t: Int

        /// A state from its parts; m and v of different lengths, or a negative t, stop naming them.
        public init(m: [Double], v: [Double], t: Int) {
            require(m.count == v.count, "Adam.State: m has \(m.count) values but v has \(v.count)")
            require(t >= 0, "Adam.State: the step count cannot be negative, got \(t)")
            self.m = m
            self.v = v
            self.t = t
        }
    }

    public var learningRate: Double
    /// β₁, the decay of the gradients' average m.
    public var beta1: Double
    /// β₂, the decay of the squared gradients' average v.
    public var beta2: Double
    /// ε, added to √v̂ so that the step stays finite where v̂ is 0.
    public var epsilon: Double
    /// m, v and t for each parameter. Set an entry to start from a given state (to
    /// reproduce a published step, say).
    public var states: [ParameterID: State] = [:]

    /// Adam with PyTorch's defaults; a negative or non-finite η, β outside [0, 1) or a
    /// negative ε stops naming it.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        requireLearningRate(learningRate, "Adam")
        require((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: β₁ and β₂ must be in [0, 1), got \(beta1), \(beta2)")
        require(epsilon >= 0, "Adam: ε must not be negative, got \(epsilon)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public mutating func update(_ parameter: inout Parameter) {
        checkShapes("Adam", parameter, state: states[parameter.id]?.m)
        var state =
            states.removeValue(forKey: parameter.id)
            ?? State(m: [Double](repeating: 0, count: parameter.count), v: [Double](repeating: 0, count: parameter.count), t: 0)
        state.t += 1
        let c1 = 1 - pow(beta1, Double(state.t)), c2 = 1 - pow(beta2, Double(state.t))
        let (beta1, beta2, learningRate, epsilon) = (beta1, beta2, learningRate, epsilon)
        var overflow = false
        // The loop over raw buffers: the same arithmetic, without a bounds or uniqueness
        // check on every element (checkShapes above made sure the four lengths agree).
        parameter.gradient.withUnsafeBufferPointer { g in
            state.m.withUnsafeMutableBufferPointer { m in
                state.v.withUnsafeMutableBufferPointer { v in
                    parameter.value.withUnsafeMutableBufferPointer { theta in
                        for i in 0..<g.count {
                            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                            theta[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
                            overflow = overflow || v[i].isInfinite
                        }
                    }
                }
            }
        }
        // A g² that overflowed left v = ∞; stop with the gradient named rather than go on
        // taking silent zero steps (checked after the loop, to keep the loop lean).
        if overflow { checkSquaresFit("Adam", parameter) }
        states[parameter.id] = state
    }

    /// m, v and t (t as one number, exact below 2⁵³ steps).
    public func savedState(of parameter: Parameter) -> [String: [Double]] {
        states[parameter.id].map { ["m": $0.m, "v": $0.v, "t": [Double($0.t)]] } ?? [:]
    }

    public mutating func restoreState(_ state: [String: [Double]], of parameter: Parameter) throws {
        try checkSavedState(state, of: parameter, rule: "Adam", expected: ["m", "v", "t"], scalars: ["t"])
        guard let m = state["m"], let v = state["v"], let t = state["t"]?.first else {
            states[parameter.id] = nil
            return
        }
        guard t >= 0, t == t.rounded(), t < 0x1p53 else {
            throw OptimizerStateError("Adam: the saved step count of \(parameter.name) is \(t), not a whole number ≥ 0")
        }
        states[parameter.id] = State(m: m, v: v, t: Int(t))
    }
}

/// Stops unless every g² fits in a `Double`: RMSprop and Adam keep a running average of g²,
/// which would become ∞ past |g| ≈ 1.3e154 and turn every later step of that parameter
/// into a silent 0. Such a gradient means the training has already diverged; clipping
/// (``GradientClipping``) keeps it in range.
func checkSquaresFit(_ rule: String, _ parameter: Parameter) {
    for (i, g) in parameter.gradient.enumerated() where (g * g).isInfinite && g.isFinite {
        requirementFailed(
            "\(rule): the gradient of \(parameter.name) is \(g) at index \(i); its square overflows a Double "
                + "(|g| must stay below 1.3e154). Clip the gradients first: GradientClipping(maxNorm:)")
    }
}

/// Checks that a gradient fits its parameter and that saved state (if any) fits both.
func checkShapes(_ rule: String, _ parameter: Parameter, state: [Double]?) {
    require(
        parameter.gradient.count == parameter.count,
        "\(rule): \(parameter.name) has \(parameter.count) values but its gradient has \(parameter.gradient.count)")
    if let state {
        require(
            state.count == parameter.count,
            "\(rule): the state kept for \(parameter.name) has \(state.count) values but the parameter now has \(parameter.count)")
    }
}
