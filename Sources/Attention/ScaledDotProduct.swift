import Foundation
import LinearAlgebra
import Validation

// MARK: - Layout, stated once
//
// The attention layers take a batch of sequences as (B, T, d): batch first, each sequence
// one contiguous T × d matrix, because attention compares every position of a sequence
// with every other at once (PyTorch's `batch_first=True`). Chapter 7's recurrent layers
// walk time, so there time comes first; `SequenceRows` and `Reshape` convert.

/// Which keys each query may look at.
public enum AttentionMask: Sendable, Equatable {
    /// Every query sees every key.
    case none
    /// Query i sees keys 0…i only: a position cannot look ahead (a decoder, a language model).
    case causal
    /// Sequence n of the batch has `lengths[n]` real positions; keys from there on are
    /// padding and hidden from every query.
    case padding(lengths: [Int])
    /// Any pattern: `allowed[(i · T_k) + j]` says whether query i may look at key j, the
    /// same for every sequence (T_q · T_k entries), or `allowed[(n · T_q + i) · T_k + j]`
    /// for sequence n (B · T_q · T_k entries). True means "may look", the opposite of a
    /// boolean `attn_mask` in PyTorch, where True hides a key: pass `!mask` from there.
    case explicit(allowed: [Bool])

    /// Whether query i of sequence n may look at key j, among `queries` × `keys` per sequence.
    public func allows(sequence n: Int, query i: Int, key j: Int, queries: Int = 0, keys: Int = 0) -> Bool {
        switch self {
        case .none: true
        case .causal: j <= i
        case .padding(let lengths): j < lengths[n]
        case .explicit(let allowed): allowed.count == queries * keys ? allowed[i * keys + j] : allowed[(n * queries + i) * keys + j]
        }
    }
}

/// Scaled dot-product attention for one sequence and one head:
///
/// ```
/// S = Q Kᵀ / √d_k            (T_q × T_k) how well each query matches each key
/// S[i, j] = −∞ where the mask hides key j from query i
/// A = softmax of each row of S      each query's weights over the keys, summing to 1
/// O = A V                     (T_q × d_v) each query's weighted mix of the values
/// ```
/// Dividing by √d_k keeps the scores' spread near 1 whatever d_k: a dot product of d_k
/// random unit-variance terms has variance d_k, and a softmax of large scores saturates
/// to one-hot, where its gradient vanishes. A hidden key gets weight exactly 0 (e^−∞);
/// a query that may see no key at all is an error.
public func scaledDotProductAttention(
    queries q: Matrix, keys k: Matrix, values v: Matrix, allowed: (_ query: Int, _ key: Int) -> Bool = { _, _ in true }
) -> (output: Matrix, weights: Matrix) {
    withoutActuallyEscaping(allowed) { attention(queries: q, keys: k, values: v, allowed: $0) }
}

/// The attention above; `allowed` nil lets every query see every key without asking.
func attention(
    queries q: Matrix, keys k: Matrix, values v: Matrix, allowed: ((_ query: Int, _ key: Int) -> Bool)?
) -> (output: Matrix, weights: Matrix) {
    require(
        q.columns == k.columns && k.rows == v.rows,
        "attention: queries \(q.shapeDescription), keys \(k.shapeDescription) and values \(v.shapeDescription) do not fit "
            + "(queries and keys need the same width, keys and values the same count)")
    require(q.columns > 0, "attention: queries \(q.shapeDescription) and keys \(k.shapeDescription) have width 0 (d_k = 0): there are no scores to compute")
    require(k.rows > 0, "attention: no keys, \(k.shapeDescription): each query needs at least one key to attend to")
    let scale = 1 / Double(q.columns).squareRoot()
    var weights = matmul(q, transposeOf: k).values  // Q Kᵀ, row i: query i's scores over the keys
    let keys = k.rows
    // Row by row through a pointer (no bounds checks: every attention head of every batch
    // runs this): scale, mask, then a stable softmax.
    weights.withUnsafeMutableBufferPointer { weights in
        rows: for i in 0..<q.rows {
            let row = weights.baseAddress! + i * keys
            var largest = -Double.infinity
            var visible = 0
            for j in 0..<keys {
                if let allowed, !allowed(i, j) {
                    row[j] = -Double.infinity
                    continue
                }
                let score = row[j] * scale
                row[j] = score
                visible += 1
                if score.isNaN {  // NaN in, NaN out: the whole row of weights is NaN
                    for j in 0..<keys { row[j] = .nan }
                    continue rows
                }
                if score.isInfinite {
                    requirementFailed(
                        "attention: the score of query \(i) for key \(j) is \(score): q·k / √d_k overflowed a Double "
                            + "(the queries or keys hold values too large to multiply)")
                }
                largest = max(largest, score)
            }
            guard visible > 0 else { requirementFailed("attention: the mask hides every key from query \(i)") }
            var sum = 0.0
            for j in 0..<keys {
                let e = exp(row[j] - largest)  // e^−∞ = 0 for a hidden key
                row[j] = e
                sum += e
            }
            for j in 0..<keys { row[j] /= sum }
        }
    }
    let a = Matrix(rows: q.rows, columns: keys, values: weights)
    return (matmul(a, v), a)
}

/// The gradients of ``scaledDotProductAttention(queries:keys:values:allowed:)`` given
/// G = ∂L/∂O and the weights A of the forward pass:
///
/// ```
/// ∂L/∂V = Aᵀ G          ∂L/∂A = G Vᵀ
/// ∂L/∂S = A ⊙ (∂L/∂A − rowsum(∂L/∂A ⊙ A))        the softmax's backward, row by row
/// ∂L/∂Q = ∂L/∂S K / √d_k      ∂L/∂K = ∂L/∂Sᵀ Q / √d_k
/// ```
/// A hidden key has A = 0, so ∂L/∂S is 0 there: no gradient flows through the mask.
/// With attention dropout the forward pass used O = (A ⊙ D) V, D holding 0 for a dropped
/// weight and 1/(1 − p) for a kept one; pass D as `dropout` and ∂L/∂A gets ⊙ D.
public func scaledDotProductAttentionBackward(
    _ outputGradient: Matrix, queries q: Matrix, keys k: Matrix, values v: Matrix, weights a: Matrix, dropout: Matrix? = nil
) -> (queries: Matrix, keys: Matrix, values: Matrix) {
    let scale = 1 / Double(q.columns).squareRoot()
    a.values.withUnsafeBufferPointer { values in
        for i in 0..<a.rows {  // the weights must be a softmax's: rows of numbers in [0, 1] summing to 1
            var (sum, inRange, nan) = (0.0, true, false)
            for j in 0..<a.columns {
                let weight = values[i * a.columns + j]
                sum += weight
                inRange = inRange && weight >= 0 && weight <= 1
                nan = nan || weight.isNaN
            }
            guard !nan else { continue }  // NaN passes through
            require(
                inRange && abs(sum - 1) <= 1e-9 * Double(a.columns),
                "attention backward: row \(i) of the weights sums to \(sum) or leaves [0, 1]: not the softmax weights of a forward pass")
        }
    }
    let used = dropout.map { d in Matrix(rows: a.rows, columns: a.columns, values: zip(a.values, d.values).map(*)) } ?? a  // what multiplied V
    let dv = matmul(transposeOf: used, outputGradient)
    var ds = matmul(outputGradient, transposeOf: v).values  // ∂L/∂(A ⊙ D), turned into ∂L/∂S in place
    if let dropout { ds = zip(ds, dropout.values).map(*) }
    let (rows, columns) = (a.rows, a.columns)
    a.values.withUnsafeBufferPointer { a in
        ds.withUnsafeMutableBufferPointer { ds in  // pointers: no bounds checks
            for i in 0..<rows {
                var dot = 0.0
                for j in i * columns..<(i + 1) * columns { dot += ds[j] * a[j] }
                for j in i * columns..<(i + 1) * columns { ds[j] = a[j] * (ds[j] - dot) * scale }  // the 1/√d_k folded in
            }
        }
    }
    let dScores = Matrix(rows: rows, columns: columns, values: ds)
    return (matmul(dScores, k), matmul(transposeOf: dScores, q), dv)
}

/// Additive (Bahdanau) attention of one query s over a sequence of states h₁ … h_T:
///
/// ```
/// eⱼ = vᵀ tanh(W_s s + W_h hⱼ)      α = softmax(e)      context = Σⱼ αⱼ hⱼ
/// ```
/// W_s (a × |s|), W_h (a × |h|), v (a): a small network scores each state against the
/// query, instead of a dot product; it was the attention of the first neural translation
/// models (Bahdanau, Cho and Bengio, 2014). Returns the context and the weights α.
public func additiveAttention(
    query s: [Double], states h: [[Double]], queryWeights ws: Matrix, stateWeights wh: Matrix, scorer v: [Double]
) -> (context: [Double], weights: [Double]) {
    require(!h.isEmpty, "additiveAttention: no states to attend over")
    require(
        ws.columns == s.count && wh.columns == h[0].count && ws.rows == v.count && wh.rows == v.count,
        "additiveAttention: W_s \(ws.shapeDescription), W_h \(wh.shapeDescription) and v (\(v.count)) do not fit a query of \(s.count) and states of \(h[0].count)"
    )
    let projectedQuery = matvec(ws, s)
    let scores = h.map { state in
        zip(zip(projectedQuery, matvec(wh, state)), v).map { pair, weight in weight * tanh(pair.0 + pair.1) }.reduce(0, +)
    }
    let largest = scores.max()!
    let e = scores.map { exp($0 - largest) }
    let total = e.reduce(0, +)
    let weights = e.map { $0 / total }
    var context = [Double](repeating: 0, count: h[0].count)
    for (state, weight) in zip(h, weights) {
        for k in context.indices { context[k] += weight * state[k] }
    }
    return (context, weights)
}
