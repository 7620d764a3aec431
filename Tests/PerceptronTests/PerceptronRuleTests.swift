import Datasets
import Perceptron
import Randomness
import Testing

@Suite("The perceptron learning rule")
struct PerceptronRuleTests {
    @Test("a right prediction leaves the weights alone")
    func rightPredictionNoChange() {
        let update = perceptronUpdate(weights: [1, 1], bias: -1.5, inputs: [1, 1], target: 1, learningRate: 0.5)
        #expect(update.weights == [1, 1] && update.bias == -1.5)
    }

    @Test("a false alarm moves the weights away from x, a miss toward it")
    func directionOfCorrection() {
        let falseAlarm = perceptronUpdate(weights: [0, 0], bias: 0, inputs: [1, 2], target: 0, learningRate: 0.5)
        #expect(falseAlarm.weights == [-0.5, -1] && falseAlarm.bias == -0.5)
        let miss = perceptronUpdate(weights: [0, 0], bias: -1, inputs: [1, 2], target: 1, learningRate: 0.5)
        #expect(miss.weights == [0.5, 1] && miss.bias == -0.5)
    }

    // Expected values from an independent Python implementation of the same rule
    // (zero start, examples in order, η = 0.5), written into the test.
    @Test(
        "the gates train to the worked example's numbers",
        arguments: [
            (LogicGate.and, [1.0, 0.5], -1.5, [2, 3, 3, 2, 1, 0]),
            (LogicGate.or, [0.5, 0.5], -0.5, [2, 2, 1, 0]),
            (LogicGate.nand, [-1.0, -0.5], 1.0, [1, 3, 3, 2, 1, 0]),
        ])
    func gates(gate: LogicGate, weights: [Double], bias: Double, mistakes: [Int]) {
        let run = trainPerceptron(inputs: LogicGate.inputs, labels: gate.truthTable, learningRate: 0.5, maxEpochs: 100)
        #expect(run.converged)
        #expect(run.epochs == mistakes.count)
        #expect(run.mistakesPerEpoch == mistakes)
        #expect(run.neuron.weights == weights && run.neuron.bias == bias)
        #expect(LogicGate.inputs.map(run.neuron.predict) == gate.truthTable)
    }

    @Test("XOR never converges: mistakes every epoch, up to the limit")
    func xorFails() {
        let run = trainPerceptron(inputs: LogicGate.inputs, labels: LogicGate.xor.truthTable, learningRate: 0.5, maxEpochs: 50)
        #expect(!run.converged)
        #expect(run.epochs == 50)
        #expect(run.mistakesPerEpoch.allSatisfy { $0 > 0 })
    }

    @Test("no line separates XOR: a search over a grid of weights finds none")
    func noLineSeparatesXOR() {
        // The lesson proves it with four inequalities; this checks the claim by brute force.
        let grid = stride(from: -3.0, through: 3.0, by: 0.25)
        var separating = 0
        for w1 in grid {
            for w2 in grid {
                for b in grid {
                    let neuron = Neuron(weights: [w1, w2], bias: b)
                    if LogicGate.inputs.map(neuron.predict) == LogicGate.xor.truthTable { separating += 1 }
                }
            }
        }
        #expect(separating == 0)
        // ...while the same search finds lines for AND, so it is able to find them
        let andLine = Neuron(weights: [1, 1], bias: -1.5)
        #expect(LogicGate.inputs.map(andLine.predict) == LogicGate.and.truthTable)
    }

    @Test("on separable random clouds, training converges and classifies every point")
    func convergesOnSeparableData() {
        var rng = SeededGenerator(seed: 3)
        // centers 6 apart with spread 0.5: separable with overwhelming probability, and checked below
        let data = blobs(centers: [[-3, -3], [3, 3]], pointsPerCenter: 50, standardDeviation: 0.5, using: &rng)
        let order = rng.shuffled(Array(0..<data.count))
        let inputs = order.map { data.inputs[$0] }, labels = order.map { data.labels[$0] }
        let run = trainPerceptron(inputs: inputs, labels: labels, learningRate: 1, maxEpochs: 1000)
        #expect(run.converged)
        #expect(zip(inputs, labels).allSatisfy { run.neuron.predict($0) == $1 })
    }
}
