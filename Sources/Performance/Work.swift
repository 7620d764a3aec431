// The work of a product, counted by design rather than measured: flops, the least
// memory traffic, and the instructions of one step of a register tile. These numbers
// are the same on every run and every machine; only their times vary.

import LinearAlgebra
import Validation

/// The arithmetic and the least memory traffic of C = A·B, (m×k)·(k×n), in Double.
public struct ProductWork: Sendable, Equatable {
    /// The sizes of the product: A is m × k, B is k × n, C is m × n.
    public let m: Int, k: Int, n: Int

    /// The work of an (m × k) · (k × n) product.
    public init(m: Int, k: Int, n: Int) {
        require(m >= 0 && k >= 0 && n >= 0, "ProductWork: sizes must not be negative, got (\(m)×\(k)) · (\(k)×\(n))")
        (self.m, self.k, self.n) = (m, k, n)
    }

    /// 2mkn: a multiply and an add for each of the k products of each of the mn sums.
    public var flops: Double { 2 * Double(m) * Double(k) * Double(n) }
    /// 8(mk + kn + mn): A and B read once and C written once, 8 bytes a number. Any
    /// real schedule moves at least this much between memory and the processor.
    public var leastBytes: Double { 8 * (Double(m * k) + Double(k * n) + Double(m * n)) }
    /// Flops per byte at the least traffic: n/12 for square n×n products. A product does
    /// more arithmetic per byte the larger it is (a sum of vectors does 1/24).
    public var intensity: Double { flops / leastBytes }
}

/// The instructions of one step (one p) of a register tile of `rows` × `columns` sums
/// held in vectors of `lanes` doubles: loads of B's row, broadcasts of A's elements, and
/// the multiplies and adds. `lanes` = 1 is a scalar tile.
public struct TileStep: Sendable, Equatable {
    /// The tile's rows and columns of sums, and the doubles per vector register.
    public let rows: Int, columns: Int, lanes: Int

    /// A tile of `rows` × `columns` sums held in registers of `lanes` doubles each.
    public init(rows: Int, columns: Int, lanes: Int) {
        require(
            rows > 0 && columns > 0 && lanes > 0 && columns % lanes == 0,
            "TileStep: a tile needs positive sizes and whole vectors of columns, got \(rows) rows × \(columns) columns in vectors of \(lanes)")
        (self.rows, self.columns, self.lanes) = (rows, columns, lanes)
    }

    /// The tile of a kernel level: 4 rows × two vectors, or 8 rows × one at AVX-512.
    public init(level: KernelLevel) { self.init(rows: level.tileRows, columns: level.tileColumns, lanes: level.lanes) }

    /// Vector registers holding running sums.
    public var sumRegisters: Int { rows * columns / lanes }
    /// Loads of B's row (columns / lanes vectors) plus one load of a[i, p] per row.
    public var loads: Int { columns / lanes + rows }
    /// One multiply and one add per sum register.
    public var arithmetic: Int { 2 * sumRegisters }
    /// 2 · rows · columns: a multiply and an add for each sum in the tile.
    public var flops: Int { 2 * rows * columns }
    /// Flops per load: how much work each value fetched from memory (or cache) carries.
    public var flopsPerLoad: Double { Double(flops) / Double(loads) }
}
