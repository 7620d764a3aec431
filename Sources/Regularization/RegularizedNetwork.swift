import Activations
import Backprop
import Randomness
import Validation

extension Sequential {
    /// Dense layers of `sizes` with `hidden` activations and a linear output, optionally
    /// with batch normalization before each hidden activation and dropout after it:
    ///
    /// ```
    /// dense → [batch norm] → activation → [dropout] → … → dense
    /// ```
    /// With batch normalization the dense layer's bias does nothing (β takes over its
    /// job) but stays, as in most libraries. Dropout layers are seeded from `generator`.
    public init(
        sizes: [Int], hidden: Activation, batchNorm: Bool, dropout: Double? = nil, initialization: Initialization,
        using generator: inout SeededGenerator
    ) {
        require(sizes.count >= 2, "Sequential: needs at least an input and an output size, got \(sizes)")
        var layers: [any Layer] = []
        for l in 1..<sizes.count {
            layers.append(Dense(inputs: sizes[l - 1], outputs: sizes[l], initialization: initialization, using: &generator, name: "\(l)"))
            if l == sizes.count - 1 { break }
            if batchNorm { layers.append(BatchNorm(features: sizes[l], name: "\(l)")) }
            layers.append(ActivationLayer(hidden))
            if let dropout { layers.append(Dropout(rate: dropout, seed: generator.next())) }
        }
        self.init(layers)
    }
}
