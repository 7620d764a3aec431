import Foundation
import LinearAlgebra
import Perceptron
import Validation

/// The activations of this chapter, with their derivatives and the facts the lesson's
/// tables show. Leaky ReLU uses α = 0.01 and ELU α = 1.
public enum Activation: String, CaseIterable, Sendable {
    /// σ(z) = 1 / (1 + e^−z), in (0, 1).
    case sigmoid
    /// tanh(z), in (−1, 1).
    case tanh
    /// max(0, z) (NaN passes through).
    case relu
    /// z for z > 0, 0.01 z otherwise.
    case leakyReLU
    /// z for z > 0, e^z − 1 otherwise (α = 1).
    case elu
    /// z Φ(z), Φ the standard normal CDF: the exact GELU.
    case gelu
    /// GELU's tanh approximation, 0.5 z (1 + tanh(√(2/π) (z + 0.044715 z³))).
    case geluTanh
    /// z σ(z): swish with β = 1 (SiLU).
    case swish

    /// g(z).
    public func callAsFunction(_ z: Double) -> Double {
        switch self {
        case .sigmoid: Perceptron.sigmoid(z)
        case .tanh: Foundation.tanh(z)
        case .relu: Activations.relu(z)
        case .leakyReLU: Activations.leakyReLU(z)
        case .elu: Activations.elu(z)
        case .gelu: Activations.gelu(z)
        case .geluTanh: Activations.geluTanh(z)
        case .swish: Activations.swish(z)
        }
    }

    /// g′(z).
    public func derivative(_ z: Double) -> Double {
        switch self {
        case .sigmoid: sigmoidDerivative(z)
        case .tanh: tanhDerivative(z)
        case .relu: reluDerivative(z)
        case .leakyReLU: leakyReLUDerivative(z)
        case .elu: eluDerivative(z)
        case .gelu: geluDerivative(z)
        case .geluTanh: geluTanhDerivative(z)
        case .swish: swishDerivative(z)
        }
    }

    /// g applied to every element of `z`. The `switch` picks the function once for the
    /// whole array instead of once per element, which matters in a training loop.
    public func callAsFunction(_ z: [Double]) -> [Double] {
        switch self {
        case .sigmoid: apply(Perceptron.sigmoid, to: z)
        case .tanh: apply(Foundation.tanh, to: z)
        case .relu: reluOfEach(z)  // the same z < 0 ? 0 : z, at the full vector width (LinearAlgebra)
        case .leakyReLU: apply({ Activations.leakyReLU($0) }, to: z)
        case .elu: apply({ Activations.elu($0) }, to: z)
        case .gelu: apply(Activations.gelu, to: z)
        case .geluTanh: apply(Activations.geluTanh, to: z)
        case .swish: apply(Activations.swish, to: z)
        }
    }

    /// g′ applied to every element of `z`, choosing the function once.
    public func derivative(_ z: [Double]) -> [Double] {
        switch self {
        case .sigmoid: z.map(sigmoidDerivative)
        case .tanh: z.map(tanhDerivative)
        case .relu: z.map(reluDerivative)
        case .leakyReLU: z.map { leakyReLUDerivative($0) }
        case .elu: z.map { eluDerivative($0) }
        case .gelu: z.map(geluDerivative)
        case .geluTanh: z.map(geluTanhDerivative)
        case .swish: z.map(swishDerivative)
        }
    }

    /// ∂L/∂z = ∂L/∂a ⊙ g′(z), element by element: the backward pass of an activation, in
    /// one pass without an array of slopes in between, choosing the function once.
    public func backward(_ z: [Double], _ outputGradient: [Double]) -> [Double] {
        require(
            z.count == outputGradient.count,
            "Activation.backward: \(z.count) pre-activations but a gradient of \(outputGradient.count) values")
        switch self {
        case .sigmoid: return chain(z, outputGradient, sigmoidDerivative)
        case .tanh: return chain(z, outputGradient, tanhDerivative)
        case .relu: return LinearAlgebra.reluBackward(z, outputGradient)  // δ · reluDerivative(z), at the full vector width
        case .leakyReLU: return chain(z, outputGradient) { leakyReLUDerivative($0) }
        case .elu: return chain(z, outputGradient) { eluDerivative($0) }
        case .gelu: return chain(z, outputGradient, geluDerivative)
        case .geluTanh: return chain(z, outputGradient, geluTanhDerivative)
        case .swish: return chain(z, outputGradient, swishDerivative)
        }
    }

    /// Whether g has a kink at 0, where the derivative jumps and a central difference
    /// straddling 0 does not approximate either side.
    public var hasKinkAtZero: Bool { self == .relu || self == .leakyReLU }

    /// The name as the lessons print it ("leaky ReLU").
    public var name: String {
        switch self {
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu: "ReLU"
        case .leakyReLU: "leaky ReLU"
        case .elu: "ELU"
        case .gelu: "GELU"
        case .geluTanh: "GELU (tanh approx.)"
        case .swish: "Swish"
        }
    }

    /// g(z) written out, for the lesson's table.
    public var formula: String {
        switch self {
        case .sigmoid: "1 / (1 + e^(−z))"
        case .tanh: "(e^z − e^(−z)) / (e^z + e^(−z))"
        case .relu: "max(0, z)"
        case .leakyReLU: "z if z > 0, else 0.01 z"
        case .elu: "z if z > 0, else e^z − 1"
        case .gelu: "z Φ(z) = ½ z (1 + erf(z/√2))"
        case .geluTanh: "½ z (1 + tanh u)"
        case .swish: "z σ(z)"
        }
    }

    /// What the symbols in ``formula`` and ``derivativeFormula`` stand for, where they use any.
    public var symbols: String? {
        switch self {
        case .geluTanh: "u = √(2/π)(z + 0.044715 z³), t = tanh u,\nu′ = √(2/π)(1 + 3 · 0.044715 z²)"
        default: nil
        }
    }

    /// g′(z) written out, for the lesson's table.
    public var derivativeFormula: String {
        switch self {
        case .sigmoid: "σ(z)(1 − σ(z))"
        case .tanh: "1 − tanh²(z)"
        case .relu: "1 if z > 0, else 0"
        case .leakyReLU: "1 if z > 0, else 0.01"
        case .elu: "1 if z > 0, else e^z"
        case .gelu: "Φ(z) + z φ(z)"
        case .geluTanh: "½(1 + t) + ½ z (1 − t²) u′"
        case .swish: "σ(z) + z σ(z)(1 − σ(z))"
        }
    }

    /// The values g takes, written as an interval ("(0, 1)").
    public var range: String {
        switch self {
        case .sigmoid: "(0, 1)"
        case .tanh: "(−1, 1)"
        case .relu: "[0, ∞)"
        case .leakyReLU, .gelu, .geluTanh: "(−∞, ∞)"
        case .elu: "(−1, ∞)"
        case .swish: "[≈ −0.278, ∞)"
        }
    }

    /// Where this activation is the usual choice, in a phrase, for the lesson's table.
    public var whenToUse: String {
        switch self {
        case .sigmoid: "binary output as a probability; gates in LSTMs"
        case .tanh: "zero-centred hidden units; RNN/LSTM states"
        case .relu: "the default for hidden layers"
        case .leakyReLU: "instead of ReLU when units die"
        case .elu: "smooth negative side, mean activations near 0"
        case .gelu: "transformers (BERT, GPT)"
        case .geluTanh: "GELU where erf is slow or missing"
        case .swish: "deep CNNs (EfficientNet); close to GELU"
        }
    }
}

/// g(z[i]) for every i: `z.map(g)`, through pointers so that a cheap g (ReLU's one
/// comparison) is not outweighed by the loop around it.
@inline(__always)
private func apply(_ g: (Double) -> Double, to z: [Double]) -> [Double] {
    [Double](unsafeUninitializedCapacity: z.count) { result, initialized in
        z.withUnsafeBufferPointer { z in
            for i in 0..<z.count { result[i] = g(z[i]) }
        }
        initialized = z.count
    }
}

/// gradient[i] · slope(z[i]) for every i (the counts are checked by the caller).
@inline(__always)
private func chain(_ z: [Double], _ gradient: [Double], _ slope: (Double) -> Double) -> [Double] {
    [Double](unsafeUninitializedCapacity: z.count) { result, initialized in
        z.withUnsafeBufferPointer { z in
            gradient.withUnsafeBufferPointer { gradient in
                for i in 0..<z.count { result[i] = gradient[i] * slope(z[i]) }
            }
        }
        initialized = z.count
    }
}
