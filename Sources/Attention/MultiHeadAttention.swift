import Backprop
import Foundation
import LinearAlgebra
import Randomness
import Validation

/// Multi-head attention over sequences (B, T, d), as PyTorch's `nn.MultiheadAttention`
/// with `batch_first=True`:
///
/// ```
/// Q = X_q W_qᵀ + b_q      K = X_m W_kᵀ + b_k      V = X_m W_vᵀ + b_v       (d wide each)
/// head j: columns j·d_h ..< (j+1)·d_h of Q, K, V, with d_h = d / h
///         O_j = softmax(Q_j K_jᵀ / √d_h, masked) V_j
/// Y = [O_1 | … | O_h] W_oᵀ + b_o
/// ```
/// X_q is the query sequence and X_m the memory attended to: the same sequence for
/// self-attention (``forward(_:mode:)``), another one for cross-attention
/// (``attend(query:memory:mode:)``; after its backward pass ∂L/∂X_m is in
/// ``memoryGradient``). The weights are in `nn.Linear`'s (out, in) layout; PyTorch stacks
/// W_q, W_k, W_v into one `in_proj_weight` (3d × d) and its biases into `in_proj_bias`,
/// which ``init(inProjectionWeight:inProjectionBias:outProjectionWeight:outProjectionBias:heads:name:)``
/// takes as they are.
///
/// Attention dropout (training only) zeroes each weight of A with probability p and
/// scales the rest by 1/(1 − p), as PyTorch; tests can give the keep-mask explicitly.
public struct MultiHeadAttention: Layer {
    /// W_q, W_k, W_v and W_o, each (d × d) in `nn.Linear`'s (out, in) layout: the query,
    /// key and value projections (every head's columns side by side) and the output's.
    public var queryWeights: Parameter, keyWeights: Parameter, valueWeights: Parameter, outputWeights: Parameter
    /// b_q, b_k, b_v and b_o, d each.
    public var queryBias: Parameter, keyBias: Parameter, valueBias: Parameter, outputBias: Parameter
    /// h, the number of heads.
    public let heads: Int
    /// Which keys each query may see.
    public var mask: AttentionMask = .none
    /// The attention-dropout probability p in training.
    public var dropout: Double = 0
    /// For tests: which attention weights dropout keeps, (B, h, T_q, T_k) flattened, used
    /// instead of random draws in training-mode passes.
    public var keepMask: [Bool]?
    private var generator: SeededGenerator
    /// The weights A of the last forward pass, (B, h, T_q, T_k), after the mask and before dropout.
    public private(set) var attentionWeights: Tensor?
    /// ∂L/∂X_m of the last backward pass after ``attend(query:memory:mode:)``.
    public private(set) var memoryGradient: Tensor?
    /// ∂L/∂X_k and ∂L/∂X_v of the last backward pass after
    /// ``attend(query:keys:values:mode:)`` (nil after the other passes).
    public private(set) var keysGradient: Tensor?, valuesGradient: Tensor?
    private var cache: Cache?

    /// Where the keys and values came from in the last training-mode pass.
    enum Sources {
        case itself, memory(Tensor), separate(keys: Tensor, values: Tensor)
    }

    struct Cache {
        var query: Tensor, sources: Sources
        var q: [Double], k: [Double], v: [Double], weights: [Double], dropout: [Double]?, mixed: [Double]
    }

    /// d, the width of every position's vector.
    public var features: Int { queryWeights.shape[0] }
    /// d / h, the width of one head's queries, keys and values.
    public var headSize: Int { features / heads }

    /// A layer with the given projections, each (d × d) in `nn.Linear`'s (out, in) layout.
    public init(
        queryWeights wq: Matrix, keyWeights wk: Matrix, valueWeights wv: Matrix, outputWeights wo: Matrix,
        queryBias bq: [Double], keyBias bk: [Double], valueBias bv: [Double], outputBias bo: [Double], heads: Int, seed: UInt64 = 0,
        name: String = ""
    ) {
        let d = wq.rows
        for (label, w) in [("W_q", wq), ("W_k", wk), ("W_v", wv), ("W_o", wo)] {
            require(w.rows == d && w.columns == d, "MultiHeadAttention: \(label) must be (\(d) × \(d)), got \(w.shapeDescription)")
        }
        for (label, b) in [("b_q", bq), ("b_k", bk), ("b_v", bv), ("b_o", bo)] {
            require(b.count == d, "MultiHeadAttention: \(label) needs \(d) numbers, got \(b.count)")
        }
        require(heads > 0 && d % heads == 0, "MultiHeadAttention: \(d) features do not split into \(heads) heads of equal size")
        func weights(_ label: String, _ m: Matrix) -> Parameter { Parameter(name: "\(label)\(name)", shape: [d, d], value: m.values, decays: true) }
        func bias(_ label: String, _ b: [Double]) -> Parameter { Parameter(name: "\(label)\(name)", shape: [d], value: b, decays: false) }
        (queryWeights, keyWeights, valueWeights, outputWeights) = (weights("Wq", wq), weights("Wk", wk), weights("Wv", wv), weights("Wo", wo))
        (queryBias, keyBias, valueBias, outputBias) = (bias("bq", bq), bias("bk", bk), bias("bv", bv), bias("bo", bo))
        self.heads = heads
        generator = SeededGenerator(seed: seed)
    }

    /// From PyTorch's `nn.MultiheadAttention`: `in_proj_weight` (3d × d, W_q over W_k over
    /// W_v), `in_proj_bias` (3d), `out_proj.weight` (d × d) and `out_proj.bias` (d).
    public init(
        inProjectionWeight: Matrix, inProjectionBias: [Double], outProjectionWeight: Matrix, outProjectionBias: [Double], heads: Int,
        name: String = ""
    ) {
        let d = inProjectionWeight.columns
        require(
            inProjectionWeight.rows == 3 * d && inProjectionBias.count == 3 * d,
            "MultiHeadAttention: in_proj_weight must be (3d × d) and in_proj_bias 3d, got \(inProjectionWeight.shapeDescription) and \(inProjectionBias.count)")
        let block = { (k: Int) in Matrix(rows: d, columns: d, values: Array(inProjectionWeight.values[(k * d * d)..<((k + 1) * d * d)])) }
        let bias = { (k: Int) in Array(inProjectionBias[(k * d)..<((k + 1) * d)]) }
        self.init(
            queryWeights: block(0), keyWeights: block(1), valueWeights: block(2), outputWeights: outProjectionWeight,
            queryBias: bias(0), keyBias: bias(1), valueBias: bias(2), outputBias: outProjectionBias, heads: heads, name: name)
    }

    /// Random projections as PyTorch initializes them: W_q, W_k, W_v Xavier-uniform over the
    /// stacked (3d × d) matrix (bound √(6 / 4d)), W_o uniform in ±1/√d, biases 0.
    public init(features d: Int, heads: Int, dropout: Double = 0, using generator: inout SeededGenerator, name: String = "") {
        require(d > 0, "MultiHeadAttention: needs at least one feature, got \(d)")
        let inBound = (6 / Double(4 * d)).squareRoot(), outBound = 1 / Double(d).squareRoot()
        var squares: [Matrix] = []
        for bound in [inBound, inBound, inBound, outBound] {
            squares.append(Matrix(rows: d, columns: d, values: generator.uniforms(d * d, in: -bound..<bound)))
        }
        let zeros = [Double](repeating: 0, count: d)
        self.init(
            queryWeights: squares[0], keyWeights: squares[1], valueWeights: squares[2], outputWeights: squares[3],
            queryBias: zeros, keyBias: zeros, valueBias: zeros, outputBias: zeros, heads: heads, seed: generator.next(), name: name)
        self.dropout = dropout
    }

    /// Self-attention: the sequence attends to itself.
    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        attend(query: x, memory: nil, mode: mode)
    }

    /// Cross-attention: the query sequence (B, T_q, d) attends to `memory` (B, T_k, d);
    /// with `memory` nil, to itself.
    public mutating func attend(query x: Tensor, memory: Tensor?, mode: Mode) -> Tensor {
        attend(query: x, sources: memory.map { .memory($0) } ?? .itself, mode: mode)
    }

    /// Attention with keys and values from two different sequences, (B, T_k, d) each:
    /// PyTorch's `m(query, key, value)` with `key` and `value` different tensors. The
    /// backward pass leaves ∂L/∂X_k in ``keysGradient`` and ∂L/∂X_v in ``valuesGradient``.
    public mutating func attend(query x: Tensor, keys: Tensor, values: Tensor, mode: Mode) -> Tensor {
        require(
            keys.shape == values.shape,
            "MultiHeadAttention \(queryWeights.name): keys \(keys.shapeDescription) and values \(values.shapeDescription) need the same shape")
        return attend(query: x, sources: .separate(keys: keys, values: values), mode: mode)
    }

    mutating func attend(query x: Tensor, sources: Sources, mode: Mode) -> Tensor {
        let d = features
        x.requireLayout(.batchFirst, "MultiHeadAttention \(queryWeights.name)")
        require(
            x.rank == 3 && x.shape[2] == d, "MultiHeadAttention \(queryWeights.name): query \(x.shapeDescription) does not fit: it needs (batch × time × \(d))")
        let (keySource, valueSource): (Tensor, Tensor)
        switch sources {
        case .itself: (keySource, valueSource) = (x, x)
        case .memory(let memory): (keySource, valueSource) = (memory, memory)
        case .separate(let keys, let values): (keySource, valueSource) = (keys, values)
        }
        let source = keySource
        require(
            source.rank == 3 && source.shape[0] == x.shape[0] && source.shape[2] == d,
            "MultiHeadAttention \(queryWeights.name): memory \(source.shapeDescription) does not fit the query \(x.shapeDescription): it needs (\(x.shape[0]) × time × \(d))"
        )
        let (batch, tq, tk) = (x.shape[0], x.shape[1], source.shape[1])
        require(tk > 0, "MultiHeadAttention \(queryWeights.name): the memory \(source.shapeDescription) has no positions to attend to")
        require(
            dropout >= 0 && dropout < 1, "MultiHeadAttention \(queryWeights.name): the attention dropout must be in [0, 1), got \(dropout)")
        if case .padding(let lengths) = mask {
            require(
                lengths.count == batch && lengths.allSatisfy { (1...tk).contains($0) },
                "MultiHeadAttention: padding lengths \(lengths) do not fit \(batch) sequences of \(tk) keys (each needs 1…\(tk))")
        }
        if case .explicit(let allowed) = mask {
            require(
                allowed.count == tq * tk || allowed.count == batch * tq * tk,
                "MultiHeadAttention: an explicit mask of \(allowed.count) entries does not fit \(tq) queries × \(tk) keys "
                    + "(it needs \(tq * tk), or \(batch * tq * tk) for \(batch) sequences)")
        }
        let q = project(x, queryWeights, queryBias), k = project(keySource, keyWeights, keyBias), v = project(valueSource, valueWeights, valueBias)
        var weights = [Double](repeating: 0, count: batch * heads * tq * tk)
        let dropping = mode == .training && (dropout > 0 || keepMask != nil)
        var dropFactors: [Double]? = dropping ? [Double](repeating: 0, count: weights.count) : nil
        if let keepMask {
            require(keepMask.count == weights.count, "MultiHeadAttention: the keep-mask has \(keepMask.count) entries for \(weights.count) attention weights")
        }
        var mixed = [Double](repeating: 0, count: batch * tq * d)
        for n in 0..<batch {
            for j in 0..<heads {
                let (qh, kh, vh) = (head(q, n, j, tq), head(k, n, j, tk), head(v, n, j, tk))
                let allowed: ((Int, Int) -> Bool)? =
                    if case .none = mask { nil } else { { [mask] i, key in mask.allows(sequence: n, query: i, key: key, queries: tq, keys: tk) } }
                let attention = Attention.attention(queries: qh, keys: kh, values: vh, allowed: allowed)
                let offset = (n * heads + j) * tq * tk
                weights.replaceSubrange(offset..<(offset + tq * tk), with: attention.weights.values)
                var output = attention.output
                if dropping {
                    let scale = 1 / (1 - dropout)
                    var factors = [Double](repeating: 0, count: tq * tk)
                    for index in 0..<(tq * tk) {
                        let keep = keepMask.map { $0[offset + index] } ?? (generator.uniform() >= dropout)
                        factors[index] = keep ? scale : 0
                        dropFactors![offset + index] = factors[index]
                    }
                    let dropped = Matrix(rows: tq, columns: tk, values: zip(attention.weights.values, factors).map(*))
                    output = matmul(dropped, vh)
                }
                scatter(output, into: &mixed, n, j, tq)
            }
        }
        attentionWeights = Tensor(shape: [batch, heads, tq, tk], values: weights)
        if mode == .training { cache = Cache(query: x, sources: sources, q: q, k: k, v: v, weights: weights, dropout: dropFactors, mixed: mixed) }
        let y = linear(Matrix(rows: batch * tq, columns: d, values: mixed), outputWeights, outputBias)
        return Tensor(shape: [batch, tq, d], values: y).laidOut(.batchFirst)
    }

    /// ∂L/∂X_q; for cross-attention ∂L/∂X_m goes to ``memoryGradient``, for self-attention
    /// both paths are added into the one input gradient.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(
            outputGradient, output: cache.map { [$0.query.shape[0], $0.query.shape[1], features] }, layer: "MultiHeadAttention \(queryWeights.name)")
        let c = cache!
        let d = features
        let (source, valueSource): (Tensor, Tensor)
        switch c.sources {
        case .itself: (source, valueSource) = (c.query, c.query)
        case .memory(let memory): (source, valueSource) = (memory, memory)
        case .separate(let keys, let values): (source, valueSource) = (keys, values)
        }
        let (batch, tq, tk) = (c.query.shape[0], c.query.shape[1], source.shape[1])
        let g = Matrix(rows: batch * tq, columns: d, values: outputGradient.values)
        let mixed = Matrix(rows: batch * tq, columns: d, values: c.mixed)
        addTransposedProduct(g, mixed, into: &outputWeights.gradient)  // ∂L/∂W_o += Gᵀ [O_1 | … | O_h]
        addColumnSums(g, into: &outputBias.gradient)
        let dMixed = matmul(g, Matrix(rows: d, columns: d, values: outputWeights.value))
        var dq = [Double](repeating: 0, count: batch * tq * d), dk = [Double](repeating: 0, count: batch * tk * d), dv = dk
        for n in 0..<batch {
            for j in 0..<heads {
                let offset = (n * heads + j) * tq * tk
                let weights = Matrix(rows: tq, columns: tk, values: Array(c.weights[offset..<(offset + tq * tk)]))
                let factors = c.dropout.map { Matrix(rows: tq, columns: tk, values: Array($0[offset..<(offset + tq * tk)])) }
                let gradients = scaledDotProductAttentionBackward(
                    head(dMixed.values, n, j, tq), queries: head(c.q, n, j, tq), keys: head(c.k, n, j, tk), values: head(c.v, n, j, tk),
                    weights: weights, dropout: factors)
                scatter(gradients.queries, into: &dq, n, j, tq)
                scatter(gradients.keys, into: &dk, n, j, tk)
                scatter(gradients.values, into: &dv, n, j, tk)
            }
        }
        let dx = linearBackward(dq, c.query, &queryWeights, &queryBias)
        let dmK = linearBackward(dk, source, &keyWeights, &keyBias), dmV = linearBackward(dv, valueSource, &valueWeights, &valueBias)
        (memoryGradient, keysGradient, valuesGradient) = (nil, nil, nil)
        switch c.sources {
        case .itself:
            return Tensor(shape: c.query.shape, values: zip(dx, zip(dmK, dmV).map(+)).map(+))
        case .memory:
            memoryGradient = Tensor(shape: source.shape, values: zip(dmK, dmV).map(+))
        case .separate:
            keysGradient = Tensor(shape: source.shape, values: dmK)
            valuesGradient = Tensor(shape: valueSource.shape, values: dmV)
        }
        return Tensor(shape: c.query.shape, values: dx)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        body(&queryWeights)
        body(&queryBias)
        body(&keyWeights)
        body(&keyBias)
        body(&valueWeights)
        body(&valueBias)
        body(&outputWeights)
        body(&outputBias)
    }

    /// The attention-dropout generator's state as "generator" (see ``/Regularization/Dropout``).
    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        var state = generator.stateAsDoubles
        body("\(prefix)generator", &state)
        generator.stateAsDoubles = state
    }

    // MARK: Pieces

    /// X Wᵀ + b over every position: (B·T × d).
    func project(_ x: Tensor, _ w: Parameter, _ b: Parameter) -> [Double] {
        linear(Matrix(rows: x.count / features, columns: features, values: x.values), w, b)
    }

    func linear(_ x: Matrix, _ w: Parameter, _ b: Parameter) -> [Double] {
        var y = matmul(x, transposeOf: Matrix(rows: w.shape[0], columns: w.shape[1], values: w.value)).values
        addToEveryRow(b.value, of: &y)
        return y
    }

    /// Adds ∂L/∂W = Gᵀ X and ∂L/∂b = Σ rows of G for Y = X Wᵀ + b, and returns ∂L/∂X = G W.
    func linearBackward(_ g: [Double], _ x: Tensor, _ w: inout Parameter, _ b: inout Parameter) -> [Double] {
        let rows = x.count / features
        let gradient = Matrix(rows: rows, columns: features, values: g)
        addTransposedProduct(gradient, Matrix(rows: rows, columns: features, values: x.values), into: &w.gradient)
        addColumnSums(gradient, into: &b.gradient)
        return matmul(gradient, Matrix(rows: features, columns: features, values: w.value)).values
    }

    /// Head j of sequence n: its rows of a (B·T × d) buffer, columns j·d_h ..< (j+1)·d_h.
    func head(_ buffer: [Double], _ n: Int, _ j: Int, _ steps: Int) -> Matrix {
        let (d, dh) = (features, headSize)
        let values = [Double](unsafeUninitializedCapacity: steps * dh) { values, initialized in
            buffer.withUnsafeBufferPointer { buffer in  // pointers: every head of every batch passes here
                for t in 0..<steps {
                    for c in 0..<dh { values[t * dh + c] = buffer[(n * steps + t) * d + j * dh + c] }
                }
            }
            initialized = steps * dh
        }
        return Matrix(rows: steps, columns: dh, values: values)
    }

    /// The reverse of ``head(_:_:_:_:)``: a head's (T × d_h) block written back into its place.
    func scatter(_ block: Matrix, into buffer: inout [Double], _ n: Int, _ j: Int, _ steps: Int) {
        let (d, dh) = (features, headSize)
        require(
            buffer.count >= (n + 1) * steps * d && block.values.count == steps * dh,
            "MultiHeadAttention: a head's block of \(block.values.count) values (\(steps) × \(dh)) for sequence \(n) does not fit a buffer of \(buffer.count)")
        buffer.withUnsafeMutableBufferPointer { buffer in
            block.values.withUnsafeBufferPointer { block in
                for t in 0..<steps {
                    for c in 0..<dh { buffer[(n * steps + t) * d + j * dh + c] = block[t * dh + c] }
                }
            }
        }
    }
}

/// b.gradient += the column sums of g.
func addColumnSums(_ g: Matrix, into gradient: inout [Double]) {
    g.requireConsistent("addColumnSums")
    require(gradient.count == g.columns, "addColumnSums: \(g.columns) columns into a gradient of \(gradient.count)")
    addColumnSums(of: g.values, into: &gradient)
}
