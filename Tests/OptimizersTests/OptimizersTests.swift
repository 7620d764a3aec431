import Backprop
import Datasets
import Foundation
import LinearAlgebra
import NumericChecks
import Optimizers
import Randomness
import Testing

func expectClose(_ actual: [Double], _ expected: [Double], relative: Double = 1e-12, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(
        mismatch(actual, expected, tolerance: Tolerance(relative: relative, absolute: 1e-15)) == nil, "\(actual) vs \(expected)",
        sourceLocation: sourceLocation)
}

/// Runs `optimizer` on one parameter in slot 0 through the given gradients; returns θ after each step.
func trajectory(_ optimizer: some Optimizer, from start: [Double], gradients: [[Double]]) -> [[Double]] {
    var optimizer = optimizer
    var theta = start
    return gradients.map { g in
        optimizer.update(&theta, gradient: g, slot: 0)
        return theta
    }
}

func randomGradients(_ steps: Int, size: Int, seed: UInt64) -> [[Double]] {
    var rng = SeededGenerator(seed: seed)
    return (0..<steps).map { _ in rng.uniforms(size, in: -3..<3) }
}

@Suite("Chapter 4 · Optimizers · update rules against values worked by hand")
struct UpdateRuleTests {
    @Test("SGD: θ ← θ − η g")
    func sgd() {
        // [1, −2] − 0.1 · [0.5, 1] = [0.95, −2.1]
        expectClose(trajectory(SGD(learningRate: 0.1), from: [1, -2], gradients: [[0.5, 1]])[0], [0.95, -2.1])
    }

    @Test("momentum, velocity form: v ← βv − ηg, θ ← θ + v (β 0.9, η 0.1, g = 1 three times)")
    func velocity() {
        // v: −0.1, −0.19, −0.271;  θ: 0.9, 0.71, 0.439
        let path = trajectory(Momentum(learningRate: 0.1, beta: 0.9, form: .velocity), from: [1], gradients: [[1], [1], [1]])
        expectClose(path.flatMap { $0 }, [0.9, 0.71, 0.439])
    }

    @Test("momentum, exponential-average form: v ← βv + (1 − β)g, θ ← θ − ηv (β 0.9, η 0.1, g = 1 twice)")
    func exponentialAverage() {
        // v: 0.1, 0.19;  θ: 1 − 0.01 = 0.99, 0.99 − 0.019 = 0.971
        let path = trajectory(Momentum(learningRate: 0.1, beta: 0.9, form: .exponentialAverage), from: [1], gradients: [[1], [1]])
        expectClose(path.flatMap { $0 }, [0.99, 0.971])
    }

    @Test("momentum with β = 0 is SGD, in both forms", arguments: Momentum.Form.allCases)
    func momentumWithoutMomentum(_ form: Momentum.Form) {
        let gradients = randomGradients(20, size: 5, seed: 1)
        let start = [0.5, -1, 2, 0, 3.0]
        let plain = trajectory(SGD(learningRate: 0.05), from: start, gradients: gradients)
        let momentum = trajectory(Momentum(learningRate: 0.05, beta: 0, form: form), from: start, gradients: gradients)
        for (a, b) in zip(plain, momentum) { expectClose(a, b, relative: 1e-14) }
    }

    @Test("the average with η/(1 − β) traces the velocity form's path with η")
    func formsAgree() {
        let gradients = randomGradients(50, size: 4, seed: 2)
        let start = [1.0, 2, 3, 4]
        let velocity = trajectory(Momentum(learningRate: 0.01, beta: 0.9, form: .velocity), from: start, gradients: gradients)
        let average = trajectory(Momentum(learningRate: 0.1, beta: 0.9, form: .exponentialAverage), from: start, gradients: gradients)
        for (a, b) in zip(velocity, average) { expectClose(a, b, relative: 1e-11) }
        // …and with the same η they do not: the average's steps are (1 − β) times shorter.
        let sameRate = trajectory(Momentum(learningRate: 0.01, beta: 0.9, form: .exponentialAverage), from: start, gradients: gradients)
        #expect(mismatch(sameRate[49], velocity[49], tolerance: Tolerance(relative: 1e-3, absolute: 1e-3)) != nil)
    }

    @Test("RMSprop: s ← ρs + (1 − ρ)g², θ ← θ − ηg/(√s + ε) (ρ 0.9, η 0.01, g = 2 twice)")
    func rmsprop() {
        // s = 0.4: θ = 1 − 0.02/√0.4 = 0.968377…;  s = 0.76: θ −= 0.02/√0.76
        let path = trajectory(RMSprop(learningRate: 0.01, rho: 0.9), from: [1], gradients: [[2], [2]])
        expectClose(path.flatMap { $0 }, [1 - 0.02 / (0.4.squareRoot() + 1e-8), 1 - 0.02 / (0.4.squareRoot() + 1e-8) - 0.02 / (0.76.squareRoot() + 1e-8)])
        expectClose(path.flatMap { $0 }, [0.9683772238983162, 0.9454356507744178])  // NumPy
    }

    @Test("Adam with bias correction at t = 1 and t = 2 (η 0.1, g = 2 then 1)")
    func adam() {
        // t = 1: m = 0.2, v = 0.004; m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4; θ = 1 − 0.1·2/(2 + ε) = 0.9
        // t = 2: m = 0.28, v = 0.004996; m̂ = 0.28/0.19, v̂ = 0.004996/0.001999; θ = 0.9 − 0.1 m̂/(√v̂ + ε)
        var adam = Adam(learningRate: 0.1)
        var theta = [1.0]
        adam.update(&theta, gradient: [2], slot: 0)
        expectClose(theta, [1 - 0.1 * 2 / (2 + 1e-8)])
        expectClose(adam.states[0]!.m, [0.2])
        expectClose(adam.states[0]!.v, [0.004])
        #expect(adam.states[0]!.t == 1)
        adam.update(&theta, gradient: [1], slot: 0)
        expectClose(adam.states[0]!.m, [0.28])
        expectClose(adam.states[0]!.v, [0.004996])
        #expect(adam.states[0]!.t == 2)
        expectClose(theta, [0.8067820372085103])  // NumPy, the same formulas
        // Without the correction the first step would be 0.1 · 0.2/√0.004 ≈ 0.316, not 0.1.
    }

    @Test("Adam's first step moves every coordinate by η, whatever the gradient's scale")
    func adamFirstStep() {
        var adam = Adam(learningRate: 0.01)
        var theta = [0.0, 0, 0, 0]
        adam.update(&theta, gradient: [1e-4, -3, 250, 1], slot: 0)
        expectClose(theta, [-0.01, 0.01, -0.01, -0.01], relative: 1e-4)
    }
}

@Suite("Chapter 4 · Optimizers · state per parameter")
struct StateTests {
    @Test("two parameters of different shapes share one optimizer as if each had its own")
    func sharedOptimizer() {
        let gradientsA = randomGradients(10, size: 3, seed: 3), gradientsB = randomGradients(10, size: 4, seed: 4)
        let optimizers: [any Optimizer] = [Adam(learningRate: 0.1), Momentum(learningRate: 0.1), RMSprop(learningRate: 0.1)]
        for optimizer in optimizers {
            var shared = optimizer
            var a = [1.0, 2, 3], b = [4.0, 5, 6, 7]
            for step in 0..<10 {
                shared.update(&a, gradient: gradientsA[step], slot: 0)
                shared.update(&b, gradient: gradientsB[step], slot: 1)
            }
            #expect(a == trajectory(optimizer, from: [1, 2, 3], gradients: gradientsA).last!, "\(type(of: optimizer))")
            #expect(b == trajectory(optimizer, from: [4, 5, 6, 7], gradients: gradientsB).last!, "\(type(of: optimizer))")
        }
    }

    @Test("state survives across steps: a step after g = 1 differs from a fresh optimizer's step on the same gradient")
    func stateSurvives() {
        let optimizers: [any Optimizer] = [Adam(learningRate: 0.1), Momentum(learningRate: 0.1), RMSprop(learningRate: 0.1)]
        for optimizer in optimizers {
            let path = trajectory(optimizer, from: [0], gradients: [[1], [0.5]])
            let fresh = trajectory(optimizer, from: [0], gradients: [[0.5]])[0][0]
            let second = path[1][0] - path[0][0]
            #expect(abs(second - fresh) > 1e-3, "\(type(of: optimizer)): \(second) vs \(fresh)")
        }
    }

    @Test("a network's layers get a slot each for weights and biases")
    func networkSlots() {
        var rng = SeededGenerator(seed: 5)
        let network = Network(sizes: [3, 4, 2], hidden: .tanh, output: nil, initialization: .xavier, using: &rng)
        let batch = Matrix(rows: 5, columns: 3, values: rng.normals(15))
        let gradients = network.softmaxCrossEntropyGradients(batch: batch, labels: [0, 1, 1, 0, 1]).gradients
        var adam = Adam(learningRate: 0.01)
        var stepped = network
        adam.step(&stepped, gradients: gradients)
        #expect(adam.states.keys.sorted() == [0, 1, 2, 3])
        #expect(adam.states[0]!.m.count == 12 && adam.states[1]!.m.count == 4 && adam.states[2]!.m.count == 8 && adam.states[3]!.m.count == 2)
        // SGD through `step` is exactly Network.descend.
        var sgd = SGD(learningRate: 0.3)
        var viaOptimizer = network, viaDescend = network
        sgd.step(&viaOptimizer, gradients: gradients)
        viaDescend.descend(gradients, learningRate: 0.3)
        #expect(viaOptimizer == viaDescend)
    }
}

@Suite("Chapter 4 · Optimizers · clipping and schedules")
struct ClippingAndScheduleTests {
    @Test("clipping leaves a gradient under the threshold exactly as it was")
    func smallGradientUnchanged() {
        var gradients = [[0.3, -0.4], [0.0, 1.2]]  // ‖g‖ = √(0.09 + 0.16 + 1.44) = 1.3
        let original = gradients
        let norm = clipByGlobalNorm(&gradients, maxNorm: 2)
        #expect(gradients == original)
        #expect(abs(norm - 1.3) < 1e-15)
    }

    @Test("clipping scales a large gradient to exactly the threshold norm, keeping its direction")
    func largeGradientScaled() {
        var gradients = [[3.0, 0], [4.0], [0, 0, 12]]  // ‖g‖ = 13
        let norm = clipByGlobalNorm(&gradients, maxNorm: 1)
        #expect(norm == 13)
        expectClose(gradients.flatMap { $0 }, [3.0 / 13, 0, 4.0 / 13, 0, 0, 12.0 / 13])
        #expect(abs(globalNorm(gradients) - 1) < 1e-15)
    }

    @Test("clipping inside an optimizer step: one global factor, not one per array")
    func clippingInStep() {
        var rng = SeededGenerator(seed: 6)
        let network = Network(sizes: [2, 3, 2], hidden: .relu, output: nil, initialization: .he, using: &rng)
        let batch = Matrix(rows: 4, columns: 2, values: rng.normals(8, mean: 0, standardDeviation: 50))
        let gradients = network.softmaxCrossEntropyGradients(batch: batch, labels: [0, 1, 0, 1]).gradients
        let norm = globalNorm(Network.arrays(of: gradients))
        var clipped = network, scaled = network
        var sgd = SGD(learningRate: 1)
        #expect(sgd.step(&clipped, gradients: gradients, clippingNorm: norm / 4) == norm)
        let quarter = gradients.map { DenseLayer.Gradients(weights: Matrix(rows: $0.weights.rows, columns: $0.weights.columns, values: $0.weights.values.map { $0 / 4 }), biases: $0.biases.map { $0 / 4 }) }
        scaled.descend(quarter, learningRate: 1)
        for (a, b) in zip(clipped.layers, scaled.layers) {
            expectClose(a.weights.values, b.weights.values, relative: 1e-13)
            expectClose(a.biases, b.biases, relative: 1e-13)
        }
    }

    @Test("the schedules at chosen epochs, from η₀ = 1")
    func schedules() {
        func rates(_ schedule: Schedule, _ epochs: [Int]) -> [Double] { epochs.map { schedule.learningRate(initial: 1, at: $0) } }
        expectClose(rates(.constant, [0, 7]), [1, 1])
        expectClose(rates(.step(every: 10, factor: 0.5), [0, 9, 10, 25]), [1, 1, 0.5, 0.25])
        expectClose(rates(.exponential(rate: 0.9), [0, 1, 2]), [1, 0.9, 0.81])
        // cos(0) = 1, cos(π/2) = 0, cos(π) = −1; held at the minimum after the period
        expectClose(rates(.cosine(period: 10, minimum: 0.1), [0, 5, 10, 20]), [1, 0.55, 0.1, 0.1])
        expectClose(rates(.polynomial(decay: 0.5), [0, 2, 4]), [1, 0.5, 1.0 / 3])
    }

    @Test("the learning rate a schedule sets is the one the optimizer uses for that epoch")
    func scheduleDrivesTraining() throws {
        var rng = SeededGenerator(seed: 7)
        let data = blobs(centers: [[-1, -1], [1, 1]], pointsPerCenter: 10, standardDeviation: 0.3, using: &rng)
        var network = Network(sizes: [2, 3, 2], hidden: .tanh, output: nil, initialization: .xavier, using: &rng)
        var adam = Adam(learningRate: 0.5)
        var seen: [Double] = []
        trainClassifier(&network, on: data, epochs: 4, batchSize: 20, optimizer: &adam, schedule: .step(every: 2, factor: 0.1), using: &rng) { _ in
            seen.append(0)
        }
        #expect(seen.count == 4)
        #expect(abs(adam.learningRate - 0.05) < 1e-15)  // epochs 2 and 3 ran at 0.5 · 0.1
        #expect(adam.states[0]!.t == 4)  // one batch per epoch: batch gradient descent
    }
}

@Suite("Chapter 4 · Optimizers · on surfaces and on the digits")
struct OptimizationTests {
    @Test("GD on x² from 5: xₖ = 5 (1 − 2η)ᵏ")
    func bowl() {
        var gd = SGD(learningRate: 0.1)
        let path = minimize(from: [5], steps: 10, optimizer: &gd, gradient: Surface.bowl.gradient)
        expectClose(path.map { $0[0] }, (0...10).map { 5 * pow(0.8, Double($0)) })
    }

    @Test("the Rosenbrock gradient matches finite differences")
    func rosenbrockGradient() {
        for point in [[-1.2, 1.0], [0.5, 0.3], [2, -1]] {
            let result = checkGradient("rosenbrock", at: point, analytic: Surface.rosenbrock.gradient(point)) { Surface.rosenbrock.value($0) }
            #expect(result.passed, "\(result.description)")
        }
    }

    @Test("on Rosenbrock's valley from (−1.2, 1), momentum and Adam get closer to (1, 1) than GD in 2000 steps")
    func rosenbrock() {
        func distance(_ optimizer: some Optimizer) -> Double {
            var optimizer = optimizer
            let end = minimize(from: [-1.2, 1], steps: 2000, optimizer: &optimizer, gradient: Surface.rosenbrock.gradient).last!
            return ((end[0] - 1) * (end[0] - 1) + (end[1] - 1) * (end[1] - 1)).squareRoot()
        }
        let gd = distance(SGD(learningRate: 1e-3))
        #expect(distance(Momentum(learningRate: 1e-3, beta: 0.9)) < gd / 2)
        #expect(distance(Adam(learningRate: 0.02)) < gd / 2)
    }

    @Test("digits with Adam (η 1e-3), the baselines' setup: epoch-1 loss 1.8068, after 30 epochs 0.0166 and 97.5% test accuracy")
    func digitsAdam() throws {
        let experiment = DigitsExperiment(digits: try Digits.load())
        var network = experiment.initialNetwork()
        var adam = Adam(learningRate: 1e-3)
        let history = experiment.train(&network, optimizer: &adam)
        // NumPy's figures (../shared/baselines/RESULTS.md): 1.8068 / 0.0166, 97.50% (351/360)
        #expect(abs(history[0].trainingLoss - 1.8068) < 5e-5)
        #expect(abs(history[29].trainingLoss - 0.0166) < 5e-5)
        #expect(abs(history[29].validationAccuracy! - 351.0 / 360) < 1e-12)
    }
}

@Suite("Chapter 4 · Optimizers · misuse is named")
struct MisuseTests {
    @Test("a gradient of the wrong length names both lengths")
    func gradientLength() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var adam = Adam()
            var theta = [1.0, 2, 3]
            adam.update(&theta, gradient: [1, 2], slot: 0)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Adam: slot 0 has 3 values but its gradient has 2"), "\(message)")
    }

    @Test("one slot used for two parameters of different sizes is caught")
    func slotReuse() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var momentum = Momentum(learningRate: 0.1)
            var a = [1.0, 2, 3], b = [1.0]
            momentum.update(&a, gradient: [1, 1, 1], slot: 0)
            momentum.update(&b, gradient: [1], slot: 0)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("slot 0 held 3 values in earlier steps but now has 1"), "\(message)")
    }
}
