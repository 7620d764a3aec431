import NumericChecks
import Perceptron
import Randomness
import Testing

@Suite("Neuron: weighted sum, step and sigmoid")
struct NeuronTests {
    @Test("the weighted sum of the lesson's two-input example is 0.5 − 0.6 + 0.1 = 0")
    func twoInputExample() {
        #expect(isClose(weightedSum(inputs: [1, 2], weights: [0.5, -0.3], bias: 0.1), 0))
    }

    @Test("the three-input example: z = 1.4 and σ(z) = 0.8021838885585817")
    func threeInputExample() {
        // reference values computed independently in Python: 1 / (1 + math.exp(-1.4))
        let neuron = Neuron(weights: [0.4, -0.6, 0.2], bias: 0.1)
        #expect(isClose(neuron.weightedSum([1.5, -0.5, 2]), 1.4))
        #expect(isClose(neuron.sigmoidOutput([1.5, -0.5, 2]), 0.8021838885585817))
    }

    @Test("a neuron with no inputs outputs its bias")
    func noInputs() {
        #expect(weightedSum(inputs: [], weights: [], bias: -0.25) == -0.25)
    }

    @Test("step fires at z = 0 and above", arguments: [(-1e-300, 0), (0, 1), (1e-300, 1), (-3, 0), (3, 1)])
    func stepBoundary(z: Double, expected: Int) {
        #expect(step(z) == expected)
    }

    @Test("σ(0) = 1/2 and σ(−z) = 1 − σ(z) on seeded random z")
    func sigmoidSymmetry() {
        #expect(sigmoid(0) == 0.5)
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<100 {
            let z = rng.uniform(in: -30..<30)
            #expect(isClose(sigmoid(-z), 1 - sigmoid(z), tolerance: Tolerance(relative: 1e-12, absolute: 1e-15)))
        }
    }

    @Test("σ stays finite and within [0, 1] for extreme inputs", arguments: [-1e308, -1000, -709.8, -40, 40, 709.8, 1000, 1e308])
    func sigmoidExtremes(z: Double) {
        let a = sigmoid(z)
        #expect(a.isFinite && a >= 0 && a <= 1)
        #expect(z < 0 ? a < 1e-17 : a >= 1 - 1e-15)
    }

    @Test("the sigmoid neuron's gradient matches central differences on seeded random neurons")
    func sigmoidNeuronGradientCheck() {
        var rng = SeededGenerator(seed: 2)
        for _ in 0..<25 {
            let n = rng.int(in: 1..<8)
            let x = rng.uniforms(n, in: -2..<2), w = rng.uniforms(n, in: -2..<2), b = rng.uniform(in: -1..<1)
            let gradient = sigmoidNeuronGradient(inputs: x, weights: w, bias: b)
            let result = checkGradient("[w, b]", at: w + [b], analytic: gradient.weights + [gradient.bias]) { p in
                sigmoid(weightedSum(inputs: x, weights: Array(p.dropLast()), bias: p.last!))
            }
            #expect(result.passed, "\(result)")
        }
    }

    @Test("the three-input example's gradient, computed independently")
    func threeInputGradient() {
        let gradient = sigmoidNeuronGradient(inputs: [1.5, -0.5, 2], weights: [0.4, -0.6, 0.2], bias: 0.1)
        #expect(mismatch(gradient.weights, [0.23802734624342203, -0.07934244874780734, 0.31736979499122936]) == nil)
        #expect(isClose(gradient.bias, 0.15868489749561468))
    }

    @Test("a mismatch between inputs and weights stops with both lengths named")
    func lengthMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = weightedSum(inputs: [1, 2, 3], weights: [1, 2], bias: 0)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("3 inputs but 2 weights"))
    }
}
