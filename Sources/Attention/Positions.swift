import Backprop
import Foundation
import LinearAlgebra
import Randomness
import Validation

/// The sinusoidal positional encoding of "Attention Is All You Need": for position p and
/// feature pair i (features 2i and 2i + 1),
///
/// ```
/// PE[p, 2i]     = sin(p / 10000^(2i/d))
/// PE[p, 2i + 1] = cos(p / 10000^(2i/d))
/// ```
/// Each pair turns at its own rate, from one radian per position (i = 0) down to about
/// 1/10000 of that, so every position gets its own pattern, and PE[p + k] is a fixed
/// rotation of PE[p] in each pair: a relative offset is a linear function the attention
/// can learn. Returns a (positions × d) matrix.
public func sinusoidalPositionalEncoding(positions: Int, features d: Int) -> Matrix {
    require(positions > 0 && d > 0, "sinusoidalPositionalEncoding: sizes must be positive, got \(positions) × \(d)")
    var pe = Matrix(rows: positions, columns: d)
    for p in 0..<positions {
        for k in 0..<d {
            let i = k / 2
            let angle = Double(p) / pow(10000, Double(2 * i) / Double(d))
            pe[p, k] = k % 2 == 0 ? sin(angle) : cos(angle)
        }
    }
    return pe
}

/// Adds a position's vector to every position of (B, T, d) sequences: the sinusoidal
/// encoding (fixed, no parameters) or a learned table (``learned(maxLength:features:using:name:)``).
/// Attention alone does not know the order of its inputs (it is the same for any
/// permutation of them); this is where the order comes in.
public struct PositionalEncoding: Layer {
    /// The table, (maxLength × d); a parameter only when learned.
    public var table: Parameter
    /// Whether the table is a trained parameter rather than the fixed sinusoids.
    public let isLearned: Bool
    private var inputShape: [Int]?

    /// The sinusoidal encoding, for sequences of up to `maxLength` positions.
    public init(maxLength: Int, features d: Int) {
        require(maxLength > 0 && d > 0, "PositionalEncoding: needs at least one position and one feature, got \(maxLength) × \(d)")
        self.init(
            table: Parameter(
                name: "PE", shape: [maxLength, d], value: sinusoidalPositionalEncoding(positions: maxLength, features: d).values, decays: false, frozen: true),
            learned: false)
    }

    /// A learned table instead, drawn from N(0, 0.02²) (GPT-2's initialization).
    public static func learned(maxLength: Int, features d: Int, using generator: inout SeededGenerator, name: String = "") -> PositionalEncoding {
        require(maxLength > 0 && d > 0, "PositionalEncoding.learned: needs at least one position and one feature, got \(maxLength) × \(d)")
        return PositionalEncoding(
            table: Parameter(name: "P\(name)", shape: [maxLength, d], value: generator.normals(maxLength * d, standardDeviation: 0.02), decays: false),
            learned: true)
    }

    private init(table: Parameter, learned: Bool) {
        self.table = table
        isLearned = learned
    }

    public mutating func forward(_ x: Tensor, mode: Mode) -> Tensor {
        x.requireLayout(.batchFirst, "PositionalEncoding")
        let (maxLength, d) = (table.shape[0], table.shape[1])
        require(
            x.rank == 3 && x.shape[2] == d && x.shape[1] <= maxLength,
            "PositionalEncoding: input \(x.shapeDescription) does not fit: it needs (batch × at most \(maxLength) positions × \(d))")
        var y = x.values
        let steps = x.shape[1]
        for n in 0..<x.shape[0] {
            for t in 0..<steps {
                for k in 0..<d { y[(n * steps + t) * d + k] += table.value[t * d + k] }
            }
        }
        if mode == .training { inputShape = x.shape }
        return Tensor(shape: x.shape, values: y).laidOut(.batchFirst)
    }

    /// ∂L/∂x = ∂L/∂y; a learned table's row t collects the gradients of position t over the batch.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        expectGradientShape(outputGradient, output: inputShape, layer: "PositionalEncoding")
        if isLearned {
            let (batch, steps, d) = (outputGradient.shape[0], outputGradient.shape[1], outputGradient.shape[2])
            for n in 0..<batch {
                for t in 0..<steps {
                    for k in 0..<d { table.gradient[t * d + k] += outputGradient.values[(n * steps + t) * d + k] }
                }
            }
        }
        return outputGradient
    }

    public mutating func visitParameters(_ body: (inout Parameter) -> Void) {
        if isLearned { body(&table) }
    }
}
