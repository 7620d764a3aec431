import Foundation
import Perceptron

// Every activation as a pair: the function g(z) and its derivative g′(z), side by side.
// Each is safe for any finite z: no NaN and no infinity, however large |z| is. Where
// that needs care, a comment names the failure the written form avoids. A NaN input gives
// a NaN output, never a quiet 0 that would hide where the NaN came from.

// MARK: Sigmoid

// `sigmoid(_:)` itself comes from Chapter 1 (module Perceptron).

/// σ′(z) = σ(z)(1 − σ(z)); at most 1/4, at z = 0.
public func sigmoidDerivative(_ z: Double) -> Double {
    let s = sigmoid(z)
    return s * (1 - s)
}

// MARK: Tanh

// `tanh(_:)` is the C library's, through Foundation; it returns ±1 for large |z|.

/// tanh′(z) = 1 − tanh²(z); at most 1, at z = 0.
public func tanhDerivative(_ z: Double) -> Double {
    let t = tanh(z)
    return 1 - t * t
}

// MARK: ReLU

/// ReLU(z) = max(0, z).
public func relu(_ z: Double) -> Double {
    z < 0 ? 0 : z  // not max(0, z), which turns NaN into 0
}

/// ReLU′(z) = 1 for z > 0, else 0.
///
/// At the kink z = 0 the derivative does not exist; 0 is used there (any value in
/// [0, 1] is a valid subgradient, and 0 is what PyTorch uses). Gradient checks avoid
/// inputs within ε of 0, where a central difference straddles the kink.
public func reluDerivative(_ z: Double) -> Double {
    z.isNaN ? z : z > 0 ? 1 : 0
}

// MARK: Leaky ReLU

/// The slope a leaky ReLU keeps for negative inputs.
public let defaultLeakySlope = 0.01

/// LeakyReLU(z) = z for z > 0, else αz.
public func leakyReLU(_ z: Double, slope α: Double = defaultLeakySlope) -> Double {
    z > 0 ? z : α * z
}

/// LeakyReLU′(z) = 1 for z > 0, else α (α at the kink z = 0, as for ReLU's 0).
public func leakyReLUDerivative(_ z: Double, slope α: Double = defaultLeakySlope) -> Double {
    z.isNaN ? z : z > 0 ? 1 : α
}

// MARK: ELU

/// ELU(z) = z for z > 0, else α(e^z − 1).
///
/// Uses `expm1(z)` for e^z − 1: near z = 0, computing e^z first and subtracting 1 loses
/// most of the digits (e^1e-10 − 1 keeps only about 6 correct ones).
public func elu(_ z: Double, alpha α: Double = 1) -> Double {
    z > 0 ? z : α * expm1(z)
}

/// ELU′(z) = 1 for z > 0, else α e^z (continuous at 0 only when α = 1).
public func eluDerivative(_ z: Double, alpha α: Double = 1) -> Double {
    z > 0 ? 1 : α * exp(z)
}

// MARK: GELU

/// GELU(z) = z Φ(z) = ½ z (1 + erf(z/√2)), with Φ the standard normal distribution function.
public func gelu(_ z: Double) -> Double {
    0.5 * z * (1 + erf(z / 2.0.squareRoot()))
}

/// GELU′(z) = Φ(z) + z φ(z), with φ(z) = e^(−z²/2) / √(2π) the normal density.
///
/// For |z| beyond about 1e154, z² overflows to ∞; e^(−∞) = 0 and z·0 = 0, so the
/// result is still the right limit (1 or 0).
public func geluDerivative(_ z: Double) -> Double {
    let cdf = 0.5 * (1 + erf(z / 2.0.squareRoot()))
    let density = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
    return cdf + z * density
}

/// The tanh approximation of GELU used by GPT-2 and BERT:
/// ½ z (1 + tanh(√(2/π) (z + 0.044715 z³))).
public func geluTanh(_ z: Double) -> Double {
    0.5 * z * (1 + tanh(geluTanhInner(z)))
}

/// The derivative of the tanh approximation of GELU:
/// ½ (1 + t) + ½ z (1 − t²) √(2/π) (1 + 3·0.044715 z²), with t = tanh(u).
public func geluTanhDerivative(_ z: Double) -> Double {
    let t = tanh(geluTanhInner(z))
    let sech2 = 1 - t * t
    // Once tanh has saturated, sech² is exactly 0 while z·z² may overflow to ∞; 0·∞ would
    // be NaN, and the true value of the second term is 0.
    if sech2 == 0 { return 0.5 * (1 + t) }
    let du = (2 / Double.pi).squareRoot() * (1 + 3 * 0.044715 * z * z)
    return 0.5 * (1 + t) + 0.5 * z * sech2 * du
}

func geluTanhInner(_ z: Double) -> Double {
    (2 / Double.pi).squareRoot() * (z + 0.044715 * z * z * z)
}

// MARK: Swish

/// Swish(z) = z σ(z) (also called SiLU).
public func swish(_ z: Double) -> Double {
    z * sigmoid(z)
}

/// Swish′(z) = σ(z) + z σ(z)(1 − σ(z)), by the product rule.
///
/// Both terms stay finite: σ saturates to exactly 0 or 1, so z·σ(1 − σ) is z·0 for
/// large |z| rather than anything infinite.
public func swishDerivative(_ z: Double) -> Double {
    let s = sigmoid(z)
    return s + z * s * (1 - s)
}
