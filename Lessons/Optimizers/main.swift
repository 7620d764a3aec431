// Chapter 4 — Optimizers: from gradient descent to Adam, schedules and clipping.
// Run: swift run optimizers

import Backprop
import Datasets
import Foundation
import LinearAlgebra
import Notebook
import Optimizers
import Randomness

let lesson = Lesson(
    command: "optimizers",
    title: "Chapter 4 · Optimizers",
    summary: """
        Backpropagation says which way is downhill; the optimizer decides how far to go. \
        Batch sizes, momentum, RMSprop and Adam, learning-rate schedules and gradient \
        clipping, watched on a bowl, in a narrow valley and on the handwritten digits.
        """)
var rng = SeededGenerator(seed: lesson.seed)

func distance(_ p: [Double], _ q: [Double]) -> Double {
    zip(p, q).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
}

// MARK: - 1

lesson.section("One rule, three batch sizes")
lesson.prose(
    """
    Chapter 3 trained every network with the same step, θ ← θ − η ∂L/∂θ. What changes \
    between the three classic variants is only how many samples the gradient is \
    averaged over:

    • batch gradient descent: all n training samples, one step per epoch, the exact gradient;

    • stochastic gradient descent (SGD): one sample, n steps per epoch, a very noisy gradient;

    • mini-batch gradient descent: B samples (here 32), n/B steps per epoch, a mildly noisy one.

    More steps per epoch means more progress per pass over the data, but each step \
    costs a forward and backward pass, and a batch of one gives the matrix products \
    nothing to work with. Mini-batches are the usual compromise; "SGD" in practice \
    almost always means mini-batch SGD. The digits network from Chapter 3, from the \
    same starting weights, for the same number of epochs:
    """)
let experiment = DigitsBaseline(digits: try Digits.load())
let startingWeights = experiment.initialWeights()
let batchEpochs = 10
let batchRuns: [(name: String, batchSize: Int, learningRate: Double)] = [
    ("batch GD", experiment.training.count, 0.1), ("SGD", 1, 0.01), ("mini-batch GD", 32, 0.1),
]
var batchHistories: [[EpochRecord]] = []
let batchProgress = lesson.progress("three batch sizes", total: batchRuns.count)
for run in batchRuns {
    var network = Sequential(weights: startingWeights, hidden: .relu)
    var sgd = SGD(learningRate: run.learningRate)
    let history = train(
        &network, on: experiment.training, validation: experiment.test, loss: SoftmaxCrossEntropy(), optimizer: &sgd,
        epochs: batchEpochs, batchSize: run.batchSize, order: .perEpoch(experiment.epochOrders(batchEpochs)),
        evaluatesTrainingSet: false
    ).history
    batchHistories.append(history)
    batchProgress.advance(note: run.name)
}
lesson.table(
    headers: ["variant", "batch", "η", "steps per epoch", "loss after epoch 1", "after epoch \(batchEpochs)", "test accuracy"],
    rows: zip(batchRuns, batchHistories).map { run, history in
        let steps = (experiment.training.count + run.batchSize - 1) / run.batchSize
        return [
            run.name, "\(run.batchSize)", "\(run.learningRate)", "\(steps)", decimal(history[0].trainingLoss, 4),
            decimal(history.last!.trainingLoss, 4), percent(history.last!.validation!.accuracy!),
        ]
    })
lesson.plot(
    LinePlot(
        title: "training loss per epoch for three batch sizes", xLabel: "epoch", yLabel: "cross-entropy",
        series: zip(batchRuns, batchHistories).map { run, history in
            LinePlot.Series(run.name, x: history.map { Double($0.epoch) }, y: history.map(\.trainingLoss))
        }, logScaleY: true))
lesson.prose(
    """
    Batch gradient descent has taken only \(batchEpochs) steps: its loss went from \
    \(decimal(batchHistories[0][0].trainingLoss, 2)) to \(decimal(batchHistories[0].last!.trainingLoss, 2)), \
    while mini-batches, with \((experiment.training.count + 31) / 32) steps an epoch, reached \
    \(decimal(batchHistories[2].last!.trainingLoss, 2)). SGD took a step per sample, with a \
    smaller η because single-sample gradients are so noisy, and reached \
    \(compact(batchHistories[1].last!.trainingLoss, significant: 2)) (test accuracy \(percent(batchHistories[1].last!.validation!.accuracy!)) \
    against the mini-batches' \(percent(batchHistories[2].last!.validation!.accuracy!))) with 32 times as many \
    steps, each a matrix product over a single row. From here on every run uses \
    mini-batches of 32.
    """)

// MARK: - 2

lesson.section("Momentum, two ways of writing it")
lesson.prose(
    """
    Plain gradient descent forgets: each step uses only the current gradient. Momentum \
    lets the steps build up speed along directions where the gradients keep agreeing, \
    and cancel out across directions where they keep flipping. It is written in two \
    forms that both appear in papers and libraries:
    """)
lesson.equation(
    """
    exponential average:   v ← β v + (1 − β) g        θ ← θ − η v
    velocity (classical):  v ← β v − η g              θ ← θ + v
    """)
lesson.prose(
    """
    The average keeps v on the scale of one gradient; the velocity adds the gradients \
    up, and on a steady slope grows to about g/(1 − β), ten times g for β = 0.9. So \
    the two trace exactly the same path when the average's learning rate is 1/(1 − β) \
    times the velocity's. Three steps on the same gradients (g = 1, 1, 1; β = 0.9):
    """)
let demoGradients: [[Double]] = [[1], [1], [1]]
func momentumPath(_ optimizer: Momentum) -> [Double] {
    var optimizer = optimizer
    return minimize(from: [0], steps: 3, optimizer: &optimizer) { _ in [1] }.dropFirst().map { $0[0] }
}
let velocityPath = momentumPath(Momentum(learningRate: 0.1, beta: 0.9, form: .velocity))
let averagePath = momentumPath(Momentum(learningRate: 1, beta: 0.9, form: .exponentialAverage))
let averageSameRate = momentumPath(Momentum(learningRate: 0.1, beta: 0.9, form: .exponentialAverage))
lesson.table(
    headers: ["form", "η", "θ after step 1", "step 2", "step 3"],
    rows: [
        ["velocity", "0.1"] + velocityPath.map { decimal($0, 4) },
        ["exponential average", "1 = 0.1/(1 − 0.9)"] + averagePath.map { decimal($0, 4) },
        ["exponential average", "0.1"] + averageSameRate.map { decimal($0, 4) },
    ])
lesson.prose(
    """
    This is why a learning rate cannot be carried from one library to another without \
    checking which form it uses. With β = 0 both forms are plain SGD. This chapter's \
    `Momentum` defaults to the velocity form.
    """)

// MARK: - 3

lesson.section("RMSprop and Adam")
lesson.prose(
    """
    Momentum smooths the direction. RMSprop rescales each parameter's step by a running \
    average of that parameter's squared gradients, so parameters with large gradients \
    take smaller steps and those with small gradients larger ones:
    """)
lesson.equation("s ← ρ s + (1 − ρ) g²        θ ← θ − η g / (√s + ε)        ρ = 0.9, ε = 10⁻⁸")
lesson.prose("Adam does both, keeping an average m of the gradients and an average v of their squares:")
lesson.equation(
    """
    m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²          t ← t + 1
    m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
    θ ← θ − η m̂ / (√v̂ + ε)         β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸
    """)
lesson.prose(
    """
    Both averages start at zero, so early on they are biased towards zero: after one \
    step m = 0.1 g and v = 0.001 g². Dividing by 1 − βᵗ removes the bias exactly. With a \
    constant gradient g = 2:
    """)
var biasDemo = Adam(learningRate: 0.1)
var biasTheta = Parameter(name: "θ", shape: [1], value: [0], decays: false)
biasTheta.gradient = [2]
var biasRows: [[String]] = []
for t in [1, 2, 3, 10, 100, 1000] {
    while biasDemo.states[biasTheta.id]?.t ?? 0 < t { biasDemo.update(&biasTheta) }
    let state = biasDemo.states[biasTheta.id]!
    let c1 = 1 - pow(0.9, Double(t)), c2 = 1 - pow(0.999, Double(t))
    biasRows.append([
        "\(t)", decimal(state.m[0], 4), decimal(state.m[0] / c1, 4), compact(state.v[0], significant: 4),
        decimal(state.v[0] / c2, 4), decimal(0.1 * state.m[0] / state.v[0].squareRoot(), 4),
    ])
}
lesson.table(headers: ["t", "m", "m̂", "v", "v̂", "uncorrected step η m/√v"], rows: biasRows)
lesson.prose(
    """
    The corrected step is η·m̂/√v̂ = η·2/2 = 0.1 from the very first step. Uncorrected, \
    the first step would be 0.1·0.2/√0.004 ≈ 0.32, three times too big, because v \
    starts even further below its true value than m does. Note also what the ratio \
    m̂/√v̂ means: Adam's step is about η in size whatever the gradient's scale.
    """)

// MARK: - 4

lesson.section("f(x) = x² from x = 5")
lesson.prose(
    """
    The simplest bowl: the gradient is 2x and the minimum is at 0. Gradient descent with \
    η = 0.1 multiplies x by 1 − 2η = 0.8 every step, so |x| falls by the same factor \
    each step: a straight line on a log scale. Momentum (β = 0.9, η = 0.1) builds up \
    speed, overshoots, and swings back and forth around 0 with shrinking amplitude. \
    Adam (η = 0.5) steps about η regardless of how steep the bowl is: it walks down at \
    a steady pace, overshoots too once m has built up, and swings in slowly.
    """)
let bowlSteps = 60
let bowlRuns: [(name: String, optimizer: any Optimizer)] = [
    ("GD η=0.1", SGD(learningRate: 0.1)), ("momentum η=0.1 β=0.9", Momentum(learningRate: 0.1, beta: 0.9)),
    ("Adam η=0.5", Adam(learningRate: 0.5)),
]
/// One colour (and dash and marker) per update rule in every figure of the lesson.
func optimizerStyle(_ name: String) -> Int {
    ["GD", "momentum", "RMSprop", "Adam"].firstIndex { name.hasPrefix($0) } ?? (name.hasPrefix("SGD") ? 0 : 4)
}
func path(_ optimizer: any Optimizer, from start: [Double], steps: Int, surface: Surface) -> [[Double]] {
    var optimizer = optimizer
    return minimize(from: start, steps: steps, optimizer: &optimizer, gradient: surface.gradient)
}
let bowlPaths = bowlRuns.map { path($0.optimizer, from: [5], steps: bowlSteps, surface: .bowl).map { $0[0] } }
lesson.table(
    headers: ["step"] + bowlRuns.map(\.name),
    rows: [0, 1, 2, 3, 5, 10, 20, 40, 60].map { k in ["\(k)"] + bowlPaths.map { decimal($0[k], 5) } })
lesson.plot(
    LinePlot(
        title: "x after each step", xLabel: "step", yLabel: "x",
        series: zip(bowlRuns, bowlPaths).map { run, xs in LinePlot.Series(run.name, x: xs.indices.map(Double.init), y: xs, style: optimizerStyle(run.name)) }))
lesson.plot(
    LinePlot(
        title: "f(x) = x² after each step (log scale)", xLabel: "step", yLabel: "x²",
        series: zip(bowlRuns, bowlPaths).map { run, xs in
            LinePlot.Series(run.name, x: xs.indices.map(Double.init), y: xs.map { $0 * $0 }, style: optimizerStyle(run.name))
        }, logScaleY: true))
let bowlFinal = bowlPaths.map { $0.last! * $0.last! }  // f after the last step
let momentumOvershoots = zip(bowlPaths[1], bowlPaths[1].dropFirst()).contains { $0 > 0 && $1 < 0 }
lesson.prose(
    """
    After \(bowlSteps) steps f is \(zip(bowlRuns, bowlFinal).map { "\(compact($1, significant: 2)) for \($0.name)" }.joined(separator: ", ")). \
    \(bowlFinal[0] < bowlFinal[1] && bowlFinal[0] < bowlFinal[2]
        ? "On a round bowl plain GD wins: \(momentumOvershoots ? "momentum's extra speed mostly buys overshooting" : "momentum's extra speed does not help"), and Adam's fixed-size steps are slower than GD's proportional ones near the bottom."
        : "Here plain GD does not win even on a round bowl.") \
    The other two rules' advantages show where the landscape is not round.
    """)

// MARK: - 5

lesson.section("A narrow valley: Rosenbrock's function")
lesson.prose(
    """
    f(x, y) = (1 − x)² + 100 (y − x²)² has a long, curved valley along y = x² whose floor \
    descends gently to the minimum f = 0 at (1, 1). Across the valley the walls are \
    steep (curvature of several hundred); along it the slope is gentle. Gradient descent \
    must keep η small enough not to bounce out across the walls, and then crawls along \
    the floor. The shading is log(1 + f), darker is higher:
    """)
let gridSize = 39  // two characters per cell: 78 columns, inside an 80-column terminal
let xs = linspace(-2, 2, count: gridSize), ys = linspace(3, -1, count: gridSize)
lesson.plot(
    Heatmap(
        title: "log(1 + f) over x ∈ [−2, 2] (left to right), y ∈ [−1, 3] (bottom to top)",
        values: ys.flatMap { y in xs.map { x in log(1 + Surface.rosenbrock.value([x, y])) } }, rows: gridSize, columns: gridSize))
let valleySteps = 2000
let valleyStart = [-1.2, 1.0]
let valleyRuns: [(name: String, optimizer: any Optimizer)] = [
    ("GD η=0.001", SGD(learningRate: 1e-3)), ("momentum η=0.001 β=0.9", Momentum(learningRate: 1e-3, beta: 0.9)),
    ("RMSprop η=0.003", RMSprop(learningRate: 3e-3)), ("Adam η=0.05", Adam(learningRate: 0.05)),
]
let valleyPaths = valleyRuns.map { path($0.optimizer, from: valleyStart, steps: valleySteps, surface: .rosenbrock) }
lesson.plot(
    LinePlot(
        title: "paths from (−1.2, 1), \(valleySteps) steps each; the minimum is (1, 1)", xLabel: "x", yLabel: "y",
        series: zip(valleyRuns, valleyPaths).map { run, points in
            LinePlot.Series(run.name, x: points.map { $0[0] }, y: points.map { $0[1] }, style: optimizerStyle(run.name))
        }))
lesson.table(
    headers: ["optimizer", "f at step 100", "500", "\(valleySteps)", "ends at", "from (1, 1)"],
    rows: zip(valleyRuns, valleyPaths).map { run, points in
        [run.name] + [100, 500, valleySteps].map { compact(Surface.rosenbrock.value(points[$0]), significant: 3) }
            + ["(\(decimal(points.last![0], 3)), \(decimal(points.last![1], 3)))", decimal(distance(points.last!, [1, 1]), 4)]
    })
lesson.plot(
    LinePlot(
        title: "f along each path (log scale)", xLabel: "step", yLabel: "f(x, y)",
        series: zip(valleyRuns, valleyPaths).map { run, points in
            LinePlot.Series(run.name, x: points.indices.map(Double.init), y: points.map(Surface.rosenbrock.value), style: optimizerStyle(run.name))
        }, logScaleY: true))
// Read off the paths: when each reaches the valley floor (|y − x²| < 0.1), who is lowest
// at step 500, and how often RMSprop and Adam cross the floor's centre line in their
// last 1000 steps.
let floorStep = valleyPaths.map { points in points.firstIndex { abs($0[1] - $0[0] * $0[0]) < 0.1 } }
let at500 = valleyPaths.map { Surface.rosenbrock.value($0[500]) }
let leader = at500.indices.min { at500[$0] < at500[$1] }!
let crossings = valleyPaths.map { points in
    let sides = points.suffix(1000).map { $0[1] - $0[0] * $0[0] > 0 }
    return zip(sides, sides.dropFirst()).filter { $0 != $1 }.count
}
let ends = valleyPaths.map { distance($0.last!, [1, 1]) }
lesson.prose(
    """
    Each learning rate is about the largest that worked well for that rule in a quick \
    sweep. They reach the valley floor (|y − x²| < 0.1) after \
    \(zip(valleyRuns, floorStep).map { "\($1.map { "\($0)" } ?? "more than \(valleySteps)") (\($0.name))" }.joined(separator: ", ")) \
    steps. Along the floor GD's gradient is tiny and so are its steps: it crawls, and \
    ends \(decimal(ends[0], 3)) from the minimum. Momentum adds those small but consistent \
    gradients up into speed. RMSprop and Adam divide by the gradient's own size, so a \
    gentle slope still gives a full-sized step. At step 500 the lowest f is \
    \(valleyRuns[leader].name)'s (\(compact(at500[leader], significant: 3))). In their last 1000 steps \
    RMSprop crosses the floor's centre line \(crossings[2]) times and ends \(decimal(ends[2], 3)) from \
    the minimum\(crossings[2] > 100 ? ": without momentum it zigzags across the floor instead of settling" : ""); \
    Adam crosses it \(crossings[3]) times and ends \(decimal(ends[3], 4)) from it. (In the \
    figure of the paths all four run along the same floor and lie on top of one another \
    there; the dashed ones let the ones below show through.)
    """)

// MARK: - 6

lesson.section("Four optimizers on the digits")
lesson.prose(
    """
    The same 64-64-10 network, from the same starting weights, with the same batches in \
    the same order; only the update rule differs. Each gets the learning rate it is \
    usually started with: SGD η = 0.1; momentum in the velocity form with η = 0.01 \
    (with β = 0.9 that is the same effective step as SGD's 0.1 on a steady slope); \
    RMSprop and Adam η = 0.001.
    """)
let digitsEpochs = DigitsBaseline.epochs
let digitsRuns: [(name: String, optimizer: any Optimizer)] = [
    ("SGD", SGD(learningRate: 0.1)), ("momentum", Momentum(learningRate: 0.01, beta: 0.9)),
    ("RMSprop", RMSprop(learningRate: 1e-3)), ("Adam", Adam(learningRate: 1e-3)),
]
var digitsHistories: [[EpochRecord]] = []
let digitsProgress = lesson.progress("training with four optimizers", total: digitsRuns.count)
for run in digitsRuns {
    var network = Sequential(weights: startingWeights, hidden: .relu)
    var optimizer = run.optimizer
    let history = train(
        &network, on: experiment.training, validation: experiment.test, loss: SoftmaxCrossEntropy(), optimizer: &optimizer,
        epochs: digitsEpochs, batchSize: DigitsBaseline.batchSize, order: .perEpoch(experiment.epochOrders(digitsEpochs)),
        evaluatesTrainingSet: false
    ).history
    digitsHistories.append(history)
    digitsProgress.advance(note: "\(run.name): test \(percent(history.last!.validation!.accuracy!))")
}
lesson.plot(
    LinePlot(
        title: "validation (test-set) accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
        series: zip(digitsRuns, digitsHistories).map { run, history in
            LinePlot.Series(run.name, x: history.map { Double($0.epoch) }, y: history.map { $0.validation!.accuracy! }, style: optimizerStyle(run.name))
        }, yRange: 0.85...1))
lesson.plot(
    LinePlot(
        title: "training loss per epoch (log scale)", xLabel: "epoch", yLabel: "cross-entropy",
        series: zip(digitsRuns, digitsHistories).map { run, history in
            LinePlot.Series(run.name, x: history.map { Double($0.epoch) }, y: history.map(\.trainingLoss), style: optimizerStyle(run.name))
        }, logScaleY: true))
lesson.table(
    headers: ["optimizer", "loss after epoch 1", "after epoch \(digitsEpochs)", "final validation accuracy", "best (epoch)"],
    rows: zip(digitsRuns, digitsHistories).map { run, history in
        let best = history.max { $0.validation!.accuracy! < $1.validation!.accuracy! }!
        return [
            run.name, decimal(history[0].trainingLoss, 4), decimal(history.last!.trainingLoss, 4),
            percent(history.last!.validation!.accuracy!), "\(percent(best.validation!.accuracy!)) (\(best.epoch))",
        ]
    })
let adam = digitsHistories[3]
let adamMatches =
    decimal(adam[0].trainingLoss, 4) == "1.8068" && decimal(adam.last!.trainingLoss, 4) == "0.0166"
    && Int((adam.last!.validation!.accuracy! * Double(experiment.test.count)).rounded()) == 351
let finalAccuracies = digitsHistories.map { $0.last!.validation!.accuracy! }
let spread = (finalAccuracies.max()! - finalAccuracies.min()!) * 100
lesson.prose(
    """
    The NumPy baseline's figures for Adam with η = 0.001 are 1.8068 and 0.0166 for the \
    losses and 97.50% (351/360); \(adamMatches ? "this run retraces it step by step and matches all three" : "this run does not match them"). \
    The four end within \(decimal(spread, 1)) points of each other. The adaptive methods' \
    first-epoch losses (\(decimal(digitsHistories[2][0].trainingLoss, 2)) and \(decimal(adam[0].trainingLoss, 2))) \
    are above SGD's (\(decimal(digitsHistories[0][0].trainingLoss, 2))); their η is a hundred times smaller. \
    The test set has \(experiment.test.count) images, so one image is \(decimal(100 / Double(experiment.test.count), 2)) \
    points: differences of one or two images are noise.
    """)

// MARK: - 7

lesson.section("Learning-rate schedules")
lesson.prose(
    """
    With noisy gradients a constant η has a floor: near the minimum the gradient's \
    noise keeps kicking the parameters around, by an amount proportional to η. A large η \
    makes fast progress early but cannot settle; a small one settles but crawls. A \
    schedule starts large and shrinks η as training goes on. Four common shapes, from \
    η₀ = 0.1 over 30 epochs (t counts epochs from 0):
    """)
let scheduleEpochs = 30
let schedules: [Schedule] = [
    .constant, .step(every: 10, factor: 0.1), .exponential(rate: 0.85), .cosine(period: scheduleEpochs, minimum: 0),
    .polynomial(decay: 2),
]
let scheduleFormulas = ["η₀", "η₀ · 0.1^⌊t/10⌋", "η₀ · 0.85ᵗ", "½ η₀ (1 + cos(πt/30))", "η₀ / (1 + 2t)"]
let epochAxis = (0..<scheduleEpochs).map(Double.init)
lesson.plot(
    LinePlot(
        title: "η per epoch from η₀ = 0.1", xLabel: "epoch t", yLabel: "learning rate",
        series: schedules.map { schedule in  // the constant one too: one colour per schedule in both figures
            LinePlot.Series(schedule.name, x: epochAxis, y: (0..<scheduleEpochs).map { schedule.learningRate(initial: 0.1, at: $0) })
        }))
lesson.prose(
    """
    To see the floor, a problem whose answer is known: 500 points with y = 2x₁ − 3x₂ + 1 \
    plus Gaussian noise of standard deviation 0.5. The best line for these points (found \
    by running batch gradient descent to convergence, which on this convex loss is \
    exact) has a mean squared error close to 0.25, the noise's variance. A linear model \
    (one dense layer, no activation) trained by SGD one sample at a time, η₀ = 0.1, with \
    each schedule:
    """)
var noisyRNG = SeededGenerator(seed: lesson.seed + 1)
let noisyInputs = (0..<500).map { _ in noisyRNG.normals(2) }
let noisyLine = RegressionSet(
    inputs: noisyInputs, targets: noisyInputs.map { 2 * $0[0] - 3 * $0[1] + 1 + 0.5 * noisyRNG.normal() })
let zeroLine = Dense(weights: Matrix([[0.0, 0.0]]), biases: [0])
func parameters(_ line: Dense) -> [Double] { line.weight.value + line.bias.value }
func meanSquaredError(of line: Dense) -> Double {
    meanSquaredError(noisyLine.inputs.map { line.predict($0)[0] }, noisyLine.targets)
}
var bestLine = zeroLine
var bestSGD = SGD(learningRate: 0.2)
train(
    &bestLine, on: noisyLine, loss: MeanSquaredError(), optimizer: &bestSGD, epochs: 300, batchSize: noisyLine.count,
    evaluatesTrainingSet: false)
let best = parameters(bestLine)
var scheduleRuns: [(losses: [Double], line: Dense)] = []
for schedule in schedules {
    var line = zeroLine
    var sgd = SGD(learningRate: 0.1)
    var shuffler = SeededGenerator(seed: lesson.seed + 2)  // the same sample order for every schedule
    let losses = train(
        &line, on: noisyLine, loss: MeanSquaredError(), optimizer: &sgd, epochs: scheduleEpochs, batchSize: 1,
        order: .shuffled(epochs: scheduleEpochs, count: noisyLine.count, using: &shuffler), plugins: [LearningRateSchedule(schedule)],
        evaluatesTrainingSet: false
    ).history.map(\.trainingLoss)
    scheduleRuns.append((losses, line))
}
lesson.plot(
    LinePlot(
        title: "mean training loss during each epoch", xLabel: "epoch", yLabel: "MSE",
        series: zip(schedules, scheduleRuns).map { schedule, run in
            LinePlot.Series(schedule.name, x: (2...scheduleEpochs).map(Double.init), y: Array(run.losses.dropFirst()))
        }))
lesson.table(
    headers: ["schedule", "η at epoch t", "t = 10", "t = 29", "final line's MSE", "its w₁, w₂, b", "distance to best"],
    rows: zip(zip(schedules, scheduleFormulas), scheduleRuns).map { named, run in
        let (schedule, formula) = named
        return [schedule.name, formula] + [10, 29].map { decimal(schedule.learningRate(initial: 0.1, at: $0), 4) }
            + [
                decimal(meanSquaredError(of: run.line), 5), parameters(run.line).map { decimal($0, 3) }.joined(separator: ", "),
                decimal(distance(parameters(run.line), best), 4),
            ]
    }
        + [["best line", "", "", "", decimal(meanSquaredError(of: bestLine), 5), best.map { decimal($0, 3) }.joined(separator: ", "), "0"]])
// The sentences below are read off these runs.
let lateLoss = scheduleRuns.map { mean(Array($0.losses.suffix(10))) }  // the last 10 epochs
let earlyLoss = scheduleRuns.map { mean(Array($0.losses[1..<5])) }  // epochs 2 to 5
let distances = scheduleRuns.map { distance(parameters($0.line), best) }
let decaying = Array(schedules.indices.dropFirst())
let constantStaysAbove = decaying.allSatisfy { lateLoss[0] > lateLoss[$0] }
let earlyOrder = decaying.sorted { earlyLoss[$0] < earlyLoss[$1] }
let earlyRate = schedules.map { s in mean((1...4).map { s.learningRate(initial: 0.1, at: $0) }) }
let soonest = decaying.sorted { earlyRate[$0] < earlyRate[$1] }
let soonestWin = Set(earlyOrder.prefix(2)) == Set(soonest.prefix(2))
lesson.prose(
    """
    (The first epoch, which starts from w = 0, is left off the plot.) Over the last ten \
    epochs the constant-η run's loss averages \(decimal(lateLoss[0], 3)), \
    \(constantStaysAbove ? "above every schedule's (\(decaying.map { decimal(lateLoss[$0], 3) }.joined(separator: ", ")))" : "not above every schedule's"): \
    each single-sample step of size 0.1 throws the line around, and where it ends \
    depends on the last few samples it saw; it ends \(decimal(distances[0], 4)) from the best \
    line. The schedules take smaller and smaller steps, so the noise averages out: they \
    end between \(decimal(decaying.map { distances[$0] }.min()!, 4)) and \
    \(decimal(decaying.map { distances[$0] }.max()!, 4)) from it. Over epochs 2 to 5 the lowest \
    losses are \(schedules[earlyOrder[0]].name)'s and \(schedules[earlyOrder[1]].name)'s\
    \(soonestWin
        ? ", the two schedules that shrink η soonest; the other two keep η large for longer."
        : ", although \(schedules[soonest[0]].name) and \(schedules[soonest[1]].name) shrink η soonest.")
    """)

lesson.prose(
    """
    The fixed schedules decide η before training starts. Reduce-on-plateau (PyTorch's \
    ReduceLROnPlateau, the seeds' choice) reads the validation loss instead: after more \
    than `patience` epochs without a relative improvement of `threshold`, it multiplies \
    η by `factor`. The same run with 200 fresh points of the same line as the validation \
    set, η₀ = 0.1, factor 0.5, patience 2, threshold 1e-4:
    """)
let plateauValidation: RegressionSet = {
    let inputs = (0..<200).map { _ in noisyRNG.normals(2) }
    return RegressionSet(inputs: inputs, targets: inputs.map { 2 * $0[0] - 3 * $0[1] + 1 + 0.5 * noisyRNG.normal() })
}()
var plateauLine = zeroLine
var plateauStep = SupervisedStep(model: plateauLine, loss: MeanSquaredError(), optimizer: SGD(learningRate: 0.1))
var plateauPlugins = TrainingPlugins([ReduceOnPlateau(factor: 0.5, patience: 2, threshold: 1e-4)])
var plateauShuffler = SeededGenerator(seed: lesson.seed + 2)  // the sample order of the runs above
let plateauRun = train(
    &plateauStep, on: noisyLine, validation: plateauValidation, epochs: scheduleEpochs, batchSize: 1,
    order: .shuffled(epochs: scheduleEpochs, count: noisyLine.count, using: &plateauShuffler), plugins: &plateauPlugins,
    evaluatesTrainingSet: false)
plateauLine = plateauStep.model
let cuts = (plateauPlugins.list[0] as! ReduceOnPlateau).reductions
let plateauDistance = distance(parameters(plateauLine), best)
lesson.table(
    headers: ["cut after epoch"] + cuts.map(String.init),
    rows: [["η from then on"] + cuts.map { epoch in compact(plateauRun.history.first { $0.epoch == epoch + 1 }?.learningRate ?? .nan, significant: 3) }])
let closerThan = decaying.filter { distances[$0] > plateauDistance }.map { schedules[$0].name }
lesson.prose(
    """
    It cut η \(cuts.count) time\(cuts.count == 1 ? "" : "s")\(cuts.isEmpty ? "" : ", first after epoch \(cuts[0])"), ending at \
    η = \(compact(plateauRun.history.last!.learningRate, significant: 3)); its line ends \(decimal(plateauDistance, 4)) from the best one, \
    \(closerThan.isEmpty ? "not closer than any fixed schedule" : closerThan.count == decaying.count ? "closer than every fixed schedule" : "closer than \(closerThan.joined(separator: ", "))"), \
    and \(plateauDistance < distances[0] ? "closer" : "no closer") than the constant rate (\(decimal(distances[0], 4))). It needs no \
    guess of when to decay, only of how long a plateau is; the price is a validation \
    set evaluated every epoch.
    """)

// MARK: - 8

lesson.section("Gradient clipping by global norm")
lesson.prose(
    """
    Now and then a gradient is enormous: a steep cliff in the loss, a bad batch, an RNN \
    whose gradients explode through time (Chapter 7). One such step can throw the \
    parameters somewhere they never recover from. Clipping by global norm treats all \
    gradients as one long vector g and shortens it when it is too long:
    """)
lesson.equation("‖g‖ = √(Σ over every parameter of g²)        if ‖g‖ > c:  g ← g · c / ‖g‖")
lesson.prose(
    """
    Every gradient is scaled by the same factor, so the step keeps its direction (clipping \
    each value separately would turn it). A small gradient is left untouched. On \
    Rosenbrock's function from (2.5, −1), out on a steep wall where ‖g‖ ≈ 7000, \
    gradient descent with η = 0.001:
    """)
let wallStart = [2.5, -1.0]
var unclipped = SGD(learningRate: 1e-3)
var clippedOptimizer = SGD(learningRate: 1e-3)
var free = Parameter(name: "(x, y)", shape: [2], value: wallStart, decays: false)
var clipped = Parameter(name: "(x, y)", shape: [2], value: wallStart, decays: false)
var wallRows: [[String]] = []
var firstFreeStep = wallStart, overflowStep: Int?
for step in 1...500 {
    free.gradient = Surface.rosenbrock.gradient(free.value)
    unclipped.update(&free)
    if step == 1 { firstFreeStep = free.value }
    if overflowStep == nil && !Surface.rosenbrock.value(free.value).isFinite { overflowStep = step }
    var gradients = [Surface.rosenbrock.gradient(clipped.value)]
    let norm = clipByGlobalNorm(&gradients, maxNorm: 100)
    clipped.gradient = gradients[0]
    clippedOptimizer.update(&clipped)
    if [1, 2, 3, 4, 10, 100, 500].contains(step) {
        let f = Surface.rosenbrock.value(free.value)
        wallRows.append([
            "\(step)", f.isFinite ? compact(f, significant: 3) : "overflow (∞ or NaN)",
            compact(Surface.rosenbrock.value(clipped.value), significant: 3), compact(norm, significant: 3),
        ])
    }
}
lesson.table(headers: ["step", "f without clipping", "f, clipped at ‖g‖ ≤ 100", "‖g‖ before clipping"], rows: wallRows)
lesson.prose(
    """
    Without clipping the first step moves x by \(decimal(abs(firstFreeStep[0] - wallStart[0]), 1)) and lands \
    where ‖g‖ is \(compact(norm(Surface.rosenbrock.gradient(firstFreeStep)), significant: 2)); \
    \(overflowStep.map { "at step \($0) the numbers overflow." } ?? "the numbers stay finite, but far from the minimum.") \
    Clipped, each step moves at most η·c = 0.1 until the gradients are small enough to \
    pass untouched, and descent then proceeds as usual. In the training loop, the plugin `GradientClipping(maxNorm:)` \
    applies the same clipping to all of a network's gradients at once, after every \
    batch's backward pass.
    """)

// MARK: - 9

lesson.section("Exercises")
lesson.prose(
    """
    Open Exercises/Optimizers and fill in each function, then run `swift run exercises \
    optimizers`. Each answer is checked step by step against this \
    chapter's optimizers on fixed and random gradients, and against the hand-worked \
    values of the tests.
    """)
lesson.table(
    headers: ["exercise", "function", "what it asks"],
    rows: [
        ["4.1", "momentumStep", "one step of SGD with momentum, velocity form"],
        ["4.2", "rmspropStep", "one RMSprop step"],
        ["4.3", "adamStep", "one Adam step with bias correction"],
        ["4.4", "cosineAnnealing", "the cosine schedule's learning rate at epoch t"],
        ["4.5", "clipByGlobalNorm", "scale a list of gradients to at most a given norm"],
        ["4.6", "reduceOnPlateau", "the rate of each epoch, read from the validation losses"],
    ])
lesson.finish()
