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

/// A parameter holding `value`, for optimizers to move.
func parameter(_ value: [Double], name: String = "θ") -> Parameter {
    Parameter(name: name, shape: [value.count], value: value, decays: true)
}

/// One step of `optimizer` on `theta` with gradient `g`.
func step(_ optimizer: inout some Optimizer, _ theta: inout Parameter, _ g: [Double]) {
    theta.gradient = g
    optimizer.update(&theta)
}

/// Runs `optimizer` on one parameter through the given gradients; returns θ after each step.
func trajectory(_ optimizer: some Optimizer, from start: [Double], gradients: [[Double]]) -> [[Double]] {
    var optimizer = optimizer
    var theta = parameter(start)
    return gradients.map { g in
        step(&optimizer, &theta, g)
        return theta.value
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
        var theta = parameter([1.0])
        step(&adam, &theta, [2])
        expectClose(theta.value, [1 - 0.1 * 2 / (2 + 1e-8)])
        expectClose(adam.states[theta.id]!.m, [0.2])
        expectClose(adam.states[theta.id]!.v, [0.004])
        #expect(adam.states[theta.id]!.t == 1)
        step(&adam, &theta, [1])
        expectClose(adam.states[theta.id]!.m, [0.28])
        expectClose(adam.states[theta.id]!.v, [0.004996])
        #expect(adam.states[theta.id]!.t == 2)
        expectClose(theta.value, [0.8067820372085103])  // NumPy, the same formulas
        // Without the correction the first step would be 0.1 · 0.2/√0.004 ≈ 0.316, not 0.1.
    }

    @Test("Adam's first step moves every coordinate by η, whatever the gradient's scale")
    func adamFirstStep() {
        var adam = Adam(learningRate: 0.01)
        var theta = parameter([0.0, 0, 0, 0])
        step(&adam, &theta, [1e-4, -3, 250, 1])
        expectClose(theta.value, [-0.01, 0.01, -0.01, -0.01], relative: 1e-4)
    }

    @Test("Adam from a given state (t = 9, m, v given): the tenth step by the formulas, worked by hand")
    func adamFromGivenState() {
        // η 0.01, β₁ 0.9, β₂ 0.999; m = 0.5, v = 0.25, t = 9; g = 1.
        // m = 0.9·0.5 + 0.1·1 = 0.55;  v = 0.999·0.25 + 0.001·1 = 0.25075;  t = 10
        // m̂ = 0.55 / (1 − 0.9¹⁰) = 0.55 / 0.6513215599 = 0.844436963…
        // v̂ = 0.25075 / (1 − 0.999¹⁰) = 0.25075 / 0.009955119790… = 25.188044…
        // θ = 2 − 0.01 · m̂ / (√v̂ + 1e-8) = 2 − 0.01 · 0.844436963 / 5.018769219 = 1.998317442…
        var adam = Adam(learningRate: 0.01)
        var theta = parameter([2.0])
        adam.states[theta.id] = Adam.State(m: [0.5], v: [0.25], t: 9)
        step(&adam, &theta, [1])
        let c1 = 1 - pow(0.9, 10.0), c2 = 1 - pow(0.999, 10.0)
        expectClose(theta.value, [2 - 0.01 * (0.55 / c1) / ((0.25075 / c2).squareRoot() + 1e-8)])
        #expect(abs(theta.value[0] - 1.998317442136646) < 1e-14)  // Python, the same formulas
        let state = adam.states[theta.id]!
        expectClose(state.m + state.v, [0.55, 0.25075])
        #expect(state.t == 10)
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
            var a = parameter([1.0, 2, 3]), b = parameter([4.0, 5, 6, 7])
            for k in 0..<10 {
                step(&shared, &a, gradientsA[k])
                step(&shared, &b, gradientsB[k])
            }
            #expect(a.value == trajectory(optimizer, from: [1, 2, 3], gradients: gradientsA).last!, "\(type(of: optimizer))")
            #expect(b.value == trajectory(optimizer, from: [4, 5, 6, 7], gradients: gradientsB).last!, "\(type(of: optimizer))")
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

    @Test("state follows the parameter, not its position: reordering the layers changes nothing")
    func stateByIdentity() {
        var rng = SeededGenerator(seed: 5)
        let first = Dense(inputs: 3, outputs: 4, initialization: .xavier, using: &rng, name: "1")
        let second = Dense(inputs: 3, outputs: 2, initialization: .xavier, using: &rng, name: "2")
        // Two independent layers side by side; visiting them in either order must give the same steps.
        var forwards = Sequential([first, second]), backwards = Sequential([second, first])
        var adamA = Adam(learningRate: 0.01), adamB = Adam(learningRate: 0.01)
        for k in 0..<5 {
            let g1 = randomGradients(1, size: 12, seed: UInt64(10 + k))[0], g2 = randomGradients(1, size: 6, seed: UInt64(20 + k))[0]
            for model in [0, 1] {
                let ordered = model == 0 ? forwards : backwards
                var copy = ordered
                copy.visitParameters { p in
                    p.gradient = p.name == "W1" ? g1 : p.name == "W2" ? g2 : [Double](repeating: 0.5, count: p.count)
                }
                if model == 0 { adamA.step(&copy); forwards = copy } else { adamB.step(&copy); backwards = copy }
            }
        }
        let a = Dictionary(uniqueKeysWithValues: forwards.parameters.map { ($0.name, $0.value) })
        let b = Dictionary(uniqueKeysWithValues: backwards.parameters.map { ($0.name, $0.value) })
        #expect(a == b)
        #expect(Set(adamA.states.keys) == Set(forwards.parameters.map(\.id)))
        #expect(adamA.states[forwards.parameters[0].id]!.m.count == 12 && adamA.states[forwards.parameters[1].id]!.m.count == 4)
    }

    @Test("a frozen parameter is left alone by the step; the others move")
    func frozen() {
        var rng = SeededGenerator(seed: 6)
        var model = Sequential(sizes: [2, 3, 2], hidden: .tanh, initialization: .xavier, using: &rng)
        model.visitParameters { p in
            p.gradient = [Double](repeating: 1, count: p.count)
            if p.name == "W1" { p.frozen = true }
        }
        let before = model.parameters
        var sgd = SGD(learningRate: 0.1)
        sgd.step(&model)
        for (old, new) in zip(before, model.parameters) {
            if old.name == "W1" { #expect(new.value == old.value) } else { expectClose(new.value, old.value.map { $0 - 0.1 }) }
        }
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

    @Test("the clipping plugin: one global factor over every parameter, not one per array")
    func clippingPlugin() {
        var rng = SeededGenerator(seed: 6)
        var model = Sequential(sizes: [2, 3, 2], hidden: .relu, initialization: .he, using: &rng)
        let x = Tensor(shape: [4, 2], values: rng.normals(8, mean: 0, standardDeviation: 50))
        _ = model.backward(SoftmaxCrossEntropy().evaluate(model.forward(x, mode: .training), [0, 1, 0, 1]).gradient)
        let gradients = model.parameters.map(\.gradient)
        let norm = globalNorm(gradients)
        var clipping = GradientClipping(maxNorm: norm / 4)
        #expect(clipping.gradientsComputed(&model) == 0)  // adds nothing to the loss
        for (clipped, original) in zip(model.parameters.map(\.gradient), gradients) {
            expectClose(clipped, original.map { $0 / 4 }, relative: 1e-13)
        }
        // Under the threshold nothing changes, bit for bit.
        var loose = GradientClipping(maxNorm: norm)
        let before = model.parameters.map(\.gradient)
        _ = loose.gradientsComputed(&model)
        #expect(model.parameters.map(\.gradient) == before)
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
        var network = Sequential(sizes: [2, 3, 2], hidden: .tanh, initialization: .xavier, using: &rng)
        var adam = Adam(learningRate: 0.5)
        let run = train(
            &network, on: data, loss: SoftmaxCrossEntropy(), optimizer: &adam, epochs: 4, batchSize: 20,
            plugins: [LearningRateSchedule(.step(every: 2, factor: 0.1))])
        #expect(run.history.map(\.learningRate) == [0.5, 0.5, 0.5 * 0.1, 0.5 * 0.1])
        #expect(abs(adam.learningRate - 0.05) < 1e-15)  // epochs 2 and 3 ran at 0.5 · 0.1
        #expect(adam.states[network.parameters[0].id]!.t == 4)  // one batch per epoch: batch gradient descent
    }
}

@Suite("Chapter 4 · Optimizers · reduce on plateau")
struct ReduceOnPlateauTests {
    @Test("the rate per epoch equals PyTorch 2.13's ReduceLROnPlateau(factor 0.5, patience 2, threshold 1e-3 rel, cooldown 1, min_lr 0.01)")
    func againstPyTorch() {
        let losses = [1.0, 0.9, 0.95, 0.91, 0.92, 0.899, 0.8999, 0.89991, 0.9, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.8]
        // From torch.optim.lr_scheduler.ReduceLROnPlateau, the rate each epoch trained with (script kept outside the project).
        let torchRates = [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.0125, 0.01, 0.01, 0.01]
        var plateau = ReduceOnPlateau(factor: 0.5, patience: 2, threshold: 1e-3, cooldown: 1, minimum: 0.01)
        var rate = 0.1
        var rates: [Double] = []
        for loss in losses {
            rates.append(rate)
            rate = plateau.step(validationLoss: loss, learningRate: rate)
        }
        #expect(rates == torchRates)
    }

    @Test("a NaN or extreme loss is a plateau epoch, never a NaN rate; the rate never falls below the minimum")
    func extremeLosses() {
        var plateau = ReduceOnPlateau(factor: 0.5, patience: 0, minimum: 0.01)
        var rate = 0.1
        for loss in [1.0, .nan, 1e300, .greatestFiniteMagnitude, -1e300, .nan, .nan, .nan, .nan, .nan] {
            rate = plateau.step(validationLoss: loss, learningRate: rate)
            #expect(rate.isFinite && rate >= 0.01)
        }
        #expect(plateau.best == -1e300)  // the lowest loss seen; NaN never counts as an improvement
        #expect(rate == 0.01)
    }

    @Test("as a plugin: each epoch's record shows the rate it trained with, cut after the epochs the plugin lists")
    func asPlugin() {
        var rng = SeededGenerator(seed: 3)
        let data = ClassificationSet(inputs: (0..<40).map { _ in rng.normals(3) }, labels: (0..<40).map { $0 % 2 }, classCount: 2)  // labels carry no signal
        let model = Sequential(sizes: [3, 8, 2], hidden: .relu, initialization: .he, using: &rng)
        var step = SupervisedStep(model: model, loss: SoftmaxCrossEntropy(), optimizer: SGD(learningRate: 0.5))
        var plugins = TrainingPlugins([ReduceOnPlateau(factor: 0.5, patience: 1)])
        let run = train(&step, on: data, validation: data.subset(Array(0..<10)), epochs: 30, batchSize: 10, plugins: &plugins)
        let plateau = plugins.list[0] as! ReduceOnPlateau
        #expect(!plateau.reductions.isEmpty)
        var expected = 0.5
        for record in run.history {
            #expect(record.learningRate == expected)
            if plateau.reductions.contains(record.epoch) { expected *= 0.5 }
        }
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
        let experiment = DigitsBaseline(digits: try Digits.load())
        var network = Sequential(weights: experiment.initialWeights(), hidden: .relu)
        var adam = Adam(learningRate: 1e-3)
        let history = train(
            &network, on: experiment.training, validation: experiment.test, loss: SoftmaxCrossEntropy(), optimizer: &adam,
            epochs: 30, batchSize: 32, order: .perEpoch(experiment.epochOrders(30))
        ).history
        // NumPy's figures (../shared/baselines/RESULTS.md): 1.8068 / 0.0166, 97.50% (351/360)
        #expect(abs(history[0].trainingLoss - 1.8068) < 5e-5)
        #expect(abs(history[29].trainingLoss - 0.0166) < 5e-5)
        #expect(abs(history[29].validation!.accuracy! - 351.0 / 360) < 1e-12)
    }
}

@Suite("Chapter 4 · Optimizers · misuse is named")
struct MisuseTests {
    @Test("a gradient of the wrong length names both lengths")
    func gradientLength() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var adam = Adam()
            var theta = Parameter(name: "W1", shape: [3], value: [1.0, 2, 3], decays: true)
            theta.gradient = [1, 2]
            adam.update(&theta)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Adam: W1 has 3 values but its gradient has 2"), "\(message)")
    }

    @Test("state that no longer fits its parameter (given by hand, or the value replaced) is caught")
    func stateMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var momentum = Momentum(learningRate: 0.1)
            var a = Parameter(name: "b2", shape: [3], value: [1.0, 2, 3], decays: false)
            momentum.velocities[a.id] = [0]
            a.gradient = [1, 1, 1]
            momentum.update(&a)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("the state kept for b2 has 1 values but the parameter now has 3"), "\(message)")
    }
}
