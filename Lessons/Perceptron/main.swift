// Chapter 1 — The perceptron: one artificial neuron, the rule that trains it, the logic
// gates it learns, and XOR, the one it cannot. Run: swift run perceptron

import Datasets
import LinearAlgebra
import Notebook
import NumericChecks
import Perceptron
import Randomness

let lesson = Lesson(
    command: "perceptron",
    title: "Chapter 1 · The perceptron",
    summary: """
        One artificial neuron, built and trained from scratch: the weighted sum, the step \
        and sigmoid activations, Rosenblatt's learning rule, the logic gates a single \
        neuron can learn, and XOR, the one it cannot.
        """)
var rng = SeededGenerator(seed: lesson.seed)

/// The four gate inputs with a prediction column per row, for the gate tables.
func truthTable(_ neuron: Neuron, _ gate: LogicGate) -> [[String]] {
    zip(LogicGate.inputs, gate.truthTable).map { x, y in
        let z = neuron.weightedSum(x)
        return ["\(Int(x[0])) \(Int(x[1]))", "\(y)", decimal(z, 2), "\(neuron.predict(x))", neuron.predict(x) == y ? "✓" : "✗"]
    }
}

/// A scatter plot of a set of 2-D points over the regions a neuron assigns.
func decisionPlot(_ title: String, _ data: ClassificationSet, _ neuron: Neuron, range: ClosedRange<Double>) -> ScatterPlot {
    ScatterPlot(
        title: title, points: data.inputs, labels: data.labels, classNames: ["0", "1"],
        xRange: range, yRange: range, regions: { x, y in neuron.predict([x, y]) })
}

// MARK: - 1

lesson.section("From a biological neuron to an artificial one")
lesson.prose(
    """
    A nerve cell collects signals from thousands of others through its dendrites. Each \
    connection, a synapse, passes a signal on more or less strongly. The cell body adds \
    up what arrives, and when the total passes a threshold the neuron fires a pulse down \
    its axon to the next cells.

    The artificial neuron keeps only that arithmetic. Each input xᵢ is multiplied by a \
    weight wᵢ (the strength of its synapse); the products are added up together with a \
    bias b (minus the threshold); an activation function g turns the total z into the \
    neuron's output.
    """)
lesson.equation(
    """
    z = w·x + b = w₁x₁ + w₂x₂ + … + wₙxₙ + b
    ŷ = g(z)
    """)
lesson.table(
    headers: ["biological neuron", "artificial neuron"],
    rows: [
        ["signals arriving at the dendrites", "inputs x₁ … xₙ"],
        ["strength of each synapse", "weights w₁ … wₙ"],
        ["firing threshold", "bias b (b = −threshold)"],
        ["fires or stays silent", "output ŷ = g(z)"],
    ])
let example = Neuron(weights: [0.5, -0.3], bias: 0.1)
let exampleInput = [1.0, 2.0]
lesson.prose("A neuron with two inputs, worked by hand:")
lesson.output(
    """
    x = \(vector(exampleInput, 1)),  w = \(vector(example.weights, 1)),  b = \(decimal(example.bias, 1))
    z = (\(decimal(example.weights[0], 1)))(\(decimal(exampleInput[0], 1))) + (\(decimal(example.weights[1], 1)))(\(decimal(exampleInput[1], 1))) + \(decimal(example.bias, 1))
      = \(decimal(example.weights[0] * exampleInput[0], 1)) − \(decimal(-example.weights[1] * exampleInput[1], 1)) + \(decimal(example.bias, 1)) = \(decimal(example.weightedSum(exampleInput), 4))
    """)

// MARK: - 2

lesson.section("Eighty years in \(milestones.count) steps")
lesson.prose(
    """
    The neuron in this chapter is the oldest idea in the curriculum. The later \
    chapters build most of the steps that followed it, up to the transformer (not \
    Hopfield networks or deep belief networks); the last three rows were built on the \
    transformer, at a scale no lesson here runs:
    """)
lesson.table(headers: ["year", "milestone", "the idea"], rows: milestones.map { ["\($0.year)", $0.name, $0.idea] })

// MARK: - 3

lesson.section("The perceptron: a neuron with a step")
lesson.prose(
    """
    Frank Rosenblatt's perceptron (1958) uses the step function as its activation: it \
    outputs 1 when the weighted sum reaches zero and 0 below it.
    """)
lesson.equation(
    """
    ŷ = step(w·x + b),    step(z) = 1 if z ≥ 0, else 0
    """)
lesson.prose(
    """
    With two inputs the points where z = 0 form a straight line, w₁x₁ + w₂x₂ + b = 0: \
    the decision line. The weight vector w is perpendicular to it and points into the \
    side where the neuron fires. Learning a perceptron means turning and shifting that \
    line until it separates the two classes.
    """)

// MARK: - 4

lesson.section("The learning rule")
lesson.prose(
    """
    Rosenblatt's rule corrects the neuron one example at a time. The error y − ŷ is 0 \
    when the prediction is right, +1 when the neuron should have fired and did not, and \
    −1 when it fired by mistake. The weights move by the learning rate η times the \
    error times the input:
    """)
lesson.equation(
    """
    w ← w + η (y − ŷ) x
    b ← b + η (y − ŷ)
    """)
lesson.prose(
    """
    A miss moves w toward x, so that w·x is larger the next time x comes along; a false \
    alarm moves it away. Here is every step of learning AND with η = 0.5, starting from \
    zero weights and visiting the four examples in order:
    """)
// η = 0.5 is a power of two: every weight stays a multiple of 0.5 and every sum below is
// exact in floating point. With η = 0.1 (not exact in binary) a z that should be 0 comes
// out as −2.8e-17, and the step turns it into a 0 that the arithmetic on paper says is 1.
let rate = 0.5
var traceRows: [[String]] = []
let traced = trainPerceptron(
    inputs: LogicGate.inputs, labels: LogicGate.and.truthTable, learningRate: rate, maxEpochs: 20
) { step in
    traceRows.append([
        "\(step.epoch)", "\(Int(step.input[0])) \(Int(step.input[1]))", "\(step.target)", "\(step.prediction)",
        "\(step.target - step.prediction)", vector(step.neuron.weights, 1), decimal(step.neuron.bias, 1),
    ])
}
lesson.table(headers: ["epoch", "x", "y", "ŷ", "y − ŷ", "w after", "b after"], rows: traceRows)
// The same run with η = 0.1, to show what inexact arithmetic does. The smallest nonzero
// |z| it ever computed is a sum that is 0 on paper.
var smallestZ: Double?
let inexact = trainPerceptron(inputs: LogicGate.inputs, labels: LogicGate.and.truthTable, learningRate: 0.1, maxEpochs: 20) { step in
    let z = step.neuron.weightedSum(step.input)
    if z != 0 && abs(z) < 1e-9 && (smallestZ == nil || abs(z) < abs(smallestZ!)) { smallestZ = z }
}
let inexactNote =
    smallestZ.map { z in
        "after a few updates a z that is 0 on paper comes out as \(String(format: "%.1e", z)) in the computer, and the step sends it to the \(z < 0 ? "0" : "1") side. (With η = 0.1 this very run stops after \(inexact.epochs) epochs instead of \(traced.epochs), with weights \(vector(inexact.neuron.weights, 2)) and bias \(decimal(inexact.neuron.bias, 2)).)"
    }
    ?? "in this run every sum still came out exact, but after other updates a z that is 0 on paper comes out a hair off 0, and the step sends it to whichever side the rounding picked."
lesson.prose(
    """
    Epoch \(traced.epochs) makes no mistake, so training stops: the line \
    \(decimal(traced.neuron.weights[0], 1))·x₁ + \(decimal(traced.neuron.weights[1], 1))·x₂ \
    \(traced.neuron.bias < 0 ? "−" : "+") \(decimal(abs(traced.neuron.bias), 1)) = 0 puts (1, 1) on \
    one side and the other three inputs on the other.

    Why η = 0.5 and not the 0.1 you often see? Starting from zero weights, the \
    learning rate only scales w and b, and step(η·z) = step(z), so every run makes the \
    same decisions. But 0.1 has no exact binary form: \(inexactNote) A power of two keeps \
    the arithmetic exact.
    """)

// MARK: - 5

lesson.section("AND, OR and NAND")
lesson.prose(
    """
    The same rule learns each of the three gates below. In the plots the background \
    shows what the trained neuron outputs at each point (the legend says which shading \
    means which output); the boundary between the two regions is the decision line.
    """)
var gateRows: [[String]] = []
var mistakeSeries: [LinePlot.Series] = []
var trainedGates: [LogicGate: Neuron] = [:]
for gate in [LogicGate.and, .or, .nand] {
    let run = trainPerceptron(inputs: LogicGate.inputs, labels: gate.truthTable, learningRate: rate, maxEpochs: 100)
    trainedGates[gate] = run.neuron
    gateRows.append([
        gate.name, "\(run.epochs)", run.converged ? "yes" : "no", vector(run.neuron.weights, 1),
        decimal(run.neuron.bias, 1),
    ])
    mistakeSeries.append(LinePlot.Series(gate.name, y: run.mistakesPerEpoch.map(Double.init)))
}
lesson.table(headers: ["gate", "epochs", "converged", "weights", "bias"], rows: gateRows)
for gate in [LogicGate.and, .or, .nand] {
    let neuron = trainedGates[gate]!
    lesson.table(headers: ["x₁ x₂", "y", "z", "ŷ", "ŷ = y?"], rows: truthTable(neuron, gate))
    lesson.plot(decisionPlot("\(gate.name) learned by one perceptron", gate.samples, neuron, range: -0.5...1.5))
}
lesson.plot(
    LinePlot(
        title: "Mistakes per epoch while learning the gates", xLabel: "epoch", yLabel: "mistakes",
        series: mistakeSeries))
// Say which records coincide: a line drawn exactly over another hides it.
var coinciding: [String] = []
for i in mistakeSeries.indices {
    for j in mistakeSeries.indices where j > i && mistakeSeries[i].y == mistakeSeries[j].y {
        coinciding.append("\(mistakeSeries[i].name) and \(mistakeSeries[j].name)")
    }
}
lesson.prose(
    """
    \(gateRows.map { "\($0[0]) took \($0[1]) epochs" }.joined(separator: ", ")). \
    \(coinciding.isEmpty
        ? "No two records are the same."
        : "The records of \(coinciding.joined(separator: " and of ")) are identical, so their lines lie on top of each other (on the page the later one is dashed, so the one below shows through).")
    """)

// MARK: - 6

lesson.section("XOR: what one neuron cannot learn")
lesson.prose(
    """
    XOR outputs 1 when exactly one input is 1. Run the same rule on it and the mistakes \
    never stop:
    """)
let xorRun = trainPerceptron(inputs: LogicGate.inputs, labels: LogicGate.xor.truthTable, learningRate: rate, maxEpochs: 30)
lesson.output(
    """
    epochs run: \(xorRun.epochs) (the limit), converged: \(xorRun.converged ? "yes" : "no")
    mistakes per epoch: \(runs(xorRun.mistakesPerEpoch))
    final weights \(vector(xorRun.neuron.weights, 1)), bias \(decimal(xorRun.neuron.bias, 1))
    """)
lesson.plot(decisionPlot("XOR: no line puts the two 1s on one side", LogicGate.xor.samples, xorRun.neuron, range: -0.5...1.5))
lesson.prose(
    """
    No amount of training will help, because no line separates the two classes. Write \
    down what a perceptron would need for the four inputs of XOR:
    """)
lesson.equation(
    """
    (0,0) → 0:   b < 0
    (0,1) → 1:   w₂ + b ≥ 0
    (1,0) → 1:   w₁ + b ≥ 0
    (1,1) → 0:   w₁ + w₂ + b < 0
    Adding the middle two:  w₁ + w₂ + 2b ≥ 0,  so  w₁ + w₂ + b ≥ −b > 0,
    which contradicts the last line.
    """)
lesson.prose(
    """
    Minsky and Papert made this limit famous in 1969, and interest in neural networks \
    cooled for more than a decade. The way out is to stack neurons: XOR(x) = \
    AND(OR(x), NAND(x)). The three perceptrons trained above, wired into two layers, \
    compute it:
    """)
let or = trainedGates[.or]!, nand = trainedGates[.nand]!, and = trainedGates[.and]!
let wiredRight = zip(LogicGate.inputs, LogicGate.xor.truthTable).allSatisfy { x, y in
    and.predict([Double(or.predict(x)), Double(nand.predict(x))]) == y
}
lesson.table(
    headers: ["x₁ x₂", "h₁ = OR", "h₂ = NAND", "AND(h₁, h₂)", "XOR"],
    rows: zip(LogicGate.inputs, LogicGate.xor.truthTable).map { x, y in
        let h = [Double(or.predict(x)), Double(nand.predict(x))]
        return ["\(Int(x[0])) \(Int(x[1]))", "\(Int(h[0]))", "\(Int(h[1]))", "\(and.predict(h))", "\(y)"]
    })
lesson.prose(
    """
    \(wiredRight ? "All four rows match XOR." : "Not every row matches XOR: the trained gates are wired wrong.") \
    The hidden layer maps the four points to new coordinates (h₁, h₂) in which one line \
    does separate them. Each gate was trained on its own and the wiring was chosen by \
    hand; learning all the weights of a network together, from XOR's four examples \
    alone, needs backpropagation, the subject of Chapter 3.
    """)

// MARK: - 7

lesson.section("Convergence on separable data")
lesson.prose(
    """
    The perceptron convergence theorem (Novikoff, 1962) promises more than the gates \
    show: if some line separates the classes with a margin γ, and every input lies \
    within a distance R of the origin, the rule makes at most (R/γ)² mistakes in total, \
    whatever the order of the examples. Here are two clouds of \
    80 random points (seed \(lesson.seed)):
    """)
var clouds = blobs(centers: [[-0.6, -0.5], [0.7, 0.6]], pointsPerCenter: 40, standardDeviation: 0.4, using: &rng)
// Shuffle once so that the rule does not see all of one class before the other.
let order = rng.shuffled(Array(0..<clouds.count))
clouds = ClassificationSet(inputs: order.map { clouds.inputs[$0] }, labels: order.map { clouds.labels[$0] }, classCount: 2)
let cloudRun = trainPerceptron(inputs: clouds.inputs, labels: clouds.labels, learningRate: 0.1, maxEpochs: 100)
let cloudAccuracy = Double(zip(clouds.inputs, clouds.labels).filter { cloudRun.neuron.predict($0) == $1 }.count) / Double(clouds.count)
lesson.output(
    """
    epochs: \(cloudRun.epochs), converged: \(cloudRun.converged ? "yes" : "no"), \
    total mistakes: \(cloudRun.mistakesPerEpoch.reduce(0, +)), training accuracy: \(percent(cloudAccuracy))
    mistakes per epoch: \(runs(cloudRun.mistakesPerEpoch))
    """)
if !cloudRun.converged {
    lesson.prose(
        """
        With this seed the two clouds overlap: no line separates them, so the rule \
        never settles and stops only at the epoch limit. The theorem's promise needs \
        separable data.
        """)
}
lesson.plot(
    LinePlot(
        title: "Mistakes per epoch on the two clouds", xLabel: "epoch", yLabel: "mistakes",
        series: [LinePlot.Series("mistakes", y: cloudRun.mistakesPerEpoch.map(Double.init))]))
lesson.plot(decisionPlot("The learned line between the two clouds", clouds, cloudRun.neuron, range: -3...3))
lesson.prose(
    """
    The theorem says nothing about where the line ends up: training stops at the first \
    line that makes no mistake, which may pass close to some points. Choosing the line \
    with the widest margin is what support vector machines do; neural networks instead \
    make the outputs smooth and minimise a loss, the road the next chapters take.
    """)

// MARK: - 8

lesson.section("The sigmoid neuron")
lesson.prose(
    """
    The step is flat everywhere except at zero, where it jumps. Its derivative is zero \
    wherever it exists, so it cannot tell a weight which way to move. The sigmoid is a \
    smooth step: its output lies strictly between 0 and 1, can be read as a probability, \
    and changes a little when a weight changes a little.
    """)
lesson.equation(
    """
    σ(z) = 1 / (1 + e^(−z))         σ(0) = 0.5
                                    σ(z) → 1 as z → ∞,  σ(z) → 0 as z → −∞
    σ′(z) = σ(z) (1 − σ(z))         at most 0.25, at z = 0
    """)
let zs = linspace(-6, 6, count: 121)
lesson.plot(
    LinePlot(
        title: "Step, sigmoid, and the sigmoid's slope", xLabel: "z", yLabel: "output",
        series: [
            LinePlot.Series("step(z)", x: zs, y: zs.map { Double(step($0)) }),
            LinePlot.Series("σ(z)", x: zs, y: zs.map(sigmoid)),
            LinePlot.Series("σ′(z)", x: zs, y: zs.map { sigmoid($0) * (1 - sigmoid($0)) }),
        ]))
let x3 = [1.5, -0.5, 2.0], w3 = [0.4, -0.6, 0.2], b3 = 0.1
let neuron3 = Neuron(weights: w3, bias: b3)
let gradient = sigmoidNeuronGradient(inputs: x3, weights: w3, bias: b3)
lesson.prose("A sigmoid neuron with three inputs, forward and backward:")
lesson.output(
    """
    x = \(vector(x3, 1)),  w = \(vector(w3, 1)),  b = \(decimal(b3, 1))
    z = \(zip(w3, x3).map { decimal($0 * $1, 1) }.joined(separator: " + ")) + \(decimal(b3, 1)) = \(decimal(neuron3.weightedSum(x3), 4))
    a = σ(z) = \(decimal(neuron3.sigmoidOutput(x3), 4))
    σ′(z) = a (1 − a) = \(decimal(gradient.bias, 4))
    ∂a/∂w = σ′(z)·x = \(vector(gradient.weights, 4)),   ∂a/∂b = \(decimal(gradient.bias, 4))
    """)
let check = checkGradient("[w, b]", at: w3 + [b3], analytic: gradient.weights + [gradient.bias]) { p in
    sigmoid(weightedSum(inputs: x3, weights: Array(p.dropLast()), bias: p.last!))
}
lesson.prose(
    """
    Every gradient in this curriculum is checked against central finite differences, \
    (a(w + ε) − a(w − ε)) / 2ε with ε = 10⁻⁵. For this neuron the worst relative \
    error is \(compact(check.worstRelativeError, significant: 2)): \
    \(check.passed ? "the formula and the numbers agree" : "they DISAGREE — a bug").
    """)

// MARK: - 9

lesson.section("Your turn")
lesson.prose(
    """
    The exercises rebuild this chapter's pieces. Open each file, replace the line \
    `throw NotAttempted()` with your code, and run `swift run exercises perceptron`. An exercise you have not \
    started shows as not attempted; a wrong answer shows the input, the expected and \
    actual values, and a hint. Worked answers are in Solutions/Perceptron.
    """)
lesson.table(
    headers: ["exercise", "file in Exercises/Perceptron", "what you write"],
    rows: [
        ["1.1", "WeightedSum.swift", "z = w·x + b"],
        ["1.2", "Predict.swift", "ŷ = step(z)"],
        ["1.3", "PerceptronUpdate.swift", "one step of the learning rule"],
        ["1.4", "TrainPerceptron.swift", "epochs until no mistakes"],
        ["1.5", "SigmoidNeuron.swift", "a = σ(w·x + b), safe for z = ±1000"],
        ["1.6", "SigmoidNeuronGradient.swift", "∂a/∂w and ∂a/∂b, gradient-checked"],
    ])
lesson.finish()
