import ExerciseSupport
import Foundation
import Practice

// Exercise 11.1 — The confusion matrix
//
// counts[t][p] is the number of samples whose true class is t and whose predicted class
// is p: rows are the truth, columns the prediction (scikit-learn's convention). Every
// class in 0..<classCount has a row and a column, also one that never occurs.
//
// Example: truth [0, 0, 1, 2], predicted [0, 1, 1, 1], classCount 3
//          → [[1, 1, 0],
//             [0, 1, 0],
//             [0, 1, 0]]
// Hint: the diagonal counts the right answers; a row sums to the class's support.

/// counts[true class][predicted class].
public func confusionMatrix(truth: [Int], predicted: [Int], classCount: Int) throws -> [[Int]] {
    throw NotAttempted()
}
