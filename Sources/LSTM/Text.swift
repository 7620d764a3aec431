import Activations
import Backprop
import Foundation
import LinearAlgebra
import Randomness
import Validation

/// The characters of a text, numbered: character ↔ index, in sorted order.
public struct CharacterVocabulary: Sendable, Equatable {
    /// The distinct characters, sorted; a character's index is its place here.
    public let characters: [Character]
    private let indices: [Character: Int]

    /// The vocabulary of every character in `text`.
    public init(_ text: String) {
        characters = Set(text).sorted()
        indices = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, $0) })
    }

    /// The number of characters.
    public var count: Int { characters.count }

    /// The index of every character of `text`, or an error naming the first unknown one.
    public func encode(_ text: String) -> [Int] {
        text.enumerated().map { position, character in
            guard let index = indices[character] else {
                requirementFailed("CharacterVocabulary: \(character.debugDescription) at position \(position) is not in the vocabulary of \(count) characters")
            }
            return index
        }
    }

    /// The text of a list of indices.
    public func decode(_ tokens: [Int]) -> String {
        String(
            tokens.map { token in
                require((0..<count).contains(token), "CharacterVocabulary: \(token) is not an index 0..<\(count)")
                return characters[token]
            })
    }
}

/// Counting models of text, the baselines a language model has to beat.
///
/// The unigram model predicts every character with its frequency in the training text,
/// ignoring what came before; the bigram model with its frequency after the previous
/// character. Both add `smoothing` (α) to every count, so a pair never seen in training
/// still gets a small probability instead of an infinite loss:
///
/// ```
/// p(c) = (n(c) + α) / (N + αV)            p(c | b) = (n(b c) + α) / (n(b ·) + αV)
/// ```
public struct CountingModel: Sendable {
    /// 1 for unigrams, 2 for bigrams.
    public let order: Int
    /// The number of distinct tokens.
    public let vocabularySize: Int
    /// The count added to every possible next token (add-one smoothing by default), so that no
    /// probability is 0.
    public let smoothing: Double
    private var counts: [Double]

    /// Counts of `tokens` as unigrams (order 1) or bigrams (order 2), smoothed; another order,
    /// a non-positive smoothing or a token outside the vocabulary stops naming it.
    public init(order: Int, vocabularySize: Int, training tokens: [Int], smoothing: Double = 1) {
        require(order == 1 || order == 2, "CountingModel: order 1 (unigram) or 2 (bigram), got \(order)")
        require(smoothing > 0 && smoothing.isFinite, "CountingModel: the smoothing must be a positive number, got \(smoothing)")
        require(vocabularySize > 0, "CountingModel: the vocabulary needs at least one token, got \(vocabularySize)")
        if let (position, token) = tokens.enumerated().first(where: { !(0..<vocabularySize).contains($0.element) }) {
            requirementFailed("CountingModel: training token \(position) is \(token), not a token of the vocabulary 0..<\(vocabularySize)")
        }
        self.order = order
        self.vocabularySize = vocabularySize
        self.smoothing = smoothing
        counts = [Double](repeating: 0, count: order == 1 ? vocabularySize : vocabularySize * vocabularySize)
        if order == 1 {
            for token in tokens { counts[token] += 1 }
        } else {
            for t in 1..<tokens.count { counts[tokens[t - 1] * vocabularySize + tokens[t]] += 1 }
        }
    }

    /// p(· | previous) for every character (previous is ignored by a unigram model).
    public func probabilities(after previous: Int?) -> [Double] {
        let v = vocabularySize
        if order == 2 {
            guard let previous else { requirementFailed("CountingModel: a bigram model needs the previous token") }
            require((0..<v).contains(previous), "CountingModel: the previous token \(previous) is not in the vocabulary 0..<\(v)")
        }
        let row = order == 1 ? Array(counts) : Array(counts[(previous! * v)..<((previous! + 1) * v)])
        let total = row.reduce(0, +) + smoothing * Double(v)
        return row.map { ($0 + smoothing) / total }
    }

    /// The mean cross-entropy in nats per character over `tokens` (from the second token on,
    /// so that unigram and bigram are scored on the same characters).
    public func crossEntropy(_ tokens: [Int]) -> Double {
        require(tokens.count >= 2, "CountingModel.crossEntropy: needs at least 2 tokens (the first is only context), got \(tokens.count)")
        if let (position, token) = tokens.enumerated().first(where: { !(0..<vocabularySize).contains($0.element) }) {
            requirementFailed("CountingModel.crossEntropy: token \(position) is \(token), not a token of the vocabulary 0..<\(vocabularySize)")
        }
        var total = 0.0
        for t in 1..<tokens.count {
            total -= log(probabilities(after: tokens[t - 1])[tokens[t]])
        }
        return total / Double(tokens.count - 1)
    }
}

/// Draws an index from softmax(logits / temperature).
///
/// Temperature 1 samples the model's own distribution; below 1 sharpens it toward the most
/// likely choices (0 would always take the largest), above 1 flattens it toward uniform.
/// The draw: one uniform u in [0, 1), then the first index whose cumulative probability
/// exceeds u.
public func sample(logits: [Double], temperature: Double, using generator: inout SeededGenerator) -> Int {
    require(!logits.isEmpty, "sample: no logits to choose from")
    require(temperature > 0 && temperature.isFinite, "sample: the temperature must be a positive number, got \(temperature)")
    if let (index, bad) = logits.enumerated().first(where: { !$0.element.isFinite }) {
        requirementFailed("sample: logit \(index) is \(bad); every logit must be a finite number to give a distribution")
    }
    let scaled = logits.map { $0 / temperature }
    let u = generator.uniform()
    // A score divided by a small temperature can overflow to +∞: then the distribution is
    // the limit T → 0 of the softmax, all of its mass shared by the infinite scores.
    let infinite = scaled.indices.filter { scaled[$0] == .infinity }
    if !infinite.isEmpty { return infinite[min(Int(u * Double(infinite.count)), infinite.count - 1)] }
    let probabilities = softmax(scaled)
    var cumulative = 0.0
    for (index, p) in probabilities.enumerated() {
        cumulative += p
        if u < cumulative { return index }
    }
    return probabilities.count - 1  // u fell in the last sliver that rounding left over
}

/// A token sequence cut into windows for next-token prediction, as the training loop's data.
///
/// Sample k is the window that starts at `starts[k]`: its inputs are the `length` tokens
/// from there, its targets the same tokens moved one ahead (each position's next token).
/// A batch of B windows has inputs (T, B), token indices for an ``Embedding``, and its
/// T·B targets in the order of ``SequenceRows``: step t of window n is row t·B + n.
/// Training on windows is truncated backpropagation through time: the gradient flows back
/// at most `length` steps, and each window starts from a zero state. With `batchFirst`
/// the inputs are (B, T) instead, for the attention layers of Chapter 8, and the targets
/// in the matching order: position t of window n is row n·T + t.
public struct TextWindows: TrainingData {
    /// The whole text as token indices.
    public let tokens: [Int]
    /// T, the length of a window.
    public let length: Int
    /// Where each window starts in `tokens`.
    public let starts: [Int]
    /// Whether batches are (B, T) for attention, rather than (T, B) for the recurrent layers.
    public var batchFirst = false

    /// Windows of `length` tokens starting at `starts` (each window's targets are the tokens one
    /// step later); a start whose window would run past the text stops naming it.
    public init(tokens: [Int], length: Int, starts: [Int], batchFirst: Bool = false) {
        require(length > 0, "TextWindows: the window length must be positive, got \(length)")
        for start in starts {
            require(
                start >= 0 && start + length < tokens.count,
                "TextWindows: a window of \(length) from \(start) (and its last target) does not fit in \(tokens.count) tokens")
        }
        self.tokens = tokens
        self.length = length
        self.starts = starts
        self.batchFirst = batchFirst
    }

    /// Consecutive windows that tile the tokens from the start (a last, shorter piece is left out).
    public init(tokens: [Int], length: Int, batchFirst: Bool = false) {
        require(length > 0, "TextWindows: the window length must be positive, got \(length)")
        require(
            tokens.count > length,
            "TextWindows: no window of \(length) tokens (and the target after it) fits in \(tokens.count) tokens")
        self.init(tokens: tokens, length: length, starts: Array(stride(from: 0, to: tokens.count - length, by: length)), batchFirst: batchFirst)
    }

    public var count: Int { starts.count }

    public func batch(_ indices: ArraySlice<Int>) -> (inputs: Tensor, targets: [Int]) {
        let b = indices.count
        var inputs = [Double](repeating: 0, count: length * b), targets = [Int](repeating: 0, count: length * b)
        for (n, index) in indices.enumerated() {
            for t in 0..<length {
                let row = batchFirst ? n * length + t : t * b + n
                inputs[row] = Double(tokens[starts[index] + t])
                targets[row] = tokens[starts[index] + t + 1]
            }
        }
        return (Tensor(shape: batchFirst ? [b, length] : [length, b], values: inputs).laidOut(batchFirst ? .batchFirst : .timeFirst), targets)
    }
}
