// Chapter 3 — Backprop: multi-layer perceptrons trained from scratch, on real data.
// Run: swift run backprop

import Activations
import Backprop
import Datasets
import Foundation
import LinearAlgebra
import Notebook
import NumericChecks
import Randomness

let lesson = Lesson(
    command: "backprop",
    title: "Chapter 3 · Backprop",
    summary: """
        Layers of neurons, the losses that score them, and backpropagation: the chain \
        rule run backwards through the network, checked against finite differences and \
        used to train networks on XOR, two spirals, a wiggly function and handwritten digits.
        """)
var rng = SeededGenerator(seed: lesson.seed)

/// One row per parameter: its shape, the worst relative error against central differences, the verdict.
@MainActor func gradientTable(_ results: [GradientCheckResult], network: Sequential) {
    let shapes = network.parameters.map { "(" + $0.shape.map(String.init).joined(separator: "×") + ")" }
    lesson.table(
        headers: ["parameter", "shape", "worst relative error", "below 1e-7"],
        rows: zip(results, shapes).map { result, shape in
            [result.parameter, shape, compact(result.worstRelativeError, significant: 2), result.passed ? "yes" : "NO"]
        })
}

/// The layer sizes of a stack of dense layers, inputs first: "64-64-10".
func sizesText(_ network: Sequential) -> String {
    let dense = network.denseLayers
    return ([dense[0].inputCount] + dense.map(\.outputCount)).map(String.init).joined(separator: "-")
}

func matrixText(_ m: Matrix, _ places: Int = 4) -> String {
    m.nestedRows.map { vector($0, places) }.joined(separator: "\n")
}

// MARK: - 1

lesson.section("From one neuron to a layer, from a layer to a network")
lesson.prose(
    """
    A layer is many neurons reading the same input. Neuron j has its own weights, one row \
    of a matrix W, and its own bias bⱼ; stacking the rows gives the whole layer at once. \
    A network feeds each layer's output to the next:
    """)
lesson.equation(
    """
    a⁽⁰⁾ = x
    z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾        W⁽ˡ⁾: (units in layer l) × (units in l−1)
    a⁽ˡ⁾ = g⁽ˡ⁾(z⁽ˡ⁾)                 g applied to each component
    ŷ = a⁽ᴸ⁾
    """)
lesson.prose(
    """
    For a batch of B inputs, put one input per row of a matrix X (B × n). Row r of the \
    layer's pre-activation is W xᵣ + b; stacked as rows that is Z = X Wᵀ + b, one matrix \
    product for the whole batch, with b added to every row. The code does exactly this: \
    `Dense.affine(_:)` for one input (two nested loops), `Dense.forward(_:mode:)` for a \
    batch. The activation g is a layer of its own, `ActivationLayer`, and `Sequential` \
    runs a list of layers one after another.
    """)

// MARK: - 2

lesson.section("A forward pass by hand: the 2-3-1 network")
let w1 = Matrix([[0.5, -0.3], [0.8, 0.2], [-0.1, 0.9]]), b1 = [0.1, 0.2, -0.1]
let w2 = Matrix([[-0.2, 0.4, 0.6]]), b2 = [0.3]
var dense1 = Dense(weights: w1, biases: b1, name: "1"), sigmoid1 = ActivationLayer(.sigmoid)
var dense2 = Dense(weights: w2, biases: b2, name: "2"), sigmoid2 = ActivationLayer(.sigmoid)
let x0 = [1.0, 2.0], target = 0.5
lesson.prose(
    """
    Two inputs, three sigmoid hidden units, one sigmoid output, with fixed weights so \
    every number can be checked by hand. The input is x = [1, 2].
    """)
lesson.output(
    """
    W¹ =
    \(matrixText(w1, 1))
    b¹ = \(vector(b1, 1))      W² = \(vector(w2.values, 1))      b² = \(vector(b2, 1))
    """)
// The forward pass, layer by layer; in training mode each layer keeps what its backward pass needs.
let z1 = dense1.forward(Tensor(shape: [1, 2], values: x0), mode: .training).values
let a1 = sigmoid1.forward(Tensor(shape: [1, 3], values: z1), mode: .training).values
let z2 = dense2.forward(Tensor(shape: [1, 3], values: a1), mode: .training).values
let a2 = sigmoid2.forward(Tensor(shape: [1, 1], values: z2), mode: .training).values
lesson.output(
    """
    z¹ = W¹x + b¹
       = [0.5·1 − 0.3·2 + 0.1, 0.8·1 + 0.2·2 + 0.2, −0.1·1 + 0.9·2 − 0.1]
       = \(vector(z1))
    a¹ = σ(z¹)      = \(vector(a1, 6))
    z² = W²a¹ + b²  = \(vector(z2, 6))
    ŷ  = σ(z²)      = \(vector(a2, 6))
    """)

// MARK: - 3

lesson.section("Backpropagation: the chain rule, layer by layer, in reverse")
lesson.prose(
    """
    Training needs ∂L/∂W and ∂L/∂b for every layer. Write δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾, the error of \
    layer l's pre-activations. The chain rule gives four equations:
    """)
lesson.equation(
    """
    (1) δ⁽ᴸ⁾ = ∂L/∂ŷ ⊙ g′(z⁽ᴸ⁾)                   the output layer's error
    (2) δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ g′(z⁽ˡ⁾)     the error carried one layer down
    (3) ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾
    (4) ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ                an outer product: ∂L/∂Wⱼᵢ = δⱼ aᵢ
    """)
lesson.prose(
    """
    Equation (2) is why it is called backpropagation: the error of a layer is computed \
    from the error of the layer above, so one sweep from the output down gives every \
    gradient for about the cost of a second forward pass. The forward pass must keep z \
    and a of every layer; the backward pass reads them.

    Take the target y = 0.5 and the loss L = ½(ŷ − y)², so ∂L/∂ŷ = ŷ − y:
    """)
let loss0 = 0.5 * (a2[0] - target) * (a2[0] - target)
// The backward pass: the same layers in reverse order, each adding into its parameters' gradients.
let delta2 = sigmoid2.backward(Tensor(shape: [1, 1], values: [a2[0] - target]))
let delta1 = sigmoid1.backward(dense2.backward(delta2))
_ = dense1.backward(delta1)
lesson.output(
    """
    L  = ½(ŷ − y)² = ½(\(decimal(a2[0], 6)) − 0.5)² = \(decimal(loss0, 6))
    δ² = (ŷ − y) σ′(z²) = \(vector(delta2.values, 6))
    δ¹ = (W²ᵀ δ²) ⊙ σ′(z¹) = \(vector(delta1.values, 6))
    ∂L/∂W² = δ² a¹ᵀ = \(vector(dense2.weight.gradient, 6))
    ∂L/∂b² = δ² = \(vector(dense2.bias.gradient, 6))
    ∂L/∂W¹ = δ¹ xᵀ =
    \(matrixText(Matrix(rows: 3, columns: 2, values: dense1.weight.gradient), 6))
    ∂L/∂b¹ = δ¹ = \(vector(dense1.bias.gradient, 6))
    """)
let tiny = Sequential([dense1, sigmoid1, dense2, sigmoid2])
let tinyCheck = checkGradients(tiny, input: Tensor(shape: [1, 2], values: x0)) { output in
    let y = output.values[0]
    return (0.5 * (y - target) * (y - target), Tensor(shape: [1, 1], values: [y - target]))
}.filter { $0.parameter != "x" }
lesson.prose(
    """
    Every one of these 13 numbers can be checked without calculus: nudge one parameter by \
    ±ε, run the forward pass twice, and take (L(θ + ε) − L(θ − ε)) / 2ε. This central \
    difference is accurate to O(ε²). Against all 13:
    """)
gradientTable(tinyCheck, network: tiny)

// MARK: - 4

lesson.section("Loss functions and their derivatives")
lesson.prose(
    """
    The loss turns "how wrong" into one number. Mean squared error suits real-valued \
    targets; mean absolute error is less swayed by outliers; binary cross-entropy is the \
    negative log-likelihood of 0/1 labels under predicted probabilities, and punishes a \
    confident mistake without bound. For five binary labels and predicted probabilities:
    """)
let yTrue: [Double] = [1, 0, 1, 1, 0], yPred = [0.9, 0.2, 0.8, 0.6, 0.1]
lesson.output("y = \(vector(yTrue, 0))      ŷ = \(vector(yPred, 1))")
lesson.table(
    headers: ["loss", "formula", "value", "∂L/∂ŷ"],
    rows: [
        ["MSE", "(1/n) Σ (ŷ − y)²", decimal(meanSquaredError(yPred, yTrue), 4), vector(meanSquaredErrorGradient(yPred, yTrue), 3)],
        ["MAE", "(1/n) Σ |ŷ − y|", decimal(meanAbsoluteError(yPred, yTrue), 4), vector(meanAbsoluteErrorGradient(yPred, yTrue), 3)],
        [
            "BCE", "−(1/n) Σ [y log ŷ + (1−y) log(1−ŷ)]", decimal(binaryCrossEntropy(yPred, yTrue), 4),
            vector(binaryCrossEntropyGradient(yPred, yTrue), 3),
        ],
    ])
lesson.prose(
    """
    The worst prediction, 0.6 for a true 1, dominates each gradient differently: MSE \
    pulls in proportion to the error, MAE with the same force for every sample, and BCE \
    with 1/ŷ — the surer the wrong answer, the harder the pull.

    For several classes the network outputs one score per class, softmax turns the \
    scores into probabilities p, and categorical cross-entropy is −log p of the true \
    class. With one-hot targets Y it is −Σₖ Yₖ log pₖ, which has a single nonzero term, so \
    class indices give the same number more cheaply:
    """)
let probabilities = Matrix([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
let classes = [0, 1, 2]
lesson.output(
    """
    P = \(probabilities.nestedRows.map { vector($0, 1) }.joined(separator: ", "))    classes = [0, 1, 2]
    from one-hot targets:  \(decimal(categoricalCrossEntropy(probabilities: probabilities, oneHot: oneHot(classes, classCount: 3)), 4))
    from class indices:    \(decimal(categoricalCrossEntropy(probabilities: probabilities, labels: classes), 4))
    """)
lesson.prose(
    """
    Softmax followed by cross-entropy has the simplest gradient of all. Chaining the two \
    Jacobians — −y/p from the loss, sᵢ(δᵢⱼ − sⱼ) from the softmax — everything cancels to
    """)
lesson.equation("∂L/∂z = softmax(z) − y")
let logits = Matrix([[2.0, 1.0, 0.1]])
let fused = softmaxCrossEntropy(logits: logits, labels: [0])
let chained = softmaxBackward(
    output: softmax(logits.values),
    upstream: categoricalCrossEntropyGradient(probabilities: softmaxRows(logits), oneHot: oneHot([0], classCount: 3)).values)
lesson.output(
    """
    z = [2, 1, 0.1], true class 0
    fused:   softmax(z) − y             = \(vector(fused.gradient.values, 6))
    chained: softmax backward of −y/p   = \(vector(chained, 6))
    """)
lesson.prose(
    """
    The fused form is also the safe one: it computes log Σ e^z with the maximum taken \
    out, so no probability is rounded to 0 before its logarithm. The digits network \
    below is trained with it.
    """)

// MARK: - 5

lesson.section("Gradient checking a whole network")
lesson.prose(
    """
    A backward pass that is slightly wrong still trains, just worse, which makes the bug \
    hard to see. So every backward pass in this curriculum is compared with central \
    differences. Here a 5-4-3-2 network (tanh, sigmoid, then linear scores into \
    softmax + cross-entropy) on a random batch of 6, every one of its parameters:
    """)
var checkedLayers: [any Layer] = []
for (l, (inputs, outputs, activation)) in [(5, 4, Activation.tanh), (4, 3, .sigmoid), (3, 2, nil)].enumerated() {
    var layer = Dense(inputs: inputs, outputs: outputs, initialization: .xavier, using: &rng, name: "\(l + 1)")
    layer.bias.value = rng.uniforms(outputs, in: -0.5..<0.5)  // nonzero, so their gradients matter
    checkedLayers.append(layer)
    if let activation { checkedLayers.append(ActivationLayer(activation)) }
}
let checked = Sequential(checkedLayers)
let checkBatch = Tensor(shape: [6, 5], values: rng.uniforms(30, in: -2..<2))
let checkLabels = (0..<6).map { _ in rng.int(below: 2) }
let checkResults = checkGradients(checked, input: checkBatch) { SoftmaxCrossEntropy().evaluate($0, checkLabels) }
    .filter { $0.parameter != "x" }
gradientTable(checkResults, network: checked)
lesson.prose(
    """
    The worst relative errors lie between \(compact(checkResults.map(\.worstRelativeError).min()!, significant: 2)) \
    and \(compact(checkResults.map(\.worstRelativeError).max()!, significant: 2)): the analytic and \
    numeric gradients agree to \(Int(-log10(checkResults.map(\.worstRelativeError).max()!))) digits or more, \
    about all that central differences in Double can resolve. A real bug — a missing \
    g′, a transposed W, a forgotten 1/B — shows up as an error near 1, not 1e-4.
    """)

// MARK: - 6

lesson.section("Initialization: why not zeros, why not large")
lesson.prose(
    """
    Starting weights decide whether a signal survives the trip through many layers. \
    Below, a batch of 200 random inputs passes through 10 layers of 100 units, and the \
    table shows the standard deviation of each layer's activations.

    All zeros: every unit computes the same output and receives the same gradient, so \
    the units of a layer stay identical forever; the network has one unit per layer in \
    effect. Tiny weights shrink the signal by the same factor at every layer until \
    nothing is left, and so do the gradients. Large weights saturate tanh (every output \
    ±1, every derivative ≈ 0) and blow ReLU activations up layer after layer.

    Xavier/Glorot draws W ~ U(−r, r), r = √(6/(n_in + n_out)): variance 2/(n_in + n_out), \
    which keeps the variance steady for tanh. He draws W ~ N(0, 2/n_in): ReLU zeroes half \
    its inputs, and the factor 2 makes up for it. LeCun (1998) draws W ~ N(0, 1/n_in), \
    the oldest of the three: it keeps the forward signal steady for an activation of \
    slope 1 near 0, and equals Xavier when n_in = n_out, as in these square layers \
    (PyTorch: kaiming_normal_ with nonlinearity="linear").
    """)
let probeInputs = Tensor(shape: [200, 100], values: rng.normals(200 * 100))
let shownLayers = [1, 2, 4, 6, 8, 10]
var initializationRows: [[String]] = []
var spreads: [(activation: String, weights: String, first: Double, tenth: Double)] = []
for (activation, initialization) in [
    (Activation.tanh, Initialization.normal(standardDeviation: 0.01)), (.tanh, .normal(standardDeviation: 1)), (.tanh, .xavier),
    (.relu, .normal(standardDeviation: 0.01)), (.relu, .normal(standardDeviation: 0.2)), (.relu, .xavier), (.relu, .he),
] {
    let deep = Sequential(
        sizes: Array(repeating: 100, count: 11), hidden: activation, output: activation, initialization: initialization,
        using: &rng)
    // Every second layer is an activation layer: its outputs are the activations of a dense layer.
    let outputs = deep.outputs(probeInputs).enumerated().filter { $0.offset % 2 == 1 }.map(\.element.values)
    let deviations = outputs.map { values in
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot()
    }
    initializationRows.append([activation.name, initialization.name] + shownLayers.map { compact(deviations[$0 - 1], significant: 2) })
    spreads.append((activation.name, initialization.name, deviations[0], deviations[9]))
}
// LeCun's row, drawn from a generator of its own so that the rows above and everything
// after keep their numbers.
var lecunRNG = SeededGenerator(seed: lesson.seed + 1998)
for activation in [Activation.tanh, .relu] {
    let deep = Sequential(sizes: Array(repeating: 100, count: 11), hidden: activation, output: activation, initialization: .lecun, using: &lecunRNG)
    let outputs = deep.outputs(probeInputs).enumerated().filter { $0.offset % 2 == 1 }.map(\.element.values)
    let deviations = outputs.map { values in
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)).squareRoot()
    }
    initializationRows.append([activation.name, "LeCun"] + shownLayers.map { compact(deviations[$0 - 1], significant: 2) })
    spreads.append((activation.name, "LeCun", deviations[0], deviations[9]))
}
lesson.table(headers: ["activation", "weights"] + shownLayers.map { "layer \($0)" }, rows: initializationRows)
/// "grows by a factor 1.3", "shrinks by a factor 23.0": the tenth layer's spread against the first's.
func change(_ spread: (activation: String, weights: String, first: Double, tenth: Double)) -> String {
    let ratio = spread.tenth / spread.first
    let size = ratio >= 1 ? String(format: "%.1f", ratio) : String(format: "%.1f", 1 / ratio)
    return "\(ratio >= 1 ? "grows" : "shrinks") by a factor \(size)"
}
func factor(_ spread: (activation: String, weights: String, first: Double, tenth: Double)) -> String {
    "\(spread.activation) with \(spread.weights) \(change(spread))"
}
@MainActor func ratio(_ activation: String, _ weights: String) -> Double {
    let s = spreads.first { $0.activation == activation && $0.weights == weights }!
    return max(s.tenth / s.first, s.first / s.tenth)
}
let matchedHold = ratio("tanh", "Xavier") < 4 && ratio("ReLU", "He") < 4 && ratio("ReLU", "Xavier") > 10
let spreadSentence = spreads.filter { ["Xavier", "He"].contains($0.weights) }.map(factor).joined(separator: ", ")
lesson.prose(
    """
    From the first layer to the tenth, \(spreadSentence). \(matchedHold
        ? "Only the matched pairs, Xavier with tanh and He with ReLU, keep the signal within a small factor of where it started; tanh still narrows it slowly, because it squeezes every value it passes towards the flat ends."
        : "In this run the matched pairs do not stand out as they should; try another --seed.") \
    Xavier under ReLU keeps only half the variance at each layer, a factor √2 of the \
    spread: over nine layers that is √2⁹ ≈ 23. LeCun's weights do the same as Xavier's \
    here: under tanh the spread \(change(spreads.first { $0.activation == "tanh" && $0.weights == "LeCun" }!)), under ReLU \
    it \(change(spreads.first { $0.activation == "ReLU" && $0.weights == "LeCun" }!)).
    """)

// MARK: - 7

lesson.section("XOR, solved by a 2-4-1 network")
lesson.prose(
    """
    Chapter 1 proved that no single neuron computes XOR. Four hidden units are plenty: \
    tanh hidden units, a sigmoid output read as the probability of a 1, the mean squared \
    error, and gradient descent on all four examples at once.
    """)
let xor = LogicGate.xor.samples
let xorData = RegressionSet(inputs: xor.inputs, targets: xor.labels.map(Double.init))
/// A 2-4-1 network started with `initialization` and trained on XOR; returns it and the loss per epoch.
@MainActor func trainXOR(from initialization: Initialization) -> (network: Sequential, losses: [Double]) {
    var network = Sequential(sizes: [2, 4, 1], hidden: .tanh, output: .sigmoid, initialization: initialization, using: &rng)
    var sgd = SGD(learningRate: 2)
    let run = train(
        &network, on: xorData, loss: MeanSquaredError(), optimizer: &sgd, epochs: 2000, batchSize: 4,
        order: .shuffled(epochs: 2000, count: xorData.count, using: &rng), evaluatesTrainingSet: false)
    return (network, run.history.map(\.trainingLoss))
}
let (xorNetwork, xorLosses) = trainXOR(from: .xavier)
lesson.plot(
    LinePlot(
        title: "XOR: training loss (MSE)", xLabel: "epoch", yLabel: "loss",
        series: [LinePlot.Series("2-4-1", y: xorLosses)], logScaleY: true))
lesson.table(
    headers: ["x₁", "x₂", "XOR", "network output"],
    rows: zip(xor.inputs, xor.labels).map { x, label in
        [decimal(x[0], 0), decimal(x[1], 0), "\(label)", decimal(xorNetwork.predict(x)[0], 4)]
    })
let xorFinal = xorNetwork
let xorSolved = zip(xor.inputs, xor.labels).allSatisfy { x, label in (xorNetwork.predict(x)[0] > 0.5) == (label == 1) }
lesson.plot(
    ScatterPlot(
        title: "XOR: the regions the 2-4-1 network assigns", points: xor.inputs, labels: xor.labels,
        classNames: ["0", "1"], xRange: -0.5...1.5, yRange: -0.5...1.5,
        regions: { x, y in xorFinal.predict([x, y])[0] > 0.5 ? 1 : 0 }))
lesson.prose(
    """
    \(xorSolved ? "Every output is on the right side of 0.5." : "Not every output is on the right side of 0.5: this run has not solved XOR.") \
    The hidden layer bends the plane so that the two 1s land on one side of a line and \
    the two 0s on the other; the output unit then draws that line. In the input plane \
    that makes a region for the 1s that no single line could carve out.
    """)
let (zeroNetwork, zeroLosses) = trainXOR(from: .zeros)
lesson.prose("The same training started from all-zero weights goes nowhere:")
lesson.output(
    """
    loss after 2000 epochs: \(compact(zeroLosses.last!, significant: 3)) (from Xavier: \(compact(xorLosses.last!, significant: 3)))
    hidden weights W¹, one row per unit:
    \(matrixText(zeroNetwork.denseLayers[0].weights, 3))
    """)
lesson.prose(
    """
    With zero weights every hidden unit outputs tanh(0) = 0, the output weights receive \
    zero gradient, and so do the hidden ones: nothing moves except the output bias, \
    which settles at the mean target. Random starting weights break the symmetry.
    """)

// MARK: - 8

lesson.section("Universal approximation, and deep versus shallow")
lesson.prose(
    """
    One hidden layer with enough units can approximate any continuous function on a \
    bounded interval as closely as wanted (Cybenko 1989, Hornik 1991). "Enough" can be \
    very many, and the theorem says nothing about whether training finds the weights. \
    Depth is the practical answer: layers compose, and a few layers of modest width often \
    fit what one wide layer fits only with many more units.

    The target: f(x) = sin(x)·e^(−x/5) + 0.1·cos(10x) on [0, 10], 200 evenly spaced \
    samples, x rescaled to [−1, 1]. Three tanh networks with 1, 3 and 5 hidden layers, \
    their widths chosen so that all three have about the same number of parameters \
    (otherwise a deeper network would also be a bigger one, and depth could not be told \
    apart from size), trained the same way (mini-batch SGD, batch 20, learning rate 0.1):
    """)
func wiggly(_ x: Double) -> Double { sin(x) * exp(-x / 5) + 0.1 * cos(10 * x) }
let curve = functionSamples(wiggly, in: 0...10, count: 200, using: &rng)
let rescaled = RegressionSet(inputs: curve.inputs.map { [($0[0] - 5) / 5] }, targets: curve.targets)
let fitEpochs = 1500
var fits: [(depth: Int, network: Sequential, loss: Double)] = []
let fitProgress = lesson.progress("fitting 1, 3 and 5 hidden layers", total: 3)
// 1×300: 3·300 + 1 = 901 parameters; 3×20: 2·20² + 5·20 + 1 = 901; 5×14: 4·14² + 7·14 + 1 = 883.
for (depth, width) in [(1, 300), (3, 20), (5, 14)] {
    var network = Sequential(
        sizes: [1] + Array(repeating: width, count: depth) + [1], hidden: .tanh, initialization: .xavier, using: &rng)
    var sgd = SGD(learningRate: 0.1)
    let losses = train(
        &network, on: rescaled, loss: MeanSquaredError(), optimizer: &sgd, epochs: fitEpochs, batchSize: 20,
        order: .shuffled(epochs: fitEpochs, count: rescaled.count, using: &rng), evaluatesTrainingSet: false
    ).history.map(\.trainingLoss)
    fits.append((depth, network, losses.last!))
    fitProgress.advance(note: "\(depth) hidden: MSE \(compact(losses.last!, significant: 3))")
}
let grid = linspace(0, 10, count: 400)
lesson.plot(
    LinePlot(
        title: "sin(x)·e^(−x/5) + 0.1·cos(10x) and three fits", xLabel: "x", yLabel: "y",
        series: [LinePlot.Series("true f", x: grid, y: grid.map(wiggly))]
            + fits.map { fit in
                LinePlot.Series("\(fit.depth) hidden", x: grid, y: grid.map { fit.network.predict([($0 - 5) / 5])[0] })
            }))
lesson.table(
    headers: ["hidden layers", "sizes", "parameters", "training MSE"],
    rows: fits.map { fit in
        [
            "\(fit.depth)", sizesText(fit.network), "\(fit.network.parameterCount)",
            compact(fit.loss, significant: 3),
        ]
    })
let wiggleMeanSquare = 0.005  // the mean of (0.1·cos(10x))² over many periods: 0.01 / 2
let learnedWiggle = fits.filter { $0.loss < wiggleMeanSquare }.map { "\($0.depth) hidden" }
let bestFit = fits.min { $0.loss < $1.loss }!, worstFit = fits.max { $0.loss < $1.loss }!
lesson.prose(
    """
    The wiggle 0.1·cos(10x) alone has a mean square of 0.005, so a fit with MSE above \
    that has learned at most the smooth part. \
    \(learnedWiggle.isEmpty
        ? "None of the three gets below it: none has learned the wiggle."
        : "Below it: \(learnedWiggle.joined(separator: ", ")), which has begun to follow the wiggle.") \
    With the same number of parameters and the same training budget, the \(bestFit.depth)-hidden-layer \
    network reaches the lowest training MSE (\(compact(bestFit.loss, significant: 3))), \
    \(String(format: "%.1f", worstFit.loss / bestFit.loss))× below the \
    \(worstFit.depth)-hidden-layer one (\(compact(worstFit.loss, significant: 3))). \
    Networks trained by gradient descent fit the smooth, slow part of a function first \
    and fine oscillations only after far more training. One seed and one budget are one \
    experiment, not a law: rerun with --seed to see how much the ranking moves.

    Parameter counts grow with width squared and only linearly with depth. A layer from \
    n to m units has (n + 1)·m parameters:
    """)
let shapes: [[Int]] = [[64, 512, 10], [64, 128, 10], [64, 64, 64, 10], [64, 32, 32, 32, 32, 10], [64, 128, 64, 10]]
lesson.table(
    headers: ["network", "hidden layers", "hidden units", "parameters"],
    rows: shapes.map { sizes in
        let counts = zip(sizes, sizes.dropFirst()).map { ($0 + 1) * $1 }
        return [
            sizes.map(String.init).joined(separator: "-"), "\(sizes.count - 2)", "\(sizes.dropFirst().dropLast().reduce(0, +))",
            "\(counts.reduce(0, +))",
        ]
    })
let shapeCounts = Dictionary(
    uniqueKeysWithValues: shapes.map { sizes in
        (sizes, zip(sizes, sizes.dropFirst()).map { ($0 + 1) * $1 }.reduce(0, +))
    })
let (deepNarrow, wide128, wide512) = (shapeCounts[[64, 32, 32, 32, 32, 10]]!, shapeCounts[[64, 128, 10]]!, shapeCounts[[64, 512, 10]]!)
lesson.prose(
    """
    Four layers of 32 units hold \(deepNarrow < wide128 ? "fewer" : "more") parameters than one layer \
    of 128 (\(deepNarrow) against \(wide128)), with the same 128 hidden units, and \
    \(String(format: "%.1f", Double(wide512) / Double(deepNarrow)))× fewer than one of 512.
    """)

// MARK: - 9

lesson.section("Two spirals")
lesson.prose(
    """
    Two interleaved spirals, one per class: no line separates them, and no small set of \
    lines either. A 2-32-32-2 ReLU network with softmax + cross-entropy, mini-batch SGD:
    """)
let spiralData = spirals(pointsPerClass: 150, turns: 1.25, noise: 0.04, using: &rng)
var spiralNetwork = Sequential(sizes: [2, 32, 32, 2], hidden: .relu, initialization: .he, using: &rng)
let spiralEpochs = 1000
var spiralSGD = SGD(learningRate: 0.1)
let spiralHistory = train(
    &spiralNetwork, on: spiralData, loss: SoftmaxCrossEntropy(), optimizer: &spiralSGD, epochs: spiralEpochs, batchSize: 16,
    order: .shuffled(epochs: spiralEpochs, count: spiralData.count, using: &rng), evaluatesTrainingSet: false
).history
let spiralFinal = spiralNetwork
lesson.plot(
    ScatterPlot(
        title: "two spirals and the regions the network assigns", points: spiralData.inputs, labels: spiralData.labels,
        classNames: ["spiral A", "spiral B"], xRange: -1.2...1.2, yRange: -1.2...1.2,
        regions: { x, y in spiralFinal.classify([x, y]) }))
lesson.output(
    "after \(spiralEpochs) epochs: training loss \(compact(spiralHistory.last!.trainingLoss, significant: 3)), "
        + "accuracy \(percent(spiralNetwork.accuracy(on: spiralData)))")

// MARK: - 10

lesson.section("Handwritten digits")
lesson.prose(
    """
    Now real data: 1,797 scanned digits of 8×8 pixels with values 0…16 (scikit-learn's \
    copy of the UCI set). The setup is the one the NumPy and PyTorch baselines use, \
    number for number, so the three can be compared:
    """)
lesson.table(
    headers: ["setting", "value"],
    rows: [
        ["split", "fixed 80/20: 1,437 training and 360 test images"],
        ["features", "each pixel standardized with the training set's mean and σ"],
        ["network", "64-64-10: ReLU hidden units, 10 linear scores"],
        ["loss", "softmax + cross-entropy, mean over the batch"],
        ["start", "He-normal weights, zero biases"],
        ["training", "mini-batches of 32, 30 epochs, SGD with learning rate 0.1"],
    ])
lesson.prose(
    """
    A pixel that is 0 in every training image keeps σ = 1 rather than dividing by 0. The \
    split, the starting weights and the batch order are drawn from the same Mersenne \
    Twister NumPy uses, so this run retraces the NumPy run step by step.
    """)
let experiment = DigitsBaseline(digits: try Digits.load())
var digitsNetwork = Sequential(weights: experiment.initialWeights(), hidden: .relu)
lesson.output(
    "training \(experiment.training.count) · test \(experiment.test.count) · network \(sizesText(digitsNetwork)) · \(digitsNetwork.parameterCount) parameters")
let digitsProgress = lesson.progress("training on the digits", total: DigitsBaseline.epochs)
var digitsSGD = SGD(learningRate: 0.1)
let history = train(
    &digitsNetwork, on: experiment.training, validation: experiment.test, loss: SoftmaxCrossEntropy(), optimizer: &digitsSGD,
    epochs: DigitsBaseline.epochs, batchSize: DigitsBaseline.batchSize, order: .perEpoch(experiment.epochOrders(DigitsBaseline.epochs))
) { record in
    digitsProgress.advance(note: "loss \(decimal(record.trainingLoss, 4)), test \(percent(record.validation!.accuracy!))")
}.history
lesson.plot(
    LinePlot(
        title: "digits: training loss per epoch", xLabel: "epoch", yLabel: "cross-entropy",
        series: [LinePlot.Series("training loss", x: history.map { Double($0.epoch) }, y: history.map(\.trainingLoss))],
        logScaleY: true))
lesson.plot(
    LinePlot(
        title: "digits: accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
        series: [
            LinePlot.Series("training", x: history.map { Double($0.epoch) }, y: history.map { $0.training!.accuracy! }),
            LinePlot.Series("test", x: history.map { Double($0.epoch) }, y: history.map { $0.validation!.accuracy! }),
        ]))
let testAccuracy = history.last!.validation!.accuracy!
let correct = Int((testAccuracy * Double(experiment.test.count)).rounded())
lesson.output(
    """
    training loss after epoch 1: \(decimal(history[0].trainingLoss, 4)), after epoch \(history.count): \(decimal(history.last!.trainingLoss, 4))
    test accuracy: \(decimal(testAccuracy * 100, 1))%  (\(correct) of \(experiment.test.count))
    """)
lesson.prose(
    """
    The NumPy baseline (../shared/baselines) reports 0.9820 and 0.0126 for the two \
    losses and 96.94% (349/360), and PyTorch the same: \
    \(decimal(history[0].trainingLoss, 4) == "0.9820" && decimal(history.last!.trainingLoss, 4) == "0.0126" && correct == 349
        ? "this run matches all three."
        : "this run does not match them.") \
    The test set is small: each image is \(decimal(100 / Double(experiment.test.count), 2)) \
    percentage points, so a different split moves the figure by a point or more.

    Which digits get confused with which? Rows are the true digit, columns the \
    prediction; the diagonal holds the correct answers.
    """)
let confusion = digitsNetwork.confusionMatrix(on: experiment.test)
let digitNames = (0..<10).map(String.init)
lesson.plot(
    Heatmap(
        title: "confusion matrix on the test set (row: true digit, column: predicted)",
        values: confusion.flatMap { $0.map(Double.init) }, rows: 10, columns: 10, rowLabels: digitNames, columnLabels: digitNames))
lesson.table(
    headers: ["true \\ predicted"] + digitNames,
    rows: confusion.enumerated().map { digit, row in ["\(digit)"] + row.map { $0 == 0 ? "·" : "\($0)" } })

lesson.prose(
    """
    Why the batches are shuffled: the same network from the same starting weights, \
    trained the same way, but on the training set sorted by label and visited in that \
    order every epoch, so each batch holds one digit and the 9s always come last:
    """)
let sortedTraining = experiment.training.subset(
    experiment.training.labels.indices.sorted {
        (experiment.training.labels[$0], $0) < (experiment.training.labels[$1], $1)
    })
/// Test accuracy and the share of test images called a 9, after 1 epoch and after all of them.
func orderStudy(_ data: ClassificationSet, order: BatchOrder) -> [(accuracy: Double, nines: Double)] {
    var network = Sequential(weights: experiment.initialWeights(), hidden: .relu)
    var sgd = SGD(learningRate: 0.1)
    var result: [(accuracy: Double, nines: Double)] = []
    for epoch in 0..<DigitsBaseline.epochs {
        train(
            &network, on: data, loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: epoch + 1, batchSize: DigitsBaseline.batchSize, order: order,
            evaluatesTrainingSet: false, firstEpoch: epoch)
        if epoch == 0 || epoch == DigitsBaseline.epochs - 1 {
            let predictions = network.classify(experiment.test.inputs)
            result.append((network.accuracy(on: experiment.test), Double(predictions.filter { $0 == 9 }.count) / Double(predictions.count)))
        }
    }
    return result
}
let shuffledStudy = orderStudy(experiment.training, order: .perEpoch(experiment.epochOrders(DigitsBaseline.epochs)))
let sortedStudy = orderStudy(sortedTraining, order: .inOrder)
let ninesInTest = Double(experiment.test.labels.filter { $0 == 9 }.count) / Double(experiment.test.count)
lesson.table(
    headers: ["batch order", "after epoch", "test accuracy", "called a 9"],
    rows: [("shuffled every epoch", shuffledStudy), ("sorted by label", sortedStudy)].flatMap { name, study in
        [
            [name, "1", percent(study[0].accuracy), percent(study[0].nines)],
            ["", "\(DigitsBaseline.epochs)", percent(study[1].accuracy), percent(study[1].nines)],
        ]
    })
lesson.prose(
    """
    \(percent(ninesInTest)) of the test images are 9s. After one epoch the sorted run calls \
    \(percent(sortedStudy[0].nines)) of the test images a 9 and gets \(percent(sortedStudy[0].accuracy)) right, against \(percent(shuffledStudy[0].accuracy)) shuffled: \
    \(sortedStudy[0].nines > 2 * ninesInTest ? "each run of one-digit batches pulls the network towards that digit and undoes part of what the earlier digits taught, and the epoch ends on the 9s." : "the pull of the last batches is weaker than expected here.") \
    After \(DigitsBaseline.epochs) epochs the gap is \(decimal(abs(shuffledStudy[1].accuracy - sortedStudy[1].accuracy) * 100, 1)) points\
    \(abs(shuffledStudy[1].accuracy - sortedStudy[1].accuracy) < 0.01 ? ": on this easy problem the damage heals by the end, at the cost of a slow start" : ""). \
    A shuffled batch is a small sample of the whole problem, which is what the \
    gradient of the mean loss assumes.
    """)

// MARK: - 11

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/Backprop and fill in each function, then run `swift run exercises \
    backprop`. Each answer is checked against the chapter's code on fixed \
    and random inputs, and every gradient against central differences.
    """)
lesson.table(
    headers: ["exercise", "function", "what it asks"],
    rows: [
        ["3.1", "denseForward", "a layer's output g(Wx + b) for one input"],
        ["3.2", "binaryCrossEntropy", "the loss and its gradient, with the clamp"],
        ["3.3", "denseBackward", "∂L/∂W, ∂L/∂b and ∂L/∂x for one input"],
        ["3.4", "softmaxCrossEntropyGradient", "the fused gradient softmax(z) − y"],
        ["3.5", "backpropStep", "one SGD step of the 2-3-1 network of section 2"],
        ["3.6", "centralDifferenceGradient", "the gradient check itself"],
    ])
lesson.finish()
