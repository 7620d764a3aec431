// Chapter 2 — Activations: every function, its derivative, and why it matters.
// Run: swift run activations

import Activations
import Foundation
import LinearAlgebra
import Notebook
import NumericChecks
import Perceptron
import Randomness

let lesson = Lesson(
    command: "activations",
    title: "Chapter 2 · Activations",
    summary: """
        The functions that make neural networks non-linear: sigmoid, tanh, ReLU and its \
        leaky and exponential cousins, GELU, Swish and softmax, each with its derivative; \
        how they saturate, how ReLUs die, and how to compute them without overflow.
        """)
var rng = SeededGenerator(seed: lesson.seed)

// MARK: - 1

lesson.section("Why a network needs a non-linearity")
lesson.prose(
    """
    A layer computes z = W·a + b and then applies an activation g to every component. \
    Take g away and two layers collapse into one: W₂(W₁x + b₁) + b₂ = (W₂W₁)x + \
    (W₂b₁ + b₂), again just a matrix and a bias. However many layers are stacked, a \
    network without activations can only draw straight lines — the perceptron's limit \
    from Chapter 1. Two linear layers, checked numerically:
    """)
let w1 = Matrix([[1, 2], [-1, 0.5]]), w2 = Matrix([[0.5, -1]])
let input = [0.3, -0.8]
let twoLayers = matvec(w2, matvec(w1, input))
let collapsed = matvec(matmul(w2, w1), input)
lesson.output(
    """
    W₂(W₁x) = \(vector(twoLayers))      (W₂W₁)x = \(vector(collapsed))      W₂W₁ = \(vector(matmul(w2, w1).values, 2))
    """)
lesson.prose(
    """
    The activation is what lets each layer bend the space a little. Which one to use \
    depends on what its output and, above all, its derivative do: backpropagation \
    (Chapter 3) multiplies the derivatives of every layer together.
    """)

// MARK: - 2

lesson.section("The catalogue, with derivatives")
lesson.prose(
    """
    Each function below is plotted with its derivative on [−5, 5]. Leaky ReLU uses \
    α = 0.01 and ELU α = 1.
    """)
let grid = linspace(-5, 5, count: 201)
for activation in Activation.allCases {
    lesson.equation(
        "\(activation.name)(z) = \(activation.formula)\n\(activation.name)′(z) = \(activation.derivativeFormula)"
            + (activation.symbols.map { "\nwith " + $0.replacingOccurrences(of: "\n", with: "\n     ") } ?? ""))
    lesson.plot(
        LinePlot(
            title: "\(activation.name) and its derivative", xLabel: "z", yLabel: "value",
            series: [
                LinePlot.Series(activation.name, x: grid, y: grid.map { activation($0) }),
                LinePlot.Series("derivative", x: grid, y: grid.map { activation.derivative($0) }),
            ]))
}
lesson.prose(
    """
    GELU and its tanh approximation are indistinguishable at this scale: over [−5, 5] \
    they differ by at most \
    \(compact(grid.map { abs(gelu($0) - geluTanh($0)) }.max()!, significant: 2)).
    """)

// MARK: - 3

lesson.section("The comparison table")
let tableInputs: [Double] = [-2, -1, 0, 1, 2]
lesson.prose("Values at z = −2, −1, 0, 1, 2:")
lesson.table(
    headers: ["g"] + tableInputs.map { "z = \(Int($0))" },
    rows: Activation.allCases.map { g in [g.name] + tableInputs.map { decimal(g($0), 4) } })
lesson.prose("Derivatives at the same points (ReLU′ and leaky ReLU′ at the kink z = 0 use the convention 0 and α):")
lesson.table(
    headers: ["g′"] + tableInputs.map { "z = \(Int($0))" },
    rows: Activation.allCases.map { g in [g.name] + tableInputs.map { decimal(g.derivative($0), 4) } })

// MARK: - 4

lesson.section("Properties, and when to use which")
lesson.table(
    headers: ["activation", "formula", "derivative"],
    rows: Activation.allCases.map { [$0.name, $0.formula, $0.derivativeFormula] })
lesson.prose(
    Activation.allCases.compactMap { g in g.symbols.map { "For \(g.name): \($0.replacingOccurrences(of: "\n", with: " "))." } }.joined(separator: " "))
lesson.table(headers: ["activation", "range", "when to use"], rows: Activation.allCases.map { [$0.name, $0.range, $0.whenToUse] })
lesson.prose(
    """
    Softmax is different in kind: it maps a whole vector of scores to probabilities and \
    belongs on the output layer of a classifier (section 7). Sigmoid does the same job \
    for a single yes/no output. In hidden layers ReLU is the default; leaky ReLU or ELU \
    when too many units die; GELU or Swish in transformers and very deep networks.
    """)

// MARK: - 5

lesson.section("Saturation and vanishing gradients")
lesson.prose(
    """
    Far from zero the sigmoid and tanh are flat: they saturate. There the derivative is \
    nearly zero — σ′(10) = \(compact(sigmoidDerivative(10), significant: 3)) — and a \
    saturated unit passes almost no gradient back. Worse, the sigmoid's slope is never \
    more than σ′(0) = 0.25. Backpropagation multiplies one such factor per layer, so \
    through a chain of L sigmoid units the gradient shrinks at least like 0.25^L.
    """)
lesson.equation("∂a_L/∂a_0 = ∏ₗ g′(z_l) · w_l        with sigmoid and |w_l| ≤ 1:  ≤ 0.25^L")
let depths = Array(1...20)
let chains = 2000
/// The median over random chains of ∏ g′(zₗ), with zₗ ~ N(0, 1) at every layer.
func medianProduct(_ g: Activation, depth: Int, using rng: inout SeededGenerator) -> Double {
    var products: [Double] = []
    for _ in 0..<chains {
        var product = 1.0
        for _ in 0..<depth { product *= g.derivative(rng.normal()) }
        products.append(product)
    }
    return products.sorted()[chains / 2]
}
var sigmoidMedians: [Double] = [], tanhMedians: [Double] = []
for depth in depths {
    sigmoidMedians.append(medianProduct(.sigmoid, depth: depth, using: &rng))
    tanhMedians.append(medianProduct(.tanh, depth: depth, using: &rng))
}
var reluAlive: [Double] = []
for depth in depths {
    var alive = 0
    for _ in 0..<chains {
        if (0..<depth).allSatisfy({ _ in rng.normal() > 0 }) { alive += 1 }
    }
    reluAlive.append(Double(alive) / Double(chains))
}
lesson.table(
    headers: ["depth L", "0.25^L", "sigmoid (median)", "tanh (median)", "ReLU: chains passing 1"],
    rows: [1, 2, 5, 10, 20].map { l in
        [
            "\(l)", compact(pow(0.25, Double(l)), significant: 3), compact(sigmoidMedians[l - 1], significant: 3),
            compact(tanhMedians[l - 1], significant: 3), percent(reluAlive[l - 1]),
        ]
    })
lesson.plot(
    LinePlot(
        title: "Gradient factor ∏ g′(z) through a chain (median, z ~ N(0, 1))", xLabel: "depth", yLabel: "∏ g′",
        series: [
            LinePlot.Series("sigmoid", x: depths.map(Double.init), y: sigmoidMedians),
            LinePlot.Series("tanh", x: depths.map(Double.init), y: tanhMedians),
            LinePlot.Series("0.25^L", x: depths.map(Double.init), y: depths.map { pow(0.25, Double($0)) }),
        ], logScaleY: true))
lesson.prose(
    """
    After 20 sigmoid layers a typical gradient is about \
    \(compact(sigmoidMedians[19], significant: 2)) of what it was: the first layers \
    barely learn. Tanh \(tanhMedians[19] > sigmoidMedians[19] ? "is better (slope 1 at 0)" : "has slope 1 at 0") \
    \(tanhMedians[19] < 1 ? "but still shrinks: \(compact(tanhMedians[19], significant: 2)) after 20 layers" : "and does not shrink here"). \
    ReLU passes a gradient of exactly 1 through every active unit — it does not shrink \
    at all — but a chain is cut as soon as one unit is inactive (\(reluAlive[19] == 0
        ? "none of \(chains) random 20-unit chains passed"
        : "only \(percent(reluAlive[19])) of the random 20-unit chains passed")), which brings us to \
    dying ReLUs.
    """)

// MARK: - 6

lesson.section("Dying ReLUs")
lesson.prose(
    """
    A ReLU unit whose weighted sum is negative for every input outputs 0 for every input, \
    and its derivative there is 0 too: no gradient reaches its weights, so nothing can \
    ever change them. A too-large learning rate or a bad initialization can push a bias \
    far negative and kill the unit for good. Below, 6 units see 200 random inputs; \
    three have had their bias knocked down by a large update.
    """)
let points = (0..<200).map { _ in [rng.normal(), rng.normal()] }
var unitRows: [[String]] = []
for unit in 0..<6 {
    let weights = [rng.normal(), rng.normal()]
    let bias = unit < 3 ? rng.normal(standardDeviation: 0.3) : -6 - rng.uniform(in: 0..<2)
    let zs = points.map { weightedSum(inputs: $0, weights: weights, bias: bias) }
    let active = zs.filter { $0 > 0 }.count
    // the gradient a unit's first weight would receive, summed over inputs, for an upstream gradient of 1
    let reluSignal = zip(points, zs).map { abs(reluDerivative($1) * $0[0]) }.reduce(0, +)
    let leakySignal = zip(points, zs).map { abs(leakyReLUDerivative($1) * $0[0]) }.reduce(0, +)
    unitRows.append([
        "\(unit + 1)", decimal(bias, 2), "\(active)/200", decimal(reluSignal, 2), decimal(leakySignal, 2),
        active == 0 ? "dead" : "alive",
    ])
}
lesson.table(headers: ["unit", "bias", "inputs with z > 0", "Σ|∂a/∂w₁| ReLU", "Σ|∂a/∂w₁| leaky", "ReLU unit"], rows: unitRows)
let deadRows = unitRows.filter { $0[5] == "dead" }
let deadGetNothing = deadRows.allSatisfy { $0[3] == decimal(0, 2) }
let deadLeakyShare = deadRows.isEmpty ? 0 : deadRows.map { Double($0[4])! }.max()!
lesson.prose(
    """
    \(deadRows.count) units are dead; \(deadGetNothing ? "they receive exactly zero gradient under ReLU" : "yet some gradient reaches them"). \
    With leaky ReLU the same units still get a small signal (the slope α = 0.01 instead \
    of 1: a summed signal of up to \(decimal(deadLeakyShare, 2)) here) and can climb back. ELU, \
    GELU and Swish have non-zero slopes on the negative side too.
    """)

// MARK: - 7

lesson.section("Softmax, computed safely")
lesson.prose(
    """
    Softmax turns a vector of scores into probabilities: every output is positive and \
    they sum to 1, with the largest score getting the largest share.
    """)
lesson.equation(
    """
    softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ)
    softmax(z + c) = softmax(z)  for any constant c  (e^c cancels)
    """)
let scores = [1.0, 2, 3]
lesson.output("softmax(\(vector(scores, 0))) = \(vector(softmax(scores)))   (sum \(decimal(softmax(scores).reduce(0, +), 4)))")
lesson.prose(
    """
    Written literally, the formula fails on large scores: e^1000 is beyond the largest \
    Double (about 1.8 × 10³⁰⁸), so it becomes ∞, and ∞/∞ is NaN. Very negative scores \
    fail the other way: every e^z underflows to 0 and 0/0 is NaN. Because softmax does \
    not change when a constant is added, subtract the largest score first: every \
    exponent is then ≤ 0, no term overflows, and the largest term is e^0 = 1, so the \
    sum is never 0.
    """)
let extreme = [1000.0, 0, -1000], tiny = [-1000.0, -1000]
func show(_ values: [Double]) -> String { "[" + values.map { $0.isNaN ? "nan" : decimal($0, 4) }.joined(separator: ", ") + "]" }
lesson.table(
    headers: ["scores", "without the shift", "with max subtracted"],
    rows: [
        [vector(extreme, 0), show(softmaxWithoutShift(extreme)), show(softmax(extreme))],
        [vector(tiny, 0), show(softmaxWithoutShift(tiny)), show(softmax(tiny))],
        [vector(scores, 0), show(softmaxWithoutShift(scores)), show(softmax(scores))],
    ])
lesson.prose(
    """
    The same care applies to the sigmoid: 1 / (1 + e^(−z)) is safe for any z, because an \
    overflow of e^(−z) to ∞ gives 1/∞ = 0, the right limit; the equivalent-looking \
    e^z / (1 + e^z) gives ∞/∞ = NaN for z > 709.

    The backward pass of softmax needs the whole Jacobian: each output depends on every \
    score, ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ). Given the upstream gradient g = ∂L/∂s, the product \
    with the Jacobian simplifies so that the n × n matrix is never built:
    """)
lesson.equation("∂L/∂zᵢ = Σⱼ gⱼ sⱼ (δⱼᵢ − sᵢ) = sᵢ (gᵢ − Σⱼ gⱼ sⱼ)")
let z4 = rng.uniforms(4, in: -2..<2), g4 = rng.uniforms(4, in: -1..<1)
let s4 = softmax(z4)
let backward = softmaxBackward(output: s4, upstream: g4)
let softmaxCheck = checkGradient("z", at: z4, analytic: backward) { p in dot(g4, softmax(p)) }
lesson.output(
    """
    z              = \(vector(z4))
    g = ∂L/∂s      = \(vector(g4))
    s = softmax(z) = \(vector(s4))
    ∂L/∂z          = \(vector(backward))
    gradient check, central differences: worst relative error \(compact(softmaxCheck.worstRelativeError, significant: 2)) (\(softmaxCheck.passed ? "pass" : "FAIL"))
    """)
lesson.prose(
    """
    In practice softmax is almost always followed by the cross-entropy loss, and the two \
    backward passes combine into the remarkably simple ŷ − y — Chapter 3 derives it.
    """)

// MARK: - 8

lesson.section("Your turn")
lesson.prose(
    """
    Open each file in Exercises/Activations, replace `throw NotAttempted()` with your \
    code, and run `swift run exercises activations`. The checks include the extreme inputs above: an answer \
    that returns NaN for z = 1000 is wrong, however right its formula looks on paper.
    """)
lesson.table(
    headers: ["exercise", "file in Exercises/Activations", "what you write"],
    rows: [
        ["2.1", "SigmoidDerivative.swift", "σ′(z) = σ(z)(1 − σ(z))"],
        ["2.2", "TanhDerivative.swift", "tanh′(z) = 1 − tanh²(z)"],
        ["2.3", "LeakyReLU.swift", "z if z > 0, else αz"],
        ["2.4", "ELU.swift", "α(e^z − 1) on the negative side, accurately"],
        ["2.5", "GELU.swift", "½ z (1 + erf(z/√2))"],
        ["2.6", "SwishDerivative.swift", "the product rule on z σ(z)"],
        ["2.7", "Softmax.swift", "softmax that survives [1000, 0, −1000]"],
        ["2.8", "SoftmaxBackward.swift", "sᵢ (gᵢ − Σⱼ gⱼ sⱼ), gradient-checked"],
    ])
lesson.finish()
