import ExerciseSupport
import Foundation
import GANs

// Exercise 10.6 — Batch normalization over channels, forward and backward
//
// x is a batch of images (N, C, H, W), row-major: x[n, c, i, j] at ((n·C + c)·H + i)·W + j.
// Each channel c is normalized with its own mean and variance over the batch and every
// position (N·H·W values), then scaled and shifted:
//
//     μ_c = mean of x[·, c, ·, ·]      σ²_c = mean of (x[·, c, ·, ·] − μ_c)²   (biased: ÷ N·H·W)
//     x̂ = (x − μ_c) / √(σ²_c + ε)      y = γ_c x̂ + β_c
//
// Backward, with g = ∂L/∂y and M = N·H·W, over the values of channel c:
//
//     ∂L/∂β_c = Σ g      ∂L/∂γ_c = Σ g x̂
//     ∂L/∂x = (γ_c / (M √(σ²_c + ε))) · (M g − Σ g − x̂ Σ g x̂)
//
// Example: x of shape (1, 2, 1, 2) = [1, 3, 10, 10], γ = [1, 1], β = [0, 0], ε = 0
//          → channel 0: μ = 2, σ² = 1 → y = [−1, 1]; channel 1: σ² = 0 needs ε > 0
// Hint: one mean per channel, not one per pixel position across the channels.

/// y for a training batch.
public func batchNorm2DForward(
    _ x: [Double], batch: Int, channels: Int, height: Int, width: Int, gamma: [Double], beta: [Double], epsilon: Double
) throws -> [Double] {
    throw NotAttempted()
}

/// (∂L/∂x, ∂L/∂γ, ∂L/∂β) of a training batch, given ∂L/∂y.
public func batchNorm2DBackward(
    outputGradient: [Double], input x: [Double], batch: Int, channels: Int, height: Int, width: Int, gamma: [Double], epsilon: Double
) throws -> (input: [Double], gamma: [Double], beta: [Double]) {
    throw NotAttempted()
}
