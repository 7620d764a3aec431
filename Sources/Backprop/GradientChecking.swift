import NumericChecks

extension Network {
    /// Checks `analytic` (one entry per layer, as the backward pass returns them) against
    /// central differences of `loss`, separately for every layer's W and b.
    ///
    /// `loss` receives a copy of this network with one parameter nudged. The results are
    /// named W1, b1, W2, b2, … in layer order.
    public func checkGradients(
        _ analytic: [DenseLayer.Gradients], epsilon: Double = 1e-5, tolerance: Double = 1e-7,
        loss: (Network) -> Double
    ) -> [GradientCheckResult] {
        precondition(analytic.count == layers.count, "checkGradients: \(analytic.count) gradients for \(layers.count) layers")
        var results: [GradientCheckResult] = []
        var probe = self
        for l in layers.indices {
            results.append(
                checkGradient("W\(l + 1)", at: layers[l].weights.values, analytic: analytic[l].weights.values, epsilon: epsilon, tolerance: tolerance) {
                    probe.layers[l].weights.values = $0
                    defer { probe.layers[l].weights.values = layers[l].weights.values }
                    return loss(probe)
                })
            results.append(
                checkGradient("b\(l + 1)", at: layers[l].biases, analytic: analytic[l].biases, epsilon: epsilon, tolerance: tolerance) {
                    probe.layers[l].biases = $0
                    defer { probe.layers[l].biases = layers[l].biases }
                    return loss(probe)
                })
        }
        return results
    }
}
