import Backprop

/// Runs `steps` steps of `optimizer` on a function of a few variables, from `start`.
/// Returns the path: the start and the point after every step.
public func minimize(
    from start: [Double], steps: Int, optimizer: inout some Optimizer, gradient: ([Double]) -> [Double]
) -> [[Double]] {
    var point = Parameter(name: "x", shape: [start.count], value: start, decays: false)
    var path = [start]
    for _ in 0..<steps {
        point.gradient = gradient(point.value)
        optimizer.update(&point)
        path.append(point.value)
    }
    return path
}

/// Test functions with a known minimum, for watching optimizers move.
public enum Surface: Sendable {
    /// f(x) = Σ xᵢ², a round bowl with its minimum 0 at the origin.
    case bowl
    /// Rosenbrock's valley f(x, y) = (1 − x)² + 100 (y − x²)²: a long, narrow, curved valley
    /// whose floor falls gently to the minimum 0 at (1, 1). Easy to find, slow to follow.
    case rosenbrock

    /// f at `p`.
    public func value(_ p: [Double]) -> Double {
        switch self {
        case .bowl: return p.reduce(0) { $0 + $1 * $1 }
        case .rosenbrock:
            let (x, y) = (p[0], p[1])
            return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
        }
    }

    /// ∇f at `p`, written out from the formula.
    public func gradient(_ p: [Double]) -> [Double] {
        switch self {
        case .bowl: return p.map { 2 * $0 }
        case .rosenbrock:
            let (x, y) = (p[0], p[1])
            return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
        }
    }
}
