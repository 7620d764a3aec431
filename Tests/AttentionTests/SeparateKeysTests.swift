import Backprop
import Foundation
import LinearAlgebra
import NumericChecks
import Randomness
import Testing

@testable import Attention

@Suite("Model core · attention with separate keys and values, and any mask")
struct SeparateKeysAndValues {
    let keys = Tensor(shape: [batch, memorySteps, width], values: referenceValues(40, 1.5, 1))
    let values = Tensor(shape: [batch, memorySteps, width], values: referenceValues(40, 2.5, 1))
    let allowed: [Bool] = [true, false, true, true, false, false, true, true, false, true, true, true, false, false, false]

    @Test("keys and values from two tensors under an explicit mask: output, weights and every gradient equal nn.MultiheadAttention's")
    func againstPyTorch() {
        var layer = referenceAttention()
        layer.mask = .explicit(allowed: allowed)
        let y = layer.attend(query: input, keys: keys, values: values, mode: .training)
        #expect(close(y.values, separateOutput))
        #expect(close(layer.attentionWeights!.values, separateWeights))
        let dx = layer.backward(upstream)
        #expect(close(dx.values, separateQueryGradient))
        #expect(close(layer.keysGradient!.values, separateKeysGradient))
        #expect(close(layer.valuesGradient!.values, separateValuesGradient))
        #expect(close(inProjectionGradient(layer), separateInProjectionGradient))
        #expect(layer.memoryGradient == nil)
    }

    @Test("∂L/∂keys and ∂L/∂values against central differences, with a mask per sequence")
    func gradientCheck() {
        var layer = referenceAttention()
        var rng = SeededGenerator(seed: 3)
        layer.mask = .explicit(allowed: (0..<(batch * steps * memorySteps)).map { $0 % 4 != 1 })
        let weights = rng.normals(batch * steps * width)
        _ = layer.attend(query: input, keys: keys, values: values, mode: .training)
        _ = layer.backward(Tensor(shape: [batch, steps, width], values: weights))
        func loss(_ k: Tensor, _ v: Tensor) -> Double {
            var probe = referenceAttention()
            probe.mask = layer.mask
            return zip(probe.attend(query: input, keys: k, values: v, mode: .training).values, weights).map(*).reduce(0, +)
        }
        let k = checkGradient("keys", at: keys.values, analytic: layer.keysGradient!.values) { loss(Tensor(shape: keys.shape, values: $0), values) }
        let v = checkGradient("values", at: values.values, analytic: layer.valuesGradient!.values) { loss(keys, Tensor(shape: values.shape, values: $0)) }
        #expect(k.passed, "\(k)")
        #expect(v.passed, "\(v)")
    }
}
