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
/// sequences      (time, batch, features)              T × B × F
/// ```
/// Sequences put time first because a recurrent layer walks the time steps one after
/// another: step t is then one contiguous (batch × features) block, `values[t·B·F ..<
/// (t+1)·B·F]`, exactly the matrix the step's dense products need, with no gathering.
/// (PyTorch's recurrent layers use the same order by default, `batch_first=False`.)
///
/// Row-major means the last index moves fastest: element (i₀, i₁, …, iₖ) lives at
/// `values[((i₀·d₁ + i₁)·d₂ + …)·dₖ + iₖ]`, with d the sizes in `shape`.
import Validation

public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    /// The size of each axis, outermost first.
    public let shape: [Int]
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

    static func describe(_ shape: [Int]) -> String {
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
}
