import ExerciseSupport
import Foundation
import GANs

// Exercise 10.5 — One generator step, through the discriminator
//
// The same linear networks as exercise 10.4. Make a generated batch x_j = A z_j + c, score
// it with D (t_j = w · x_j + b), and take one gradient step on G with the non-saturating
// loss of exercise 10.2. The gradient reaches G through D's input gradient:
//
//     ∂L_G/∂t_j = −(1 − σ(t_j)) / m           ∂t_j/∂x_j = w
//     ∂L_G/∂x_j = ∂L_G/∂t_j · w               (D's input gradient)
//     ∂L_G/∂A = Σ_j ∂L_G/∂x_j z_jᵀ           ∂L_G/∂c = Σ_j ∂L_G/∂x_j
//     A ← A − η ∂L_G/∂A,   c ← c − η ∂L_G/∂c
//
// D's w and b must come back unchanged: G's step uses D, it does not train it.
// Example: noise [[1]], A [[0]], c [0], w [1], b 0, η 1 → x = 0, t = 0,
//          ∂L_G/∂x = −½ → A = [½], c = [½]
// Hint: the generator's gradient is D's input gradient times G's own local gradient.

/// G's (A, c) after one gradient step on the non-saturating loss, and D's (w, b) unchanged.
public func generatorStep(
    noise: [[Double]], generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double,
    learningRate: Double
) throws -> (generatorWeights: [Double], generatorBias: [Double], discriminatorWeights: [Double], discriminatorBias: Double) {
    throw NotAttempted()
}
