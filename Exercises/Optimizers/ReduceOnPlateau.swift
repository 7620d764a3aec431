import ExerciseSupport
import Foundation

// Exercise 4.6 — Reduce on plateau
//
// The learning rate each epoch trains with, when a validation loss decides it (PyTorch's
// ReduceLROnPlateau, mode "min", threshold mode "rel", no cooldown). Epoch k trains with
// rate η_k, then its validation loss losses[k] is looked at:
//
//     improved:  losses[k] < best · (1 − threshold)   →  best = losses[k], bad = 0
//     otherwise: bad = bad + 1
//     if bad > patience:  the next rate is η · factor, and bad = 0
//
// The first epoch always improves (there is no best yet). A cut applies from the next
// epoch on, never to the epoch whose loss caused it. Return the rate of every epoch:
// rates[0] = initialRate, and one rate per loss.
//
// Example: losses [1, 1, 1, 1, 1], initialRate 0.1, factor 0.5, patience 1,
//          threshold 0 → [0.1, 0.1, 0.1, 0.05, 0.05]
//          (epochs 2 and 3 do not improve: bad = 2 > 1 after epoch 3, so epoch 4 uses 0.05)
// Hint: "more than patience" bad epochs, not "patience" of them.

/// The learning rate of each epoch, given the validation loss after each.
public func reduceOnPlateau(losses: [Double], initialRate: Double, factor: Double, patience: Int, threshold: Double) throws -> [Double] {
    throw NotAttempted()
}
