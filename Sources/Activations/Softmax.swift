import Foundation
import Validation

/// Softmax turns a vector of scores (logits) into probabilities:
/// ```
/// softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ)
/// ```
/// Subtracting the largest score first gives the same result — the factor e^(−max)
/// cancels between numerator and denominator — and prevents overflow: e^1000 is ∞ in
/// `Double`, and ∞/∞ is NaN. After the shift every exponent is ≤ 0, so every term is
/// in (0, 1] and the sum is at least 1.
public func softmax(_ z: [Double]) -> [Double] {
    guard let largest = z.max() else { return [] }
    var exps = [Double](repeating: 0, count: z.count)
    var sum = 0.0
    for i in 0..<z.count {
        exps[i] = exp(z[i] - largest)
        sum += exps[i]
    }
    for i in 0..<z.count {
        exps[i] /= sum
    }
    return exps
}

/// The textbook softmax without the max subtraction, kept to show what goes wrong:
/// `softmaxWithoutShift([1000, 0, -1000])` is `[nan, 0, 0]`.
public func softmaxWithoutShift(_ z: [Double]) -> [Double] {
    let exps = z.map { exp($0) }
    let sum = exps.reduce(0, +)
    return exps.map { $0 / sum }
}

/// The backward pass of softmax: the gradient with respect to the scores z, given the
/// softmax output s and the upstream gradient g = ∂L/∂s.
///
/// The Jacobian is ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ). Multiplying it by g without building the
/// n×n matrix (a Jacobian-vector product):
/// ```
/// ∂L/∂zᵢ = Σⱼ gⱼ sⱼ(δⱼᵢ − sᵢ) = sᵢ (gᵢ − Σⱼ gⱼ sⱼ)
/// ```
public func softmaxBackward(output s: [Double], upstream g: [Double]) -> [Double] {
    require(
        s.count == g.count,
        "softmaxBackward: the output has \(s.count) values but the upstream gradient has \(g.count)")
    var dot = 0.0
    for j in 0..<s.count {
        dot += g[j] * s[j]
    }
    return (0..<s.count).map { i in s[i] * (g[i] - dot) }
}
