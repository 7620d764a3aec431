import Activations
import Foundation
import LinearAlgebra
import NumericChecks
import Perceptron
import Randomness
import Testing

@Suite("Activations and their derivatives")
struct ActivationTests {
    // Reference values at the lesson's table inputs, computed independently in Python
    // (math.tanh, math.erf, math.exp) and written into the test.
    @Test(
        "values at z = −2, −1, 0, 1, 2 match independent references",
        arguments: [
            (Activation.sigmoid, [0.11920292202211755, 0.2689414213699951, 0.5, 0.7310585786300049, 0.8807970779778823]),
            (.tanh, [-0.9640275800758169, -0.7615941559557649, 0, 0.7615941559557649, 0.9640275800758169]),
            (.relu, [0, 0, 0, 1, 2]),
            (.leakyReLU, [-0.02, -0.01, 0, 1, 2]),
            (.elu, [-0.8646647167633873, -0.6321205588285577, 0, 1, 2]),
            (.gelu, [-0.04550026389635842, -0.15865525393145707, 0, 0.8413447460685429, 1.9544997361036416]),
            (.geluTanh, [-0.04540230591222494, -0.15880800939172324, 0, 0.8411919906082768, 1.954597694087775]),
            (.swish, [-0.2384058440442351, -0.2689414213699951, 0, 0.7310585786300049, 1.7615941559557646]),
        ])
    func tableValues(activation: Activation, expected: [Double]) {
        let actual = [-2.0, -1, 0, 1, 2].map { activation($0) }
        #expect(mismatch(actual, expected, tolerance: Tolerance(relative: 1e-12, absolute: 1e-15)) == nil, "\(activation.name)")
    }

    @Test("every derivative matches central differences on seeded random inputs", arguments: Activation.allCases)
    func derivativesAreGradientChecked(activation: Activation) {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<200 {
            let z = rng.uniform(in: -6..<6)
            // Kinks: ReLU and leaky ReLU have no derivative at 0, and a central difference
            // within ε of 0 averages the two sides. Such inputs are skipped (documented).
            if activation.hasKinkAtZero && abs(z) < 1e-4 { continue }
            let result = checkGradient(activation.name, at: [z], analytic: [activation.derivative(z)]) { activation($0[0]) }
            #expect(result.passed, "\(result) at z = \(z)")
        }
    }

    @Test("at the kink, ReLU′(0) = 0 and leaky ReLU′(0) = α, the conventions the docs state")
    func kinkConventions() {
        #expect(reluDerivative(0) == 0)
        #expect(leakyReLUDerivative(0) == defaultLeakySlope)
        #expect(leakyReLUDerivative(0, slope: 0.2) == 0.2)
    }

    @Test(
        "no NaN or infinity from extreme finite inputs",
        arguments: [-1e308, -1e200, -1e3, -745.5, -709.8, -40, -1e-300, 0, 1e-300, 40, 709.8, 745.5, 1e3, 1e200, 1e308])
    func extremeInputsStayFinite(z: Double) {
        for activation in Activation.allCases {
            let value = activation(z), slope = activation.derivative(z)
            // functions that grow like z (ReLU, GELU, Swish…) may return z itself, which is finite
            #expect(value.isFinite, "\(activation.name)(\(z)) = \(value)")
            #expect(slope.isFinite, "\(activation.name)′(\(z)) = \(slope)")
        }
    }

    @Test("limits at ±1000: sigmoid 0/1, tanh ±1, GELU and Swish 0/z, ELU −1")
    func limits() {
        #expect(sigmoid(-1000) == 0 && sigmoid(1000) == 1)
        let low: Double = tanh(-1000), high: Double = tanh(1000)
        #expect(low == -1 && high == 1)
        #expect(gelu(-1000) == 0 && gelu(1000) == 1000)
        #expect(geluTanh(-1000) == 0 && geluTanh(1000) == 1000)
        #expect(swish(-1000) == 0 && swish(1000) == 1000)
        #expect(elu(-1000) == -1)
    }

    @Test("σ(−z) = 1 − σ(z) and tanh(z) = 2σ(2z) − 1 on seeded random z")
    func identities() {
        var rng = SeededGenerator(seed: 12)
        let tolerance = Tolerance(relative: 1e-12, absolute: 1e-14)
        for _ in 0..<500 {
            let z = rng.uniform(in: -20..<20)
            #expect(isClose(sigmoid(-z), 1 - sigmoid(z), tolerance: tolerance))
            #expect(isClose(tanh(z), 2 * sigmoid(2 * z) - 1, tolerance: tolerance))
            #expect(isClose(swish(z), z * sigmoid(z), tolerance: tolerance))
        }
    }

    @Test("the sigmoid's slope is at most 1/4, reached at 0")
    func sigmoidSlopeBound() {
        #expect(sigmoidDerivative(0) == 0.25)
        #expect(stride(from: -10.0, through: 10, by: 0.01).allSatisfy { sigmoidDerivative($0) <= 0.25 })
    }

    @Test("ELU near zero keeps its digits (expm1), where exp(z) − 1 would not")
    func eluPrecision() {
        #expect(isClose(elu(-1e-12), -9.999999999995e-13, tolerance: Tolerance(relative: 1e-12, absolute: 0)))
    }

    @Test("the GELU tanh approximation stays within 5e-4 of the exact GELU on [−5, 5]")
    func geluApproximation() {
        let worst = stride(from: -5.0, through: 5, by: 0.001).map { abs(gelu($0) - geluTanh($0)) }.max()!
        #expect(worst < 5e-4)
        #expect(worst > 1e-5)  // and it is an approximation: not equal
    }
}

@Suite("Softmax")
struct SoftmaxTests {
    @Test("softmax([1, 2, 3]) matches an independent reference")
    func reference() {
        // numpy: np.exp([1,2,3]) / np.exp([1,2,3]).sum()
        #expect(mismatch(softmax([1, 2, 3]), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]) == nil)
    }

    @Test("extreme logits give probabilities, not NaN; the unshifted form fails there")
    func extremes() {
        #expect(softmax([1000, 0, -1000]) == [1, 0, 0])
        #expect(softmax([-1000, -1000]) == [0.5, 0.5])
        #expect(softmaxWithoutShift([1000, 0, -1000])[0].isNaN)
        #expect(softmaxWithoutShift([-1000, -1000])[0].isNaN)
        #expect(softmax([1e308, -1e308]).allSatisfy { $0.isFinite })
    }

    @Test("softmax sums to 1 and is unchanged by adding a constant, on seeded random logits")
    func sumAndShiftInvariance() {
        var rng = SeededGenerator(seed: 13)
        for _ in 0..<100 {
            let z = rng.uniforms(rng.int(in: 1..<12), in: -30..<30)
            let c = rng.uniform(in: -500..<500)
            let s = softmax(z)
            #expect(isClose(s.reduce(0, +), 1, tolerance: Tolerance(relative: 0, absolute: 1e-12)))
            #expect(s.allSatisfy { $0 >= 0 && $0 <= 1 })
            #expect(mismatch(softmax(z.map { $0 + c }), s, tolerance: Tolerance(relative: 1e-9, absolute: 1e-13)) == nil)
        }
        #expect(softmax([]) == [])
    }

    @Test("the backward pass matches central differences of L(z) = g · softmax(z)")
    func backwardIsGradientChecked() {
        var rng = SeededGenerator(seed: 14)
        for _ in 0..<50 {
            let n = rng.int(in: 2..<10)
            let z = rng.uniforms(n, in: -4..<4), g = rng.uniforms(n, in: -2..<2)
            let analytic = softmaxBackward(output: softmax(z), upstream: g)
            let result = checkGradient("z", at: z, analytic: analytic) { p in dot(g, softmax(p)) }
            #expect(result.passed, "\(result)")
        }
    }

    @Test("the backward pass equals the full Jacobian Jᵢⱼ = sᵢ(δᵢⱼ − sⱼ) applied to g")
    func backwardEqualsJacobian() {
        let s = softmax([0.3, -1.2, 2.0, 0.7]), g = [0.5, -1.0, 0.25, 2.0]
        var viaJacobian = [Double](repeating: 0, count: 4)
        for i in 0..<4 {
            for j in 0..<4 {
                let delta: Double = i == j ? 1 : 0
                viaJacobian[i] += g[j] * s[j] * (delta - s[i])  // Σⱼ gⱼ ∂sⱼ/∂zᵢ
            }
        }
        #expect(mismatch(softmaxBackward(output: s, upstream: g), viaJacobian) == nil)
    }

}
