import LinearAlgebra
import Validation

// Layers that route tensors rather than compute: several heads on one input (a VAE's μ and
// log σ²), an axis swap between time-first and batch-first sequences, and a box that lets
// a layer of any type sit where a concrete type is needed.

/// Several layers applied to the same input, their outputs side by side along the last
/// axis: a model with more than one head.
///
/// ```
/// forward:   y = [f₁(x) | f₂(x) | …]            concatenated along the last axis (features)
/// backward:  g = [g₁ | g₂ | …]  split the same way;  ∂L/∂x = Σₖ fₖ.backward(gₖ)
/// ```
/// The input fans out to every branch, so its gradient is the sum of the branches' input
/// gradients. A VAE's encoder ends in `Parallel([Dense(h → z), Dense(h → z)])` for μ and
/// log σ²; ``split(_:sizes:)`` cuts the output (and ``concatenate(_:)`` joins the two
/// heads' gradients) along the same axis. The outputs must agree in every axis but the last.
public struct Parallel: Layer {
    /// The layers that each see the whole input, their outputs joined along the last axis.
    public var branches: [any Layer]
    /// Each branch's output width in the last training-mode pass.
    private var widths: [Int]?
    private var outputShape: [Int]?, inputShape: [Int]?

    /// Branches side by side; none at all stops with a message.
    public init(_ branches: [any Layer]) {
        require(!branches.isEmpty, "Parallel: needs at least one branch")
        self.branches = branches
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        let outputs = branches.indices.map { branches[$0].forward(x, mode: mode) }
        let y = concatenate(outputs)
        if mode == .training { (widths, outputShape, inputShape) = (outputs.map { $0.shape.last! }, y.shape, x.shape) }
        return y
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: outputShape, layer: "Parallel")
        let parts = split(outputGradient, sizes: widths!)
        var sum: [Double]?
        for k in branches.indices {
            let dx = branches[k].backward(parts[k])
            if sum == nil { sum = dx.values } else { for i in sum!.indices { sum![i] += dx.values[i] } }
        }
        return Tensor(shape: inputShape!, values: sum!)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        for k in branches.indices { branches[k].visitParameters(body) }
    }

    /// Branch k's parameters are named "k." and then their own names, as in ``Sequential``.
    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        for k in branches.indices { branches[k].visitNamedParameters(prefix: "\(prefix)\(k).", body) }
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        for k in branches.indices { branches[k].visitBuffers(prefix: "\(prefix)\(k).", body) }
    }
}

/// Tensors side by side along the last axis; all other axes must agree.
///
/// (B, 3) and (B, 2) give (B, 5); (T, B, 4) and (T, B, 4) give (T, B, 8). Its backward pass
/// is ``split(_:sizes:)`` with the parts' widths.
public func concatenate(_ parts: [Tensor]) -> Tensor {
    require(!parts.isEmpty, "concatenate: no tensors")
    let outer = Array(parts[0].shape.dropLast())
    for part in parts {
        require(
            part.rank == parts[0].rank && Array(part.shape.dropLast()) == outer && part.rank > 0,
            "concatenate: \(part.shapeDescription) does not fit beside \(parts[0].shapeDescription): all axes but the last must agree")
    }
    let rows = outer.reduce(1, *)
    let widths = parts.map { $0.shape.last! }
    let total = widths.reduce(0, +)
    var values = [Double](repeating: 0, count: rows * total)
    var offset = 0
    for (part, width) in zip(parts, widths) {
        for r in 0..<rows {
            for k in 0..<width { values[r * total + offset + k] = part.values[r * width + k] }
        }
        offset += width
    }
    return Tensor(shape: outer + [total], values: values).laidOut(parts[0].layout)
}

/// A tensor cut along its last axis into parts of the given widths (which must add up to
/// its size there): the inverse of ``concatenate(_:)``, and its backward pass.
public func split(_ x: Tensor, sizes: [Int]) -> [Tensor] {
    require(x.rank > 0, "split: a tensor without axes cannot be split")
    let total = x.shape.last!
    require(
        sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == total,
        "split: widths \(sizes) do not add up to the last axis of \(x.shapeDescription) (\(total))")
    let outer = Array(x.shape.dropLast())
    let rows = outer.reduce(1, *)
    var offset = 0
    return sizes.map { width in
        var values = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            for k in 0..<width { values[r * width + k] = x.values[r * total + offset + k] }
        }
        offset += width
        return Tensor(shape: outer + [width], values: values).laidOut(x.layout)
    }
}

/// Swaps the first two axes: (T, B, F) ↔ (B, T, F), time-first ↔ batch-first, so that a
/// recurrent layer (time first) and an attention layer (batch first) can follow each other.
/// Its backward pass swaps the gradient back. The layout tag, if stated, is flipped.
public struct SwapAxes: Layer {
    private var inputShape: [Int]?

    /// The layer; it has no settings.
    public init() {}

    /// x with axes 0 and 1 exchanged (rank ≥ 2; any trailing axes move together).
    public static func swapped(_ x: Tensor) -> Tensor {
        require(x.rank >= 2, "SwapAxes: input \(x.shapeDescription) has fewer than two axes to swap")
        let (a, b) = (x.shape[0], x.shape[1])
        let inner = x.shape.dropFirst(2).reduce(1, *)
        var values = [Double](repeating: 0, count: x.count)
        for i in 0..<a {
            for j in 0..<b {
                for k in 0..<inner { values[(j * a + i) * inner + k] = x.values[(i * b + j) * inner + k] }
            }
        }
        let flipped: Tensor.Layout = x.layout == .timeFirst ? .batchFirst : x.layout == .batchFirst ? .timeFirst : .unstated
        return Tensor(shape: [b, a] + x.shape.dropFirst(2), values: values).laidOut(flipped)
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        if mode == .training { inputShape = x.shape }
        return SwapAxes.swapped(x)
    }

    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: inputShape.map { [$0[1], $0[0]] + $0.dropFirst(2) }, layer: "SwapAxes")
        return SwapAxes.swapped(outputGradient)
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {}
}

/// Any layer, boxed as one concrete type: where a generic layer type is needed and only an
/// `any Layer` (or `any RecurrentLayer`) is at hand, e.g. `Bidirectional(AnyLayer(a), AnyLayer(b))`.
public struct AnyLayer: Layer {
    /// The layer inside the box.
    public var base: any Layer

    /// `base` boxed as a concrete layer type.
    public init(_ base: any Layer) {
        self.base = base
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor { base.forward(x, mode: mode) }
    public mutating func backward(_ outputGradient: Tensor) -> Tensor { base.backward(outputGradient) }
    public mutating func backwardSkippingInputGradient(_ outputGradient: Tensor) { base.backwardSkippingInputGradient(outputGradient) }
    public mutating func visitParameters(_ body: (inout Parameter) -> Void) { base.visitParameters(body) }

    public mutating func visitNamedParameters(prefix: String, _ body: (_ name: String, _ parameter: inout Parameter) -> Void) {
        base.visitNamedParameters(prefix: prefix, body)
    }

    public mutating func visitBuffers(prefix: String, _ body: (_ name: String, _ values: inout [Double]) -> Void) {
        base.visitBuffers(prefix: prefix, body)
    }
}
