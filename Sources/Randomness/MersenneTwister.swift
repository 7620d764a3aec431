import Foundation

/// The Mersenne Twister MT19937, drawing exactly the numbers that NumPy's legacy
/// `numpy.random.RandomState(seed)` draws.
///
/// The curriculum's own generator is ``SeededGenerator``. This one exists to reproduce the
/// NumPy and PyTorch baselines (`../shared/baselines`) number for number: the same digits
/// split (`RandomState(0).permutation(1797)`), the same He-normal starting weights
/// (`RandomState(0).randn(64, 64)`) and the same mini-batch order, so that a Swift run and
/// a NumPy run of the same network can be compared loss for loss.
///
/// Implemented from the published algorithm (Matsumoto & Nishimura, 1998) and NumPy's
/// documented legacy methods: 53-bit doubles from two 32-bit draws, the polar (Marsaglia)
/// method for normals with its second value cached, and bounded integers by masked
/// rejection. The tests compare its output with values printed by NumPy.
public struct MersenneTwister: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624
    private var cachedNormal: Double?

    /// The generator `numpy.random.RandomState(seed)` starts with.
    public init(seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    /// The next 32 random bits.
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// A uniform double in [0, 1) with 53 random bits, as `RandomState.random_sample()`.
    public mutating func uniform() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864 + b) / 9_007_199_254_740_992
    }

    /// A standard normal draw, as `RandomState.standard_normal()` (and `randn`).
    public mutating func standardNormal() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2 * uniform() - 1
            x2 = 2 * uniform() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * log(r2) / r2).squareRoot()
        cachedNormal = f * x1
        return f * x2
    }

    /// A uniform integer in 0...max, as NumPy's legacy bounded draw: mask to the
    /// smallest all-ones bit pattern covering `max`, and draw again while above it.
    public mutating func integer(upTo max: UInt32) -> UInt32 {
        guard max > 0 else { return 0 }
        var mask = max
        for shift in [1, 2, 4, 8, 16] as [UInt32] { mask |= mask >> shift }
        var value: UInt32
        repeat { value = nextUInt32() & mask } while value > max
        return value
    }

    /// A random permutation of 0..<count, as `RandomState.permutation(count)`
    /// (a Fisher–Yates shuffle from the last position down).
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = Int(integer(upTo: UInt32(i)))
            values.swapAt(i, j)
            i -= 1
        }
        return values
    }
}
