import Validation

/// A shape and a flat row-major array of `Double`s: the buffer every layer reads and writes.
///
/// Like ``Matrix`` this is a shape helper, not a tensor library: no arithmetic operators,
/// no broadcasting. A layer writes its own math as loops over `values`; the shape is
/// there so that a mismatch can be caught and named.
///
/// The layouts, fixed once for the whole curriculum:
///
/// ```
/// dense data     (batch, features)                    B × F
/// images         (batch, channels, height, width)     B × C × H × W   (PyTorch's NCHW)
/// sequences      (time, batch, features)              T × B × F       recurrent layers (Chapter 7)
///                (batch, time, features)              B × T × F       attention layers (Chapter 8)
/// ```
/// A recurrent layer walks the time steps one after another, so it takes time first:
/// step t is then one contiguous (batch × features) block, `values[t·B·F ..< (t+1)·B·F]`,
/// exactly the matrix the step's dense products need (PyTorch's default,
/// `batch_first=False`). Attention compares every position with every other at once, so it
/// takes batch first: each sequence one contiguous (T × F) matrix. A sequence tensor says
/// which of the two it is in ``layout`` when a layer or data set knows it; a layer that
/// needs the other refuses it by name, and Backprop's `SwapAxes` converts.
///
/// Row-major means the last index moves fastest: element (i₀, i₁, …, iₖ) lives at
/// `values[((i₀·d₁ + i₁)·d₂ + …)·dₖ + iₖ]`, with d the sizes in `shape`.

public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    /// Which axis of a sequence is time, when the tensor's maker knew.
    public enum Layout: String, Sendable {
        /// Not a sequence, or nobody said.
        case unstated
        /// (time, batch, features): what recurrent layers take and give.
        case timeFirst = "time-first (time × batch × features)"
        /// (batch, time, features): what attention layers take and give.
        case batchFirst = "batch-first (batch × time × features)"
    }

    /// The size of each axis, outermost first.
    public let shape: [Int]
    /// Time-first or batch-first, for a sequence whose maker said so; not part of `==`.
    public var layout: Layout = .unstated
    /// The elements in row-major order, as many as the product of `shape`.
    ///
    /// Read-only outside this module, so the count always matches the shape: a layer
    /// computes its output values in an array and builds a new tensor from them.
    public internal(set) var values: [Double]

    /// A tensor with the given shape and row-major values.
    public init(shape: [Int], values: [Double]) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative size in shape \(shape)")
        let count = shape.reduce(1, *)
        require(
            values.count == count,
            "Tensor: shape \(Tensor.describe(shape)) needs \(count) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Double = 0) {
        self.init(shape: shape, values: [Double](repeating: value, count: shape.reduce(1, *)))
    }

    /// The (rows × columns) matrix as a rank-2 tensor; the values are shared, not copied.
    public init(_ matrix: Matrix) {
        self.init(shape: [matrix.rows, matrix.columns], values: matrix.values)
    }

    /// The number of elements.
    public var count: Int { values.count }
    /// The number of axes.
    public var rank: Int { shape.count }

    /// The shape as the error messages write it: "(32×1×8×8)".
    public var shapeDescription: String { Tensor.describe(shape) }

    /// A shape as the error messages write it, without building a tensor: "(32×1×8×8)".
    public static func describe(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: "×") + ")"
    }

    /// The same values under another shape with the same number of elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        require(
            newShape.reduce(1, *) == count,
            "Tensor.reshaped: \(shapeDescription) has \(count) values, \(Tensor.describe(newShape)) needs \(newShape.reduce(1, *))")
        return Tensor(shape: newShape, values: values)
    }

    /// The rank-2 view (rows × columns) of a (batch, features) tensor; the values are shared.
    public var matrix: Matrix {
        require(rank == 2, "Tensor.matrix: \(shapeDescription) is not (rows × columns)")
        return Matrix(rows: shape[0], columns: shape[1], values: values)
    }

    public var description: String { "Tensor\(shapeDescription) \(values)" }

    /// Equal shapes and values; the layout tag is not compared.
    public static func == (a: Tensor, b: Tensor) -> Bool { a.shape == b.shape && a.values == b.values }

    /// The same tensor marked with `layout`.
    public func laidOut(_ layout: Layout) -> Tensor {
        var copy = self
        copy.layout = layout
        return copy
    }

    /// Stops unless the tensor can be read as `needed`: an unstated layout can be either.
    /// The message names the layer, the shape and both layouts, and the way out.
    public func requireLayout(_ needed: Layout, _ layer: @autoclosure () -> String) {
        require(
            layout == .unstated || layout == needed || needed == .unstated,
            "\(layer()): input \(shapeDescription) is \(layout.rawValue) but this layer takes \(needed.rawValue); "
                + "put SwapAxes() between them")
    }
}
