import Foundation
import Validation

/// A seedable random number generator that produces the same numbers on every platform.
///
/// Swift's `SystemRandomNumberGenerator` cannot be seeded, so a lesson that used it
/// would print different numbers on every run. Every lesson, test and exercise in this
/// curriculum draws from a `SeededGenerator` instead: the same seed gives the same
/// stream of numbers, byte for byte, on Linux, macOS and Windows.
///
/// The algorithm is xoshiro256** (Blackman and Vigna, 2018), with its 256-bit state
/// filled from the seed by SplitMix64, as its authors recommend.
///
/// The sampling methods below (`uniform`, `normal`, `int(below:)`, `shuffle`) are
/// written out here rather than borrowed from the standard library, whose algorithms
/// for `Double.random(in:using:)` and `shuffled(using:)` are not promised to stay the
/// same between Swift versions.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        // SplitMix64 spreads the seed's bits over the four words of state, so that
        // nearby seeds (0, 1, 2, ...) still start far-apart streams.
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for one stream of a seeded family: the stream named by `keys` (an
    /// epoch and a batch number, say). Each key is mixed into the seed by SplitMix64's
    /// finalizer in turn, so (seed, [1, 0]) and (seed, [0, 1]) start unrelated streams.
    public init(seed: UInt64, stream keys: [Int]) {
        var mixed = seed
        for key in keys {
            var z = mixed ^ (UInt64(bitPattern: Int64(key)) &+ 0x9E37_79B9_7F4A_7C15)
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed = z ^ (z >> 31)
        }
        self.init(seed: mixed)
    }

    /// The generator's whole state, four 64-bit words: saved in a checkpoint, it lets a
    /// resumed run draw exactly the numbers the interrupted one would have drawn.
    public var stateWords: [UInt64] {
        get { [state.0, state.1, state.2, state.3] }
        set {
            require(newValue.count == 4, "SeededGenerator: the state is 4 words, got \(newValue.count)")
            require(newValue.contains { $0 != 0 }, "SeededGenerator: an all-zero state would draw only zeros")
            state = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    /// The state as 8 doubles, each word's high and low 32 bits (every such number is
    /// exact in a `Double`): how a layer keeps its generator among its buffers.
    public var stateAsDoubles: [Double] {
        get { stateWords.flatMap { [Double($0 >> 32), Double($0 & 0xFFFF_FFFF)] } }
        set {
            require(newValue.count == 8, "SeededGenerator: the state is 8 halves, got \(newValue.count)")
            var words: [UInt64] = []
            for i in stride(from: 0, to: 8, by: 2) {
                let (high, low) = (newValue[i], newValue[i + 1])
                require(
                    [high, low].allSatisfy { $0 >= 0 && $0 <= 4_294_967_295 && $0 == $0.rounded() },
                    "SeededGenerator: state halves must be whole numbers in 0...2³²−1, got \(high) and \(low)")
                words.append(UInt64(high) << 32 | UInt64(low))
            }
            stateWords = words
        }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// A uniform sample from [0, 1), with 53 random bits (the full precision of a `Double`).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform sample from `[range.lowerBound, range.upperBound)`.
    public mutating func uniform(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }

    /// A uniform sample from `[range.lowerBound, range.upperBound]`.
    public mutating func uniform(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }

    /// A sample from the normal distribution N(mean, standardDeviation²).
    ///
    /// Uses the Box–Muller transform:
    /// ```
    /// z = √(−2 ln u₁) · cos(2π u₂),   u₁ ∈ (0, 1], u₂ ∈ [0, 1)
    /// ```
    /// `u₁` is drawn from (0, 1] rather than [0, 1): ln 0 = −∞ would give an infinite sample.
    public mutating func normal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return mean + standardDeviation * z
    }

    /// A uniform integer in `0..<bound`, without modulo bias.
    public mutating func int(below bound: Int) -> Int {
        require(bound > 0, "int(below:): the bound must be positive, got \(bound)")
        let n = UInt64(bound)
        // Reject the top sliver of the 64-bit range that would make some values more
        // likely than others when reduced modulo n.
        let limit = UInt64.max - UInt64.max % n
        while true {
            let x = next()
            if x < limit { return Int(x % n) }
        }
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: Range<Int>) -> Int {
        range.lowerBound + int(below: range.count)
    }

    /// Shuffles `array` in place (Fisher–Yates).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = int(below: i + 1)
            array.swapAt(i, j)
        }
    }

    /// A shuffled copy of `array`.
    public mutating func shuffled<T>(_ array: [T]) -> [T] {
        var copy = array
        shuffle(&copy)
        return copy
    }

    /// `count` samples from N(mean, standardDeviation²).
    public mutating func normals(_ count: Int, mean: Double = 0, standardDeviation: Double = 1) -> [Double] {
        (0..<count).map { _ in normal(mean: mean, standardDeviation: standardDeviation) }
    }

    /// `count` uniform samples from `range`.
    public mutating func uniforms(_ count: Int, in range: Range<Double>) -> [Double] {
        (0..<count).map { _ in uniform(in: range) }
    }
}
