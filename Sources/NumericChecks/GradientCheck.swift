import Foundation
import Validation

/// Gradient checking: compare an analytic gradient with central finite differences.
///
/// Every backward pass in this curriculum is tested this way. For a scalar function
/// f of parameters θ, the numeric estimate of ∂f/∂θᵢ is the central difference
/// ```
/// ∂f/∂θᵢ ≈ (f(θ + ε·eᵢ) − f(θ − ε·eᵢ)) / 2ε
/// ```
/// whose error shrinks like ε² (a one-sided difference only shrinks like ε). The
/// analytic value a and numeric value n are compared by the relative error
/// ```
/// |a − n| / max(|a|, |n|, tiny)
/// ```
/// which passes below about 1e-7 in `Double`.

/// The relative error |a − n| / max(|a|, |n|, tiny).
///
/// `tiny` keeps a gradient that is exactly zero from failing on round-off: for a loss
/// of order one, evaluating f in `Double` and dividing by 2ε = 2e-5 leaves about 1e-11
/// of noise in the numeric estimate, so when both values are below `tiny` the error is
/// measured against `tiny` instead of against noise.
public func relativeError(_ a: Double, _ n: Double, tiny: Double = 1e-3) -> Double {
    abs(a - n) / max(abs(a), abs(n), tiny)
}

/// The central-difference estimate of the gradient of `f` at `x`.
///
/// Costs 2·x.count evaluations of `f`. The parameter vector is restored after each
/// nudge, so `f` always sees `x` with a single component moved.
public func numericalGradient(
    at x: [Double], epsilon: Double = 1e-5, of f: ([Double]) throws -> Double
) rethrows -> [Double] {
    var probe = x
    var gradient = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        probe[i] = x[i] + epsilon
        let plus = try f(probe)
        probe[i] = x[i] - epsilon
        let minus = try f(probe)
        probe[i] = x[i]
        gradient[i] = (plus - minus) / (2 * epsilon)
    }
    return gradient
}

/// The outcome of comparing one parameter's analytic gradient with the numeric one.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// The parameter's name, as it appears in the report (e.g. "W1").
    public let parameter: String
    /// The largest relative error over all components.
    public let worstRelativeError: Double
    /// The component with the largest relative error.
    public let worstIndex: Int
    /// The analytic and numeric values at `worstIndex`.
    public let analytic: Double
    /// The central difference at the worst index.
    public let numeric: Double
    /// The threshold the worst error was compared with.
    public let tolerance: Double

    /// Whether the worst relative error is below the tolerance.
    public var passed: Bool { worstRelativeError < tolerance }

    public var description: String {
        let verdict = passed ? "ok" : "FAILED"
        return "gradient check \(parameter): \(verdict), worst relative error "
            + "\(formatScientific(worstRelativeError)) at index \(worstIndex) "
            + "(analytic \(analytic), numeric \(numeric); tolerance \(formatScientific(tolerance)))"
    }
}

/// Checks an analytic gradient against central differences of `f` at `x`.
///
/// - Parameters:
///   - parameter: the name used in the report.
///   - x: the point to check at.
///   - analytic: the gradient the backward pass computed at `x`.
///   - epsilon: the step h of the central difference (f(x + h) − f(x − h)) / 2h.
///   - tolerance: the largest relative error that passes.
///   - f: the scalar function (usually the loss as a function of this parameter alone).
public func checkGradient(
    _ parameter: String, at x: [Double], analytic: [Double],
    epsilon: Double = 1e-5, tolerance: Double = 1e-7,
    of f: ([Double]) throws -> Double
) rethrows -> GradientCheckResult {
    require(
        analytic.count == x.count,
        "checkGradient(\(parameter)): the analytic gradient has \(analytic.count) values "
            + "but the parameter has \(x.count)")
    let numeric = try numericalGradient(at: x, epsilon: epsilon, of: f)
    var worst = 0
    var worstError = -1.0
    for i in 0..<x.count {
        let error = relativeError(analytic[i], numeric[i])
        // `!(error <= worstError)` also catches NaN, which must never pass.
        if !(error <= worstError) {
            worst = i
            worstError = error
        }
    }
    if x.isEmpty { worstError = 0 }
    return GradientCheckResult(
        parameter: parameter, worstRelativeError: worstError.isNaN ? .infinity : worstError,
        worstIndex: worst,
        analytic: x.isEmpty ? 0 : analytic[worst], numeric: x.isEmpty ? 0 : numeric[worst],
        tolerance: tolerance)
}

/// A number written as, e.g., "3.2e-09": short enough for a one-line report.
func formatScientific(_ x: Double) -> String {
    String(format: "%.1e", x)
}
