import LinearAlgebra
import Randomness

/// Inverted dropout: during training each value is zeroed with probability `rate` and the
/// survivors are scaled by 1 / (1 − rate); at inference nothing happens.
///
/// Zeroing random units stops the network from relying on any one of them: every unit must
/// be useful in many different thinned networks. Scaling the survivors during training
/// keeps each value's expected size unchanged, so inference needs no correction: the
/// "inverted" part. The backward pass lets gradient through exactly where the mask did,
/// with the same scale: ∂L/∂x = mask ⊙ ∂L/∂y.
public struct Dropout: Sendable, Equatable {
    public var rate: Double

    public init(rate: Double) {
        precondition((0..<1).contains(rate), "Dropout: the rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    /// A mask of `count` values: 0 with probability `rate`, otherwise 1 / (1 − rate).
    public func mask(count: Int, using generator: inout SeededGenerator) -> [Double] {
        let keep = 1 / (1 - rate)
        return (0..<count).map { _ in generator.uniform() < rate ? 0 : keep }
    }

    /// x ⊙ mask.
    public func forward(_ x: Matrix, mask: [Double]) -> Matrix {
        precondition(mask.count == x.values.count, "Dropout.forward: mask of \(mask.count) values for input \(x.shapeDescription)")
        return Matrix(rows: x.rows, columns: x.columns, values: zip(x.values, mask).map(*))
    }

    /// ∂L/∂x = mask ⊙ ∂L/∂y.
    public func backward(_ upstream: Matrix, mask: [Double]) -> Matrix {
        forward(upstream, mask: mask)
    }
}
