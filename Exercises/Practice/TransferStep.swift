import ExerciseSupport
import Foundation
import Practice

// Exercise 11.4 — One step of transfer learning: a frozen or slower backbone, a new head
//
// A pretrained backbone h = ReLU(W1 x + b1) (W1: H × D, row-major) and a new head
// z = W2 h + b2 (W2: K × H), with the softmax cross-entropy averaged over the batch:
//
//     ∂L/∂z = (softmax(z) − onehot(label)) / B
//     ∂L/∂W2 = Σ ∂L/∂z hᵀ     ∂L/∂b2 = Σ ∂L/∂z
//     ∂L/∂h = W2ᵀ ∂L/∂z       ∂L/∂u = ∂L/∂h where u = W1 x + b1 > 0, else 0
//     ∂L/∂W1 = Σ ∂L/∂u xᵀ     ∂L/∂b1 = Σ ∂L/∂u
//
// Take one step of plain gradient descent: the head with rate η, the backbone with
// rate η · backboneScale. backboneScale = 0 is feature extraction: the backbone is frozen
// and W1, b1 must come back exactly as they were. backboneScale = 0.1 is fine-tuning
// with a lower rate for the pretrained layers. Return (W1, b1, W2, b2) after the step.
//
// Example: see the check's first case.
// Hint: every gradient is computed at the weights before the step.

/// The four parameters after one step.
public func transferStep(
    w1: [Double], b1: [Double], w2: [Double], b2: [Double], inputs: [[Double]], labels: [Int], learningRate: Double, backboneScale: Double
) throws -> (w1: [Double], b1: [Double], w2: [Double], b2: [Double]) {
    throw NotAttempted()
}
