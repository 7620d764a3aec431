import Foundation
import LinearAlgebra
import Randomness
import Validation

/// A mixture of `modes` Gaussians with their centres evenly spaced on a circle of
/// `radius`, each with standard deviation `spread` along both axes: the standard small
/// test of mode collapse (Metz et al., 2016). Every sample picks a mode uniformly.
public struct GaussianRing: Sendable {
    /// The number of Gaussians, evenly spaced on the circle.
    public let modes: Int
    /// The radius of the circle the modes sit on.
    public let radius: Double
    /// The standard deviation of each mode's Gaussian.
    public let spread: Double

    /// A ring of `modes` Gaussians of standard deviation `spread` on a circle of `radius`
    /// (the eight-mode ring of the GAN literature by default).
    public init(modes: Int = 8, radius: Double = 2, spread: Double = 0.05) {
        require(modes > 0, "GaussianRing: needs at least one mode, got \(modes)")
        require(radius > 0 && spread > 0, "GaussianRing: the radius and the spread must be positive, got \(radius) and \(spread)")
        self.modes = modes
        self.radius = radius
        self.spread = spread
    }

    /// The centre of mode k: (r cos 2πk/K, r sin 2πk/K).
    public var centres: [[Double]] {
        (0..<modes).map { k in
            let angle = 2 * Double.pi * Double(k) / Double(modes)
            return [radius * cos(angle), radius * sin(angle)]
        }
    }

    /// `count` points, each (x, y).
    public func sample(_ count: Int, using generator: inout SeededGenerator) -> [[Double]] {
        let centres = self.centres
        return (0..<count).map { _ in
            let c = centres[generator.int(below: modes)]
            return [c[0] + spread * generator.normal(), c[1] + spread * generator.normal()]
        }
    }

    /// How well `points` cover the ring (Srivastava et al., 2017's measures):
    ///
    /// - a point is *high quality* when it lies within 3 standard deviations of some mode's
    ///   centre; `highQuality` is their share of all points;
    /// - a mode is *covered* when at least a quarter of its fair share of the points,
    ///   count / (4 · modes), are high-quality points nearest to it.
    ///
    /// A generator that has collapsed onto a few modes makes high-quality points and
    /// covers few modes; one that spreads its points between modes covers none.
    public func coverage(_ points: [[Double]]) -> (modesCovered: Int, highQuality: Double, perMode: [Int]) {
        require(!points.isEmpty, "GaussianRing.coverage: no points")
        let centres = self.centres
        var perMode = [Int](repeating: 0, count: modes)
        var good = 0
        for p in points {
            require(p.count == 2, "GaussianRing.coverage: a point needs 2 coordinates, got \(p.count)")
            let distances = centres.map { ($0[0] - p[0]) * ($0[0] - p[0]) + ($0[1] - p[1]) * ($0[1] - p[1]) }
            let nearest = distances.indices.min { distances[$0] < distances[$1] }!
            if distances[nearest].squareRoot() <= 3 * spread {
                good += 1
                perMode[nearest] += 1
            }
        }
        let needed = Double(points.count) / Double(4 * modes)
        return (perMode.filter { Double($0) >= needed }.count, Double(good) / Double(points.count), perMode)
    }
}

// MARK: - The Fréchet distance

/// The Fréchet distance between two sets of feature vectors, each summarized by a Gaussian
/// (its mean and covariance): the distance behind FID (Heusel et al., 2017), computed here
/// on the features of this curriculum's own digit classifier instead of Inception's.
///
/// ```
/// d² = ‖μ_a − μ_b‖² + Tr(Σ_a + Σ_b − 2 (Σ_a^½ Σ_b Σ_a^½)^½)
/// ```
/// Σ_a^½ Σ_b Σ_a^½ is symmetric, so both square roots come from symmetric eigendecompositions
/// (``symmetricEigendecomposition(_:size:)``), eigenvalues rounded below 0 set to 0.
/// Covariances are biased (divided by the number of vectors). 0 for two identical sets.
public func frechetDistance(_ a: [[Double]], _ b: [[Double]]) -> Double {
    require(a.count > 1 && b.count > 1, "frechetDistance: needs at least 2 vectors in each set, got \(a.count) and \(b.count)")
    let d = a[0].count
    require(d > 0 && (a + b).allSatisfy { $0.count == d }, "frechetDistance: every vector needs \(d) values like the first")
    let (meanA, covarianceA) = meanAndCovariance(a)
    let (meanB, covarianceB) = meanAndCovariance(b)
    let rootA = symmetricSquareRoot(covarianceA, size: d)
    let middle = multiply(multiply(rootA, covarianceB, d), rootA, d)
    let symmetric = (0..<(d * d)).map { (middle[$0] + middle[($0 % d) * d + $0 / d]) / 2 }  // rounding leaves it a hair off symmetric
    let traceRoot = symmetricEigendecomposition(symmetric, size: d).values.reduce(0) { $0 + max($1, 0).squareRoot() }
    let meanTerm = zip(meanA, meanB).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    let traces = (0..<d).reduce(0) { $0 + covarianceA[$1 * d + $1] + covarianceB[$1 * d + $1] }
    return meanTerm + traces - 2 * traceRoot
}

/// The mean and the biased covariance (d × d, row-major) of `vectors`.
func meanAndCovariance(_ vectors: [[Double]]) -> (mean: [Double], covariance: [Double]) {
    let (n, d) = (Double(vectors.count), vectors[0].count)
    let mean = (0..<d).map { j in vectors.reduce(0) { $0 + $1[j] } / n }
    var covariance = [Double](repeating: 0, count: d * d)
    for v in vectors {
        for i in 0..<d {
            let a = v[i] - mean[i]
            for j in 0..<d { covariance[i * d + j] += a * (v[j] - mean[j]) / n }
        }
    }
    return (mean, covariance)
}

func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
    matmul(Matrix(rows: d, columns: d, values: a), Matrix(rows: d, columns: d, values: b)).values
}

/// V diag(√max(λ, 0)) Vᵀ for a symmetric matrix.
func symmetricSquareRoot(_ m: [Double], size d: Int) -> [Double] {
    let (values, vectors) = symmetricEigendecomposition(m, size: d)
    var root = [Double](repeating: 0, count: d * d)
    for k in 0..<d {
        let s = max(values[k], 0).squareRoot()
        for i in 0..<d {
            for j in 0..<d { root[i * d + j] += s * vectors[i * d + k] * vectors[j * d + k] }
        }
    }
    return root
}

/// The eigenvalues and eigenvectors of a symmetric d × d matrix (row-major), by cyclic
/// Jacobi rotations: each rotation zeroes one off-diagonal pair, and sweeps repeat until
/// the off-diagonal part is negligible. `vectors` holds the eigenvectors as columns
/// (eigenvector k is vectors[i·d + k] for i in 0..<d), in the order of `values`.
public func symmetricEigendecomposition(_ m: [Double], size d: Int) -> (values: [Double], vectors: [Double]) {
    require(d > 0 && m.count == d * d, "symmetricEigendecomposition: \(m.count) values for a \(d) × \(d) matrix")
    for i in 0..<d {
        for j in 0..<i {
            let (x, y) = (m[i * d + j], m[j * d + i])
            require(
                abs(x - y) <= 1e-9 * max(1, abs(x), abs(y)),
                "symmetricEigendecomposition: the matrix is not symmetric: entry (\(i), \(j)) is \(x) but (\(j), \(i)) is \(y)")
        }
    }
    var a = m
    var v = [Double](repeating: 0, count: d * d)
    for i in 0..<d { v[i * d + i] = 1 }
    let scale = max(a.reduce(0) { $0 + $1 * $1 }, Double.leastNormalMagnitude)
    for _ in 0..<100 {
        var off = 0.0
        for i in 0..<d { for j in 0..<d where i != j { off += a[i * d + j] * a[i * d + j] } }
        if off <= 1e-30 * scale { break }
        for p in 0..<(d - 1) {
            for q in (p + 1)..<d where a[p * d + q] != 0 {
                // The rotation by θ in the (p, q) plane that zeroes a[p, q].
                let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<d {  // columns p and q of A
                    let (akp, akq) = (a[k * d + p], a[k * d + q])
                    a[k * d + p] = c * akp - s * akq
                    a[k * d + q] = s * akp + c * akq
                }
                for k in 0..<d {  // rows p and q of A
                    let (apk, aqk) = (a[p * d + k], a[q * d + k])
                    a[p * d + k] = c * apk - s * aqk
                    a[q * d + k] = s * apk + c * aqk
                }
                for k in 0..<d {  // the eigenvectors accumulate the same rotations
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q])
                    v[k * d + p] = c * vkp - s * vkq
                    v[k * d + q] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<d).map { a[$0 * d + $0] }, v)
}
