// Chapter 7 — LSTM: recurrent networks, backpropagation through time, LSTM and GRU cells,
// a character-level language model on Shakespeare, a names model, sequence regression.
// Run: swift run lstm

import Activations
import Backprop
import Datasets
import Foundation
import LSTM
import LinearAlgebra
import Notebook
import NumericChecks
import Optimizers
import Randomness
import Regularization

let lesson = Lesson(
    command: "lstm",
    title: "Chapter 7 · Recurrent networks and the LSTM",
    summary: """
        A network that reads a sequence one step at a time and keeps a state: the vanilla \
        RNN, backpropagation through time, why its gradients vanish, the LSTM and GRU \
        cells that fix it, and three trained models: Shakespeare one character at a \
        time, invented first names, and the sum of a sequence.
        """)
var rng = SeededGenerator(seed: lesson.seed)

/// Lines broken at spaces to at most `width` characters (generated text has no line
/// length of its own); a run of more than `width` characters without a space is cut.
func wrapped(_ text: String, width: Int = 76) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line -> [String] in
        var rest = Substring(line), pieces: [String] = []
        while rest.count > width {
            let window = rest.prefix(width + 1)
            if let space = window.lastIndex(of: " "), space > rest.startIndex {
                pieces.append(String(rest[..<space]))
                rest = rest[rest.index(after: space)...]
            } else {
                pieces.append(String(rest.prefix(width)))
                rest = rest.dropFirst(width)
            }
        }
        return pieces + [String(rest)]
    }.joined(separator: "\n")
}

// MARK: - 1

lesson.section("A network with a state")
lesson.prose(
    """
    A dense network maps one input to one output. Text, speech and prices come as \
    sequences, and what a step means depends on the steps before it. A recurrent layer \
    reads a sequence x₁ … x_T one step at a time and carries a hidden state h from each \
    step to the next, computed by the same weights at every step:
    """)
lesson.equation(
    """
    hₜ = tanh(xₜ W_xᵀ + hₜ₋₁ W_hᵀ + b)        h₀ = 0
    yₜ = hₜ W_yᵀ + b_y                         (a dense layer on every step)
    """)
lesson.prose(
    """
    Layouts, stated once for the chapter. A batch of sequences is a tensor (T, B, F): \
    time first, then the batch, then the features, as PyTorch's default; each step is \
    then one contiguous B × F matrix. The layers return every step's state, (T, B, H). \
    The weights are PyTorch's: W_x (G·H × F) is `weight_ih_l0`, W_h (G·H × H) is \
    `weight_hh_l0`, the G gates stacked in blocks of H rows (G = 1 here, 4 for an LSTM, \
    3 for a GRU). PyTorch keeps two biases, b_ih and b_hh; the RNN and the LSTM only \
    ever use their sum, which is our one b.

    A layer with one input, two hidden units and hand-picked weights, over the \
    sequence 1, 0, 0, 0, 0: the pulse at step 1 echoes through the state.
    """)
var echo = RNNLayer(
    inputWeights: Matrix([[1], [0.5]]), hiddenWeights: Matrix([[0.6, -0.6], [0.6, 0.6]]), bias: [0, 0])
let pulse = echo.forward(Tensor(shape: [5, 1, 1], values: [1, 0, 0, 0, 0]), mode: .inference)
let pulseStates: [[Double]] = (0..<5).map { t in Array(pulse.values[(2 * t)..<(2 * t + 2)]) }
let pulseNorms: [Double] = pulseStates.map { norm($0) }
var pulseRows: [[String]] = []
for t in 0..<5 {
    let input = t == 0 ? "1" : "0"
    pulseRows.append(["\(t + 1)", input, decimal(pulseStates[t][0], 4), decimal(pulseStates[t][1], 4), decimal(pulseNorms[t], 4)])
}
lesson.table(headers: ["t", "xₜ", "hₜ[0]", "hₜ[1]", "‖hₜ‖"], rows: pulseRows)
let shrinking = zip(pulseNorms.dropFirst(), pulseNorms).allSatisfy { $0 < $1 }
lesson.prose(
    """
    After the input stops, W_h turns the state a little at each step (it rotates by 45° \
    and scales by 0.85) and tanh squeezes it: \(shrinking
        ? "its norm falls at every step, from \(decimal(pulseNorms[0], 4)) to \(decimal(pulseNorms[4], 4))"
        : "its norm goes \(pulseNorms.map { decimal($0, 3) }.joined(separator: ", "))"). \
    A memory that fades step by step is the subject of section 3.
    """)

// MARK: - 2

lesson.section("Backpropagation through time")
lesson.prose(
    """
    Unrolled over T steps, a recurrent layer is a deep network whose layers share their \
    weights. Its backward pass walks the steps from last to first. The gradient reaching \
    hₜ has two parts: the loss's own gradient at step t, and what step t + 1 sends back \
    through W_h. The shared weights collect a contribution from every step:
    """)
lesson.equation(
    """
    δₜ   = ∂L/∂hₜ = gₜ + daₜ₊₁ W_h            daₜ = δₜ ⊙ (1 − hₜ²)
    ∂L/∂W_x = Σₜ daₜᵀ xₜ     ∂L/∂W_h = Σₜ daₜᵀ hₜ₋₁     ∂L/∂b = Σₜ daₜ
    ∂L/∂xₜ  = daₜ W_x         ∂L/∂h₀  = da₁ W_h
    """)
lesson.prose(
    """
    tanh′ is taken from the output: 1 − hₜ², no need to keep the pre-activation. The \
    input's part xₜ W_xᵀ does not depend on the recurrence, so the layers compute it for \
    all steps in one matrix product, and the sums over t as one product each after the \
    loop; only hₜ₋₁ W_hᵀ has to go step by step. Every layer of this chapter, checked \
    against central differences over 7 steps (batch 2, L = Σ c ⊙ y for a fixed random c):
    """)
var checkRNG = SeededGenerator(seed: lesson.seed + 1)
let checkInput = Tensor(shape: [7, 2, 3], values: checkRNG.normals(42))
let checkWeights = checkRNG.normals(7 * 2 * 4)
let checkedLayers: [(String, any Layer)] = [
    ("RNN", RNNLayer(inputs: 3, hidden: 4, using: &checkRNG)),
    ("LSTM", LSTMLayer(inputs: 3, hidden: 4, using: &checkRNG)),
    ("GRU", GRULayer(inputs: 3, hidden: 4, using: &checkRNG)),
    ("bidirectional RNN 2 + 2", Bidirectional(RNNLayer(inputs: 3, hidden: 2, using: &checkRNG), RNNLayer(inputs: 3, hidden: 2, using: &checkRNG))),
]
var allChecksPassed = true
var checkRows: [[String]] = []
for (name, layer) in checkedLayers {
    let results = checkGradients(layer, input: checkInput, loss: weightedOutputLoss(checkWeights))
    allChecksPassed = allChecksPassed && results.allSatisfy(\.passed)
    checkRows.append([name, results.map(\.parameter).joined(separator: " "), compact(results.map(\.worstRelativeError).max()!, significant: 2)])
}
lesson.table(headers: ["layer", "checked", "worst relative error"], rows: checkRows)
lesson.prose(
    """
    \(allChecksPassed ? "Every gradient agrees with its central difference to within the tolerance of 1e-7." : "Some gradient does NOT agree with its central difference: see the table.") \
    The tests also compare each layer's outputs and gradients with PyTorch's nn.RNN, \
    nn.LSTM and nn.GRU on the same weights, to 1e-12.
    """)

// MARK: - 3

lesson.section("Vanishing and exploding gradients, measured")
lesson.prose(
    """
    How much of the loss's gradient reaches a step far back? From step t to step t − 1 \
    it is multiplied by ∂hₜ/∂hₜ₋₁ = diag(1 − hₜ²) W_h, so across k steps by a product of \
    k such matrices. If their norms stay below 1 the product's norm shrinks at least \
    geometrically (the norm of a product is at most the product of the norms), and early \
    steps learn nothing from late losses (vanishing). Norms above 1 only allow growth; \
    when the matrices keep stretching the same directions the product does grow \
    geometrically (exploding). Measured: 60 steps of random input, 32 hidden units, \
    the loss on the last step's state only, and ‖∂L/∂hₜ‖ at each step:
    """)
let (memorySteps, memoryHidden) = (60, 32)
var memoryRNG = SeededGenerator(seed: lesson.seed + 2)
let memoryInput = Tensor(shape: [memorySteps, 1, 4], values: memoryRNG.normals(memorySteps * 4))
var lastOnly = [Double](repeating: 0, count: memorySteps * memoryHidden)
for k in 0..<memoryHidden { lastOnly[(memorySteps - 1) * memoryHidden + k] = memoryRNG.normal() }

/// ‖∂L/∂hₜ‖ from the last step back to the first.
@MainActor func gradientNorms(_ layer: some RecurrentLayer) -> [Double] {
    var layer = layer
    _ = layer.forward(memoryInput, mode: .training)
    _ = layer.backward(Tensor(shape: [memorySteps, 1, memoryHidden], values: lastOnly))
    return layer.hiddenGradientNorms.reversed()  // distance 0 first
}
let rnn = RNNLayer(inputs: 4, hidden: memoryHidden, using: &memoryRNG)
var bigRNN = rnn
bigRNN.hiddenWeights.value = rnn.hiddenWeights.value.map { $0 * 4 }
let lstm1 = LSTMLayer(inputs: 4, hidden: memoryHidden, using: &memoryRNG)
var lstm0 = lstm1
for k in memoryHidden..<(2 * memoryHidden) { lstm0.bias.value[k] = 0 }
let memoryRuns: [(name: String, norms: [Double])] = [
    ("RNN, PyTorch's init", gradientNorms(rnn)),
    ("RNN, W_h × 4", gradientNorms(bigRNN)),
    ("LSTM, forget bias 1", gradientNorms(lstm1)),
    ("LSTM, forget bias 0", gradientNorms(lstm0)),
]
lesson.plot(
    LinePlot(
        title: "‖∂L/∂hₜ‖ against the distance to the loss", xLabel: "steps back from the loss", yLabel: "gradient norm",
        series: memoryRuns.map { run in LinePlot.Series(run.name, x: (0..<memorySteps).map(Double.init), y: run.norms) },
        logScaleY: true))
let distances = [0, 10, 20, 40, 59]
lesson.table(
    headers: ["layer"] + distances.map { "\($0) back" },
    rows: memoryRuns.map { run in [run.name] + distances.map { compact(run.norms[$0], significant: 2) } })
let rnnFall = memoryRuns[0].norms[0] / memoryRuns[0].norms[20]
let lstmFall = memoryRuns[2].norms[0] / memoryRuns[2].norms[20]
let bigGrowth = memoryRuns[1].norms[59] / memoryRuns[1].norms[0]
lesson.prose(
    """
    Over 20 steps the plain RNN's gradient \(rnnFall > 1 ? "falls by a factor of \(compact(rnnFall, significant: 2))" : "does not fall (factor \(compact(rnnFall, significant: 2)))"); \
    the LSTM's \(lstmFall > 1 ? "by \(compact(lstmFall, significant: 2))" : "does not fall at all (factor \(compact(lstmFall, significant: 2)))"). \
    \(memoryRuns[2].norms[40] > memoryRuns[3].norms[40]
        ? "Starting the forget gate's bias at 1 instead of 0 leaves \(compact(memoryRuns[2].norms[40] / memoryRuns[3].norms[40], significant: 2))× more gradient 40 steps back."
        : "Here the forget bias of 1 does not leave more gradient 40 steps back than a bias of 0.") \
    With W_h four times larger the RNN's gradient \(bigGrowth > 1 ? "grows: \(compact(bigGrowth, significant: 2))× larger 59 steps back than at the loss" : "still shrinks (factor \(compact(1 / bigGrowth, significant: 2)) over 59 steps): the saturated tanh′ wins over the larger weights").
    """)
/// Sequences as a (T, B, 1) tensor batch and their sums as (B, 1) targets.
struct SumSequences: TrainingData {
    var inputs: [[Double]], sums: [Double]
    var count: Int { inputs.count }
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: Tensor) {
        let steps = inputs[indices.first!].count
        var values = [Double](repeating: 0, count: steps * indices.count)
        for (n, i) in indices.enumerated() { for t in 0..<steps { values[t * indices.count + n] = inputs[i][t] } }
        return (Tensor(shape: [steps, indices.count, 1], values: values), Tensor(shape: [indices.count, 1], values: indices.map { sums[$0] }))
    }
    /// `count` sequences of `steps` numbers uniform in [−1, 1], and their sums.
    init(count: Int, steps: Int, using generator: inout SeededGenerator) {
        inputs = (0..<count).map { _ in generator.uniforms(steps, in: -1..<1) }
        sums = inputs.map { $0.reduce(0, +) }
    }
}
var clipRNG = SeededGenerator(seed: lesson.seed + 8)
let clipData = SumSequences(count: 1000, steps: 20, using: &clipRNG)
let clipEpochs = 10
let clipInitial = RNNLayer(inputs: 1, hidden: 16, using: &clipRNG)
let clipHead = Dense(inputs: 16, outputs: 1, initialization: .xavier, using: &clipRNG)
let clipOrder = BatchOrder.shuffled(epochs: clipEpochs, count: clipData.count, using: &clipRNG)
var clipRuns: [(name: String, losses: [Double])] = []
for threshold in [nil, 1.0] as [Double?] {
    var model = Sequential([clipInitial, LastStep(), clipHead])
    var sgd = SGD(learningRate: 0.03)
    let run = train(
        &model, on: clipData, loss: MeanSquaredError(), optimizer: &sgd, epochs: clipEpochs, batchSize: 16, order: clipOrder,
        plugins: threshold.map { [GradientClipping(maxNorm: $0)] } ?? [], evaluatesTrainingSet: false)
    clipRuns.append((threshold.map { "clipped at norm \(compact($0))" } ?? "no clipping", run.history.map(\.trainingLoss)))
}
let sumVariance = 20.0 / 3  // the variance of a sum of 20 numbers uniform in [−1, 1]: what answering 0 scores
lesson.prose(
    """
    An exploding gradient makes one step of gradient descent jump far, past the region \
    where the gradient says anything about the loss, and training bounces around \
    instead of descending. Clipping by the global norm rescales the whole gradient to \
    at most a threshold whenever it is larger, keeping its direction. An RNN of 16 \
    units (PyTorch's initialization) learning the sum of 20 numbers from [−1, 1], read \
    one per step, with plain SGD (η = 0.03, batches of 16), the same weights and the \
    same batches, with and without clipping:
    """)
lesson.plot(
    LinePlot(
        title: "training loss of an RNN summing 20 numbers", xLabel: "epoch", yLabel: "mean squared error",
        series: clipRuns.map { LinePlot.Series($0.name, y: $0.losses) }))
lesson.table(
    headers: ["training", "epoch 1", "epoch 5", "epoch \(clipEpochs)"],
    rows: clipRuns.map { [$0.name, decimal($0.losses[0], 3), decimal($0.losses[4], 3), decimal($0.losses[clipEpochs - 1], 3)] })
let (unclippedEnd, clippedEnd) = (clipRuns[0].losses.last!, clipRuns[1].losses.last!)
lesson.prose(
    """
    Always answering 0 would score 20/3 = \(decimal(sumVariance, 3)). \
    \(clippedEnd < unclippedEnd
        ? "Without clipping the loss ends at \(decimal(unclippedEnd, 3)); with clipping at \(decimal(clippedEnd, 3)), \(decimal(unclippedEnd / clippedEnd, 1))× lower."
        : "Here clipping does not help: \(decimal(clippedEnd, 3)) with it, \(decimal(unclippedEnd, 3)) without.") \
    Clipping does not make a gradient right; it bounds how far one bad step can throw \
    the weights, so that training can recover. The language model below trains with \
    clipping at norm 5.
    """)

// MARK: - 4

lesson.section("The LSTM and the GRU")
lesson.prose(
    """
    The LSTM adds a second state, the cell c, that is changed only by gates: sigmoids \
    between 0 and 1 that decide, unit by unit, what to forget, what to write and what \
    to show. Gates in PyTorch's order [i | f | g | o]:
    """)
lesson.equation(
    """
    a = xₜW_xᵀ + hₜ₋₁W_hᵀ + b,  split into four blocks a_i a_f a_g a_o
    i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
    cₜ = f ⊙ cₜ₋₁ + i ⊙ g          hₜ = o ⊙ tanh(cₜ)
    δc = δh ⊙ o ⊙ (1 − tanh²cₜ) + δcₜ₊₁ ⊙ fₜ₊₁    (the cell's gradient, carried)
    """)
lesson.prose(
    """
    Along the cell the gradient is multiplied by f at each step, not by a weight matrix \
    and a tanh′: with f near 1 it travels far, as measured above. That is why the \
    forget gate's bias starts at 1 here (Jozefowicz et al., 2015): σ(1) = \
    \(decimal(1 / (1 + exp(-1.0)), 3)) keeps most of the cell from the start. PyTorch draws \
    every bias in ±1/√H instead.

    Where the four blocks of W_x and W_h go: PyTorch stacks [i | f | g | o]; much course \
    material (CS231n's assignment, for one) stacks [i | f | o | g]. The values are the \
    same, the row blocks change places (`LSTMGate.reordered` moves them):
    """)
lesson.table(
    headers: ["gate", "PyTorch rows (ours)", "[i | f | o | g] rows"],
    rows: [("input i", 0, 0), ("forget f", 1, 1), ("candidate g", 2, 3), ("output o", 3, 2)].map { name, ours, other in
        [name, "\(ours)H ..< \(ours + 1)H", "\(other)H ..< \(other + 1)H"]
    })
lesson.prose(
    """
    The GRU merges the two states into one with two gates, reset r and update z, and \
    has 3 blocks of weights instead of 4:
    """)
lesson.equation(
    """
    r = σ(xW_xrᵀ + b_xr + hₜ₋₁W_hrᵀ + b_hr)           the reset gate
    z = σ(xW_xzᵀ + b_xz + hₜ₋₁W_hzᵀ + b_hz)           the update gate
    n = tanh(xW_xnᵀ + b_xn + r ⊙ (hₜ₋₁W_hnᵀ + b_hn))  the candidate
    hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁
    """)
lesson.prose(
    """
    Two conventions exist for the reset. The original paper (Cho et al., 2014) resets \
    the state before the product, (r ⊙ hₜ₋₁) W_hnᵀ; PyTorch and cuDNN reset after it, \
    r ⊙ (hₜ₋₁ W_hnᵀ + b_hn), as above. This chapter uses PyTorch's, and so keeps both \
    biases: b_hn sits inside the reset. The two are different functions; weights carry \
    over only within one convention.

    The update has two conventions too, and these two are the same function. PyTorch \
    writes hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁, so z keeps the old state; Cho et al., Keras's \
    documentation and the seeds write hₜ = (1 − z′) ⊙ hₜ₋₁ + z′ ⊙ n, so z′ takes the new \
    one. Since 1 − σ(a) = σ(−a), z′ = 1 − z is the update gate with its rows of W_x, W_h \
    and both biases negated: weights move from one convention to the other by that \
    sign flip.

    A bidirectional layer runs one recurrent layer forwards and another backwards over \
    the same sequence and concatenates their states, so step t sees the whole \
    sequence. Its backward pass splits the gradient, reverses the second half in time, \
    and adds the two input gradients.
    """)

var conventionRNG = SeededGenerator(seed: lesson.seed + 14)
var conventionGRU = GRULayer(inputs: 3, hidden: 4, using: &conventionRNG)
let conventionSequence = (0..<8).map { _ in conventionRNG.normals(3) }
let pytorchStates = conventionGRU.forward(Tensor(shape: [8, 1, 3], values: conventionSequence.flatMap { $0 }), mode: .inference).values
let seedStates = conventionGRU.updateGateFlipped.forwardUpdateTakesNew(conventionSequence).flatMap { $0 }
let unflippedStates = conventionGRU.forwardUpdateTakesNew(conventionSequence).flatMap { $0 }
func largestGap(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max()! }
lesson.output(
    """
    a GRU, 3 inputs, 4 units, 8 steps: the seeds' update against this chapter's
      on the flipped weights   largest difference \(compact(largestGap(seedStates, pytorchStates), significant: 2))
      on the same weights      largest difference \(compact(largestGap(unflippedStates, pytorchStates), significant: 2))
    """)

// MARK: - 5

lesson.section("Embeddings")
lesson.prose(
    """
    Characters and words enter a network as indices. An embedding is a table E \
    (V × D) of learned vectors: index k becomes row k. That is exactly one-hot(k) · E, \
    without the V − 1 multiplications by zero. Its backward pass is a scatter-add: each \
    position's gradient is added to the row it read, so a token that appears twice \
    collects both. With a 4 × 2 table and the tokens 2, 0, 2:
    """)
var table = Embedding(table: Matrix([[1, 2], [3, 4], [5, 6], [7, 8]]))
let looked = table.forward(Tensor(shape: [3, 1], values: [2, 0, 2]), mode: .training)
let oneHotProduct = matmul(
    Matrix(rows: 3, columns: 4, values: oneHotSequence([[2], [0], [2]], vocabulary: 4).values), Matrix([[1, 2], [3, 4], [5, 6], [7, 8]]))
_ = table.backward(Tensor(shape: [3, 1, 2], values: [1, 10, 100, 1000, 2, 20]))
lesson.output(
    """
    lookup            \(vector(looked.values, 0))
    one-hot · E       \(vector(oneHotProduct.values, 0))
    upstream ∂L/∂y    [1, 10 | 100, 1000 | 2, 20]
    ∂L/∂E             \(vector(table.table.gradient, 0))   (row 2 = [1, 10] + [2, 20])
    """)

// MARK: - 6

lesson.section("A character-level language model")
let plays = try Shakespeare.plays()
let characters = CharacterVocabulary(plays)
let allTokens = characters.encode(plays)
let splitAt = allTokens.count * 9 / 10
let trainingText = Array(allTokens[..<splitAt]), validationText = Array(allTokens[splitAt...])
let unigram = CountingModel(order: 1, vocabularySize: characters.count, training: trainingText)
let bigram = CountingModel(order: 2, vocabularySize: characters.count, training: trainingText)
let (unigramLoss, bigramLoss) = (unigram.crossEntropy(validationText), bigram.crossEntropy(validationText))
lesson.prose(
    """
    The data: seven plays of Shakespeare (Hamlet, Macbeth, Romeo and Juliet, Julius \
    Caesar, Othello, King Lear, The Tempest; texts via Project Gutenberg, as \
    redistributed in the Open Knowledge Foundation's `shakespeare` package, CC BY 2.5), \
    \(allTokens.count) characters, \(characters.count) distinct ones, each numbered by \
    its place in sorted order. Split by position, not at random: the first 90% \
    (\(trainingText.count) characters) to train on, the last 10% \
    (\(validationText.count), most of King Lear's end and The Tempest) to validate. A \
    random split would put neighbouring characters on both sides and flatter every model.

    The task: predict each character from the ones before it. The score is the \
    cross-entropy in nats per character (natural logarithm), and in bits (÷ ln 2). Two \
    counting models set the bar, fitted on the training text with add-one smoothing: \
    the unigram model predicts every character by its frequency, the bigram model by \
    its frequency after the previous character.
    """)
let (lmSteps, lmBatch, lmLength, lmHidden, lmEmbedding) = (250, 32, 64, 64, 32)
let lmEpochs = 5
var lmRNG = SeededGenerator(seed: lesson.seed + 3)
var languageModel = Sequential([
    Embedding(vocabulary: characters.count, dimension: lmEmbedding, using: &lmRNG, name: "c"),
    LSTMLayer(inputs: lmEmbedding, hidden: lmHidden, using: &lmRNG),
    SequenceRows(),
    Dense(inputs: lmHidden, outputs: characters.count, initialization: .xavier, using: &lmRNG, name: "y"),
])
let windowStarts = (0..<(lmSteps * lmBatch)).map { _ in lmRNG.int(below: trainingText.count - lmLength - 1) }
let windows = TextWindows(tokens: trainingText, length: lmLength, starts: windowStarts)
let validationWindows = TextWindows(tokens: Array(validationText.prefix(12_800)), length: 256)
lesson.prose(
    """
    The model: an embedding of \(lmEmbedding) numbers per character, an LSTM of \
    \(lmHidden) units, a dense layer to \(characters.count) scores on every step, softmax \
    cross-entropy averaged over steps and windows; \(languageModel.parameterCount) \
    parameters. Training is truncated backpropagation through time: \(lmSteps) batches \
    of \(lmBatch) windows of \(lmLength) characters, each from a random place in the \
    training text and starting from a zero state, so the gradient flows back at most \
    \(lmLength) steps. Adam, η = 0.01 (chosen among 0.003, 0.006 and 0.01 on the \
    validation loss while writing this lesson), gradients clipped at norm 5; the \
    validation loss below is measured on the first 12,800 validation characters after \
    each fifth of the batches.
    """)
/// Trains `model` on the windows a fifth at a time, each window seen once, and returns the
/// validation loss after each fifth (Adam η = 0.01, clipping at norm 5).
@MainActor func trainInFifths(_ model: inout Sequential, label: String) -> [EpochRecord] {
    var adam = Adam(learningRate: 0.01)
    let progress = lesson.progress(label, total: lmEpochs)
    var history: [EpochRecord] = []
    for part in 0..<lmEpochs {
        let share = lmSteps * lmBatch / lmEpochs
        let partWindows = TextWindows(tokens: trainingText, length: lmLength, starts: Array(windowStarts[(part * share)..<((part + 1) * share)]))
        let run = train(
            &model, on: partWindows, validation: validationWindows, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: 1,
            batchSize: lmBatch, plugins: [GradientClipping(maxNorm: 5)], evaluatesTrainingSet: false)
        history += run.history
        progress.advance(note: "validation \(decimal(run.history[0].validation!.loss, 3)) nats")
    }
    return history
}
let lmHistory = trainInFifths(&languageModel, label: "LSTM on Shakespeare")

/// The model's scores for `tokens` (one sequence), each of its LSTM layers starting from
/// its entry of `states` (nil: zeros); returns the scores and the states after the last token.
func run(_ model: Sequential, _ tokens: [Int], from states: [RecurrentState?]?) -> (logits: Tensor, state: [RecurrentState?]?) {
    var model = model
    let recurrent = model.layers.indices.filter { model.layers[$0] is LSTMLayer }
    for (k, index) in recurrent.enumerated() {
        var layer = model.layers[index] as! LSTMLayer
        layer.initialState = states?[k]
        model.layers[index] = layer
    }
    let logits = model.forward(Tensor(shape: [tokens.count, 1], values: tokens.map(Double.init)), mode: .inference)
    return (logits, recurrent.map { (model.layers[$0] as! LSTMLayer).finalState })
}

/// The mean cross-entropy over a whole text, read in one pass: the state is carried from
/// each chunk of 256 characters to the next, so every prediction sees everything before it.
@MainActor func streamLoss(_ model: Sequential, _ tokens: [Int]) -> Double {
    var state: [RecurrentState?]?
    var total = 0.0
    var start = 0
    while start + 1 < tokens.count {
        let end = min(start + 256, tokens.count - 1)
        let logits: Tensor
        (logits, state) = run(model, Array(tokens[start..<end]), from: state)
        total += SoftmaxCrossEntropy().evaluate(logits, Array(tokens[(start + 1)...end])).loss * Double(end - start)
        start = end
    }
    return total / Double(tokens.count - 1)
}
let lstmLoss = streamLoss(languageModel, validationText)
lesson.plot(
    LinePlot(
        title: "validation cross-entropy while training", xLabel: "batches (×\(lmSteps / lmEpochs))", yLabel: "nats per character",
        series: [
            LinePlot.Series("LSTM (first 12,800 characters)", y: lmHistory.map { $0.validation!.loss }),
            LinePlot.Series("bigram (all)", y: [Double](repeating: bigramLoss, count: lmEpochs)),
        ]))
let bigramParameters = characters.count * characters.count
lesson.table(
    headers: ["model", "numbers fitted", "nats/char", "bits/char"],
    rows: [
        ["uniform guess", "0", decimal(log(Double(characters.count)), 3), decimal(log2(Double(characters.count)), 3)],
        ["unigram counts", "\(characters.count)", decimal(unigramLoss, 3), decimal(unigramLoss / log(2), 3)],
        ["bigram counts", "\(bigramParameters)", decimal(bigramLoss, 3), decimal(bigramLoss / log(2), 3)],
        ["LSTM \(lmHidden)", "\(languageModel.parameterCount)", decimal(lstmLoss, 3), decimal(lstmLoss / log(2), 3)],
    ])
lesson.prose(
    """
    All three models are scored on the same \(validationText.count - 1) validation \
    characters (each predicted from the text before it; the LSTM reads the validation \
    text in one pass, carrying its state). \
    \(lstmLoss < bigramLoss
        ? "The LSTM beats the bigram model by \(decimal(bigramLoss - lstmLoss, 3)) nats per character: it uses more than the previous character."
        : "The LSTM does NOT beat the bigram model here (\(decimal(lstmLoss, 3)) against \(decimal(bigramLoss, 3))): it needs more training.") \
    It saw \(lmSteps * lmBatch * lmLength) characters in training, \
    \(decimal(Double(lmSteps * lmBatch * lmLength) / Double(trainingText.count), 2)) passes' worth \
    of the training text; longer training and a larger layer go further.
    """)
lesson.prose(
    """
    Sampling: feed a start, turn the scores at the last step into probabilities with \
    softmax(z / T), draw the next character, feed it back, carrying the state. The \
    temperature T sharpens (below 1) or flattens (above 1) the model's distribution. \
    From "KING." at three temperatures:
    """)

/// `count` characters drawn from the language model after `prompt`, at `temperature`.
@MainActor func generate(_ model: Sequential, prompt: String, count: Int, temperature: Double, using generator: inout SeededGenerator) -> String {
    var state: [RecurrentState?]?
    var input = characters.encode(prompt)
    var output = ""
    for _ in 0..<count {
        let logits: Tensor
        (logits, state) = run(model, input, from: state)
        let next = sample(logits: Array(logits.values.suffix(characters.count)), temperature: temperature, using: &generator)
        output += characters.decode([next])
        input = [next]
    }
    return output
}
/// The words of a text: its runs of letters, lowercased.
func words(_ text: String) -> [String] {
    text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
}
let knownWords = Set(words(characters.decode(trainingText)))
var sampleRNG = SeededGenerator(seed: lesson.seed + 4)
var wordShares: [(temperature: Double, share: Double, count: Int)] = []
for temperature in [0.5, 1.0, 1.5] {
    let text = generate(languageModel, prompt: "KING.", count: 240, temperature: temperature, using: &sampleRNG)
    lesson.prose("T = \(decimal(temperature, 1)):")
    lesson.output(wrapped("KING." + text))
    let sampled = words(text)
    wordShares.append((temperature, Double(sampled.filter { knownWords.contains($0) }.count) / Double(max(1, sampled.count)), sampled.count))
}
lesson.table(
    headers: ["temperature", "words", "words found in the training text"],
    rows: wordShares.map { [decimal($0.temperature, 1), "\($0.count)", percent($0.share)] })
let sharesFall = zip(wordShares.dropFirst(), wordShares).allSatisfy { $0.share < $1.share }
lesson.prose(
    """
    A word here is a run of letters; "found" means it occurs somewhere in the training \
    plays. \(sharesFall
        ? "The share of real words falls as the temperature rises, from \(percent(wordShares[0].share)) at 0.5 to \(percent(wordShares[2].share)) at 1.5: a low temperature keeps to the likeliest spellings, a high one gives rare characters enough probability to break words apart."
        : "The shares do not fall steadily with the temperature in this sample (\(wordShares.map { percent($0.share) }.joined(separator: ", "))); 240 characters is a small sample.")
    """)

lesson.section("Stacked layers, and reading both ways")
let stackedHidden = 44
let tagSteps = 120
let stackedDropout = 0.2
lesson.prose(
    """
    Every recurrent model in the seeds stacks its layers: the second LSTM reads the \
    first one's states as its input sequence, with dropout between them. PyTorch's \
    nn.LSTM(…, num_layers=2, dropout=p) means exactly this: dropout on the outputs of \
    every layer but the last, none inside the recurrence and none after the top layer. \
    The same training as above (the same \(lmSteps) batches of windows, Adam η = 0.01, \
    clipping at 5) for two layers of \(stackedHidden) units with dropout p = \(stackedDropout) between \
    them, a similar number of parameters:
    """)
var stackedRNG = SeededGenerator(seed: lesson.seed + 3)
var stackedModel = Sequential([
    Embedding(vocabulary: characters.count, dimension: lmEmbedding, using: &stackedRNG, name: "c"),
    LSTMLayer(inputs: lmEmbedding, hidden: stackedHidden, using: &stackedRNG, name: "1"),
    Dropout(rate: stackedDropout, seed: lesson.seed + 5),
    LSTMLayer(inputs: stackedHidden, hidden: stackedHidden, using: &stackedRNG, name: "2"),
    SequenceRows(),
    Dense(inputs: stackedHidden, outputs: characters.count, initialization: .xavier, using: &stackedRNG, name: "y"),
])
_ = trainInFifths(&stackedModel, label: "2-layer LSTM on Shakespeare")
let stackedLoss = streamLoss(stackedModel, validationText)
lesson.table(
    headers: ["model", "parameters", "nats/char on validation"],
    rows: [
        ["1 layer of \(lmHidden)", "\(languageModel.parameterCount)", decimal(lstmLoss, 3)],
        ["2 layers of \(stackedHidden), dropout \(stackedDropout)", "\(stackedModel.parameterCount)", decimal(stackedLoss, 3)],
    ])
lesson.prose(
    """
    \(stackedLoss < lstmLoss ? "The stacked model ends lower, by \(decimal(lstmLoss - stackedLoss, 3)) nats per character" : "The stacked model does not end lower here (\(decimal(stackedLoss, 3)) against \(decimal(lstmLoss, 3)))"), \
    at this budget of \(lmSteps) batches: depth pays when there is enough training to use \
    it, and the dropout between the layers is there to keep a deeper model from \
    memorizing the training text when there is. The dropout sits between the layers, on the sequence \
    of states the first layer passes up; dropping inside the recurrence, on hₜ₋₁, \
    would erase the memory a little at every step.

    A bidirectional layer runs one LSTM forwards and one backwards and joins their \
    states, so its output at step t has seen the whole sequence. That matters when the \
    answer depends on what comes next. The task: mark each character of the text \
    that ends a word (a letter followed by anything but a letter), which needs the \
    next character. Embedding 16, then either one forward LSTM of 48 units or a \
    bidirectional pair of 24 + 24, a dense layer to 2 scores per step; \
    \(tagSteps) batches of 32 windows of 64 characters, Adam η = 0.01:
    """)
/// Windows of text with one label per character: 1 when it ends a word.
struct WordEnds: TrainingData {
    let tokens: [Int], tags: [Int], length: Int, starts: [Int]
    var count: Int { starts.count }
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: [Int]) {
        let b = indices.count
        var inputs = [Double](repeating: 0, count: length * b), targets = [Int](repeating: 0, count: length * b)
        for (n, index) in indices.enumerated() {
            for t in 0..<length {
                inputs[t * b + n] = Double(tokens[starts[index] + t])
                targets[t * b + n] = tags[starts[index] + t]
            }
        }
        return (Tensor(shape: [length, b], values: inputs).laidOut(.timeFirst), targets)
    }
}
let isLetter = (0..<characters.count).map { characters.decode([$0]).first!.isLetter }
func wordEndTags(_ tokens: [Int]) -> [Int] {
    tokens.indices.map { t in t + 1 < tokens.count && isLetter[tokens[t]] && !isLetter[tokens[t + 1]] ? 1 : 0 }
}
let trainingTags = wordEndTags(trainingText), validationTags = wordEndTags(validationText)
var tagRNG = SeededGenerator(seed: lesson.seed + 6)
let tagStarts = (0..<(tagSteps * 32)).map { _ in tagRNG.int(below: trainingText.count - 65) }
let tagTraining = WordEnds(tokens: trainingText, tags: trainingTags, length: 64, starts: tagStarts)
let tagValidation = WordEnds(tokens: validationText, tags: validationTags, length: 256, starts: Array(stride(from: 0, to: 12_800, by: 256)))
@MainActor func tagger(bidirectional: Bool) -> Sequential {
    var rng = SeededGenerator(seed: lesson.seed + 7)
    let embedding = Embedding(vocabulary: characters.count, dimension: 16, using: &rng, name: "c")
    let recurrent: any Layer =
        bidirectional
        ? Bidirectional(LSTMLayer(inputs: 16, hidden: 24, using: &rng, name: "f"), LSTMLayer(inputs: 16, hidden: 24, using: &rng, name: "b"))
        : LSTMLayer(inputs: 16, hidden: 48, using: &rng, name: "f")
    return Sequential([embedding, recurrent, SequenceRows(), Dense(inputs: 48, outputs: 2, initialization: .xavier, using: &rng, name: "y")])
}
var tagRows: [[String]] = []
var tagF1: [Double] = []
for bidirectional in [false, true] {
    var model = tagger(bidirectional: bidirectional)
    var adam = Adam(learningRate: 0.01)
    train(&model, on: tagTraining, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: 1, batchSize: 32, evaluatesTrainingSet: false)
    let (inputs, truth) = tagValidation.batch(Array(tagValidation.starts.indices)[...])
    let scores = model.predict(inputs)
    let predicted = (0..<truth.count).map { scores.values[2 * $0 + 1] > scores.values[2 * $0] ? 1 : 0 }
    let hits = zip(predicted, truth).filter { $0 == 1 && $1 == 1 }.count
    let marked = predicted.filter { $0 == 1 }.count, ends = truth.filter { $0 == 1 }.count
    let precision = Double(hits) / Double(max(1, marked)), recall = Double(hits) / Double(ends)
    let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    tagF1.append(f1)
    tagRows.append([
        bidirectional ? "bidirectional, 24 + 24" : "forward only, 48", "\(model.parameterCount)",
        percent(Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)), decimal(precision, 3), decimal(recall, 3), decimal(f1, 3),
    ])
}
lesson.table(headers: ["model", "parameters", "accuracy", "precision", "recall", "F1"], rows: tagRows)
let wordEndShare = Double(validationTags.prefix(12_800).filter { $0 == 1 }.count) / 12_800
lesson.prose(
    """
    Scored on the first 12,800 validation characters, of which \(percent(wordEndShare)) end a word \
    (precision: of the characters marked, the share that do; recall: of those that do, \
    the share marked). The forward model must guess from the word so far whether it is \
    over (F1 \(decimal(tagF1[0], 3))); the bidirectional one reads the next character (F1 \(decimal(tagF1[1], 3))). \
    \(tagF1[1] > tagF1[0] ? "Reading both ways wins by \(decimal(tagF1[1] - tagF1[0], 3)) in F1 with the same number of units and \(tagRows[1][1]) parameters against \(tagRows[0][1])." : "Reading both ways does not win here.") \
    A bidirectional layer cannot generate text, though: at step t of a language model \
    the future is what is being predicted.
    """)

// MARK: - 7

lesson.section("Inventing first names")
let names = try FirstNames.load()
let nameAlphabet = CharacterVocabulary("." + names.joined())  // "." marks where a name starts and ends
let nameStream = nameAlphabet.encode("." + names.joined(separator: ".") + ".")
let nameStarts = nameStream.indices.filter { nameStream[$0] == 0 && $0 + 12 < nameStream.count }
let nameWindows = TextWindows(tokens: nameStream, length: 12, starts: nameStarts)
lesson.prose(
    """
    The same recipe on a different text: the \(names.count) first names of the 1990 US \
    census (public domain), joined by "." into one stream of \(nameStream.count) tokens \
    over \(nameAlphabet.count) symbols. Each training window starts at a "." from a zero \
    state, as generation will: feed ".", sample until the next ".".
    """)
var namesRNG = SeededGenerator(seed: lesson.seed + 5)
var namesModel = Sequential([
    Embedding(vocabulary: nameAlphabet.count, dimension: 16, using: &namesRNG, name: "c"),
    LSTMLayer(inputs: 16, hidden: 64, using: &namesRNG),
    SequenceRows(),
    Dense(inputs: 64, outputs: nameAlphabet.count, initialization: .xavier, using: &namesRNG, name: "y"),
])
let namesEpochs = 6
var namesAdam = Adam(learningRate: 0.005)
let namesProgress = lesson.progress("LSTM on first names", total: namesEpochs)
let namesRun = train(
    &namesModel, on: nameWindows, loss: SoftmaxCrossEntropy(), optimizer: &namesAdam, epochs: namesEpochs, batchSize: 32,
    order: .shuffled(epochs: namesEpochs, count: nameWindows.count, using: &namesRNG), plugins: [GradientClipping(maxNorm: 5)],
    evaluatesTrainingSet: false
) { record in namesProgress.advance(note: "loss \(decimal(record.trainingLoss, 3))") }

/// One name: "." fed in, characters sampled until "." (or 20 letters).
@MainActor func inventName(using generator: inout SeededGenerator) -> String {
    var state: [RecurrentState?]?
    var token = 0
    var name = ""
    while name.count < 20 {
        let logits: Tensor
        (logits, state) = run(namesModel, [token], from: state)
        token = sample(logits: logits.values, temperature: 1, using: &generator)
        if token == 0 { break }
        name += nameAlphabet.decode([token])
    }
    return name
}
let known = Set(names)
let invented = (0..<500).map { _ in inventName(using: &namesRNG) }
let realCount = invented.filter { known.contains($0) }.count
let distinctNew = Set(invented.filter { !known.contains($0) && !$0.isEmpty })
lesson.prose(
    """
    After \(namesEpochs) epochs (training loss \(decimal(namesRun.history.last!.trainingLoss, 3)) nats per \
    character), 500 names sampled at T = 1: \(realCount) are real names from the list \
    (\(percent(Double(realCount) / 500))), \(500 - realCount) are not (\(distinctNew.count) distinct new ones). \
    The first 24, new ones marked *:
    """)
lesson.output(
    stride(from: 0, to: 24, by: 6).map { row in
        invented[row..<(row + 6)].map { name in
            let shown = (known.contains(name) ? " " : "*") + (name.isEmpty ? "(empty)" : name)
            return shown.padding(toLength: 13, withPad: " ", startingAt: 0)
        }.joined()
    }.joined(separator: "\n"))
let ranks = invented.compactMap { name in names.firstIndex(of: name).map { $0 + 1 } }.sorted()
if !ranks.isEmpty {
    let medianRank = ranks[ranks.count / 2]
    lesson.prose(
        """
        The list is sorted by how common a name is. The real names the model produced \
        have a median rank of \(medianRank) of \(names.count)\(medianRank < names.count / 3
            ? ": mostly the commoner names, whose spellings the training stream also repeats in other names"
            : ": from all over the list, not only the common ones").
        """)
}

// MARK: - 8

lesson.section("The sum of a sequence: LSTM against GRU")
let (sumSteps, sumHidden) = (10, 16)
var sumRNG = SeededGenerator(seed: lesson.seed + 6)
let sumTraining = SumSequences(count: 2000, steps: sumSteps, using: &sumRNG)
let sumValidation = SumSequences(count: 500, steps: sumSteps, using: &sumRNG)
let (sumTrainX, sumTrainY, sumTestX, sumTestY) = (sumTraining.inputs, sumTraining.sums, sumValidation.inputs, sumValidation.sums)
let sumEpochs = 15
let meanSum = sumTrainY.reduce(0, +) / Double(sumTrainY.count)
let constantMSE = sumTestY.map { ($0 - meanSum) * ($0 - meanSum) }.reduce(0, +) / Double(sumTestY.count)
lesson.prose(
    """
    A regression that needs memory: read \(sumSteps) numbers drawn uniformly from \
    [−1, 1], then say their sum. The recurrent layer's last state goes to a dense layer \
    with one output; mean squared error; \(sumTrainX.count) training sequences, \
    \(sumTestX.count) validation ones; Adam (η = 0.01), batches of 32, \(sumEpochs) \
    epochs, the same for both cells. Always answering the training mean scores \
    \(decimal(constantMSE, 3)).
    """)
var sumRows: [[String]] = []
var sumCurves: [LinePlot.Series] = []
for cell in ["LSTM", "GRU"] {
    var modelRNG = SeededGenerator(seed: lesson.seed + 7)
    let recurrent: any Layer =
        cell == "LSTM"
        ? LSTMLayer(inputs: 1, hidden: sumHidden, using: &modelRNG) : GRULayer(inputs: 1, hidden: sumHidden, using: &modelRNG)
    var model = Sequential([recurrent, LastStep(), Dense(inputs: sumHidden, outputs: 1, initialization: .xavier, using: &modelRNG)])
    var adam = Adam(learningRate: 0.01)
    let progress = lesson.progress("\(cell) on sums", total: sumEpochs)
    let run = train(
        &model, on: sumTraining, validation: sumValidation, loss: MeanSquaredError(), optimizer: &adam, epochs: sumEpochs, batchSize: 32,
        order: .shuffled(epochs: sumEpochs, count: sumTraining.count, using: &modelRNG), evaluatesTrainingSet: false
    ) { record in progress.advance(note: "validation MSE \(decimal(record.validation!.loss, 4))") }
    sumCurves.append(LinePlot.Series(cell, y: run.history.map { $0.validation!.loss }))
    let example = model.predict(Tensor(shape: [sumSteps, 1, 1], values: sumTestX[0])).values[0]
    sumRows.append([cell, "\(model.parameterCount)", decimal(run.history.last!.validation!.loss, 4), "\(decimal(example, 3)) for \(decimal(sumTestY[0], 3))"])
}
lesson.plot(LinePlot(title: "validation MSE per epoch", xLabel: "epoch", yLabel: "mean squared error", series: sumCurves, logScaleY: true))
lesson.table(headers: ["cell", "parameters", "validation MSE", "first sequence"], rows: sumRows)
let (lstmMSE, gruMSE) = (Double(sumRows[0][2])!, Double(sumRows[1][2])!)
lesson.prose(
    """
    Both cells learn to add, far below the constant answer's \(decimal(constantMSE, 3)). \
    \(gruMSE < lstmMSE
        ? "The GRU ends lower (\(decimal(gruMSE, 4)) against \(decimal(lstmMSE, 4))) with \(sumRows[1][1]) parameters to the LSTM's \(sumRows[0][1])."
        : "The LSTM ends lower (\(decimal(lstmMSE, 4)) against \(decimal(gruMSE, 4))), with \(sumRows[0][1]) parameters to the GRU's \(sumRows[1][1]).") \
    One seed, one task: which cell wins moves with both (rerun with --seed); the \
    literature finds them close on most tasks.
    """)

// MARK: - 9

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/LSTM and fill in each function, then run `swift run exercises lstm`. \
    Vectors are flat and row-major, one sample (no batch), gates stacked as in this \
    chapter. Forward passes are checked against this chapter's layers, backward passes \
    also against central differences.
    """)
lesson.table(
    headers: ["exercise", "function", "what it asks"],
    rows: [
        ["7.1", "rnnStep", "hₜ = tanh(W_x x + W_h hₜ₋₁ + b)"],
        ["7.2", "rnnStepBackward", "one step back: ∂L/∂W, ∂L/∂x, ∂L/∂hₜ₋₁"],
        ["7.3", "rnnBackwardThroughTime", "BPTT over a whole sequence"],
        ["7.4", "lstmStep", "the four gates, cₜ and hₜ"],
        ["7.5", "lstmStepBackward", "one LSTM step back, the cell carried"],
        ["7.6", "gruStep", "reset, update, candidate (PyTorch's)"],
        ["7.7", "sampleWithTemperature", "softmax(z / T) and one draw"],
        ["7.8", "embeddingBackward", "the scatter-add"],
        ["7.9", "stackedRNN", "two RNN layers, dropout between them"],
    ])
lesson.finish()
