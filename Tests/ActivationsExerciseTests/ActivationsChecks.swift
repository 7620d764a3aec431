import Activations
import ExerciseSupport
import Foundation
import LinearAlgebra
import NumericChecks
import Perceptron
import Randomness

/// The checks of Chapter 2's exercises: the comparison table's inputs, extreme inputs
/// (where a careless formula gives NaN), seeded random inputs, and for derivatives a
/// comparison with central finite differences of the function itself.
public enum ActivationsChecks {
    static let seed: UInt64 = 2017

    /// The lesson's table inputs, extremes, tiny values around 0, and seeded random ones.
    static func scalarInputs(includingZero: Bool = true) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        let table: [Double] = includingZero ? [-2, -1, 0, 1, 2] : [-2, -1, 1, 2]
        return table + [-1000, 1000, -40, 40, 745, -745, -1e-12, -3e-9, 0.5, -0.5] + rng.uniforms(30, in: -8..<8)
    }

    /// A value check plus, when `function` is given, a check of the answer as the
    /// derivative of `function` against central differences.
    static func scalar(
        _ answer: (Double) throws -> Double, reference: (Double) -> Double, inputs: [Double],
        derivativeOf function: ((Double) -> Double)? = nil,
        hints: (Double) -> [Hint], otherwise help: String
    ) -> CheckOutcome {
        runCheck { check in
            for z in inputs {
                let actual = try answer(z)
                let nanHelp = "NaN at z = \(z): an ∞/∞ or 0·∞ crept in; rewrite the formula so it stays finite"
                try check.expect(
                    actual, equals: reference(z), input: "z = \(z)", hints: hints(z),
                    otherwise: actual.isNaN ? nanHelp : help)
                if let function, abs(z) < 50 {
                    try check.expectGradient("g′(z)", at: [z], analytic: [actual], input: "z = \(z)", hint: help) {
                        function($0[0])
                    }
                }
            }
        }
    }

    // MARK: 2.1–2.6, scalar functions

    public static func sigmoidDerivative(_ answer: (Double) throws -> Double) -> CheckOutcome {
        scalar(
            answer, reference: Activations.sigmoidDerivative, inputs: scalarInputs(), derivativeOf: sigmoid,
            hints: { z in
                [
                    Hint(ifActual: sigmoid(z), "that is σ(z) itself; its slope is σ(z)(1 − σ(z))"),
                    Hint(ifActual: z * (1 - z), "apply σ first: σ′(z) = σ(z)(1 − σ(z)), not z(1 − z)"),
                    Hint(ifActual: sigmoid(z) * (1 + sigmoid(z)), "1 − σ(z), not 1 + σ(z): σ′(z) = σ(z)(1 − σ(z))"),
                ]
            }, otherwise: "σ′(z) = σ(z)(1 − σ(z)) with σ(z) = 1 / (1 + e^(−z))")
    }

    public static func tanhDerivative(_ answer: (Double) throws -> Double) -> CheckOutcome {
        scalar(
            answer, reference: Activations.tanhDerivative, inputs: scalarInputs(), derivativeOf: tanh,
            hints: { z in
                [
                    Hint(ifActual: 1 - tanh(z), "square the tanh: 1 − tanh²(z)"),
                    Hint(ifActual: 1 - z * z, "apply tanh first: 1 − tanh(z)², not 1 − z²"),
                ]
            }, otherwise: "tanh′(z) = 1 − tanh²(z)")
    }

    public static func leakyReLU(_ answer: (Double, Double) throws -> Double) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        let cases: [(Double, Double)] =
            [(-2, 0.01), (3, 0.01), (0, 0.2), (-5, 0.2), (-1000, 0.01), (1e-12, 0.3), (2, 1.5), (-2, 1.5), (0.5, 3)]
            + (0..<30).map { _ in (rng.uniform(in: -5..<5), [0.01, 0.1, 0.3][rng.int(below: 3)]) }
        return runCheck { check in
            for (z, slope) in cases {
                try check.expect(
                    try answer(z, slope), equals: Activations.leakyReLU(z, slope: slope), input: "z = \(z), slope \(slope)",
                    hints: [
                        Hint(ifActual: max(z, slope * z), "max(z, αz) is leaky ReLU only while α ≤ 1: choose by the sign of z"),
                        Hint(ifActual: relu(z), "that is a plain ReLU: keep the slope α on the negative side"),
                        Hint(ifActual: Activations.leakyReLU(z, slope: 0.01), "use the slope parameter, not a fixed 0.01"),
                        Hint(ifActual: slope * z, "positive inputs pass through unchanged"),
                    ],
                    otherwise: "z if z > 0, else slope · z")
            }
        }
    }

    public static func elu(_ answer: (Double, Double) throws -> Double) -> CheckOutcome {
        let cases = scalarInputs().flatMap { z in [(z, 1.0), (z, 0.5)] }
        // purely relative: ELU(−1e-12) ≈ −1e-12, and exp(z) − 1 is off there by 9e-17,
        // far below any absolute tolerance but 0.01% of the value
        let tolerance = Tolerance(relative: 1e-9, absolute: 0)
        return runCheck { check in
            for (z, alpha) in cases {
                try check.expect(
                    try answer(z, alpha), equals: Activations.elu(z, alpha: alpha), tolerance: tolerance,
                    input: "z = \(z), α = \(alpha)",
                    hints: [
                        Hint(ifActual: z > 0 ? z : expm1(z), "multiply the negative side by α"),
                        Hint(ifActual: relu(z), "the negative side is α(e^z − 1), not 0"),
                        Hint(ifActual: z > 0 ? z : alpha * (exp(z) - 1), "exp(z) − 1 loses digits near 0: use expm1(z)"),
                    ],
                    otherwise: "z if z > 0, else α (e^z − 1)")
            }
        }
    }

    public static func gelu(_ answer: (Double) throws -> Double) -> CheckOutcome {
        scalar(
            answer, reference: Activations.gelu, inputs: scalarInputs(),
            hints: { z in
                [
                    Hint(ifActual: geluTanh(z), "that is the tanh approximation; use erf for the exact GELU"),
                    Hint(ifActual: 0.5 * z * (1 + erf(z)), "divide z by √2 inside erf"),
                    Hint(ifActual: 0.5 * (1 + erf(z / 2.0.squareRoot())), "that is Φ(z); GELU is z · Φ(z)"),
                ]
            }, otherwise: "½ z (1 + erf(z / √2))")
    }

    public static func swishDerivative(_ answer: (Double) throws -> Double) -> CheckOutcome {
        scalar(
            answer, reference: Activations.swishDerivative, inputs: scalarInputs(), derivativeOf: swish,
            hints: { z in
                [
                    Hint(ifActual: sigmoid(z), "product rule: (z σ)′ = σ + z σ′; the second term is missing"),
                    Hint(ifActual: z * Activations.sigmoidDerivative(z), "product rule: (z σ)′ = σ + z σ′; the first term is missing"),
                ]
            }, otherwise: "σ(z) + z σ(z)(1 − σ(z))")
    }

    // MARK: 2.7–2.8, softmax

    static func randomScores(_ count: Int) -> [[Double]] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in rng.uniforms(rng.int(in: 2..<9), in: -20..<20) }
    }

    public static func softmax(_ answer: ([Double]) throws -> [Double]) -> CheckOutcome {
        let fixed: [[Double]] = [
            [1, 2, 3], [1000, 0, -1000], [-1000, -1000], [700, 701, 702], [5], [0, 0, 0, 0], [0, 1000], [-1000, 0, 5],
        ]
        return runCheck { check in
            for z in fixed + randomScores(20) {
                let actual = try answer(z)
                let naive = softmaxWithoutShift(z)
                try check.expect(
                    actual, equals: Activations.softmax(z), input: "z = \(shortList(z))",
                    hints: [
                        Hint(ifActual: naive, "e^z overflows (or every e^z underflows to 0) here: subtract max(z) first"),
                        Hint(ifActual: z.map { exp($0 - z.max()!) }, "divide by the sum so the values add up to 1"),
                        Hint(ifActual: z.map(exp), "divide by the sum so the values add up to 1"),
                    ],
                    otherwise: actual.contains { $0.isNaN }
                        ? "NaN: an exponent overflowed to ∞ or every one underflowed to 0; subtract max(z) first"
                        : "e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z)")
            }
        }
    }

    public static func softmaxBackward(_ answer: ([Double], [Double]) throws -> [Double]) -> CheckOutcome {
        var rng = SeededGenerator(seed: seed)
        var cases: [(z: [Double]?, s: [Double], g: [Double])] = [(nil, [0.5, 0.5], [1, 0])]
        for z in randomScores(15) {
            let scaled = z.map { $0 / 5 }  // moderate scores: no probability is vanishingly small
            cases.append((scaled, Activations.softmax(scaled), rng.uniforms(z.count, in: -1..<1)))
        }
        return runCheck { check in
            for (z, s, g) in cases {
                let actual = try answer(s, g)
                let input = "output s = \(shortList(s)), upstream g = \(shortList(g))"
                let diagonalOnly = zip(s, g).map { $0 * $1 * (1 - $0) }
                try check.expect(
                    actual, equals: Activations.softmaxBackward(output: s, upstream: g), input: input,
                    hints: [
                        Hint(ifActual: zip(s, g).map { $0 * $1 }, "each sᵢ also depends on every other z: subtract Σⱼ gⱼ sⱼ"),
                        Hint(ifActual: diagonalOnly, "that keeps only the diagonal sᵢ(1 − sᵢ) of the Jacobian; add the off-diagonal −sᵢsⱼ terms"),
                        Hint(ifActual: Activations.softmaxBackward(output: s, upstream: g).map { -$0 }, "the sign is flipped: sᵢ (gᵢ − Σⱼ gⱼ sⱼ)"),
                    ],
                    otherwise: "sᵢ (gᵢ − Σⱼ gⱼ sⱼ)")
                if let z {
                    // L(z) = g · softmax(z): its gradient with respect to z is what backward returns
                    try check.expectGradient("∂L/∂z", at: z, analytic: actual, input: input + ", z = \(shortList(z))") { p in
                        dot(g, Activations.softmax(p))
                    }
                }
            }
        }
    }
}
