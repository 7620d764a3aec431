import Activations
import Backprop
import Foundation
import LinearAlgebra
import Optimizers
import Regularization
import Testing

/// Extreme inputs through every activation, loss, normalization, optimizer step and clipping.
///
/// Each result is sorted into one of: finite (and right, where the true value is known),
/// NaN propagated (a NaN went in and a NaN came out), or silent garbage (anything else:
/// ∞ or NaN where the true answer fits a `Double`, a NaN swallowed, a wrong finite value).
/// Invalid input (probabilities outside [0, 1], say) stops with a clear error: the misuse
/// tests of each chapter check those messages.
@Suite("Robustness · extreme inputs: finite where the answer fits, NaN in → NaN out")
struct RobustnessTests {
    static let extremes: [Double] = [
        0, -0.0, 0x1p-1063, -0x1p-1063, .leastNonzeroMagnitude, 1, -1, 1e300, -1e300, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude,
    ]

    /// Known cases the suite still finds, named so that any other garbage fails it (none).
    static let known: Set<String> = []

    final class Tally {
        var tried = 0, finite = 0, nanPropagated = 0, refused = 0
        var garbage: [String] = []

        /// Records `value` for an input that held a NaN (`nanIn`) or not; `expected`, if
        /// given, is the true value it must match within a relative 1e-12.
        func record(_ what: @autoclosure () -> String, _ value: Double, nanIn: Bool, expected: Double? = nil) {
            tried += 1
            if nanIn {
                if value.isNaN { nanPropagated += 1 } else { garbage.append("\(what()) = \(value), but a NaN went in") }
            } else if !value.isFinite {
                garbage.append("\(what()) = \(value)")
            } else if let expected, abs(value - expected) > 1e-12 * max(1, abs(expected)) {
                garbage.append("\(what()) = \(value), expected \(expected)")
            } else {
                finite += 1
            }
        }
    }

    @Test("every case is finite and right, or NaN from NaN; the counts are printed")
    func sweep() {
        let tally = Tally()
        let inputs = Self.extremes + [.nan]

        // Activations and their derivatives.
        for g in Activation.allCases {
            for z in inputs {
                tally.record("\(g.name)(\(z))", g(z), nanIn: z.isNaN)
                tally.record("\(g.name)′(\(z))", g.derivative(z), nanIn: z.isNaN)
            }
        }
        // Softmax of pairs: a distribution, whatever the scale.
        for a in inputs {
            for b in inputs {
                let s = softmax([a, b])
                for (k, value) in s.enumerated() { tally.record("softmax([\(a), \(b)])[\(k)]", value, nanIn: a.isNaN || b.isNaN) }
                if !a.isNaN && !b.isNaN { tally.record("Σ softmax([\(a), \(b)])", s.reduce(0, +), nanIn: false, expected: 1) }
            }
        }
        // Losses where the true value fits: differences up to 1e150 (their squares fit).
        let moderate: [Double] = [0, 0x1p-1063, -0x1p-1063, 1, -1, 1e150, -1e150] + [.nan]
        for p in moderate {
            for y in moderate {
                let nan = p.isNaN || y.isNaN
                tally.record("MSE(\(p), \(y))", meanSquaredError([p], [y]), nanIn: nan)
                tally.record("MSE′(\(p), \(y))", meanSquaredErrorGradient([p], [y])[0], nanIn: nan)
                tally.record("MAE(\(p), \(y))", meanAbsoluteError([p], [y]), nanIn: nan)
                tally.record("MAE′(\(p), \(y))", meanAbsoluteErrorGradient([p], [y])[0], nanIn: nan)
            }
        }
        for p in [0, 0x1p-1063, .leastNonzeroMagnitude, 1e-300, 0.5, 1 - 1e-16, 1, .nan] as [Double] {
            for y in [0.0, 1, .nan] {
                tally.record("BCE(\(p), \(y))", binaryCrossEntropy([p], [y]), nanIn: p.isNaN || y.isNaN)
                tally.record("BCE′(\(p), \(y))", binaryCrossEntropyGradient([p], [y])[0], nanIn: p.isNaN || y.isNaN)
            }
        }
        for a in inputs {
            for b in inputs {
                let (loss, gradient) = softmaxCrossEntropy(logits: Matrix([[a, b]]), labels: [0])
                let nan = a.isNaN || b.isNaN
                // The loss is log(e^a + e^b) − a: it fits a Double unless b − a overflows.
                if !(b - a).isInfinite { tally.record("softmaxCE([\(a), \(b)])", loss, nanIn: nan) }
                for (k, value) in gradient.values.enumerated() { tally.record("softmaxCE′([\(a), \(b)])[\(k)]", value, nanIn: nan) }
            }
        }
        // Batch normalization: a constant batch normalizes to β, at any scale.
        for c in inputs {
            var norm = BatchNorm(features: 1)
            norm.beta.value = [0.25]
            let y = norm.forward(Tensor(shape: [4, 1], values: [c, c, c, c]), mode: .training)
            for value in y.values { tally.record("batchNorm([\(c) ×4])", value, nanIn: c.isNaN, expected: 0.25) }
        }
        // One optimizer step from θ = 1; the first step's size is known for each rule.
        for g in inputs {
            let sign: Double = g > 0 ? 1 : g < 0 ? -1 : 0
            func step(_ optimizer: some Optimizer) -> Double {
                var optimizer = optimizer
                var theta = Parameter(name: "θ", shape: [1], value: [1], decays: false)
                theta.gradient = [g]
                optimizer.update(&theta)
                return theta.value[0]
            }
            tally.record("SGD step, g = \(g)", step(SGD(learningRate: 0.1)), nanIn: g.isNaN, expected: 1 - 0.1 * g)
            tally.record("momentum step, g = \(g)", step(Momentum(learningRate: 0.1)), nanIn: g.isNaN, expected: 1 - 0.1 * g)
            // Adam's first step is η·g/(|g| + ε), RMSprop's η·g/(√(1 − ρ)·|g| + ε): about η·sign(g)
            // and η·sign(g)/√0.1 once |g| ≫ ε.
            let adam = abs(g) > 1e-4 ? 1 - 0.01 * (abs(g) < 1e100 ? g / (abs(g) + 1e-8) : sign) : nil
            // Adam and RMSprop refuse |g| ≥ 1.3e154 with a clear error (their running g² would
            // overflow): the exit test below checks it.
            guard !(g * g).isInfinite || g.isNaN else {
                tally.tried += 2
                tally.refused += 2
                continue
            }
            tally.record("Adam step, g = \(g)", step(Adam(learningRate: 0.01)), nanIn: g.isNaN, expected: adam)
            let root = (0.1 as Double).squareRoot()
            let rms = abs(g) > 1e-4 ? 1 - 0.01 * (abs(g) < 1e100 ? g / (root * abs(g) + 1e-8) : sign / root) : nil
            tally.record("RMSprop step, g = \(g)", step(RMSprop(learningRate: 0.01)), nanIn: g.isNaN, expected: rms)
        }
        // Clipping by global norm: the direction kept, the norm exactly the threshold.
        for g in inputs where g != 0 {
            var gradients = [[g, g]]
            let norm = clipByGlobalNorm(&gradients, maxNorm: 1)
            // (‖[g, g]‖ = √2·|g| itself overflows for the largest g; the clipped values do not.)
            if (abs(g) * 2.0.squareRoot()).isFinite || g.isNaN {
                tally.record("‖[\(g), \(g)]‖", norm, nanIn: g.isNaN, expected: abs(g) * 2.0.squareRoot())
            }
            let expected = abs(g) * 2.0.squareRoot() > 1 ? sign(g) / 2.0.squareRoot() : g
            for value in gradients[0] { tally.record("clip([\(g), \(g)], 1)", value, nanIn: g.isNaN, expected: expected) }
        }

        let unexpected = tally.garbage.filter { garbage in !Self.known.contains { garbage.hasPrefix($0) } }
        print(
            "robustness: \(tally.tried) cases tried, \(tally.finite) finite and right, \(tally.nanPropagated) NaN propagated, "
                + "\(tally.refused) refused with a clear error, \(tally.garbage.count) silent garbage")
        for line in tally.garbage { print("  garbage: \(line)") }
        #expect(unexpected.isEmpty, "silent garbage:\n\(unexpected.joined(separator: "\n"))")
        #expect(tally.tried == tally.finite + tally.nanPropagated + tally.refused + tally.garbage.count)
    }

    @Test("Adam and RMSprop refuse a gradient whose square overflows, naming it and the cure", arguments: ["Adam", "RMSprop"])
    func hugeGradient(rule: String) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [rule] in
            var theta = Parameter(name: "W1", shape: [2], value: [1, 1], decays: true)
            theta.gradient = [1, 1e300]
            if rule == "Adam" {
                var adam = Adam()
                adam.update(&theta)
            } else {
                var rmsprop = RMSprop(learningRate: 0.01)
                rmsprop.update(&theta)
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("\(rule): the gradient of W1 is 1e+300 at index 1; its square overflows"), "\(message)")
        #expect(message.contains("GradientClipping"))
    }

    func sign(_ x: Double) -> Double { x > 0 ? 1 : x < 0 ? -1 : 0 }
}
