import ExerciseSupport

// Exercise 12.3 — A dot product in four lanes
//
// x · y = Σᵢ xᵢ·yᵢ, computed with a SIMD4<Double> of four running sums:
//
//   1. for i = 0, 4, 8, … while i + 4 ≤ n: load x[i..<i+4] and y[i..<i+4] as two
//      SIMD4<Double> (SIMD4(x[i], x[i+1], x[i+2], x[i+3]) will do) and add their
//      product into the running sums: lanes += xs * ys;
//   2. combine the lanes as (lane 0 + lane 1) + (lane 2 + lane 3);
//   3. add the last n mod 4 products one at a time, i ascending.
//
// This is another order than one running sum, so in general other bits: the check
// is bit for bit against exactly this order.
//
// Example: x = [1, 2, 3, 4, 5], y = [1, 1, 1, 1, 2] → lanes [1, 2, 3, 4]
//          → (1 + 2) + (3 + 4) = 10, then + 5·2 = 20
// Hint: with fewer than 4 values the lanes stay 0 and only step 3 runs.

/// x · y in four SIMD lanes, combined (l₀ + l₁) + (l₂ + l₃), then the tail in order.
public func dotSIMD4(_ x: [Double], _ y: [Double]) throws -> Double {
    throw NotAttempted()
}
