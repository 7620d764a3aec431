import Foundation
import LinearAlgebra
import Validation

// Three ideas past this curriculum, each small enough to run and to check: a MAML
// meta-update, a neural ODE, and a round of graph message passing. (The fourth reading,
// architecture search, is the random search of Search.swift over widths and depths.)

// MARK: - MAML (Finn, Abbeel and Levine, 2017)

/// A regression task y = amplitude · sin(x + phase), seen through a handful of points.
public struct SineTask: Sendable {
    /// The amplitude of the sine.
    public var amplitude: Double
    /// The phase of the sine.
    public var phase: Double

    /// The task y = amplitude · sin(x + phase).
    public init(amplitude: Double, phase: Double) {
        self.amplitude = amplitude
        self.phase = phase
    }

    /// y = amplitude · sin(x + phase).
    public func callAsFunction(_ x: Double) -> Double { amplitude * sin(x + phase) }
}

/// MAML on a model linear in its parameters θ, f(x) = θ · φ(x) with φ(x) = (1, sin x,
/// cos x), and the squared error L(θ) = mean (f(x) − y)². One inner step of rate α adapts
/// θ to a task's support points; the meta-loss is the adapted model's error on the task's
/// query points:
///
/// ```
/// θ'  = θ − α ∇L_support(θ)              ∇L = (2/n) Φᵀ(Φθ − y),  H = (2/n) ΦᵀΦ
/// meta-loss = L_query(θ')
/// ∇_θ meta-loss = (I − α H_support) ∇L_query(θ')     (the second-order term is (I − αH))
/// ```
/// First-order MAML drops H: ∇ ≈ ∇L_query(θ'). With a model linear in θ, H is exact and
/// constant, so the meta-gradient can be written down and checked by finite differences.
public enum SineMAML {
    /// φ(x) = [1, sin x, cos x]: the model is linear in θ, y = θ · φ(x).
    public static func features(_ x: Double) -> [Double] { [1, sin(x), cos(x)] }

    /// L and ∇L of θ on points (x, y).
    public static func loss(_ theta: [Double], x: [Double], y: [Double]) -> (loss: Double, gradient: [Double]) {
        require(theta.count == 3, "SineMAML: θ has 3 values (bias, sin, cos), got \(theta.count)")
        require(!x.isEmpty && x.count == y.count, "SineMAML: \(x.count) points and \(y.count) targets")
        var (loss, gradient) = (0.0, [0.0, 0.0, 0.0])
        for (xi, yi) in zip(x, y) {
            let phi = features(xi)
            let error = zip(theta, phi).reduce(0) { $0 + $1.0 * $1.1 } - yi
            loss += error * error
            for k in 0..<3 { gradient[k] += 2 * error * phi[k] }
        }
        let n = Double(x.count)
        return (loss / n, gradient.map { $0 / n })
    }

    /// θ' after one inner step on the support points.
    public static func adapted(_ theta: [Double], supportX: [Double], supportY: [Double], innerRate: Double) -> [Double] {
        let g = loss(theta, x: supportX, y: supportY).gradient
        return zip(theta, g).map { $0 - innerRate * $1 }
    }

    /// The meta-loss of one task and its exact gradient (or, `firstOrder`, the first-order
    /// approximation).
    public static func metaLoss(
        _ theta: [Double], supportX: [Double], supportY: [Double], queryX: [Double], queryY: [Double], innerRate: Double,
        firstOrder: Bool = false
    ) -> (loss: Double, gradient: [Double]) {
        let thetaPrime = adapted(theta, supportX: supportX, supportY: supportY, innerRate: innerRate)
        let (value, g) = loss(thetaPrime, x: queryX, y: queryY)
        if firstOrder { return (value, g) }
        // (I − αH) g with H = (2/n) Σ φφᵀ over the support points (symmetric).
        var hg = [0.0, 0.0, 0.0]
        for x in supportX {
            let phi = features(x)
            let dot = zip(phi, g).reduce(0) { $0 + $1.0 * $1.1 }
            for k in 0..<3 { hg[k] += 2 * phi[k] * dot / Double(supportX.count) }
        }
        return (value, (0..<3).map { g[$0] - innerRate * hg[$0] })
    }
}

// MARK: - Neural ODEs (Chen et al., 2018)

/// A neural ODE dh/dt = tanh(W h + b) on t ∈ [0, 1], integrated in `steps` equal steps.
/// `w` is d × d, row-major.
public struct NeuralODE: Sendable {
    /// W (d × d), row-major.
    public var w: [Double]
    /// b (d).
    public var b: [Double]
    /// d, the size of the state h.
    public var dimension: Int { b.count }

    /// An ODE with the given W (d × d) and b (d); a W of another size stops naming both.
    public init(w: [Double], b: [Double]) {
        require(!b.isEmpty && w.count == b.count * b.count, "NeuralODE: W needs \(b.count)² = \(b.count * b.count) values, got \(w.count)")
        self.w = w
        self.b = b
    }

    /// f(h) = tanh(W h + b).
    public func velocity(_ h: [Double]) -> [Double] {
        (0..<dimension).map { i in tanh((0..<dimension).reduce(b[i]) { $0 + w[i * dimension + $1] * h[$1] }) }
    }

    /// h(1) by Euler's method: h ← h + Δt f(h). Its error shrinks like Δt.
    public func euler(_ h0: [Double], steps: Int) -> [Double] {
        require(steps > 0 && h0.count == dimension, "NeuralODE.euler: \(steps) steps from a state of \(h0.count) values (needs \(dimension))")
        let dt = 1 / Double(steps)
        var h = h0
        for _ in 0..<steps { h = zip(h, velocity(h)).map { $0 + dt * $1 } }
        return h
    }

    /// h(1) by the classical Runge–Kutta method (four slopes per step). Its error shrinks like Δt⁴.
    public func rungeKutta4(_ h0: [Double], steps: Int) -> [Double] {
        require(steps > 0 && h0.count == dimension, "NeuralODE.rungeKutta4: \(steps) steps from a state of \(h0.count) values (needs \(dimension))")
        let dt = 1 / Double(steps)
        var h = h0
        func plus(_ a: [Double], _ s: Double, _ k: [Double]) -> [Double] { zip(a, k).map { $0 + s * $1 } }
        for _ in 0..<steps {
            let k1 = velocity(h)
            let k2 = velocity(plus(h, dt / 2, k1))
            let k3 = velocity(plus(h, dt / 2, k2))
            let k4 = velocity(plus(h, dt, k3))
            h = (0..<dimension).map { h[$0] + dt / 6 * (k1[$0] + 2 * k2[$0] + 2 * k3[$0] + k4[$0]) }
        }
        return h
    }

    /// The loss ½‖h(1) − target‖² of the Euler solution and its gradient with respect to
    /// W, b and h(0), by backpropagating through every Euler step ("discretize, then
    /// differentiate"; the adjoint method of the paper solves a second ODE backwards
    /// instead, and agrees with this as the steps shrink). With u = W h + b and
    /// a = ∂L/∂h after a step:
    ///
    /// ```
    /// ∂L/∂h (before) = a + Δt Wᵀ (a ⊙ (1 − tanh² u))
    /// ∂L/∂W += Δt (a ⊙ (1 − tanh² u)) hᵀ        ∂L/∂b += Δt a ⊙ (1 − tanh² u)
    /// ```
    public func eulerLossGradient(_ h0: [Double], target: [Double], steps: Int) -> (loss: Double, w: [Double], b: [Double], h0: [Double]) {
        require(
            steps > 0 && h0.count == dimension && target.count == dimension,
            "NeuralODE.eulerLossGradient: \(steps) steps from a state of \(h0.count) values to a target of \(target.count) (needs \(dimension) each)")
        let dt = 1 / Double(steps)
        var states = [h0]
        for _ in 0..<steps { states.append(zip(states.last!, velocity(states.last!)).map { $0 + dt * $1 }) }
        let end = states.last!
        let loss = 0.5 * zip(end, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        var a = zip(end, target).map { $0 - $1 }
        var (gw, gb) = ([Double](repeating: 0, count: w.count), [Double](repeating: 0, count: dimension))
        for s in stride(from: steps - 1, through: 0, by: -1) {
            let h = states[s]
            let f = velocity(h)
            let delta = (0..<dimension).map { dt * a[$0] * (1 - f[$0] * f[$0]) }
            var before = a
            for i in 0..<dimension {
                gb[i] += delta[i]
                for j in 0..<dimension {
                    gw[i * dimension + j] += delta[i] * h[j]
                    before[j] += w[i * dimension + j] * delta[i]
                }
            }
            a = before
        }
        return (loss, gw, gb, a)
    }
}

// MARK: - Graph networks

/// One round of message passing on an undirected graph: every node's new state is
/// computed from its own state and the sum of its neighbours' states,
///
/// ```
/// h_v ← tanh(W h_v + M Σ_{u ∈ N(v)} h_u + b)
/// ```
/// with the same W (d′ × d), M (d′ × d) and b for every node, so the network works on a
/// graph of any size and relabelling the nodes relabels the output the same way.
/// `neighbours[v]` lists the nodes joined to v; `states[v]` has d values.
public func messagePassingRound(
    _ states: [[Double]], neighbours: [[Int]], w: Matrix, m: Matrix, b: [Double]
) -> [[Double]] {
    require(states.count == neighbours.count, "messagePassingRound: \(states.count) states for \(neighbours.count) nodes' neighbour lists")
    require(
        w.rows == b.count && m.rows == b.count && w.columns == m.columns,
        "messagePassingRound: W \(w.rows)×\(w.columns), M \(m.rows)×\(m.columns) and b (\(b.count)) do not fit together")
    for (v, list) in neighbours.enumerated() {
        require(
            list.allSatisfy { states.indices.contains($0) && $0 != v }, "messagePassingRound: node \(v)'s neighbours \(list) are not other nodes of the graph")
    }
    require(states.allSatisfy { $0.count == w.columns }, "messagePassingRound: every state needs \(w.columns) values")
    return states.indices.map { v in
        var message = [Double](repeating: 0, count: w.columns)
        for u in neighbours[v] { for k in message.indices { message[k] += states[u][k] } }
        return (0..<b.count).map { i in
            tanh((0..<w.columns).reduce(b[i]) { $0 + w[i, $1] * states[v][$1] + m[i, $1] * message[$1] })
        }
    }
}
