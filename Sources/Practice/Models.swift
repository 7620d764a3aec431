import Activations
import Backprop
import CNN
import Randomness

/// The chapter's CNN for the 8×8 digits (rows of 64 pixels in [0, 1]): conv 1→8 3×3 pad 1 ·
/// ReLU · max pool 2 · flatten 128 · dense 32 · ReLU · dense `classes`; He initialization,
/// Xavier for the head. Layer 1 is the convolution, 5 the hidden dense layer, 7 the head.
/// The lesson trains it, the benchmark times its step.
public func digitsCNN(classes: Int = 10, using generator: inout SeededGenerator) -> Sequential {
    Sequential([
        Reshape([1, 8, 8]),
        Conv2D(inChannels: 1, outChannels: 8, kernel: 3, padding: 1, initialization: .he, using: &generator, name: "conv"),
        ActivationLayer(.relu),
        Pool2D(.max, size: 2),
        Reshape.flatten,
        Dense(inputs: 8 * 4 * 4, outputs: 32, initialization: .he, using: &generator, name: "hidden"),
        ActivationLayer(.relu),
        Dense(inputs: 32, outputs: classes, initialization: .xavier, using: &generator, name: "head"),
    ])
}
