import Autoencoders
import ExerciseSupport
import Foundation

// Exercise 9.4 — The ELBO's two terms for a batch
//
// For a batch of B images (row-major, `pixels` values each, in [0, 1]), the decoder's
// logits for them (same layout), and the encoder's μ and log σ² (B × latent), return the
// two terms of −ELBO per image, each averaged over the batch:
//
//     reconstruction = (1/B) Σ_b Σᵢ BCE(logit_bi, x_bi)
//         BCE(t, x) = −[x log σ(t) + (1 − x) log(1 − σ(t))] = max(t, 0) − t x + log(1 + e^(−|t|))
//     KL = (1/B) Σ_b −½ Σⱼ (1 + log σ²_bj − μ²_bj − exp(log σ²_bj))
//
// Both are sums over an image's pixels (or coordinates), not means: a mean over pixels
// would shrink the reconstruction 64-fold against the KL.
// Example: one image of 2 pixels [1, 0], logits [0, 0], μ = [0], log σ² = [0]
//          → reconstruction = 2 log 2 ≈ 1.386, KL = 0
// Hint: logits can be large; the second form of BCE never takes log 0.

/// (reconstruction, KL): per image, averaged over the batch.
public func elboTerms(logits: [Double], images: [Double], pixels: Int, mean: [Double], logVariance: [Double]) throws -> (
    reconstruction: Double, kl: Double
) {
    throw NotAttempted()
}
