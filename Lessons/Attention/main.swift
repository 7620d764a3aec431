// Chapter 8 — Attention: additive and scaled dot-product attention, masks, multi-head
// attention, positional encodings, layer normalization, the transformer encoder block,
// a transformer that reverses digit strings, and a causal one on Shakespeare.
// Run: swift run attention

import Activations
import Attention
import Backprop
import Datasets
import Foundation
import LSTM
import LinearAlgebra
import Notebook
import NumericChecks
import Optimizers
import Randomness

let lesson = Lesson(
    command: "attention",
    title: "Chapter 8 · Attention and the transformer",
    summary: """
        Every position looks at every other and takes what it needs: attention as a soft \
        lookup, its scaled dot-product form with masks, many heads at once, positions \
        added back in, the transformer block, and two transformers trained from scratch.
        """)

func rowText(_ values: ArraySlice<Double>, _ places: Int = 3) -> String {
    values.map { decimal($0, places).padding(toLength: 7, withPad: " ", startingAt: 0) }.joined()
}

// MARK: - 1

lesson.section("Attention: a soft lookup")
lesson.prose(
    """
    A recurrent network squeezes everything it has read into one state vector. \
    Attention keeps every state and lets each output ask for what it needs: score every \
    state against a query, turn the scores into weights with a softmax, and take the \
    weighted mix. The first form (Bahdanau, Cho and Bengio, 2014) scores with a small \
    network, additive attention:
    """)
lesson.equation(
    """
    eⱼ = vᵀ tanh(W_s s + W_h hⱼ)      α = softmax(e)      context = Σⱼ αⱼ hⱼ
    """)
let additiveStates: [[Double]] = [[1, 0], [0, 1], [1, 1], [-1, 0]]
let additive = additiveAttention(
    query: [1, -1], states: additiveStates, queryWeights: Matrix([[1, 0], [0, 1]]), stateWeights: Matrix([[1, 0], [0, 1]]), scorer: [2, -2])
lesson.prose(
    """
    With W_s = W_h = I and v = (2, −2), the score grows with the first coordinate of \
    s + hⱼ and falls with the second; the query s = (1, −1) and four states:
    """)
lesson.table(
    headers: ["state hⱼ", "weight αⱼ"],
    rows: zip(additiveStates, additive.weights).map { ["(\(decimal($0[0], 0)), \(decimal($0[1], 0)))", decimal($1, 4)] })
let favourite = additive.weights.indices.max { additive.weights[$0] < additive.weights[$1] }!
lesson.prose(
    """
    The weights sum to 1; state (\(decimal(additiveStates[favourite][0], 0)), \
    \(decimal(additiveStates[favourite][1], 0))) gets the most, \(percent(additive.weights[favourite])). The context is \
    (\(decimal(additive.context[0], 4)), \(decimal(additive.context[1], 4))): a mix of the states, \
    not a choice of one, so the whole thing is differentiable and learns by gradient \
    descent.
    """)

// MARK: - 2

lesson.section("Scaled dot-product attention and masks")
lesson.prose(
    """
    The transformer (Vaswani et al., 2017) replaced the scoring network by a dot \
    product, which for a whole sequence is one matrix product. Each position emits a \
    query q, a key k and a value v; query i weighs value j by how well qᵢ matches kⱼ:
    """)
lesson.equation(
    """
    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V        softmax along each row
    Q (T_q × d_k)   K (T_k × d_k)   V (T_k × d_v)   → (T_q × d_v)
    """)
var scaleRNG = SeededGenerator(seed: lesson.seed + 1)
var scaleRows: [[String]] = []
for dk in [4, 64, 512] {
    var raw: [Double] = [], largestWeights: [Double] = []
    for _ in 0..<200 {
        let q = scaleRNG.normals(dk)
        let scores = (0..<16).map { _ in zip(q, scaleRNG.normals(dk)).map(*).reduce(0, +) }
        raw += scores
        largestWeights.append(softmax(scores).max()!)
    }
    let deviation = (raw.map { $0 * $0 }.reduce(0, +) / Double(raw.count)).squareRoot()
    scaleRows.append([
        "\(dk)", decimal(deviation, 2), decimal(deviation / Double(dk).squareRoot(), 2),
        percent(largestWeights.reduce(0, +) / Double(largestWeights.count)),
    ])
}
lesson.prose(
    """
    Why √d_k: a dot product of d_k independent terms of variance 1 has variance d_k. \
    Measured over 200 random queries against 16 random keys each:
    """)
lesson.table(headers: ["d_k", "spread of q·k", "spread of q·k/√d_k", "largest weight, unscaled"], rows: scaleRows)
lesson.prose(
    """
    Unscaled, the scores spread like √d_k, and at d_k = 512 the softmax puts \
    \(scaleRows[2][3]) of the weight on one key on average: nearly one-hot, where its \
    gradient vanishes. Divided by √d_k, the spread stays near 1 whatever the width.

    A mask hides keys by setting their scores to −∞ before the softmax, so their weight \
    is exactly 0 and no gradient flows to them. A causal mask lets position i see \
    positions 0…i only (a decoder must not read the future it predicts); a padding mask \
    hides the filler at the end of shorter sequences in a batch. Four positions, \
    queries and keys from the same random vectors, causal:
    """)
var maskRNG = SeededGenerator(seed: lesson.seed + 2)
let maskSequence = Matrix(rows: 4, columns: 3, values: maskRNG.normals(12))
let causalWeights = scaledDotProductAttention(queries: maskSequence, keys: maskSequence, values: maskSequence) { i, j in j <= i }.weights
lesson.output((0..<4).map { i in "query \(i):  " + rowText(causalWeights.values[(i * 4)..<(i * 4 + 4)]) }.joined(separator: "\n"))
let aboveZero = (0..<4).allSatisfy { i in (0..<4).allSatisfy { j in j <= i || causalWeights[i, j] == 0 } }
lesson.prose(
    """
    \(aboveZero ? "Every weight above the diagonal is exactly 0, and each row sums to 1 over what it may see." : "Some weight above the diagonal is not 0: the mask failed.") \
    Backward, with G = ∂L/∂O: ∂L/∂V = Aᵀ G, ∂L/∂A = G Vᵀ, then the softmax's backward \
    row by row, ∂L/∂S = A ⊙ (∂L/∂A − rowsum(∂L/∂A ⊙ A)), and ∂L/∂Q = ∂L/∂S K/√d_k, \
    ∂L/∂K = ∂L/∂Sᵀ Q/√d_k.
    """)

// MARK: - 3

lesson.section("Many heads")
lesson.prose(
    """
    One attention mixes by one notion of similarity. Multi-head attention runs h of \
    them side by side on slices of learned projections, and mixes their results back:
    """)
lesson.equation(
    """
    Q = X W_qᵀ + b_q      K = X_m W_kᵀ + b_k      V = X_m W_vᵀ + b_v
    head j = Attention(Q_j, K_j, V_j)      Q_j: columns j·d_h ..< (j+1)·d_h
    Y = [head 1 | … | head h] W_oᵀ + b_o   d_h = d / h
    """)
let headsExample = MultiHeadAttention(features: 64, heads: 4, using: &maskRNG)
lesson.prose(
    """
    X_m is X itself for self-attention, another sequence for cross-attention (a decoder \
    reading an encoder's output). Splitting costs nothing: the h heads together have \
    the parameters of one full-width attention, 4d² + 4d = \(headsExample.parameterCount) for \
    d = 64. The weights follow `nn.Linear`'s (out, in) layout. PyTorch's \
    `nn.MultiheadAttention` stacks W_q, W_k, W_v into one `in_proj_weight` (3d × d) and \
    their biases into `in_proj_bias`; the layer takes those as they are, and the tests \
    compare its outputs, attention weights and every gradient with PyTorch's, causal \
    and padded, self and cross, to 1e-12. Sequences are (B, T, d) here, batch first: \
    attention compares all positions of a sequence at once, so each sequence is one \
    contiguous T × d matrix.

    Checked against central differences (batch 2, 4 positions, d = 6, 3 heads):
    """)
var checkRNG = SeededGenerator(seed: lesson.seed + 3)
var checkRows: [[String]] = []
var everyCheckPassed = true
for (name, mask, dropout) in [
    ("causal", AttentionMask.causal, false), ("padding, lengths 4 and 2", .padding(lengths: [4, 2]), false), ("dropout 0.3, fixed keep-mask", .none, true),
] {
    var layer = MultiHeadAttention(features: 6, heads: 3, using: &checkRNG)
    layer.visitParameters { p in if p.name.hasPrefix("b") { p.value = checkRNG.normals(p.count, standardDeviation: 0.3) } }
    layer.mask = mask
    if dropout {
        layer.dropout = 0.3
        layer.keepMask = (0..<96).map { _ in checkRNG.uniform() > 0.3 }
    }
    let results = checkGradients(layer, input: Tensor(shape: [2, 4, 6], values: checkRNG.normals(48)), loss: weightedOutputLoss(checkRNG.normals(48)))
    everyCheckPassed = everyCheckPassed && results.allSatisfy(\.passed)
    checkRows.append([name, "\(results.count)", compact(results.map(\.worstRelativeError).max()!, significant: 2)])
}
for (name, preNorm) in [("encoder block, post-LN", false), ("encoder block, pre-LN", true)] {
    let block = EncoderBlock(features: 4, heads: 2, feedForward: 8, preNorm: preNorm, using: &checkRNG)
    let results = checkGradients(block, input: Tensor(shape: [2, 3, 4], values: checkRNG.normals(24)), loss: weightedOutputLoss(checkRNG.normals(24)))
    everyCheckPassed = everyCheckPassed && results.allSatisfy(\.passed)
    checkRows.append([name, "\(results.count)", compact(results.map(\.worstRelativeError).max()!, significant: 2)])
}
lesson.table(headers: ["layer", "arrays checked", "worst relative error"], rows: checkRows)
lesson.prose(
    everyCheckPassed
        ? "Every parameter and the input agree with central differences within 1e-7, through the mask, the softmax and the dropout."
        : "Some gradient does NOT agree with its central difference: see the table.")

// MARK: - 4

lesson.section("Where things are: positional encodings")
let positionTable = sinusoidalPositionalEncoding(positions: 32, features: 16)
lesson.prose(
    """
    Attention treats its input as a set: permute the positions and the outputs permute \
    the same way. Order has to be added to the input. The sinusoidal encoding adds to \
    position p the vector
    """)
lesson.equation(
    """
    PE[p, 2i] = sin(p / 10000^(2i/d))        PE[p, 2i+1] = cos(p / 10000^(2i/d))
    """)
lesson.plot(
    Heatmap(
        title: "sinusoidal encoding, 32 positions × 16 features", values: positionTable.values, rows: 32, columns: 16,
        rowLabels: (0..<32).map { $0 % 8 == 0 ? "\($0)" : "" }, columnLabels: (0..<16).map { $0 % 4 == 0 ? "\($0)" : "" }))
let similarities = [0, 1, 2, 4, 8, 16].map { k in zip(positionTable.row(8), positionTable.row(8 + k)).map(*).reduce(0, +) }
let falling = zip(similarities.dropFirst(), similarities).allSatisfy { $0 < $1 }
lesson.prose(
    """
    Each pair of features turns at its own rate, from one radian per position down to \
    1/10000 of that, so every position has its own pattern, and PE[p + k] is a fixed \
    rotation of PE[p] in each pair: an offset is a linear map the attention can learn. \
    The dot product PE[8] · PE[8 + k] for k = 0, 1, 2, 4, 8, 16: \
    \(similarities.map { decimal($0, 2) }.joined(separator: ", ")) — \(falling ? "it falls as the positions move apart" : "it does not fall steadily with the distance"). \
    The alternative is a learned table, one vector per position (GPT-2's choice), which \
    the model fits like any weight but cannot extend past the longest training sequence.
    """)

// MARK: - 5

lesson.section("The transformer block")
lesson.prose(
    """
    A block is self-attention and a position-wise feed-forward network (the same two \
    dense layers at every position), each with a residual connection and a layer \
    normalization. Layer normalization normalizes each position's d features by their \
    own mean and (biased) variance, then scales and shifts them by learned γ and β; \
    unlike batch normalization it needs no batch statistics. Two arrangements:
    """)
lesson.equation(
    """
    post-LN (2017):   Z = LN(X + MHA(X))        Y = LN(Z + FFN(Z))
    pre-LN (GPT-2):   Z = X + MHA(LN(X))        Y = Z + FFN(LN(Z))
    FFN(z) = ReLU(z W₁ᵀ + b₁) W₂ᵀ + b₂
    """)
lesson.prose(
    """
    Pre-LN keeps an untouched identity path from the input to the output of every \
    block, so gradients reach early blocks undiminished; post-LN puts a normalization \
    on that path. Both equal PyTorch's `nn.TransformerEncoderLayer` (norm_first False \
    and True) in the tests. Section 6 trains both on one task.
    """)

// MARK: - 6

lesson.section("A transformer that reverses digit strings")
let (digitLength, digitCount) = (8, 10)
/// Random digit strings, inputs (B, T) and as targets each string reversed.
struct DigitStrings: TrainingData {
    var strings: [[Int]]
    var count: Int { strings.count }
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: [Int]) {
        let chosen = indices.map { strings[$0] }
        return (Tensor(shape: [chosen.count, chosen[0].count], values: chosen.flatMap { $0.map(Double.init) }), chosen.flatMap { $0.reversed() })
    }
}
var digitRNG = SeededGenerator(seed: lesson.seed + 4)
let trainStrings = DigitStrings(strings: (0..<4000).map { _ in (0..<digitLength).map { _ in digitRNG.int(below: digitCount) } })
let trainSet = Set(trainStrings.strings)
var heldOut: [[Int]] = []
while heldOut.count < 1000 {
    let s = (0..<digitLength).map { _ in digitRNG.int(below: digitCount) }
    if !trainSet.contains(s) { heldOut.append(s) }
}
let testStrings = DigitStrings(strings: heldOut)
let reverseEpochs = 6
lesson.prose(
    """
    The task: read \(digitLength) digits, write them in reverse order, one output per \
    position. The model: an embedding of 32 numbers per digit plus the sinusoidal \
    encoding, one encoder block (4 heads, feed-forward 64), a dense layer to 10 scores \
    at every position; softmax cross-entropy. \(trainStrings.count) random strings to \
    train on, \(testStrings.count) other ones (none of them in the training set) to \
    test; Adam (η = 0.003), batches of 32, \(reverseEpochs) epochs, once with each block \
    arrangement from the same initial weights.
    """)

@MainActor func reversalModel(preNorm: Bool) -> Sequential {
    var modelRNG = SeededGenerator(seed: lesson.seed + 5)
    return Sequential([
        Embedding(vocabulary: digitCount, dimension: 32, using: &modelRNG, name: "d"),
        PositionalEncoding(maxLength: digitLength, features: 32),
        EncoderBlock(features: 32, heads: 4, feedForward: 64, preNorm: preNorm, using: &modelRNG, name: "1"),
        SequenceRows(),
        Dense(inputs: 32, outputs: digitCount, initialization: .xavier, using: &modelRNG, name: "y"),
    ])
}

/// The share of strings whose every position is predicted right.
func exactAccuracy(_ model: Sequential, _ data: DigitStrings) -> Double {
    let (x, targets) = data.batch(Array(0..<data.count)[...])
    let scores = model.predict(x)
    let classes = scores.values.count / targets.count
    var right = 0
    for n in 0..<data.count {
        let allRight = (0..<digitLength).allSatisfy { t in
            let row = n * digitLength + t
            let rowScores = scores.values[(row * classes)..<((row + 1) * classes)]
            return rowScores.indices.max { rowScores[$0] < rowScores[$1] }! - row * classes == targets[row]
        }
        if allRight { right += 1 }
    }
    return Double(right) / Double(data.count)
}

var reversalRuns: [(name: String, history: [EpochRecord], model: Sequential)] = []
for (name, preNorm) in [("post-LN", false), ("pre-LN", true)] {
    var model = reversalModel(preNorm: preNorm)
    var adam = Adam(learningRate: 0.003)
    var orderRNG = SeededGenerator(seed: lesson.seed + 6)
    let progress = lesson.progress("reversal, \(name)", total: reverseEpochs)
    let run = train(
        &model, on: trainStrings, validation: testStrings, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: reverseEpochs, batchSize: 32,
        order: .shuffled(epochs: reverseEpochs, count: trainStrings.count, using: &orderRNG), evaluatesTrainingSet: false
    ) { record in progress.advance(note: "loss \(decimal(record.trainingLoss, 4))") }
    reversalRuns.append((name, run.history, model))
}
lesson.plot(
    LinePlot(
        title: "training loss while learning to reverse", xLabel: "epoch", yLabel: "cross-entropy",
        series: reversalRuns.map { LinePlot.Series($0.name, y: $0.history.map(\.trainingLoss)) }, logScaleY: true))
let reversalAccuracies = reversalRuns.map { exactAccuracy($0.model, testStrings) }
lesson.table(
    headers: ["block", "loss, epoch 1", "epoch \(reverseEpochs)", "held-out digits right", "held-out strings right"],
    rows: zip(reversalRuns, reversalAccuracies).map { run, exact in
        [
            run.name, decimal(run.history[0].trainingLoss, 4), decimal(run.history.last!.trainingLoss, 4), percent(run.history.last!.validation!.accuracy!),
            percent(exact),
        ]
    })
let bestReversal = reversalAccuracies[0] >= reversalAccuracies[1] ? 0 : 1
let (postFirst, preFirst) = (reversalRuns[0].history[0].trainingLoss, reversalRuns[1].history[0].trainingLoss)
lesson.prose(
    """
    A string counts only if all \(digitLength) digits are right. \
    \(reversalAccuracies.allSatisfy { $0 >= 0.99 } ? "Both blocks reverse at least 99% of the held-out strings." : "Not both blocks reach 99% of the held-out strings in \(reverseEpochs) epochs.") \
    \(preFirst < postFirst
        ? "Pre-LN starts faster (first-epoch loss \(decimal(preFirst, 3)) against \(decimal(postFirst, 3)))"
        : "Post-LN starts faster here (first-epoch loss \(decimal(postFirst, 3)) against \(decimal(preFirst, 3)))"), \
    and ends at \(decimal(reversalRuns[1].history.last!.trainingLoss, 4)) against post-LN's \
    \(decimal(reversalRuns[0].history.last!.trainingLoss, 4)). One block is shallow; pre-LN's \
    advantage is chiefly that deep stacks train at all without a warm-up.
    """)
var shownModel = reversalRuns[bestReversal].model
let example = testStrings.strings[0]
_ = shownModel.forward(Tensor(shape: [1, digitLength], values: example.map(Double.init)), mode: .inference)
let block = shownModel.layers[2] as! EncoderBlock
let maps = block.attention.attentionWeights!
lesson.prose(
    """
    How it does it: the attention weights of the \(reversalRuns[bestReversal].name) model's 4 \
    heads for the held-out string \(example.map(String.init).joined()), one row per output \
    position, one column per input position:
    """)
var mapValues: [Double] = []  // the 4 heads side by side, a blank column between them
for i in 0..<digitLength {
    for h in 0..<4 {
        let start = (h * digitLength + i) * digitLength
        mapValues += maps.values[start..<(start + digitLength)]
        if h < 3 { mapValues.append(.nan) }
    }
}
lesson.plot(
    Heatmap(
        title: "attention of 4 heads (rows: queries, columns: keys)", values: mapValues, rows: digitLength, columns: 4 * digitLength + 3,
        range: 0...1))
var antiDiagonal = 0.0
for i in 0..<digitLength {
    antiDiagonal += (0..<4).map { h in maps.values[(h * digitLength + i) * digitLength + (digitLength - 1 - i)] }.max()!
}
antiDiagonal /= Double(digitLength)
lesson.prose(
    """
    Output position i needs input position \(digitLength - 1) − i. Averaged over the \
    positions, the head that attends most to that input gives it \(percent(antiDiagonal)) of \
    its weight\(antiDiagonal > 0.5 ? ": the anti-diagonal in the maps is the reversal itself" : ""). The \
    content of the digits is carried by the values; the positional encodings steer the \
    queries and keys.
    """)

// MARK: - 7

lesson.section("A causal transformer on Shakespeare")
let plays = try Shakespeare.plays()
let characters = CharacterVocabulary(plays)
let allTokens = characters.encode(plays)
let splitAt = allTokens.count * 9 / 10
let trainingText = Array(allTokens[..<splitAt]), validationText = Array(allTokens[splitAt...])
let bigram = CountingModel(order: 2, vocabularySize: characters.count, training: trainingText)
let bigramLoss = bigram.crossEntropy(validationText)
let (lmSteps, lmBatch, lmLength) = (120, 32, 64)
var lmRNG = SeededGenerator(seed: lesson.seed + 7)
let windowStarts = (0..<(lmSteps * lmBatch)).map { _ in lmRNG.int(below: trainingText.count - lmLength - 1) }
let validationTokens = Array(validationText.prefix(32_000))
lesson.prose(
    """
    Chapter 7's task again: predict each character of the plays from the ones before, \
    same split by position, same bigram baseline. A transformer sees a whole window at \
    once, so it needs the causal mask to not read the character it must predict. Both \
    models below get the same budget: \(lmSteps) batches of \(lmBatch) windows of \
    \(lmLength) characters from the same random places, Adam (η = 0.01 for the LSTM as \
    in Chapter 7; 0.015 for the transformer, the best of 0.001, 0.003, 0.008, 0.015 and \
    0.025 on the validation loss while writing this lesson), clipping at norm 5, and \
    both are scored on the first \(validationTokens.count) validation characters cut \
    into windows of \(lmLength), each window read from a blank start (no state carried \
    over, which the transformer could not do anyway).
    """)

@MainActor func trainLanguageModel(_ model: inout Sequential, batchFirst: Bool, learningRate: Double, name: String) -> Double {
    var adam = Adam(learningRate: learningRate)
    let windows = TextWindows(tokens: trainingText, length: lmLength, starts: windowStarts, batchFirst: batchFirst)
    let progress = lesson.progress(name, total: 1)
    train(
        &model, on: windows, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: 1, batchSize: lmBatch,
        plugins: [GradientClipping(maxNorm: 5)], evaluatesTrainingSet: false
    ) { record in progress.advance(note: "training loss \(decimal(record.trainingLoss, 3))") }
    return evaluate(model, on: TextWindows(tokens: validationTokens, length: lmLength, batchFirst: batchFirst), loss: SoftmaxCrossEntropy()).loss
}
var transformerRNG = SeededGenerator(seed: lesson.seed + 8)
var causalBlock = EncoderBlock(features: 64, heads: 4, feedForward: 256, preNorm: true, using: &transformerRNG, name: "1")
causalBlock.attention.mask = .causal
var transformerModel = Sequential([
    Embedding(vocabulary: characters.count, dimension: 64, using: &transformerRNG, name: "c"),
    PositionalEncoding(maxLength: lmLength, features: 64),
    causalBlock,
    SequenceRows(),
    LayerNorm(features: 64, name: "out"),
    Dense(inputs: 64, outputs: characters.count, initialization: .xavier, using: &transformerRNG, name: "y"),
])
var lstmRNG = SeededGenerator(seed: lesson.seed + 9)
var lstmModel = Sequential([
    Embedding(vocabulary: characters.count, dimension: 32, using: &lstmRNG, name: "c"),
    LSTMLayer(inputs: 32, hidden: 64, using: &lstmRNG),
    SequenceRows(),
    Dense(inputs: 64, outputs: characters.count, initialization: .xavier, using: &lstmRNG, name: "y"),
])
let transformerLoss = trainLanguageModel(&transformerModel, batchFirst: true, learningRate: 0.015, name: "causal transformer")
let lstmLoss = trainLanguageModel(&lstmModel, batchFirst: false, learningRate: 0.01, name: "LSTM (Chapter 7's)")
/// Multiply-adds of one forward pass over one window, counted from the layer sizes.
let (d, v, t) = (64, characters.count, lmLength)
let transformerForward = t * (4 * d * d + 2 * d * 256 + d * v) + 2 * t * t * d / 2  // causal: half the score matrix is used
let lstmForward = t * (4 * 64 * 32 + 4 * 64 * 64 + 64 * v)
let trainingWindows = lmSteps * lmBatch
lesson.table(
    headers: ["model", "parameters", "training multiply-adds", "nats/char", "bits/char"],
    rows: [
        ["bigram counts", "\(characters.count * characters.count)", "(counting)", decimal(bigramLoss, 3), decimal(bigramLoss / log(2), 3)],
        [
            "LSTM 64", "\(lstmModel.parameterCount)", compact(3 * Double(lstmForward * trainingWindows), significant: 2),
            decimal(lstmLoss, 3), decimal(lstmLoss / log(2), 3),
        ],
        [
            "transformer, 1 pre-LN block, d = 64", "\(transformerModel.parameterCount)",
            compact(3 * Double(transformerForward * trainingWindows), significant: 2),
            decimal(transformerLoss, 3), decimal(transformerLoss / log(2), 3),
        ],
    ])
let transformerWins = transformerLoss < lstmLoss
lesson.prose(
    """
    The bigram is scored here on all \(validationText.count - 1) validation characters, \
    the two networks on the first \(validationTokens.count) in windows. Training cost is \
    counted in multiply-adds (forward pass × 3 for forward and backward) rather than \
    seconds, so that this page is the same on every machine; on a terminal each \
    progress bar ends with the seconds it took on yours. \
    \(transformerWins
        ? "The transformer ends lower than the LSTM (\(decimal(transformerLoss, 3)) against \(decimal(lstmLoss, 3)) nats)"
        : "The LSTM ends lower than the transformer (\(decimal(lstmLoss, 3)) against \(decimal(transformerLoss, 3)) nats)") \
    on this small budget, \(min(transformerLoss, lstmLoss) < bigramLoss ? "and both networks \(max(transformerLoss, lstmLoss) < bigramLoss ? "" : "do not all ")beat the bigram's \(decimal(bigramLoss, 3))" : "and neither beats the bigram's \(decimal(bigramLoss, 3)) yet"). \
    A transformer pays attention's T² for a view of the whole window at every step; \
    what it buys shows with more data, more layers and longer training than a lesson \
    can run.
    """)
var sampleRNG = SeededGenerator(seed: lesson.seed + 10)
var context = characters.encode("KING.\n")
for _ in 0..<200 {
    let window = Array(context.suffix(lmLength))
    let scores = transformerModel.predict(Tensor(shape: [1, window.count], values: window.map(Double.init)))
    context.append(sample(logits: Array(scores.values.suffix(characters.count)), temperature: 0.8, using: &sampleRNG))
}
lesson.prose("A sample from the transformer at temperature 0.8, each character predicted from the 64 before it:")
lesson.output(characters.decode(context).split(separator: "\n", omittingEmptySubsequences: false).map { String($0.prefix(76)) }.joined(separator: "\n"))

// MARK: - 8

lesson.section("What direct access buys: a digit from far back")
let (recallLength, recallTrain, recallTest, recallEpochs) = (24, 3000, 500, 4)
/// Strings of random digits; the answer, read at the last position, is the first digit.
struct RecallStrings: TrainingData {
    var strings: [[Int]]
    var count: Int { strings.count }
    /// Inputs (B, T), batch first; one target per string.
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: [Int]) {
        let chosen = indices.map { strings[$0] }
        return (Tensor(shape: [chosen.count, chosen[0].count], values: chosen.flatMap { $0.map(Double.init) }).laidOut(.batchFirst), chosen.map { $0[0] })
    }
}
var recallRNG = SeededGenerator(seed: lesson.seed + 11)
let recallTraining = RecallStrings(strings: (0..<recallTrain).map { _ in (0..<recallLength).map { _ in recallRNG.int(below: 10) } })
let recallHeldOut = RecallStrings(strings: (0..<recallTest).map { _ in (0..<recallLength).map { _ in recallRNG.int(below: 10) } })
lesson.prose(
    """
    The Shakespeare table favours the LSTM; a task where the answer lies far back \
    favours attention. Read \(recallLength) random digits and, at the last one, name the \
    first. An LSTM must carry that digit through \(recallLength - 1) steps of distracting \
    digits in its state, and its gradient must travel back as far; a transformer's last \
    position can look at position 0 directly. Both read the string as (batch, time) \
    digits through an embedding of 32; SwapAxes turns the LSTM's input time-first and \
    LastStep keeps its last state, while the transformer's output is swapped the same way \
    to take its last position. The same \(recallTrain) training strings, Adam \
    (η = 0.003), batches of 32, \(recallEpochs) epochs; \(recallTest) other strings to test.
    """)
@MainActor func recallModel(transformer: Bool) -> Sequential {
    var modelRNG = SeededGenerator(seed: lesson.seed + 12)
    let embedding = Embedding(vocabulary: 10, dimension: 32, using: &modelRNG, name: "d")
    let body: [any Layer] =
        transformer
        ? [
            PositionalEncoding(maxLength: recallLength, features: 32),
            EncoderBlock(features: 32, heads: 4, feedForward: 64, preNorm: true, using: &modelRNG, name: "1"), SwapAxes(), LastStep(),
        ]
        : [SwapAxes(), LSTMLayer(inputs: 32, hidden: 40, using: &modelRNG, name: "1"), LastStep()]
    return Sequential([embedding] + body + [Dense(inputs: transformer ? 32 : 40, outputs: 10, initialization: .xavier, using: &modelRNG, name: "y")])
}
var recallRuns: [(name: String, parameters: Int, history: [EpochRecord])] = []
for (name, transformer) in [("LSTM, 40 units", false), ("transformer, 1 pre-LN block", true)] {
    var model = recallModel(transformer: transformer)
    var adam = Adam(learningRate: 0.003)
    var orderRNG = SeededGenerator(seed: lesson.seed + 13)
    let progress = lesson.progress("recall, \(name)", total: recallEpochs)
    let run = train(
        &model, on: recallTraining, validation: recallHeldOut, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: recallEpochs,
        batchSize: 32, order: .shuffled(epochs: recallEpochs, count: recallTrain, using: &orderRNG), evaluatesTrainingSet: false
    ) { record in progress.advance(note: "held-out accuracy \(percent(record.validation!.accuracy!))") }
    recallRuns.append((name, model.parameterCount, run.history))
}
lesson.table(
    headers: ["model", "parameters"] + (1...recallEpochs).map { "epoch \($0)" },
    rows: recallRuns.map { run in [run.name, "\(run.parameters)"] + run.history.map { percent($0.validation!.accuracy!) } })
let (lstmRecall, transformerRecall) = (recallRuns[0].history.last!.validation!.accuracy!, recallRuns[1].history.last!.validation!.accuracy!)
lesson.prose(
    """
    Held-out accuracy after each epoch (a guess is right 10% of the time). \
    \(transformerRecall > lstmRecall
        ? "The transformer recalls the first digit of \(percent(transformerRecall)) of the held-out strings, the LSTM of \(percent(lstmRecall)), on the same budget: with direct access, the distance to the answer is no obstacle."
        : "Here the LSTM recalls as well as the transformer or better (\(percent(lstmRecall)) against \(percent(transformerRecall))): its forget gate, starting open, carries the first digit across \(recallLength - 1) steps.")
    """)

// MARK: - 8b

lesson.section("Which play is this line from? Attention for classifying")
let lineLength = 40
/// Each play's text, with its title.
let playTexts: [(title: String, tokens: [Int])] = {
    let rawLines = plays.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let titleIndices = rawLines.indices.filter { $0 + 2 < rawLines.count && rawLines[$0 + 2] == "by William Shakespeare" }
    return titleIndices.enumerated().map { k, start in
        let end = k + 1 < titleIndices.count ? titleIndices[k + 1] : rawLines.count
        return (rawLines[start], characters.encode(rawLines[start..<end].joined(separator: "\n")))
    }
}()
let (perPlayTraining, perPlayValidation) = (500, 120)
/// Lines as (batch, time) character indices, batch first, and the play of each.
struct LineSet: TrainingData {
    var lines: [[Int]], plays: [Int]
    var count: Int { lines.count }
    func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: [Int]) {
        (Tensor(shape: [indices.count, lineLength], values: indices.flatMap { lines[$0].map(Double.init) }).laidOut(.batchFirst), indices.map { plays[$0] })
    }
}
// Split by position inside each play: passages from its first 85% to train on, from the rest to validate.
var (trainLines, trainPlays, validLines, validPlays) = ([[Int]](), [Int](), [[Int]](), [Int]())
var passageRNG = SeededGenerator(seed: lesson.seed + 17)
for (play, entry) in playTexts.enumerated() {
    let cut = entry.tokens.count * 85 / 100
    for _ in 0..<perPlayTraining {
        let start = passageRNG.int(below: cut - lineLength)
        trainLines.append(Array(entry.tokens[start..<(start + lineLength)]))
        trainPlays.append(play)
    }
    for start in stride(from: cut, to: entry.tokens.count - lineLength, by: (entry.tokens.count - lineLength - cut) / perPlayValidation).prefix(
        perPlayValidation)
    {
        validLines.append(Array(entry.tokens[start..<(start + lineLength)]))
        validPlays.append(play)
    }
}
let lineTraining = LineSet(lines: trainLines, plays: trainPlays), lineValidation = LineSet(lines: validLines, plays: validPlays)
lesson.prose(
    """
    The seeds close with two classifiers: an LSTM whose states are pooled by a \
    learned attention, and a transformer classifier (an encoder block with dropout, \
    the mean over positions, a dense head). The task here: given a passage of \
    \(lineLength) characters, speakers' names and line breaks included, name which of the \
    \(playTexts.count) plays it comes from. Split by position inside each play: \(perPlayTraining) passages \
    from random places in its first 85% to train on (\(lineTraining.count) in all), \(perPlayValidation) evenly \
    spaced ones from the rest to validate (\(lineValidation.count)); a guess is right \
    \(percent(1 / Double(playTexts.count))) of the time. The baseline counts each character of the \
    passage (a bag of characters, order ignored) and feeds the counts to softmax \
    regression.

    Attention pooling scores each LSTM state hⱼ with a small network, \
    eⱼ = vᵀ tanh(W hⱼ + b), and averages the states with the weights α = softmax(e). \
    Its backward pass, gradient-checked in the tests:
    """)
lesson.equation(
    """
    ∂L/∂αⱼ = g · hⱼ          ∂L/∂eⱼ = αⱼ (∂L/∂αⱼ − Σₖ αₖ ∂L/∂αₖ)
    ∂L/∂uⱼ = ∂L/∂eⱼ v ⊙ (1 − tanh²(uⱼ)),   uⱼ = W hⱼ + b
    ∂L/∂hⱼ = αⱼ g + Wᵀ ∂L/∂uⱼ
    """)
let classifierEpochs = 4
/// Counts of each character, divided by the line's length.
func bagOfCharacters(_ set: LineSet) -> ClassificationSet {
    ClassificationSet(
        inputs: set.lines.map { line in
            var counts = [Double](repeating: 0, count: characters.count)
            for c in line { counts[c] += 1 / Double(lineLength) }
            return counts
        }, labels: set.plays, classCount: playTexts.count)
}
var bagRNG = SeededGenerator(seed: lesson.seed + 14)
var bagModel = Sequential([Dense(inputs: characters.count, outputs: playTexts.count, initialization: .xavier, using: &bagRNG, name: "y")])
var bagAdam = Adam(learningRate: 0.01)
let (bagTraining, bagValidation) = (bagOfCharacters(lineTraining), bagOfCharacters(lineValidation))
train(
    &bagModel, on: bagTraining, loss: SoftmaxCrossEntropy(), optimizer: &bagAdam, epochs: 30, batchSize: 32,
    order: .shuffled(epochs: 30, count: bagTraining.count, using: &bagRNG), evaluatesTrainingSet: false)
let bagAccuracy = bagModel.accuracy(on: bagValidation)
@MainActor func lineClassifier(transformer: Bool) -> Sequential {
    var rng = SeededGenerator(seed: lesson.seed + 15)
    if transformer {
        return Sequential([
            Embedding(vocabulary: characters.count, dimension: 32, using: &rng, name: "c"),
            PositionalEncoding(maxLength: lineLength, features: 32),
            EncoderBlock(features: 32, heads: 2, feedForward: 64, preNorm: true, dropout: 0.1, using: &rng, name: "1"),
            PositionMean(),
            Dense(inputs: 32, outputs: playTexts.count, initialization: .xavier, using: &rng, name: "y"),
        ])
    }
    return Sequential([
        Embedding(vocabulary: characters.count, dimension: 16, using: &rng, name: "c"), SwapAxes(),
        LSTMLayer(inputs: 16, hidden: 32, using: &rng, name: "1"),
        AttentionPooling(features: 32, attentionSize: 16, using: &rng),
        Dense(inputs: 32, outputs: playTexts.count, initialization: .xavier, using: &rng, name: "y"),
    ])
}
var classifierRows: [[String]] = [["bag of characters", "\(bagModel.parameterCount)", percent(bagAccuracy)]]
var classifiers: [Sequential] = []
for (name, transformer) in [("LSTM + attention pooling", false), ("transformer classifier", true)] {
    var model = lineClassifier(transformer: transformer)
    var adam = Adam(learningRate: 0.01)
    var orderRNG = SeededGenerator(seed: lesson.seed + 16)
    let progress = lesson.progress(name, total: classifierEpochs)
    let run = train(
        &model, on: lineTraining, validation: lineValidation, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: classifierEpochs,
        batchSize: 32, order: .shuffled(epochs: classifierEpochs, count: lineTraining.count, using: &orderRNG), plugins: [GradientClipping(maxNorm: 5)],
        evaluatesTrainingSet: false
    ) { record in progress.advance(note: "validation \(percent(record.validation!.accuracy!))") }
    classifierRows.append([name, "\(model.parameterCount)", percent(run.history.last!.validation!.accuracy!)])
    classifiers.append(model)
}
lesson.table(headers: ["model", "parameters", "validation accuracy"], rows: classifierRows)
let (lstmLineAccuracy, transformerLineAccuracy) = (
    evaluate(classifiers[0], on: lineValidation, loss: SoftmaxCrossEntropy()).accuracy!,
    evaluate(classifiers[1], on: lineValidation, loss: SoftmaxCrossEntropy()).accuracy!
)
let bestLine = [("the bag of characters", bagAccuracy), ("the LSTM with attention", lstmLineAccuracy), ("the transformer", transformerLineAccuracy)]
    .max { $0.1 < $1.1 }!
lesson.prose(
    """
    \(bestLine.0.prefix(1).uppercased() + bestLine.0.dropFirst()) does best (\(percent(bestLine.1))). \
    \(lstmLineAccuracy > bagAccuracy && transformerLineAccuracy > bagAccuracy
        ? "Both sequence models beat the bag of characters: the order of the characters carries what counting misses, words and names."
        : lstmLineAccuracy > bagAccuracy || transformerLineAccuracy > bagAccuracy
            ? "The \(lstmLineAccuracy > bagAccuracy ? "LSTM" : "transformer") beats the bag of characters; the \(lstmLineAccuracy > bagAccuracy ? "transformer" : "LSTM"), trained from scratch for \(classifierEpochs) epochs on \(lineTraining.count) passages, does not at this budget."
            : "Neither sequence model beats the bag of characters at this budget: much of what tells the plays apart is which letters occur, which counting already sees.") \
    Where the LSTM looked, for three validation passages (a line break shown as /): each character's weight α, \
    shown by a mark under it (blank below 1/\(lineLength), the uniform weight; ':' up to 2×, \
    '+' up to 4×, '#' above):
    """)
var looking = classifiers[0]
let shownLines = [0, lineValidation.count / 2, lineValidation.count - 1]
let shownBatch = lineValidation.batch(shownLines[...])
let shownScores = looking.forward(shownBatch.inputs, mode: .inference)
let pooled = looking.layer(3, as: AttentionPooling.self).lastWeights
var lookLines: [String] = []
for (k, index) in shownLines.enumerated() {
    let text = characters.decode(lineValidation.lines[index]).map { $0 == "\n" ? "/" : $0 }.map(String.init).joined()
    let marks = pooled[k].map { alpha -> Character in
        let ratio = alpha * Double(lineLength)
        return ratio < 1 ? " " : ratio < 2 ? ":" : ratio < 4 ? "+" : "#"
    }
    let predicted = (0..<playTexts.count).max { shownScores.values[k * playTexts.count + $0] < shownScores.values[k * playTexts.count + $1] }!
    lookLines += [
        text, String(marks),
        "  from \(playTexts[lineValidation.plays[index]].title.prefix(28)); read as \(playTexts[predicted].title.prefix(28))", "",
    ]
}
lesson.output(lookLines.dropLast().joined(separator: "\n"))
let peak = pooled.map { $0.max()! * Double(lineLength) }
lesson.prose(
    """
    The largest weight on each of these passages is \(peak.map { decimal($0, 1) }.joined(separator: ", ")) times the \
    uniform one: the pooling \(peak.allSatisfy { $0 > 2 } ? "picks out a few positions rather than averaging evenly" : "stays close to an even average on some lines"). \
    Because each LSTM state carries what came before it, a weight on position j reads \
    the passage up to j, not the character at j alone.
    """)

// MARK: - 9

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/Attention and fill in each function, then run \
    `swift run exercises attention`. Matrices are flat and row-major, one sequence at a \
    time. Forward passes are checked against this chapter's layers, backward passes \
    also against central differences.
    """)
lesson.table(
    headers: ["exercise", "function", "what it asks"],
    rows: [
        ["8.1", "attentionForward", "softmax(Q Kᵀ / √d_k) V, masked"],
        ["8.2", "attentionBackward", "∂L/∂Q, ∂L/∂K, ∂L/∂V"],
        ["8.3", "causalMask", "which keys each query may see"],
        ["8.4", "splitHeads, mergeHeads", "(T × d) ↔ h heads of (T × d/h)"],
        ["8.5", "positionalEncoding", "the sines and cosines"],
        ["8.6", "layerNormForward, layerNormBackward", "normalize each row; its gradients"],
        ["8.7", "attentionPoolingBackward", "attention pooling's gradients"],
    ])
lesson.finish()
