import Foundation
import NumericChecks
import Testing

@Suite("Gradient checking and approximate comparison")
struct NumericChecksTests {
    @Test("the numerical gradient of Σ xᵢ³ is 3xᵢ² to about 1e-9")
    func numericalGradientOfCubes() {
        let x = [0.5, -1.5, 2.0]
        let numeric = numericalGradient(at: x) { $0.map { $0 * $0 * $0 }.reduce(0, +) }
        #expect(mismatch(numeric, x.map { 3 * $0 * $0 }, tolerance: Tolerance(relative: 1e-9, absolute: 1e-9)) == nil)
    }

    @Test("a correct gradient passes; a wrong one fails naming the parameter and worst index")
    func checkGradientReports() {
        let x = [0.3, -0.7, 1.1]
        let f: ([Double]) -> Double = { p in sin(p[0]) * p[1] + exp(p[2]) }
        let correct = [cos(x[0]) * x[1], sin(x[0]), exp(x[2])]
        #expect(checkGradient("θ", at: x, analytic: correct, of: f).passed)
        var wrong = correct
        wrong[2] *= 1.01
        let result = checkGradient("θ", at: x, analytic: wrong, of: f)
        #expect(!result.passed)
        #expect(result.worstIndex == 2)
        #expect(result.description.contains("gradient check θ: FAILED"))
        #expect(result.description.contains("at index 2"))
    }

    @Test("a NaN in the analytic gradient never passes")
    func nanFails() {
        let result = checkGradient("p", at: [1], analytic: [.nan]) { $0[0] * 2 }
        #expect(!result.passed)
    }

    @Test("relative error uses the larger magnitude, and a floor for gradients near zero")
    func relativeErrorDefinition() {
        #expect(relativeError(1.0, 1.1) == abs(1.0 - 1.1) / 1.1)
        #expect(relativeError(0, 1e-12) < 1e-8)  // round-off around a true zero passes
    }

    @Test("vector mismatch shows expected, actual and the largest difference")
    func mismatchMessage() throws {
        let message = try #require(mismatch([1, 2.5, 3], [1, 2, 3]))
        #expect(message.contains("expected: [1.0, 2.0, 3.0]"))
        #expect(message.contains("actual:   [1.0, 2.5, 3.0]"))
        #expect(message.contains("largest difference 0.5 at index 1"))
        #expect(mismatch([1, 2], [1, 2, 3])?.contains("expected 3 values, got 2") == true)
        #expect(mismatch([1 + 1e-13], [1]) == nil)
    }

    @Test("tolerance accepts equal infinities and rejects NaN")
    func toleranceEdges() {
        #expect(isClose(.infinity, .infinity))
        #expect(!isClose(.nan, .nan))
        #expect(!isClose(.nan, 1))
    }
}
