// Chapter 6 — CNN: convolution and pooling from scratch, a LeNet-style network on the
// digits, residual blocks, and the famous architectures' parameter counts.
// Run: swift run cnn

import Activations
import Backprop
import CNN
import Datasets
import Foundation
import LinearAlgebra
import Notebook
import NumericChecks
import Optimizers
import Randomness
import Regularization

let lesson = Lesson(
    command: "cnn",
    title: "Chapter 6 · Convolutional networks",
    summary: """
        Small filters slid over an image: convolution with stride and padding, pooling, \
        their backward passes checked against finite differences, a LeNet-style network \
        on the handwritten digits, residual blocks, and the parameter counts of the \
        networks that made the field.
        """)
var rng = SeededGenerator(seed: lesson.seed)

func grid(_ values: [Double], rows: Int, columns: Int, _ places: Int = 0) -> String {
    (0..<rows).map { r in (0..<columns).map { c in pad(decimal(values[r * columns + c], places), places == 0 ? 3 : 6) }.joined() }
        .joined(separator: "\n")
}

func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }

// MARK: - 1

lesson.section("A filter slid over an image")
lesson.prose(
    """
    A dense layer connects every pixel to every unit. An image has structure a dense \
    layer ignores: nearby pixels belong together, and an edge or a stroke means the same \
    thing wherever it appears. A convolutional layer builds both in. It slides a small \
    filter of weights over the image and, at every position, computes the weighted sum \
    of the pixels under it: the same few weights everywhere (parameter sharing), each \
    output looking only at a small patch (locality).

    With input x (batch, channels C, height H, width W), F filters w of C × KH × KW \
    weights and one bias each, stride s and zero padding p:
    """)
lesson.equation(
    """
    y[n,f,i,j] = b[f] + Σ_c,u,v  w[f,c,u,v] · x[n, c, i·s+u−p, j·s+v−p]
    output size:  ⌊(n + 2p − k) / s⌋ + 1   along each axis
    """)
lesson.prose(
    """
    x is taken as 0 outside the image. The filter is not flipped: strictly this is \
    cross-correlation, and every deep-learning library calls it convolution. The layouts \
    are PyTorch's: x is (N, C, H, W), w is (F, C, KH, KW), so its weights copy in as they \
    are. The output size rule, for a few settings:
    """)
let sizeExamples = [(28, 3, 0, 1), (28, 5, 2, 1), (8, 3, 1, 1), (7, 3, 1, 2), (6, 3, 0, 2), (224, 11, 2, 4)]
lesson.table(
    headers: ["input n", "filter k", "padding p", "stride s", "output"],
    rows: sizeExamples.map { n, k, p, s in
        ["\(n)", "\(k)", "\(p)", "\(s)", "\(convolutionOutputSize(n, filter: k, padding: p, stride: s))"]
    })
lesson.prose(
    """
    Padding p = (k − 1)/2 with stride 1 keeps the size ("same" padding). With n = 6, \
    k = 3, s = 2 the window fits at columns 0 and 2; the last column is never reached, \
    and the rule's rounding down drops it, as PyTorch does. A filter larger than the \
    padded input fits nowhere and the layer stops with an error naming the sizes.
    """)

// MARK: - 2

lesson.section("Edges: Sobel filters on a square")
var square = [Double](repeating: 0, count: 25)
for r in 1...3 { for c in 1...3 { square[r * 5 + c] = 1 } }
let sobelX: [Double] = [-1, 0, 1, -2, 0, 2, -1, 0, 1], sobelY: [Double] = [-1, -2, -1, 0, 0, 0, 1, 2, 1]
let sobel = Conv2D(filters: Tensor(shape: [2, 1, 3, 3], values: sobelX + sobelY), bias: [0, 0])
let edges = sobel.referenceForward(Tensor(shape: [1, 1, 5, 5], values: square)).values
let gx = Array(edges[0..<9]), gy = Array(edges[9..<18])
let magnitude = zip(gx, gy).map { ($0 * $0 + $1 * $1).squareRoot() }
lesson.prose(
    """
    A 5×5 image of a 3×3 white square on black, and Sobel's two filters: one responds \
    to brightness rising from left to right, the other from top to bottom. Two filters \
    over one channel give two output channels, 3×3 each (k = 3, no padding):
    """)
let imageLines = grid(square, rows: 5, columns: 5).split(separator: "\n").map(String.init)
let xLines = grid(sobelX, rows: 3, columns: 3).split(separator: "\n").map(String.init)
let yLines = grid(sobelY, rows: 3, columns: 3).split(separator: "\n").map(String.init)
var pictureLines: [String] = ["image              horizontal filter   vertical filter"]
for r in 0..<5 {
    let filters: String = r < 3 ? "      " + xLines[r] + "          " + yLines[r] : ""
    pictureLines.append(imageLines[r] + filters)
}
lesson.output(pictureLines.joined(separator: "\n"))
var resultLines: [String] = ["Gx (horizontal)    Gy (vertical)      magnitude √(Gx² + Gy²)"]
for r in 0..<3 {
    let row = (r * 3)..<(r * 3 + 3)
    let left: String = grid(Array(gx[row]), rows: 1, columns: 3) + "          " + grid(Array(gy[row]), rows: 1, columns: 3)
    resultLines.append(left + "          " + grid(Array(magnitude[row]), rows: 1, columns: 3, 3))
}
lesson.output(resultLines.joined(separator: "\n"))
let cornerMagnitude = magnitude[0], centre = magnitude[4]
lesson.prose(
    """
    The window at the top-left position covers [0 0 0; 0 1 1; 0 1 1]: the horizontal \
    filter gives −2·0 + 2·1 on the middle row and −1·0 + 1·1 on the bottom one, \
    \(decimal(gx[0], 0)) in all. Gx is positive on the square's left edge, where brightness \
    rises to the right, and negative on its right edge; Gy does the same from top to \
    bottom. The centre window sees only white and gives \(decimal(centre, 0)): a filter \
    responds to change, not to brightness. The magnitude is largest at the corners \
    (√\(decimal(cornerMagnitude * cornerMagnitude, 0)) = \(decimal(cornerMagnitude, 3))), where both \
    edges meet.
    """)
lesson.plot(
    Heatmap(
        title: "the square (×4), Gx, Gy and the magnitude, on one scale",
        tiling: [square.map { $0 * 4 }]
            + [gx, gy, magnitude].map { g in
                // 3×3 results shown in the middle of a 5×5 frame, where their windows are centred
                var framed = [Double](repeating: .nan, count: 25)
                for r in 0..<3 { for c in 0..<3 { framed[(r + 1) * 5 + c + 1] = g[r * 3 + c] } }
                return framed
            }, height: 5, width: 5, perRow: 4))

// MARK: - 3

lesson.section("Sharing weights, and moving with the image")
let denseEquivalent = (1 * 8 * 8 + 1) * (16 * 8 * 8)
let convParameters = 16 * (1 * 3 * 3 + 1)
lesson.prose(
    """
    Sixteen 3×3 filters over an 8×8 digit with padding 1 produce 16 maps of 8×8: 1024 \
    outputs from \(convParameters) parameters (16 · (9 + 1)). A dense layer from the 64 pixels to \
    the same 1024 outputs needs \(denseEquivalent): \(denseEquivalent / convParameters) times as many, \
    and it has to learn separately, at every position, what the filter learns once.

    Sharing has a consequence: move the image and the feature map moves with it \
    (translation equivariance). To see it, a digit and the same digit shifted one pixel \
    to the right go through one random 3×3 filter, and the two maps are compared.
    """)
let digits = try Digits.load()
let sample = digits.inputs[0].map { $0 / 16 }
let shifted = (0..<64).map { i in i % 8 == 0 ? 0 : sample[i - 1] }  // one pixel right, a blank column enters
let probe = Conv2D(filters: Tensor(shape: [1, 1, 3, 3], values: rng.normals(9)), bias: [0], padding: 1)
let mapOriginal = probe.referenceForward(Tensor(shape: [1, 1, 8, 8], values: sample)).values
let mapShifted = probe.referenceForward(Tensor(shape: [1, 1, 8, 8], values: shifted)).values
// Away from the borders (columns 2…6), the shifted map is the original moved one column right.
var interiorMatches = 0, interiorCount = 0
for r in 0..<8 {
    for c in 2..<7 {
        interiorCount += 1
        if abs(mapShifted[r * 8 + c] - mapOriginal[r * 8 + c - 1]) < 1e-12 { interiorMatches += 1 }
    }
}
lesson.prose(
    """
    Away from the left and right borders, \(interiorMatches) of \(interiorCount) outputs of the shifted \
    image's map equal the original map's outputs one column to the left\(interiorMatches == interiorCount ? ", exactly" : ""): \
    the same pattern gives the same response wherever it is. Pooling, next, can absorb \
    part of a small shift.
    """)

// MARK: - 4

lesson.section("Pooling")
lesson.prose(
    """
    A pooling layer shrinks each map by summarizing windows, channel by channel, with no \
    parameters: max pooling keeps the largest value of each window, average pooling the \
    mean. A 2×2 window with stride 2 halves height and width. On a 2×4 map:
    """)
var maxPool = Pool2D(.max, size: 2), averagePool = Pool2D(.average, size: 2)
let poolInput = Tensor(shape: [1, 1, 2, 4], values: [1, 5, 7, 7, 5, 2, 7, 3])
let maxOut = maxPool.forward(poolInput, mode: .training), averageOut = averagePool.forward(poolInput, mode: .training)
let poolGradient = Tensor(shape: [1, 1, 1, 2], values: [10, 20])
let maxBack = maxPool.backward(poolGradient), averageBack = averagePool.backward(poolGradient)
lesson.output(
    """
    x = [1 5 7 7; 5 2 7 3]
    max pooling:      y = \(vector(maxOut.values, 2))     average pooling: y = \(vector(averageOut.values, 2))
    backward of g = [10, 20]:
      max:      \(vector(maxBack.values, 0))
      average:  \(vector(averageBack.values, 1))
    """)
/// How many values of each 2×2 window of the 2×4 example equal the window's maximum.
let windowTies = (0..<2).map { j -> Int in
    let window = [0, 1, 4, 5].map { poolInput.values[2 * j + $0] }
    return window.filter { $0 == window.max()! }.count
}
let numberWords = ["none", "one", "two", "three", "four"]
func tieText(_ window: Int) -> String {
    let best = [0, 1, 4, 5].map { poolInput.values[2 * window + $0] }.max()!
    return windowTies[window] == 2 ? "\(decimal(best, 0)) and \(decimal(best, 0))" : "\(numberWords[windowTies[window]]) \(decimal(best, 0))s"
}
lesson.prose(
    """
    Backward, the max takes the whole gradient to the one input that won: a small change \
    to any other does not change the maximum. \(windowTies.allSatisfy { $0 > 1 }
        ? "The first window has a tie (\(tieText(0))) and so does the second (\(tieText(1)))"
        : "A window here has a tie"); \
    the gradient goes to the first in reading order, the convention of PyTorch's CPU \
    kernel. Average pooling gives each input a quarter.

    And the shifted digit of section 3, through the same filter and then a 2×2 max pool.
    """)
var poolA = Pool2D(.max, size: 2), poolB = Pool2D(.max, size: 2)
let pooledOriginal = poolA.forward(Tensor(shape: [1, 1, 8, 8], values: mapOriginal), mode: .inference).values
let pooledShifted = poolB.forward(Tensor(shape: [1, 1, 8, 8], values: mapShifted), mode: .inference).values
let unchanged = zip(pooledOriginal, pooledShifted).filter { abs($0 - $1) < 1e-12 }.count
let unchangedBefore = zip(mapOriginal, mapShifted).filter { abs($0 - $1) < 1e-12 }.count
lesson.prose(
    """
    \(unchanged) of the \(pooledOriginal.count) pooled outputs are unchanged, against \
    \(unchangedBefore) of the 64 outputs before pooling\(Double(unchanged) / 16 > Double(unchangedBefore) / 64
        ? (Double(unchanged) / 16 >= 0.5
            ? ": a window's maximum often survives a one-pixel move, so pooling absorbs part of a small shift, not all of it"
            : ": a window's maximum sometimes survives a one-pixel move, so pooling absorbs a little of a small shift, far from all of it")
        : ": in this example pooling does not make the map more stable").
    """)

// MARK: - 5

lesson.section("Backward passes, checked")
lesson.prose(
    """
    The gradients of a convolution, for ∂L/∂y = g:
    """)
lesson.equation(
    """
    ∂L/∂b[f]       = Σ_n,i,j g[n,f,i,j]
    ∂L/∂w[f,c,u,v] = Σ_n,i,j g[n,f,i,j] · x[n, c, i·s+u−p, j·s+v−p]
    ∂L/∂x[n,c,r,q] = Σ g[n,f,i,j] · w[f,c,u,v]  over every window on (r, q)
    """)
lesson.prose(
    """
    The filter's gradient sums over every image and every position, because one filter \
    is used at all of them. The input's gradient is a scatter: each output sends g·w \
    back to the pixels its window covered. The layer computes all of this two ways. \
    `referenceForward` and `referenceBackward` are these formulas as loops, to read. The \
    layer's own passes are arranged for speed. The forward pass runs the same sums, in \
    the same order, over a zero-padded copy of x, for 4 filters × 4 neighbouring \
    outputs at a time, so a pixel is loaded once for 4 filters and the 16 running sums \
    stay in registers. The backward pass lays every window's pixels out as one row of \
    a matrix (im2col), so that its sums become matrix products for the fast kernel of \
    Chapter 3. The tests hold both equal to the loops. Checked against central differences, a network that mixes \
    every layer of this chapter:
    """)
let checkedNetwork = Sequential([
    Reshape([2, 5, 6]),
    Conv2D(inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1, initialization: .xavier, using: &rng, name: "1"),
    ActivationLayer(.tanh),
    Conv2D(inChannels: 3, outChannels: 2, kernel: 2, stride: 2, padding: 1, initialization: .xavier, using: &rng, name: "2"),
    ActivationLayer(.tanh),
    Pool2D(.average, size: 2),
    Reshape.flatten,
    Dense(inputs: 2 * 1 * 2, outputs: 3, initialization: .xavier, using: &rng, name: "3"),  // (2, 3, 4) pooled to (2, 1, 2)
])
let checkInput = Tensor(shape: [3, 60], values: rng.uniforms(180, in: -1..<1))
let checkLabels = [0, 2, 1]
let checks = checkGradients(checkedNetwork, input: checkInput) { SoftmaxCrossEntropy().evaluate($0, checkLabels) }
lesson.table(
    headers: ["parameter", "shape", "worst relative error", "below 1e-7"],
    rows: checks.map { r in
        let shape = checkedNetwork.parameters.first { $0.name == r.parameter }?.shape ?? checkInput.shape
        return [r.parameter, "(" + shape.map(String.init).joined(separator: "×") + ")", compact(r.worstRelativeError, significant: 2), r.passed ? "yes" : "NO"]
    })
let fastCheckLayer = Conv2D(inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1, initialization: .he, using: &rng)
let fastCheckInput = Tensor(shape: [2, 3, 7, 6], values: rng.normals(252))
var fastLayer = fastCheckLayer
let fastAgrees = fastLayer.forward(fastCheckInput, mode: .inference) == fastCheckLayer.referenceForward(fastCheckInput)
lesson.prose(
    """
    (K names a convolution's filters.) \(checks.allSatisfy(\.passed) ? "Every parameter and the input pass." : "Not every check passes: a bug.") \
    And the fast forward pass \(fastAgrees ? "equals" : "does NOT equal") the reference loops bit for bit on a \
    3-channel, stride-2, padding-1 example: both add the same products in the same order.
    """)

// MARK: - 6

lesson.section("A LeNet-style network on the digits")
// The same split as Chapter 3, with the pixels scaled to [0, 1] (not standardized pixel by
// pixel: a convolution wants every position on the same scale, and a blank pixel at 0).
let rawSplit: (train: ClassificationSet, test: ClassificationSet) = {
    var splitter = MersenneTwister(seed: 0)
    return digits.split(testFraction: 0.2, order: splitter.permutation(digits.count))
}()
func scaled(_ set: ClassificationSet) -> ClassificationSet {
    ClassificationSet(inputs: set.inputs.map { $0.map { $0 / 16 } }, labels: set.labels, classCount: set.classCount)
}
let chapterTraining = scaled(rawSplit.train)
let trainCount = chapterTraining.count - 300
let training = chapterTraining.subset(Array(0..<trainCount))
let validation = chapterTraining.subset(Array(trainCount..<chapterTraining.count))
let test = scaled(rawSplit.test)

let cnnEpochs = 30
lesson.prose(
    """
    LeCun's networks of the 1990s read digits with the pattern INPUT → [CONV → RELU → \
    POOL]* → FC → SOFTMAX. On the 8×8 digits of Chapter 3, the same split, with the \
    pixels scaled to [0, 1] instead of standardized pixel by pixel (a filter slides \
    over every position, so every position should be on the same scale): \
    \(training.count) images to train on, the last \(validation.count) of Chapter 3's training set to \
    make choices with and to watch training, and the \(test.count) test images touched \
    once, at the end. The CNN's learning rate, η = 0.003, was picked on the validation \
    loss from 0.001, 0.002 and 0.003. Both networks train for \(cnnEpochs) epochs, a \
    number fixed in advance.
    """)
@MainActor func lenet() -> Sequential {
    var init1 = SeededGenerator(seed: lesson.seed + 10)
    return Sequential([
        Reshape([1, 8, 8]),
        Conv2D(inChannels: 1, outChannels: 16, kernel: 3, padding: 1, initialization: .he, using: &init1, name: "1"),
        ActivationLayer(.relu),
        Conv2D(inChannels: 16, outChannels: 32, kernel: 3, padding: 1, initialization: .he, using: &init1, name: "2"),
        ActivationLayer(.relu),
        Pool2D(.max, size: 2),
        Reshape.flatten,
        Dense(inputs: 32 * 4 * 4, outputs: 64, initialization: .he, using: &init1, name: "3"),
        ActivationLayer(.relu),
        Dense(inputs: 64, outputs: 10, initialization: .xavier, using: &init1, name: "4"),
    ])
}
@MainActor func fit(_ model: inout Sequential, learningRate: Double, note: String) -> TrainingRun {
    var adam = Adam(learningRate: learningRate)
    var orderRNG = SeededGenerator(seed: lesson.seed + 11)
    let progress = lesson.progress(note, total: cnnEpochs)
    return train(
        &model, on: training, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: cnnEpochs, batchSize: 32,
        order: .shuffled(epochs: cnnEpochs, count: training.count, using: &orderRNG),
        evaluatesTrainingSet: false
    ) { record in progress.advance(note: "validation \(percent(record.validation!.accuracy!))") }
}
var cnn = lenet()
lesson.output(
    """
    conv 1→16 3×3 pad 1 · ReLU · conv 16→32 3×3 pad 1 · ReLU · max pool 2×2
    · flatten 512 · dense 64 · ReLU · dense 10          \(cnn.parameterCount) parameters
    """)
let cnnRun = fit(&cnn, learningRate: 3e-3, note: "training the CNN")
var mlpInit = SeededGenerator(seed: lesson.seed + 10)
var mlp = Sequential(sizes: [64, 64, 10], hidden: .relu, initialization: .he, using: &mlpInit)
let mlpRun = fit(&mlp, learningRate: 2e-3, note: "training the 64-64-10 MLP")
// The axis starts at 0.8, or lower (in steps of 0.1) if a run's first epochs are below it: every point stays on the plot.
let lowestAccuracy = (cnnRun.history + mlpRun.history).map { $0.validation!.accuracy! }.min()!
let accuracyFloor = min(0.8, (lowestAccuracy * 10).rounded(.down) / 10)
lesson.plot(
    LinePlot(
        title: "validation accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
        series: [
            LinePlot.Series("CNN", x: cnnRun.history.map { Double($0.epoch) }, y: cnnRun.history.map { $0.validation!.accuracy! }),
            LinePlot.Series("MLP 64-64-10", x: mlpRun.history.map { Double($0.epoch) }, y: mlpRun.history.map { $0.validation!.accuracy! }),
        ], yRange: accuracyFloor...1))
let cnnLast = cnnRun.history.last!.validation!, mlpLast = mlpRun.history.last!.validation!
let cnnTest = cnn.accuracy(on: test), mlpTest = mlp.accuracy(on: test)
lesson.table(
    headers: ["network", "parameters", "validation loss", "validation acc.", "test acc."],
    rows: [
        ["CNN", "\(cnn.parameterCount)", decimal(cnnLast.loss, 4), percent(cnnLast.accuracy!), percent(cnnTest)],
        ["MLP 64-64-10", "\(mlp.parameterCount)", decimal(mlpLast.loss, 4), percent(mlpLast.accuracy!), percent(mlpTest)],
    ])
let wrong = test.inputs.indices.filter { cnn.classify(test.inputs[$0]) != test.labels[$0] }
lesson.prose(
    """
    Trained the same way (Adam, batches of 32, \(cnnEpochs) epochs; η = 0.002 for the MLP), the CNN reaches \(percent(cnnTest)) on the test set and the MLP \(percent(mlpTest)): \
    \(cnnTest > mlpTest ? "\(Int(((cnnTest - mlpTest) * Double(test.count)).rounded())) more images right" : cnnTest == mlpTest ? "the same" : "the CNN does worse here"), \
    each image being \(decimal(100 / Double(test.count), 2)) points. Chapter 4's MLP reached 97.5% with \
    Adam on the full training set. The CNN gets \(wrong.count) of the \(test.count) test images wrong:
    """)
let shownWrong = Array(wrong.prefix(8))
if !shownWrong.isEmpty {
    lesson.plot(Heatmap(title: "misclassified test digits", tiling: shownWrong.map { test.inputs[$0] }, height: 8, width: 8, perRow: 4))
    lesson.table(
        headers: ["image"] + shownWrong.indices.map { "\($0 + 1)" },
        rows: [["true"] + shownWrong.map { "\(test.labels[$0])" }, ["predicted"] + shownWrong.map { "\(cnn.classify(test.inputs[$0]))" }])
}
let firstFilters = (cnn.layers[1] as! Conv2D).filters.value
lesson.prose(
    """
    What the first layer learned: its 16 filters, 3×3 each, dark for large weights (to \
    set beside the hand-made Sobel filters of section 2). And the 16 maps they make of \
    the first test digit (a \(test.labels[0])), after ReLU:
    """)
lesson.plot(
    Heatmap(title: "the first layer's 16 filters", tiling: (0..<16).map { Array(firstFilters[($0 * 9)..<($0 * 9 + 9)]) }, height: 3, width: 3, perRow: 8))
let firstMaps = Sequential(Array(cnn.layers[0...2])).predict(Tensor(shape: [1, 64], values: test.inputs[0])).values
lesson.plot(
    Heatmap(
        title: "feature maps of the first test digit", tiling: (0..<16).map { Array(firstMaps[($0 * 64)..<($0 * 64 + 64)]) }, height: 8, width: 8, perRow: 4))

// MARK: - 7

lesson.section("Residual blocks")
lesson.prose(
    """
    Deeper networks should do at least as well as shallower ones: extra layers could \
    learn the identity. He et al. (2016) found that deep plain stacks nevertheless reach \
    a higher training error than shallower ones, and argued that this is not the \
    gradient vanishing (their networks kept its scale with careful initialization and \
    batch normalization) but layers that find it hard to learn the identity. A residual \
    block computes H(x) = F(x) + x: F learns only the change to x, the identity is free, \
    and on the backward pass ∂L/∂x = F.backward(g) + g, so the gradient has a path that \
    no layer multiplies. Two networks of the same depth on the digits, 8 channels \
    throughout, SGD η = 0.05 for 10 epochs: a plain stack of 8 convolutions with ReLU, \
    and the same convolutions paired into 4 residual blocks.
    """)
@MainActor func deepNetwork(residual: Bool, blocks: Int = 4, seed: UInt64 = 20, batchNorm: Bool = false) -> Sequential {
    var initRNG = SeededGenerator(seed: lesson.seed + seed)
    func conv(_ name: String) -> Conv2D { Conv2D(inChannels: 8, outChannels: 8, kernel: 3, padding: 1, initialization: .he, using: &initRNG, name: name) }
    var layers: [any Layer] = [
        Reshape([1, 8, 8]), Conv2D(inChannels: 1, outChannels: 8, kernel: 3, padding: 1, initialization: .he, using: &initRNG, name: "0"),
        ActivationLayer(.relu),
    ]
    for block in 0..<blocks {
        let (a, b) = (conv("\(2 * block + 1)"), conv("\(2 * block + 2)"))
        if residual && batchNorm {  // the seeds' block: conv → BN → ReLU → conv → BN, + x, ReLU
            layers += [
                Residual([a, BatchNorm2D(channels: 8, name: "\(2 * block + 1)"), ActivationLayer(.relu), b, BatchNorm2D(channels: 8, name: "\(2 * block + 2)")]
                ),
                ActivationLayer(.relu),
            ]
        } else if residual {
            layers += [Residual([a, ActivationLayer(.relu), b]), ActivationLayer(.relu)]
        } else {
            layers += [a, ActivationLayer(.relu), b, ActivationLayer(.relu)]
        }
    }
    var head = SeededGenerator(seed: lesson.seed + 21)
    return Sequential(
        layers + [Pool2D(.max, size: 2), Reshape.flatten, Dense(inputs: 8 * 16, outputs: 10, initialization: .xavier, using: &head, name: "out")])
}
let deepEpochs = 10
let gapEpochs = 8
let gradientSeeds = 5  // random initializations per depth in the gradient table below
var deepRuns: [(name: String, history: [EpochRecord])] = []
for (residual, batchNorm) in [(false, false), (true, false), (true, true)] {
    var model = deepNetwork(residual: residual, batchNorm: batchNorm)
    var sgd = SGD(learningRate: 0.05)
    var orderRNG = SeededGenerator(seed: lesson.seed + 22)
    let name = batchNorm ? "4 residual blocks with BN" : residual ? "4 residual blocks" : "plain, 8 convolutions"
    let progress = lesson.progress(name, total: deepEpochs)
    let history = train(
        &model, on: training, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &sgd, epochs: deepEpochs, batchSize: 32,
        order: .shuffled(epochs: deepEpochs, count: training.count, using: &orderRNG), evaluatesTrainingSet: false
    ) { record in progress.advance(note: "loss \(decimal(record.trainingLoss, 4))") }.history
    deepRuns.append((name, history))
}
lesson.plot(
    LinePlot(
        title: "training loss per epoch, same depth, same weights", xLabel: "epoch", yLabel: "cross-entropy",
        series: deepRuns.map { run in LinePlot.Series(run.name, x: run.history.map { Double($0.epoch) }, y: run.history.map(\.trainingLoss)) },
        logScaleY: true))
lesson.table(
    headers: ["network", "loss after epoch 1", "after epoch \(deepEpochs)", "validation acc."],
    rows: deepRuns.map { run in
        [run.name, decimal(run.history[0].trainingLoss, 4), decimal(run.history.last!.trainingLoss, 4), percent(run.history.last!.validation!.accuracy!)]
    })
let (plainLast, residualLast) = (deepRuns[0].history.last!.trainingLoss, deepRuns[1].history.last!.trainingLoss)
lesson.prose(
    """
    \(residualLast < plainLast
        ? "The residual version ends with the lower training loss (\(decimal(residualLast, 4)) against \(decimal(plainLast, 4)))."
        : "Here the residual version does not train faster (\(decimal(residualLast, 4)) against \(decimal(plainLast, 4)) for the plain stack).") \
    On the validation set they reach \(percent(deepRuns[0].history.last!.validation!.accuracy!)) (plain) and \
    \(percent(deepRuns[1].history.last!.validation!.accuracy!)) (residual): a faster fall of the training \
    loss is not by itself better generalization. The seeds' block adds batch \
    normalization after each convolution (conv → BN → ReLU → conv → BN, then + x and \
    ReLU); with it the training loss ends at \(decimal(deepRuns[2].history.last!.trainingLoss, 4)), \(deepRuns[2].history.last!.trainingLoss < residualLast ? "below" : "not below") the \
    \(decimal(residualLast, 4)) of the residual stack without it, and the validation accuracy at \
    \(percent(deepRuns[2].history.last!.validation!.accuracy!)). \
    In He et al.'s experiments the gap in \
    training error appears at 20 to 56 layers and grows with depth, well beyond this \
    network. This is one run each: rerun with --seed to see how much it moves.

    Does the plain stack starve its first layers of gradient? That can be measured \
    without training. For stacks of 3 to 33 convolutions, each built from \
    \(gradientSeeds) different random initializations, one batch of 64 digits goes forward \
    and back, and the table gives the median of ‖∂L/∂K‖ for the first convolution \
    (1 → 8 channels) over the same for the last:
    """)
let gradientBatch = training.batch(Array(0..<64)[...])
/// ‖∂L/∂K_first‖ / ‖∂L/∂K_last‖ after one forward and backward pass at initialization.
@MainActor func firstToLastGradient(blocks: Int, residual: Bool, seed: UInt64) -> Double {
    var model = deepNetwork(residual: residual, blocks: blocks, seed: 100 + seed)
    model.zeroGradients()
    let scores = model.forward(gradientBatch.inputs, mode: .training)
    _ = model.backward(SoftmaxCrossEntropy().evaluate(scores, gradientBatch.targets).gradient)
    let filters = model.namedParameters.filter { $0.name.contains(".K") }.map(\.parameter)
    return norm(filters.first!.gradient) / norm(filters.last!.gradient)
}
// 1, 2, 4, 8 and 16 blocks of two convolutions, after the first convolution.
let depthRows = [1, 2, 4, 8, 16].map { @MainActor blocks -> (convolutions: Int, plain: Double, residual: Double) in
    @MainActor func median(_ residual: Bool) -> Double {
        let ratios = (0..<UInt64(gradientSeeds)).map { firstToLastGradient(blocks: blocks, residual: residual, seed: $0) }.sorted()
        return ratios[ratios.count / 2]
    }
    return (2 * blocks, median(false), median(true))
}
lesson.table(
    headers: ["convolutions", "plain: first / last", "residual: first / last"],
    rows: depthRows.map { ["\(1 + $0.convolutions)", compact($0.plain, significant: 3), compact($0.residual, significant: 3)] })
let deepest = depthRows.last!
lesson.prose(
    """
    With \(1 + deepest.convolutions) convolutions the first layer of the plain stack gets \
    \(compact(deepest.plain, significant: 3)) of the last layer's gradient, the residual stack's \
    \(compact(deepest.residual, significant: 3)). \(deepest.plain < deepest.residual
        ? "The plain stack's first layers hear less and less of the loss as it deepens; the identity paths of the residual stack carry the gradient to them at every depth."
        : "So the plain stack's first layer is not starved of gradient here: with He initialization the backward pass keeps its scale, as He et al. saw with batch normalization. What the skip connection buys in their deep networks is easier optimization, which a gradient's size at the start does not show.")
    """)

lesson.section("Batch normalization and global average pooling")
lesson.prose(
    """
    Every CNN in the seeds puts batch normalization after its convolutions: each \
    channel normalized over the batch and every position, then scaled and shifted by \
    its own γ and β (Chapter 10's BatchNorm2D; Chapter 5 has the idea for dense \
    layers). And they end with global average pooling: each channel's map averaged to \
    one number, so the head sees C numbers instead of C·H·W, has far fewer weights, \
    and does not care where in the image a feature was found. The seeds' shape on the \
    digits, conv 1→16 · [BN] · ReLU · conv 16→32 · [BN] · ReLU · global average pool · \
    dense 32→10, with and without the BN layers, Adam at two learning rates, \
    \(gapEpochs) epochs each:
    """)
@MainActor func gapNetwork(batchNorm: Bool) -> Sequential {
    var initRNG = SeededGenerator(seed: lesson.seed + 30)
    let first = Conv2D(inChannels: 1, outChannels: 16, kernel: 3, padding: 1, initialization: .he, using: &initRNG, name: "1")
    let second = Conv2D(inChannels: 16, outChannels: 32, kernel: 3, padding: 1, initialization: .he, using: &initRNG, name: "2")
    let head = Dense(inputs: 32, outputs: 10, initialization: .xavier, using: &initRNG, name: "3")
    let norm1: [any Layer] = batchNorm ? [BatchNorm2D(channels: 16, name: "1")] : []
    let norm2: [any Layer] = batchNorm ? [BatchNorm2D(channels: 32, name: "2")] : []
    return Sequential([Reshape([1, 8, 8]), first] + norm1 + [ActivationLayer(.relu), second] + norm2 + [ActivationLayer(.relu), GlobalAveragePool(), head])
}
var gapRuns: [(batchNorm: Bool, rate: Double, history: [EpochRecord])] = []
for rate in [3e-3, 3e-2] {
    for batchNorm in [false, true] {
        var model = gapNetwork(batchNorm: batchNorm)
        var adam = Adam(learningRate: rate)
        var orderRNG = SeededGenerator(seed: lesson.seed + 31)
        let history = train(
            &model, on: training, validation: validation, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: gapEpochs, batchSize: 32,
            order: .shuffled(epochs: gapEpochs, count: training.count, using: &orderRNG), evaluatesTrainingSet: false
        ).history
        gapRuns.append((batchNorm, rate, history))
    }
}
let gapParameters = (gapNetwork(batchNorm: false).parameterCount, gapNetwork(batchNorm: true).parameterCount)
lesson.plot(
    LinePlot(
        title: "validation loss per epoch, with and without batch norm", xLabel: "epoch", yLabel: "cross-entropy",
        series: gapRuns.map { run in
            LinePlot.Series(
                "\(run.batchNorm ? "BN" : "no BN"), η \(run.rate)", x: run.history.map { Double($0.epoch) }, y: run.history.map { $0.validation!.loss })
        }, logScaleY: true))
lesson.table(
    headers: ["network", "η", "loss after epoch 1", "after epoch \(gapEpochs)", "validation acc."],
    rows: gapRuns.map { run in
        [
            run.batchNorm ? "with BN" : "without BN", "\(run.rate)", decimal(run.history[0].trainingLoss, 4), decimal(run.history.last!.trainingLoss, 4),
            percent(run.history.last!.validation!.accuracy!),
        ]
    })
@MainActor func gapAccuracy(_ batchNorm: Bool, _ rate: Double) -> Double {
    gapRuns.first { $0.batchNorm == batchNorm && $0.rate == rate }!.history.last!.validation!.accuracy!
}
@MainActor func gapFirstLoss(_ batchNorm: Bool, _ rate: Double) -> Double {
    gapRuns.first { $0.batchNorm == batchNorm && $0.rate == rate }!.history[0].trainingLoss
}
lesson.prose(
    """
    The network has \(gapParameters.0) parameters without BN and \(gapParameters.1) with it (γ and β per \
    channel); with flatten instead of global average pooling the head alone would \
    have \(32 * 64 * 10 + 10). At η = 0.003 batch normalization takes the first epoch's loss from \
    \(decimal(gapFirstLoss(false, 3e-3), 3)) to \(decimal(gapFirstLoss(true, 3e-3), 3)) and ends at \(percent(gapAccuracy(true, 3e-3))) against \
    \(percent(gapAccuracy(false, 3e-3))). At η = 0.03, ten times larger, it ends at \(percent(gapAccuracy(true, 3e-2))) \
    against \(percent(gapAccuracy(false, 3e-2))) without: \(gapAccuracy(true, 3e-2) > gapAccuracy(false, 3e-2) ? "the normalized network takes the larger rate better, which is what batch normalization is mostly for" : "here the larger rate does not separate them"). \
    A convolution followed by batch norm needs no bias: BN subtracts the channel's \
    mean, bias included, and β takes its place (ResNet's convolutions have none; these \
    keep it, to change one thing at a time).
    """)

// MARK: - 8

lesson.section("Famous architectures, counted")
/// A layer by its sizes, enough to count its parameters as PyTorch does (batch norm: γ and β).
enum Spec {
    case conv(Int, Int, Int, bias: Bool = true)
    case dense(Int, Int)
    case batchNorm(Int)

    var parameters: Int {
        switch self {
        case .conv(let input, let output, let k, let bias): output * (input * k * k + (bias ? 1 : 0))
        case .dense(let input, let output): output * (input + 1)
        case .batchNorm(let channels): 2 * channels
        }
    }
}
let lenet5: [Spec] = [.conv(1, 6, 5), .conv(6, 16, 5), .dense(400, 120), .dense(120, 84), .dense(84, 10)]
let alexNet: [Spec] = [
    .conv(3, 64, 11), .conv(64, 192, 5), .conv(192, 384, 3), .conv(384, 256, 3), .conv(256, 256, 3),
    .dense(256 * 6 * 6, 4096), .dense(4096, 4096), .dense(4096, 1000),
]
var vgg16: [Spec] = []
var channels = 3
for width in [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512] {
    vgg16.append(.conv(channels, width, 3))
    channels = width
}
vgg16 += [.dense(512 * 7 * 7, 4096), .dense(4096, 4096), .dense(4096, 1000)]
var resnet50: [Spec] = [.conv(3, 64, 7, bias: false), .batchNorm(64)]
var inputs = 64
for (width, blocks) in [(64, 3), (128, 4), (256, 6), (512, 3)] {
    for block in 0..<blocks {
        resnet50 += [.conv(inputs, width, 1, bias: false), .batchNorm(width), .conv(width, width, 3, bias: false), .batchNorm(width)]
        resnet50 += [.conv(width, 4 * width, 1, bias: false), .batchNorm(4 * width)]
        if block == 0 { resnet50 += [.conv(inputs, 4 * width, 1, bias: false), .batchNorm(4 * width)] }  // the projection shortcut
        inputs = 4 * width
    }
}
resnet50.append(.dense(2048, 1000))
let architectures: [(name: String, year: String, idea: String, specs: [Spec], published: Int)] = [
    ("LeNet-5", "1998", "conv → pool stacks read digits", lenet5, 61_706),
    ("AlexNet", "2012", "ReLU, dropout, GPUs; ImageNet", alexNet, 61_100_840),
    ("VGG-16", "2014", "only 3×3 filters, 16 layers", vgg16, 138_357_544),
    ("ResNet-50", "2015", "residual bottleneck blocks", resnet50, 25_557_032),
]
lesson.prose(
    """
    Each network below written as a list of layer sizes, and its parameters counted \
    with the rule of this chapter, K·K·C_in·C_out + C_out per convolution (K·K·C_in·C_out \
    for ResNet-50's, which have no bias: the batch norm after each adds its own β), \
    (n + 1)·m per dense layer, and γ, β per batch-norm channel; the published counts are \
    PyTorch's (torchvision) and the classic LeNet-5 with full connections:
    """)
lesson.table(
    headers: ["network", "year", "key idea", "counted", "published"],
    rows: architectures.map { a in
        let counted = a.specs.map(\.parameters).reduce(0, +)
        return [a.name, a.year, a.idea, "\(counted)", "\(a.published)" + (counted == a.published ? "" : " (differs)")]
    })
let allMatch = architectures.allSatisfy { $0.specs.map(\.parameters).reduce(0, +) == $0.published }
let vggDense = vgg16.suffix(3).map(\.parameters).reduce(0, +), vggTotal = vgg16.map(\.parameters).reduce(0, +)
lesson.prose(
    """
    \(allMatch ? "Every count matches the published one." : "Not every count matches: a layer is missing.") \
    Most of VGG-16's parameters sit in its three dense layers \
    (\(percent(Double(vggDense) / Double(vggTotal))) of them); ResNet-50 is deeper and \
    has a fifth as many, because its 1×1 convolutions shrink the channels before each \
    3×3 one and only one small dense layer sits at the end.
    """)

// MARK: - 9

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/CNN and fill in each function, then run `swift run exercises cnn`. \
    Buffers are flat and row-major, their sizes named by a `ConvolutionShape`. Each \
    answer is checked against this chapter's reference loops on fixed and random \
    sizes (strides 1–3, paddings 0–2, several channels), and the backward passes \
    against central differences.
    """)
lesson.table(
    headers: ["exercise", "function", "what it asks"],
    rows: [
        ["6.1", "convolutionOutputSize", "⌊(n + 2p − k)/s⌋ + 1"],
        ["6.2", "convolutionForward", "the convolution's loops"],
        ["6.3", "convolutionBackwardInput", "∂L/∂x, a scatter"],
        ["6.4", "convolutionBackwardFilters", "∂L/∂w and ∂L/∂b"],
        ["6.5", "maxPoolForward, maxPoolBackward", "max pooling, ties to the first"],
        ["6.6", "convolutionBlock", "conv → ReLU → max pool"],
    ])
lesson.finish()
