import ExerciseSupport
import Foundation
import LSTM

// Exercise 7.9 — Two stacked RNN layers with dropout between them
//
// One sample. Layer 1 reads the input sequence x₁ … x_T (F numbers each) and produces its
// states h¹ₜ (H₁ each), as in exercise 7.1, from h¹₀ = 0. Layer 2 reads a sequence of H₁
// numbers per step and produces h²ₜ (H₂ each), from h²₀ = 0. Between them sits dropout as
// PyTorch's nn.RNN(…, num_layers=2, dropout=p) places it: layer 2's input at step t is
//
//     h¹ₜ ⊙ mask[t]          (mask values 0 or 1/(1 − p), already drawn: T rows of H₁)
//
// Only layer 2's input is dropped. Layer 1's own recurrence keeps using the undropped
// h¹ₜ₋₁, and nothing is dropped after the last layer. Return h²₁ … h²_T.
//
//     h¹ₜ = tanh(W¹_x xₜ + W¹_h h¹ₜ₋₁ + b¹)
//     h²ₜ = tanh(W²_x (h¹ₜ ⊙ mask[t]) + W²_h h²ₜ₋₁ + b²)
//
// Weights flat and row-major in PyTorch's layout: W¹_x is H₁ × F, W¹_h H₁ × H₁,
// W²_x H₂ × H₁, W²_h H₂ × H₂.
// Example: see the check's first case.
// Hint: keep two copies of h¹ₜ in mind: the one layer 1 carries on with, and the dropped
//       one layer 2 reads.

/// The top layer's states, one row per step.
public func stackedRNN(
    sequence: [[Double]], inputWeights1: [Double], hiddenWeights1: [Double], bias1: [Double],
    inputWeights2: [Double], hiddenWeights2: [Double], bias2: [Double], mask: [[Double]]
) throws -> [[Double]] {
    throw NotAttempted()
}
