import Backprop
import Validation

/// ‖g‖ over every gradient array together: √(Σ over all arrays and entries of g²).
///
/// The squares of very large or very small gradients leave the range of `Double` (g²
/// overflows to ∞ past |g| ≈ 1.3e154 and underflows to 0 below 1e-162) although the norm
/// itself fits. Then the norm is computed from the gradients scaled by the largest |g|,
/// ‖g‖ = s · √(Σ (g/s)²), the way `hypot` does it. A NaN gives NaN.
public func globalNorm(_ gradients: [[Double]]) -> Double {
    var sum = 0.0
    for array in gradients { for g in array { sum += g * g } }
    guard sum.isNaN || (sum.isFinite && sum >= Double.leastNormalMagnitude) || sum == 0 && gradients.allSatisfy({ $0.allSatisfy { $0 == 0 } })
    else {
        let (largest, scaledNorm) = scaledGlobalNorm(gradients)
        return largest * scaledNorm
    }
    return sum.squareRoot()
}

/// ‖g‖ as s · n with s the largest |g| and n = √(Σ (g/s)²) between 1 and √count, so that
/// neither factor overflows or underflows even when their product does.
func scaledGlobalNorm(_ gradients: [[Double]]) -> (largest: Double, scaledNorm: Double) {
    let largest = gradients.map { $0.map(abs).max() ?? 0 }.max() ?? 0
    guard largest.isFinite && largest > 0 else { return (largest, 1) }
    var scaled = 0.0
    for array in gradients { for g in array { scaled += (g / largest) * (g / largest) } }
    return (largest, scaled.squareRoot())
}

/// Clips gradients by their global norm: if ‖g‖ > maxNorm, every gradient is multiplied by
/// maxNorm / ‖g‖, so the global norm becomes exactly maxNorm; otherwise nothing changes.
///
/// Scaling all arrays by one factor keeps the step's direction and only shortens it. That
/// is what makes it safe against the rare huge gradient (an exploding RNN, a bad batch),
/// where clipping each value separately would also turn the step. Returns ‖g‖ before clipping.
@discardableResult
public func clipByGlobalNorm(_ gradients: inout [[Double]], maxNorm: Double) -> Double {
    require(maxNorm > 0, "clipByGlobalNorm: the threshold must be positive, got \(maxNorm)")
    let norm = globalNorm(gradients)
    if norm > maxNorm {
        // maxNorm / ‖g‖, also when ‖g‖ itself overflows (then taken as (maxNorm / s) / n).
        let (largest, scaledNorm) = norm.isInfinite ? scaledGlobalNorm(gradients) : (norm, 1)
        let scale = maxNorm / largest / scaledNorm
        for a in gradients.indices {
            for i in gradients[a].indices { gradients[a][i] *= scale }
        }
    }
    return norm
}

/// Global-norm clipping as a training plugin: after every batch's backward pass, the
/// gradients of all parameters that are not frozen are clipped together to norm `maxNorm`
/// (see ``clipByGlobalNorm(_:maxNorm:)``), before the optimizer's step.
///
/// Frozen parameters take no step, so their gradients are left out of the norm: counted
/// in, a frozen backbone's gradients would shrink the step of the head being trained.
public struct GradientClipping: TrainingPlugin {
    /// The largest global norm of the gradients; above it every gradient is scaled down by
    /// the same factor.
    public var maxNorm: Double

    /// Clipping to a global norm of `maxNorm`.
    public init(maxNorm: Double) {
        require(maxNorm > 0, "GradientClipping: the threshold must be positive, got \(maxNorm)")
        self.maxNorm = maxNorm
    }

    public mutating func gradientsComputed<Model: Layer>(_ model: inout Model) -> Double {
        var gradients = model.parameters.filter { !$0.frozen }.map(\.gradient)
        guard clipByGlobalNorm(&gradients, maxNorm: maxNorm) > maxNorm else { return 0 }  // nothing was scaled
        var index = 0
        model.visitParameters { parameter in
            guard !parameter.frozen else { return }
            parameter.gradient = gradients[index]
            index += 1
        }
        return 0
    }
}
