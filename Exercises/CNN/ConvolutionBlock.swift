import CNN
import ExerciseSupport
import Foundation

// Exercise 6.6 — One block of a CNN: convolution → ReLU → max pooling
//
// The building block of LeNet-style networks: convolve (6.2), apply ReLU to every value,
// then max-pool each channel with poolSize × poolSize windows (6.5). The output has
// shape (batch, filters, outputHeight / poolSize, outputWidth / poolSize), rounded down.
// Use your answers to 6.2 and 6.5.
// Hint: ReLU comes before the pooling; max pooling after ReLU equals ReLU after max
// pooling, but not every activation commutes with it like that.

/// conv → ReLU → max pool, for a batch, flat.
public func convolutionBlock(input: [Double], filters: [Double], bias: [Double], shape: ConvolutionShape, poolSize: Int) throws -> [Double] {
    throw NotAttempted()
}
