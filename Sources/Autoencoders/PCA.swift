import Foundation
import LinearAlgebra
import Validation

/// Principal component analysis, the linear autoencoder: the k directions along which the
/// data varies most. Encoding is projecting onto them, decoding is going back:
///
/// ```
/// code = Vₖᵀ (x − x̄)        x̂ = x̄ + Vₖ code        Vₖ: the top k eigenvectors of the covariance
/// ```
/// Among all ways to squeeze x through k numbers linearly, this one has the least squared
/// reconstruction error (Eckart–Young): what a nonlinear autoencoder must beat.
///
/// The eigenvectors come from orthogonal iteration, power iteration on k vectors at once:
/// multiply by the covariance C, then make the vectors orthonormal again (Gram–Schmidt).
/// Each multiplication stretches the directions of large eigenvalues more than the rest,
/// so the vectors turn towards the top k eigenvectors; the first j of them span the top j
/// (for every j ≤ k), so one run serves every code size up to k.
public struct PCA: Sendable {
    /// x̄, the mean of the data.
    public let mean: [Double]
    /// The components, as rows (k × features), largest variance first.
    public let components: [[Double]]
    /// The variance of the data along each component (its eigenvalue, a Rayleigh quotient).
    public let variances: [Double]
    /// The data's total variance, Σ over the features (the covariance's trace, the sum of
    /// all its eigenvalues): `variances` over this is the share each component keeps.
    public let totalVariance: Double

    /// The top `components` principal components of `data` (samples × features), after
    /// `iterations` rounds of orthogonal iteration.
    public init(_ data: [[Double]], components k: Int, iterations: Int = 300) {
        require(!data.isEmpty, "PCA: no data")
        let d = data[0].count
        require(data.allSatisfy { $0.count == d }, "PCA: every sample needs \(d) features like the first")
        require(k > 0 && k <= d, "PCA: the number of components must be in 1...\(d), got \(k)")
        require(iterations > 0, "PCA: iterations must be positive, got \(iterations)")
        let n = Double(data.count)
        let mean = (0..<d).map { j in data.reduce(0) { $0 + $1[j] } / n }
        // The covariance C = (1/n) Σ (x − x̄)(x − x̄)ᵀ (biased: divided by n).
        var covariance = [Double](repeating: 0, count: d * d)
        for x in data {
            for i in 0..<d {
                let a = x[i] - mean[i]
                for j in 0..<d { covariance[i * d + j] += a * (x[j] - mean[j]) / n }
            }
        }
        func multiply(_ v: [Double]) -> [Double] {
            (0..<d).map { i in (0..<d).reduce(0) { $0 + covariance[i * d + $1] * v[$1] } }
        }
        // Start from fixed, independent vectors: e₀ + small multiples of every axis.
        var vectors: [[Double]] = []
        for c in 0..<k {
            var v = [Double](repeating: 0, count: d)
            for j in 0..<d { v[j] = j == c ? 1 : 0.01 * sin(Double(7 * c + 3 * j + 1)) }
            vectors.append(v)
        }
        for _ in 0..<iterations {
            vectors = orthonormalized(vectors.map(multiply))
        }
        self.mean = mean
        totalVariance = (0..<d).reduce(0) { $0 + covariance[$1 * d + $1] }
        components = vectors
        variances = vectors.map { v in zip(v, multiply(v)).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    /// The first `k` coordinates of x along the components.
    public func encode(_ x: [Double], size k: Int) -> [Double] {
        require(k > 0 && k <= components.count, "PCA.encode: the code size must be in 1...\(components.count), got \(k)")
        require(x.count == mean.count, "PCA.encode: \(x.count) features, the data had \(mean.count)")
        return components.prefix(k).map { v in zip(v, zip(x, mean)).reduce(0) { $0 + $1.0 * ($1.1.0 - $1.1.1) } }
    }

    /// x̄ + Σ codeⱼ vⱼ.
    public func decode(_ code: [Double]) -> [Double] {
        require(code.count <= components.count, "PCA.decode: \(code.count) coordinates for \(components.count) components")
        var x = mean
        for (c, v) in zip(code, components) {
            for j in x.indices { x[j] += c * v[j] }
        }
        return x
    }
}

/// Gram–Schmidt: each vector minus its projections on the ones before it, then scaled to
/// length 1 (twice over, for accuracy with nearly parallel vectors).
func orthonormalized(_ vectors: [[Double]]) -> [[Double]] {
    var result: [[Double]] = []
    for var v in vectors {
        for _ in 0..<2 {
            for u in result {
                let dot = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
                for j in v.indices { v[j] -= dot * u[j] }
            }
        }
        let norm = sqrt(v.reduce(0) { $0 + $1 * $1 })
        require(norm > 0, "PCA: the data spans fewer directions than the components asked for")
        result.append(v.map { $0 / norm })
    }
    return result
}
