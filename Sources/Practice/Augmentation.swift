import Foundation
import LinearAlgebra
import Randomness
import Validation

/// Transforms of small square images (row-major, `side` × `side`), for data augmentation.
///
/// Both sample the source image at the point each output pixel comes from, by bilinear
/// interpolation between the four nearest pixels, and read 0 (background) outside it:
///
/// ```
/// shift by (dx, dy):      output (r, c) ← input (r − dy, c − dx)
/// rotate by θ about the centre m = (side − 1)/2:
///     output (r, c) ← input (m + (r − m) cos θ + (c − m) sin θ, m − (r − m) sin θ + (c − m) cos θ)
/// bilinear: f(r, c) = Σ over the 4 neighbours of f(rᵢ, cⱼ) (1 − |r − rᵢ|)(1 − |c − cⱼ|)
/// ```
/// A whole-pixel shift moves the pixels exactly; a rotation by θ > 0 turns the image
/// counter-clockwise as displayed (row 0 at the top).
public enum ImageTransform {
    /// The image sampled at (row, column) by bilinear interpolation, 0 outside.
    static func sample(_ image: [Double], side: Int, row: Double, column: Double) -> Double {
        let (r0, c0) = (Int(row.rounded(.down)), Int(column.rounded(.down)))
        let (fr, fc) = (row - Double(r0), column - Double(c0))
        func pixel(_ r: Int, _ c: Int) -> Double { r >= 0 && r < side && c >= 0 && c < side ? image[r * side + c] : 0 }
        // A neighbour with weight 0 is left out rather than multiplied by 0, so that a NaN
        // pixel (0 · NaN = NaN) stays where it is instead of spreading to its neighbours.
        var sum = 0.0
        for (r, c, a, b) in [(r0, c0, 1 - fr, 1 - fc), (r0, c0 + 1, 1 - fr, fc), (r0 + 1, c0, fr, 1 - fc), (r0 + 1, c0 + 1, fr, fc)]
        where a != 0 && b != 0 {
            sum += pixel(r, c) * a * b
        }
        return sum
    }

    /// The image moved `dx` pixels right and `dy` pixels down (any real amounts).
    public static func shifted(_ image: [Double], side: Int, dx: Double, dy: Double) -> [Double] {
        require(image.count == side * side, "ImageTransform.shifted: \(image.count) values for a \(side) × \(side) image")
        return (0..<(side * side)).map { index in
            sample(image, side: side, row: Double(index / side) - dy, column: Double(index % side) - dx)
        }
    }

    /// The image turned by `degrees` counter-clockwise about its centre.
    public static func rotated(_ image: [Double], side: Int, degrees: Double) -> [Double] {
        require(image.count == side * side, "ImageTransform.rotated: \(image.count) values for a \(side) × \(side) image")
        let theta = degrees * Double.pi / 180
        let m = Double(side - 1) / 2
        return (0..<(side * side)).map { index in
            let (r, c) = (Double(index / side) - m, Double(index % side) - m)
            return sample(image, side: side, row: m + r * cos(theta) + c * sin(theta), column: m - r * sin(theta) + c * cos(theta))
        }
    }

    /// A transform for ``/Backprop/Augmented``: each image of a batch (rows of side² pixels) shifted
    /// by whole pixels in −maxShift...maxShift along each axis and rotated by a uniform
    /// angle in ±maxDegrees, all drawn from `generator`.
    public static func digitJitter(maxShift: Int = 1, maxDegrees: Double = 10, side: Int = 8) -> @Sendable (Tensor, inout SeededGenerator) -> Tensor {
        require(maxShift >= 0 && maxDegrees >= 0, "ImageTransform.digitJitter: the shift and the angle must not be negative")
        return { batch, generator in
            let pixels = side * side
            require(batch.count % pixels == 0, "ImageTransform.digitJitter: a batch \(batch.shapeDescription) is not made of \(side) × \(side) images")
            var values: [Double] = []
            values.reserveCapacity(batch.count)
            for k in 0..<(batch.count / pixels) {
                let image = Array(batch.values[(k * pixels)..<((k + 1) * pixels)])
                let (dx, dy) = (generator.int(in: -maxShift..<(maxShift + 1)), generator.int(in: -maxShift..<(maxShift + 1)))
                let angle = maxDegrees > 0 ? generator.uniform(in: -maxDegrees...maxDegrees) : 0
                values += rotated(shifted(image, side: side, dx: Double(dx), dy: Double(dy)), side: side, degrees: angle)
            }
            return Tensor(shape: batch.shape, values: values)
        }
    }
}
