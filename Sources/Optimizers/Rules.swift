import Foundation

/// Stochastic gradient descent: θ ← θ − η g.
///
/// "Stochastic" refers to the gradient, not the rule: it is computed on a mini-batch, so it
/// is a noisy estimate of the gradient over the whole training set. The same rule is batch
/// gradient descent when the batch is the whole set.
public struct SGD: Optimizer {
    public var learningRate: Double

    public init(learningRate: Double) {
        self.learningRate = learningRate
    }

    public mutating func update(_ parameter: inout [Double], gradient: [Double], slot: Int) {
        checkShapes("SGD", parameter: parameter, gradient: gradient, state: nil, slot: slot)
        for i in parameter.indices { parameter[i] -= learningRate * gradient[i] }
    }
}

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
    public enum Form: String, Sendable, CaseIterable {
        case exponentialAverage = "exponential average"
        case velocity
    }

    public var learningRate: Double
    public var beta: Double
    public var form: Form
    /// v for each slot, zero before the first step.
    public private(set) var velocities: [Int: [Double]] = [:]

    public init(learningRate: Double, beta: Double = 0.9, form: Form = .velocity) {
        precondition((0..<1).contains(beta), "Momentum: β must be in [0, 1), got \(beta)")
        self.learningRate = learningRate
        self.beta = beta
        self.form = form
    }

    public mutating func update(_ parameter: inout [Double], gradient: [Double], slot: Int) {
        checkShapes("Momentum", parameter: parameter, gradient: gradient, state: velocities[slot], slot: slot)
        // Taken out of the dictionary while it changes, so the array is not copied.
        var v = velocities.removeValue(forKey: slot) ?? [Double](repeating: 0, count: parameter.count)
        switch form {
        case .exponentialAverage:
            for i in parameter.indices {
                v[i] = beta * v[i] + (1 - beta) * gradient[i]
                parameter[i] -= learningRate * v[i]
            }
        case .velocity:
            for i in parameter.indices {
                v[i] = beta * v[i] - learningRate * gradient[i]
                parameter[i] += v[i]
            }
        }
        velocities[slot] = v
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
    public var rho: Double
    public var epsilon: Double
    /// s for each slot, zero before the first step.
    public private(set) var squareAverages: [Int: [Double]] = [:]

    public init(learningRate: Double, rho: Double = 0.9, epsilon: Double = 1e-8) {
        precondition((0..<1).contains(rho), "RMSprop: ρ must be in [0, 1), got \(rho)")
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
    }

    public mutating func update(_ parameter: inout [Double], gradient: [Double], slot: Int) {
        checkShapes("RMSprop", parameter: parameter, gradient: gradient, state: squareAverages[slot], slot: slot)
        var s = squareAverages.removeValue(forKey: slot) ?? [Double](repeating: 0, count: parameter.count)
        for i in parameter.indices {
            s[i] = rho * s[i] + (1 - rho) * gradient[i] * gradient[i]
            parameter[i] -= learningRate * gradient[i] / (s[i].squareRoot() + epsilon)
        }
        squareAverages[slot] = s
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
/// fades to 1 as t grows. t counts the steps of each slot.
public struct Adam: Optimizer {
    public struct State: Sendable, Equatable {
        public var m: [Double]
        public var v: [Double]
        public var t: Int
    }

    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// m, v and t for each slot.
    public private(set) var states: [Int: State] = [:]

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: β₁ and β₂ must be in [0, 1), got \(beta1), \(beta2)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public mutating func update(_ parameter: inout [Double], gradient: [Double], slot: Int) {
        checkShapes("Adam", parameter: parameter, gradient: gradient, state: states[slot]?.m, slot: slot)
        let zeros = [Double](repeating: 0, count: parameter.count)
        var state = states.removeValue(forKey: slot) ?? State(m: zeros, v: zeros, t: 0)
        state.t += 1
        let c1 = 1 - pow(beta1, Double(state.t)), c2 = 1 - pow(beta2, Double(state.t))
        for i in parameter.indices {
            state.m[i] = beta1 * state.m[i] + (1 - beta1) * gradient[i]
            state.v[i] = beta2 * state.v[i] + (1 - beta2) * gradient[i] * gradient[i]
            parameter[i] -= learningRate * (state.m[i] / c1) / ((state.v[i] / c2).squareRoot() + epsilon)
        }
        states[slot] = state
    }
}
