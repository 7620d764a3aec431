import Foundation

// Solutions 2.1–2.8. Each function matches its exercise in Exercises/Activations.

/// 2.1 σ′(z) = σ(z)(1 − σ(z)).
public func sigmoidDerivative(_ z: Double) throws -> Double {
    let s = 1 / (1 + exp(-z))  // e^(−z) = ∞ for z < −709 gives s = 0, the right limit
    return s * (1 - s)
}

/// 2.2 tanh′(z) = 1 − tanh²(z).
public func tanhDerivative(_ z: Double) throws -> Double {
    let t = tanh(z)
    return 1 - t * t
}

/// 2.3 LeakyReLU(z) = z if z > 0, else αz.
public func leakyReLU(_ z: Double, slope: Double) throws -> Double {
    z > 0 ? z : slope * z
}

/// 2.4 ELU(z) = z if z > 0, else α(e^z − 1).
public func elu(_ z: Double, alpha: Double) throws -> Double {
    z > 0 ? z : alpha * expm1(z)  // expm1 keeps the digits that exp(z) − 1 cancels away near 0
}

/// 2.5 GELU(z) = ½ z (1 + erf(z/√2)).
public func gelu(_ z: Double) throws -> Double {
    0.5 * z * (1 + erf(z / 2.0.squareRoot()))
}

/// 2.6 Swish′(z) = σ(z) + z σ(z)(1 − σ(z)).
public func swishDerivative(_ z: Double) throws -> Double {
    let s = 1 / (1 + exp(-z))
    return s + z * s * (1 - s)
}

/// 2.7 softmax(z)ᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z).
public func softmax(_ z: [Double]) throws -> [Double] {
    guard let largest = z.max() else { return [] }
    let exps = z.map { exp($0 - largest) }  // every exponent ≤ 0: no overflow
    let sum = exps.reduce(0, +)  // at least 1 (the largest term is e^0)
    return exps.map { $0 / sum }
}

/// 2.8 ∂L/∂zᵢ = sᵢ (gᵢ − Σⱼ gⱼ sⱼ).
public func softmaxBackward(output: [Double], upstream: [Double]) throws -> [Double] {
    var dot = 0.0
    for j in 0..<output.count {
        dot += upstream[j] * output[j]
    }
    return (0..<output.count).map { i in output[i] * (upstream[i] - dot) }
}
