import ExerciseSupport
import Foundation
import Practice

// Exercise 11.2 — Precision, recall and F1 from a confusion matrix
//
// With counts[t][p] as in exercise 11.1, for each class c:
//
//     TP = counts[c][c]
//     FP = Σ over t ≠ c of counts[t][c]      (predicted c, but it was not)
//     FN = Σ over p ≠ c of counts[c][p]      (it was c, but predicted otherwise)
//     precision = TP / (TP + FP)     recall = TP / (TP + FN)
//     F1 = 2 · precision · recall / (precision + recall)
//
// A ratio 0/0 counts as 0 (a class never predicted has precision 0; scikit-learn's
// zero_division default). Also return the macro averages: the plain mean over the
// classes of the precisions, of the recalls and of the F1s, each class counting the same.
//
// Example: counts [[2, 1], [0, 1]] → precision [1, 0.5], recall [2/3, 1],
//          F1 [0.8, 2/3], macro [0.75, 5/6, 11/15]
// Hint: precision reads down a column (what was predicted c), recall along a row.

/// Per-class precision, recall and F1, and the macro averages [precision, recall, F1].
public func precisionRecallF1(counts: [[Int]]) throws -> (precision: [Double], recall: [Double], f1: [Double], macro: [Double]) {
    throw NotAttempted()
}
