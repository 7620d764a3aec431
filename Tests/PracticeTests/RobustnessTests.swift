import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Testing

@testable import Practice

@Suite("Robustness · Chapter 11: finite where the answer fits, NaN in → NaN out")
struct PracticeRobustnessTests {
    @Test(
        "augmentation moves an extreme pixel without spreading it, the dead fraction counts it, message passing and a neural ODE stay finite; the counts are printed"
    )
    func sweep() {
        let tally = RobustnessTally()
        for v in RobustnessTally.extremes + [.nan] {
            // One pixel at v in a 4×4 image, the rest 0: a whole-pixel shift moves it and leaves 0 everywhere else.
            var image = [Double](repeating: 0, count: 16)
            image[5] = v
            for (dx, dy) in [(1, 0), (0, 1), (-1, -1), (0, 0)] {
                let moved = ImageTransform.shifted(image, side: 4, dx: Double(dx), dy: Double(dy))
                let target = (1 + dy) * 4 + (1 + dx)
                for (k, value) in moved.enumerated() {
                    tally.record(
                        "shifted(pixel \(v), \(dx), \(dy))[\(k)]", value, nanIn: k == target && v.isNaN, expected: k == target ? (v.isNaN ? nil : v) : 0)
                }
            }
            // A turn by 0° is the image itself.
            for (k, value) in ImageTransform.rotated(image, side: 4, degrees: 0).enumerated() {
                tally.record("rotated(pixel \(v), 0°)[\(k)]", value, nanIn: k == 5 && v.isNaN, expected: k == 5 ? (v.isNaN ? nil : v) : 0)
            }
            // A unit whose output is v everywhere is dead only when v is exactly 0 (a NaN output is not a dead unit).
            tally.record("deadFraction(all \(v))", deadFraction(Tensor(shape: [3, 1], values: [v, v, v])), nanIn: false, expected: v == 0 ? 1 : 0)
            // Message passing with W = I, M = 0: each state becomes tanh of itself.
            let states = messagePassingRound([[v], [0]], neighbours: [[1], [0]], w: Matrix([[1.0]]), m: Matrix([[0.0]]), b: [0])
            tally.record("messagePassing(\(v))", states[0][0], nanIn: v.isNaN, expected: tanh(v))
            // dh/dt = tanh(0 · h + b) with b = 1 moves h by tanh(1) over t ∈ [0, 1], from any start.
            let ode = NeuralODE(w: [0], b: [1])
            tally.record("euler(h₀ \(v))", ode.euler([v], steps: 4)[0], nanIn: v.isNaN, expected: v + tanh(1), tolerance: 1e-12)
        }
        print(tally.summary("Chapter 11"))
        #expect(tally.garbage.isEmpty, "silent garbage:\n\(tally.garbage.joined(separator: "\n"))")
    }
}
