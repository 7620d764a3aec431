import ExerciseSupport
import Foundation

// Exercise 5.5 — Early stopping
//
// validationLosses[k] is the validation loss after epoch k + 1. Go through the epochs in
// order, keeping the best loss so far and its epoch:
//
//   - the first epoch is always the best so far;
//   - a later epoch improves if its loss < best − minimumImprovement: it becomes the best,
//     and the count of epochs without improvement goes back to 0;
//   - otherwise the count goes up by 1, and when it reaches `patience`, training stops
//     after this epoch.
//
// Return the epoch training stopped after (nil if it never stopped) and the epoch whose
// weights to keep (the best one). Epochs count from 1.
// Example: [1.0, 0.8, 0.7, 0.69, 0.72, 0.75, 0.71, 0.9], patience 3, minimum improvement 0.02
//          → 0.69 is not 0.02 better than 0.7; epochs 4, 5, 6 do not improve → (6, 3).

/// When early stopping ends training and which epoch's weights it keeps.
public func earlyStoppingEpochs(
    validationLosses: [Double], patience: Int, minimumImprovement: Double
) throws -> (stopAfter: Int?, keep: Int) {
    throw NotAttempted()
}
