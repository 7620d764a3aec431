import Randomness

/// How a layer's starting weights are drawn. Biases always start at 0.
public enum Initialization: Sendable, Equatable {
    /// Xavier/Glorot uniform: W ~ U(−r, r) with r = √(6 / (n_in + n_out)).
    ///
    /// Its variance 2 / (n_in + n_out) keeps the signal's variance about the same going
    /// forward (n_in terms) and going backward (n_out terms): the choice for tanh and sigmoid.
    case xavier
    /// He normal: W ~ N(0, 2 / n_in).
    ///
    /// ReLU zeroes about half of its inputs, halving the variance at each layer; twice the
    /// Xavier variance (for n_in = n_out) puts it back. The choice for ReLU networks.
    case he
    /// LeCun normal (1998): W ~ N(0, 1 / n_in).
    ///
    /// The variance that keeps the forward signal's variance steady through a layer whose
    /// activation has slope 1 near 0 (tanh, or none): Xavier's forward half alone. PyTorch
    /// has no name for it: `nn.init.kaiming_normal_(w, nonlinearity="linear")` draws the
    /// same; Keras's `lecun_normal` draws from a truncated normal of this variance.
    case lecun
    /// Every weight 0. All units of a layer then compute the same thing and receive the
    /// same gradient, so they stay identical forever: the symmetry is never broken.
    case zeros
    /// W ~ N(0, σ²) with a fixed σ, to show what too small or too large weights do.
    case normal(standardDeviation: Double)

    /// `outputs × inputs` weights drawn from this distribution, row by row.
    public func weights(inputs: Int, outputs: Int, using generator: inout SeededGenerator) -> [Double] {
        let count = inputs * outputs
        switch self {
        case .xavier:
            let r = (6 / Double(inputs + outputs)).squareRoot()
            return generator.uniforms(count, in: -r..<r)
        case .he:
            return generator.normals(count, mean: 0, standardDeviation: (2 / Double(inputs)).squareRoot())
        case .lecun:
            return generator.normals(count, mean: 0, standardDeviation: (1 / Double(inputs)).squareRoot())
        case .zeros:
            return [Double](repeating: 0, count: count)
        case .normal(let standardDeviation):
            return generator.normals(count, mean: 0, standardDeviation: standardDeviation)
        }
    }

    /// The scheme's name as the lessons print it ("He").
    public var name: String {
        switch self {
        case .xavier: "Xavier"
        case .he: "He"
        case .lecun: "LeCun"
        case .zeros: "zeros"
        case .normal(let standardDeviation): "N(0, \(standardDeviation)²)"
        }
    }
}
