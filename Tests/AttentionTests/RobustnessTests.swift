import Backprop
import Foundation
import LSTM
import LinearAlgebra
import Randomness
import Testing

@testable import Attention

/// Extreme and degenerate values through Chapters 7 and 8: the recurrent layers, attention,
/// layer normalization, positional encoding and the core's newer losses.
///
/// Each result is sorted as in Chapters 2–5's suite: finite (and right, where the true value
/// is known), NaN propagated, infinity propagated (an infinity went in and the true answer
/// is that infinity), refused with a clear error (scores that overflow a Double: their
/// messages are tested one by one), or silent garbage (anything else).
nonisolated(unsafe) var shared = SeededGenerator(seed: 77)

@Suite("Robustness · Chapters 7–8: finite where the answer fits, NaN in → NaN out")
struct SequenceRobustnessTests {
    static let extremes: [Double] = [
        0, -0.0, 0x1p-1063, -0x1p-1063, .leastNonzeroMagnitude, 1, -1, 1e6, 1e150, -1e150, 1e300, -1e300,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
    ]
    static let inputs = extremes + [.nan, .infinity, -.infinity]

    final class Tally {
        var tried = 0, finite = 0, nanPropagated = 0, infinityPropagated = 0, refused = 0
        var garbage: [String] = []

        func record(_ what: @autoclosure () -> String, _ value: Double, input: Double, expected: Double? = nil) {
            tried += 1
            if input.isNaN {
                if value.isNaN { nanPropagated += 1 } else { garbage.append("\(what()) = \(value), but a NaN went in") }
            } else if let expected, expected.isInfinite {
                if value == expected { infinityPropagated += 1 } else { garbage.append("\(what()) = \(value), expected \(expected)") }
            } else if !value.isFinite {
                garbage.append("\(what()) = \(value)")
            } else if let expected, abs(value - expected) > 1e-12 * max(1, abs(expected)) {
                garbage.append("\(what()) = \(value), expected \(expected)")
            } else {
                finite += 1
            }
        }
    }

    @Test("every case is finite and right, NaN from NaN, ∞ from ∞, or refused by name; the counts are printed")
    func sweep() {
        let tally = Tally()
        // Recurrent layers: one step, weights 0.5, the input x = (v, v). Gates saturate, so
        // every state fits a Double whatever v (an infinite v included: tanh(∞) = 1).
        for v in Self.inputs {
            let x = Tensor(shape: [1, 1, 2], values: [v, v])
            let half = Matrix(rows: 1, columns: 2, values: [0.5, 0.5])
            var rnn = RNNLayer(inputWeights: half, hiddenWeights: Matrix(rows: 1, columns: 1, values: [0.5]), bias: [0])
            let expected = v.isNaN ? nil : tanh(0.5 * v + 0.5 * v)
            tally.record("RNN h(\(v))", rnn.forward(x, mode: .training).values[0], input: v.isInfinite ? 1 : v, expected: expected)
            var lstm = LSTMLayer(
                inputWeights: Matrix(rows: 4, columns: 2, values: [Double](repeating: 0.5, count: 8)),
                hiddenWeights: Matrix(rows: 4, columns: 1, values: [0.5, 0.5, 0.5, 0.5]), bias: [0, 0, 0, 0])
            let h = lstm.forward(x, mode: .training).values[0]
            tally.record("LSTM h(\(v))", h, input: v.isInfinite ? 1 : v)
            tally.record("LSTM c(\(v))", lstm.finalState!.cell!.values[0], input: v.isInfinite ? 1 : v)
            var gru = GRULayer(
                inputWeights: Matrix(rows: 3, columns: 2, values: [Double](repeating: 0.5, count: 6)),
                hiddenWeights: Matrix(rows: 3, columns: 1, values: [0.5, 0.5, 0.5]), inputBias: [0, 0, 0], hiddenBias: [0, 0, 0])
            tally.record("GRU h(\(v))", gru.forward(x, mode: .training).values[0], input: v.isInfinite ? 1 : v)
        }
        // Layer normalization of (v, 0, 0, 0): (√3, −1/√3, −1/√3, −1/√3) once ε is negligible,
        // however large v (the deviations' squares overflow; the normalized values do not).
        for v in Self.inputs where !v.isInfinite {
            var norm = LayerNorm(features: 4)
            let y = norm.forward(Tensor(shape: [1, 4], values: [v, 0, 0, 0]), mode: .training).values
            let large = abs(v) >= 1e6
            let sign: Double = v < 0 ? -1 : 1
            for (k, value) in y.enumerated() {
                let expected = large ? sign * (k == 0 ? 3.0.squareRoot() : -1 / 3.0.squareRoot()) : nil
                tally.record("layerNorm([\(v), 0, 0, 0])[\(k)]", value, input: v, expected: expected)
            }
            let dx = norm.backward(Tensor(shape: [1, 4], values: [1, -2, 0.5, 0.25])).values
            for (k, value) in dx.enumerated() { tally.record("layerNorm′([\(v), 0, 0, 0])[\(k)]", value, input: v) }
        }
        // Scaled dot-product attention on queries = keys = v·I: the scores are v²/√2; where
        // they overflow the layer refuses (its message is tested in AttentionCauses).
        for v in Self.inputs where !v.isInfinite {
            guard !(v * v / 2.0.squareRoot()).isInfinite else {
                tally.tried += 1
                tally.refused += 1
                continue
            }
            let q = Matrix(rows: 2, columns: 2, values: [v, 0, 0, v])
            let (output, weights) = scaledDotProductAttention(queries: q, keys: q, values: Matrix(rows: 2, columns: 1, values: [1, 2]))
            for (k, value) in output.values.enumerated() { tally.record("attention(\(v)·I)[\(k)]", value, input: v) }
            for (k, value) in weights.values.enumerated() { tally.record("attention weights(\(v)·I)[\(k)]", value, input: v) }
        }
        // Positional encoding adds a number in [−1, 1]: x + PE fits unless x is infinite.
        for v in Self.inputs {
            var encoding = PositionalEncoding(maxLength: 2, features: 2)
            let y = encoding.forward(Tensor(shape: [1, 2, 2], values: [v, v, v, v]), mode: .training).values
            let table = sinusoidalPositionalEncoding(positions: 2, features: 2).values
            for (k, value) in y.enumerated() { tally.record("positional(\(v))[\(k)]", value, input: v, expected: v.isNaN ? nil : v + table[k]) }
        }
        // Binary cross-entropy on logits: finite for every finite z (max(z, 0) − z y + log(1 + e^−|z|)).
        for z in Self.inputs where !z.isInfinite {
            for y in [0.0, 0.5, 1] {
                let (loss, gradient) = BinaryCrossEntropyWithLogits().evaluate(Tensor(shape: [1, 1], values: [z]), Tensor(shape: [1, 1], values: [y]))
                if !(y == 0.5 && abs(z) > 1e300) {  // max(z, 0) − z/2 is |z|/2 + …: fits; checked below with its value
                    tally.record("BCEwithLogits(\(z), \(y))", loss, input: z)
                } else {
                    tally.record("BCEwithLogits(\(z), \(y))", loss, input: z, expected: abs(z) / 2)
                }
                tally.record("BCEwithLogits′(\(z), \(y))", gradient.values[0], input: z)
            }
        }
        // Cross-entropy with an ignored row: the other row alone decides, at any scale.
        for a in Self.inputs where !a.isInfinite {
            let (loss, gradient) = SoftmaxCrossEntropy(ignoredLabel: -100).evaluate(Tensor(shape: [2, 2], values: [a, 0, .nan, .nan]), [0, -100])
            if !(-a).isInfinite { tally.record("CE ignoring a NaN row, logits [\(a), 0]", loss, input: a) }
            tally.record("CE′ ignoring a NaN row, ignored entry", gradient.values[2], input: 0, expected: 0)
        }

        // Multi-head attention and a whole encoder block on x = v everywhere, where the
        // scores (about v² times the weights' products) fit; larger v is refused by name.
        for v in Self.inputs where v.isNaN || (v.isFinite && abs(v) <= 1e150) {
            let x = Tensor(shape: [2, 3, 4], repeating: v).laidOut(.batchFirst)
            var attention = referenceAttention()
            for (k, value) in attention.forward(x, mode: .training).values.enumerated() {
                tally.record("MHA(\(v))[\(k)]", value, input: v)
            }
            for (k, value) in attention.backward(Tensor(shape: [2, 3, 4], repeating: 0.5)).values.enumerated() {
                tally.record("MHA′(\(v))[\(k)]", value, input: v)
            }
            var block = EncoderBlock(
                attention: referenceAttention(), feedForward: Sequential(sizes: [4, 6, 4], hidden: .relu, initialization: .xavier, using: &shared),
                preNorm: true)
            for (k, value) in block.forward(x, mode: .training).values.enumerated() where abs(v) < 1e100 || v.isNaN {
                tally.record("encoder block(\(v))[\(k)]", value, input: v)
            }
        }
        // Sampling at any scale and temperature: always a valid index, the largest score's
        // when one score dominates (T → 0 is the argmax).
        for v in Self.extremes where v > 0 {
            for temperature in [1e-300, 0.5, 1, 1e300] {
                var rng = SeededGenerator(seed: 3)
                let index = sample(logits: [v, 0, -v], temperature: temperature, using: &rng)
                let dominant = v / temperature > 50  // e^(−50) of the mass left to the others
                tally.record(
                    "sample([\(v), 0, −\(v)], T = \(temperature))", Double(index), input: v,
                    expected: dominant ? 0 : (0...2).contains(index) ? Double(index) : -1)
            }
        }
        // Embedding rows of any value are copied exactly, and their gradients summed.
        for v in Self.inputs {
            var embedding = Embedding(table: Matrix(rows: 2, columns: 2, values: [v, 1, -v, 2]))
            let y = embedding.forward(Tensor(shape: [2], values: [1, 0]), mode: .training).values
            for (k, value) in y.enumerated() {
                let fromV = k % 2 == 0  // entries 0 and 2 hold ∓v, 1 and 3 the constants 2 and 1
                tally.record("embedding(\(v))[\(k)]", value, input: fromV ? v : 0, expected: fromV && v.isNaN ? nil : [-v, 2, v, 1][k])
            }
        }
        // Counting models: probabilities are a distribution for any smoothing that fits.
        for smoothing in [1e-300, 1e-10, 1, 1e300] {
            let model = CountingModel(order: 2, vocabularySize: 3, training: [0, 1, 2, 0, 1], smoothing: smoothing)
            let p = model.probabilities(after: 0)
            tally.record("bigram Σp, α = \(smoothing)", p.reduce(0, +), input: smoothing, expected: 1)
            tally.record("bigram cross-entropy, α = \(smoothing)", model.crossEntropy([0, 2, 1, 1]), input: smoothing)
        }

        print(
            "robustness (Chapters 7–8): \(tally.tried) cases tried, \(tally.finite) finite and right, \(tally.nanPropagated) NaN propagated, "
                + "\(tally.infinityPropagated) ∞ propagated, \(tally.refused) refused with a clear error, \(tally.garbage.count) silent garbage")
        for line in tally.garbage { print("  garbage: \(line)") }
        #expect(tally.garbage.isEmpty, "silent garbage:\n\(tally.garbage.joined(separator: "\n"))")
        #expect(tally.tried == tally.finite + tally.nanPropagated + tally.infinityPropagated + tally.refused + tally.garbage.count)
    }
}

/// Degenerate sizes and arguments at every public entry point of Chapters 7 and 8: each
/// stops with a message that names the entry point (a `require`), never a bare trap of the
/// standard library (an index out of range, a division by zero, a stride of 0).
@Suite("Degenerate calls · Chapters 7–8: refused by name")
struct DegenerateSequenceCalls {
    static let calls: [String: String] = [
        "LayerNorm(features: 0)": "LayerNorm",
        "LayerNorm forward, wrong width": "LayerNorm",
        "PositionalEncoding(maxLength: 0)": "PositionalEncoding",
        "PositionalEncoding(features: 0)": "PositionalEncoding",
        "PositionalEncoding forward, too long": "PositionalEncoding",
        "sinusoidalPositionalEncoding(positions: -1)": "sinusoidalPositionalEncoding",
        "MultiHeadAttention(features: 6, heads: 4)": "MultiHeadAttention",
        "MultiHeadAttention(heads: 0)": "MultiHeadAttention",
        "EncoderBlock(features: 0)": "MultiHeadAttention",
        "Embedding(vocabulary: 0)": "Embedding",
        "Embedding forward, token 1.5": "Embedding",
        "RNNLayer(inputs: 0)": "RNNLayer",
        "GRULayer forward, wrong features": "GRULayer",
        "LSTMLayer forward, no steps": "LSTMLayer",
        "SequenceRows forward, rank 2": "SequenceRows",
        "LastStep forward, rank 2": "LastStep",
        "Bidirectional forward, rank 2": "Bidirectional",
        "reversedInTime, rank 0": "reversedInTime",
        "TextWindows, no window fits": "TextWindows",
        "CountingModel(order: 3)": "CountingModel",
        "CharacterVocabulary decode 99": "CharacterVocabulary",
        "attention, shapes that do not fit": "attention",
    ]

    @Test("each degenerate call stops with a message naming its entry point", arguments: calls.keys.sorted())
    func refused(_ call: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            var rng = SeededGenerator(seed: 1)
            switch call {
            case "LayerNorm(features: 0)": _ = LayerNorm(features: 0)
            case "LayerNorm forward, wrong width":
                var norm = LayerNorm(features: 4)
                _ = norm.forward(Tensor(shape: [2, 3]), mode: .inference)
            case "PositionalEncoding(maxLength: 0)": _ = PositionalEncoding(maxLength: 0, features: 4)
            case "PositionalEncoding(features: 0)": _ = PositionalEncoding(maxLength: 4, features: 0)
            case "PositionalEncoding forward, too long":
                var encoding = PositionalEncoding(maxLength: 2, features: 4)
                _ = encoding.forward(Tensor(shape: [1, 3, 4]), mode: .inference)
            case "sinusoidalPositionalEncoding(positions: -1)": _ = sinusoidalPositionalEncoding(positions: -1, features: 4)
            case "MultiHeadAttention(features: 6, heads: 4)": _ = MultiHeadAttention(features: 6, heads: 4, using: &rng)
            case "MultiHeadAttention(heads: 0)": _ = MultiHeadAttention(features: 4, heads: 0, using: &rng)
            case "EncoderBlock(features: 0)": _ = EncoderBlock(features: 0, heads: 1, feedForward: 2, using: &rng)
            case "Embedding(vocabulary: 0)": _ = Embedding(vocabulary: 0, dimension: 3, using: &rng)
            case "Embedding forward, token 1.5":
                var embedding = Embedding(vocabulary: 3, dimension: 2, using: &rng)
                _ = embedding.forward(Tensor(shape: [2], values: [0, 1.5]), mode: .inference)
            case "RNNLayer(inputs: 0)": _ = RNNLayer(inputs: 0, hidden: 3, using: &rng)
            case "GRULayer forward, wrong features":
                var gru = GRULayer(inputs: 2, hidden: 3, using: &rng)
                _ = gru.forward(Tensor(shape: [4, 1, 3]), mode: .inference)
            case "LSTMLayer forward, no steps":
                var lstm = LSTMLayer(inputs: 2, hidden: 3, using: &rng)
                _ = lstm.forward(Tensor(shape: [0, 1, 2]), mode: .inference)
            case "SequenceRows forward, rank 2":
                var rows = SequenceRows()
                _ = rows.forward(Tensor(shape: [2, 3]), mode: .inference)
            case "LastStep forward, rank 2":
                var last = LastStep()
                _ = last.forward(Tensor(shape: [2, 3]), mode: .inference)
            case "Bidirectional forward, rank 2":
                var both = Bidirectional(RNNLayer(inputs: 2, hidden: 2, using: &rng), RNNLayer(inputs: 2, hidden: 2, using: &rng))
                _ = both.forward(Tensor(shape: [2, 2]), mode: .inference)
            case "reversedInTime, rank 0": _ = reversedInTime(Tensor(shape: [], values: [1]))
            case "TextWindows, no window fits": _ = TextWindows(tokens: [0, 1], length: 5)
            case "CountingModel(order: 3)": _ = CountingModel(order: 3, vocabularySize: 2, training: [0, 1])
            case "CharacterVocabulary decode 99": _ = CharacterVocabulary("ab").decode([99])
            default:
                _ = scaledDotProductAttention(
                    queries: Matrix(rows: 2, columns: 3, values: [Double](repeating: 0, count: 6)), keys: Matrix(rows: 2, columns: 2, values: [0, 0, 0, 0]),
                    values: Matrix(rows: 2, columns: 1, values: [0, 0]))
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        let name = Self.calls[call]!
        #expect(message.contains("Fatal error: \(name)"), "\(call): \(message.prefix(300))")
        for trap in ["Index out of range", "Division by zero", "Stride size must not be zero", "overflow"] {
            #expect(!message.contains(trap), "\(call): a bare trap: \(message.prefix(300))")
        }
    }
}
