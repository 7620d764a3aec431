import Randomness
import Testing

@Suite("SeededGenerator")
struct RandomnessTests {
    @Test("seed 42 gives the xoshiro256** stream computed by an independent Python implementation")
    func matchesReferenceStream() {
        var rng = SeededGenerator(seed: 42)
        #expect([rng.next(), rng.next(), rng.next()] == [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009])
        var uniform = SeededGenerator(seed: 42)
        #expect([uniform.uniform(), uniform.uniform(), uniform.uniform()] == [0.08386297105988216, 0.3789802506626686, 0.6800434110281394])
    }

    @Test("the same seed repeats the stream; different seeds differ")
    func reproducible() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
    }

    @Test("uniform samples lie in [0, 1) with mean near 1/2")
    func uniformRange() {
        var rng = SeededGenerator(seed: 1)
        let samples = (0..<100_000).map { _ in rng.uniform() }
        #expect(samples.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(samples.reduce(0, +) / 100_000 - 0.5) < 0.005)
    }

    @Test("normal samples have the requested mean and standard deviation")
    func normalMoments() {
        var rng = SeededGenerator(seed: 2)
        let samples = rng.normals(100_000, mean: 3, standardDeviation: 2)
        let mean = samples.reduce(0, +) / 100_000
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 100_000
        #expect(abs(mean - 3) < 0.03)
        #expect(abs(variance.squareRoot() - 2) < 0.03)
        #expect(samples.allSatisfy { $0.isFinite })
    }

    @Test("int(below:) covers every value about equally often")
    func boundedIntegers() {
        var rng = SeededGenerator(seed: 3)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[rng.int(below: 7)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }

    @Test("shuffling gives a permutation and moves things")
    func shuffle() {
        var rng = SeededGenerator(seed: 4)
        let shuffled = rng.shuffled(Array(0..<50))
        #expect(shuffled.sorted() == Array(0..<50))
        #expect(shuffled != Array(0..<50))
    }
}

@Suite("Mersenne Twister, NumPy-compatible")
struct MersenneTwisterTests {
    // Every expected value below was printed by NumPy 2.4.6, numpy.random.RandomState.

    @Test("raw 32-bit outputs for seed 0 (RandomState(0).randint(0, 2**32, dtype=uint64))")
    func rawOutputs() {
        var twister = MersenneTwister(seed: 0)
        #expect((0..<3).map { _ in twister.nextUInt32() } == [2_357_136_044, 2_546_248_239, 3_071_714_933])
    }

    @Test("random_sample and randn for seed 0")
    func uniformAndNormal() {
        var uniform = MersenneTwister(seed: 0)
        #expect((0..<3).map { _ in uniform.uniform() } == [0.5488135039273248, 0.7151893663724195, 0.6027633760716439])
        var normal = MersenneTwister(seed: 0)
        let expected = [1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458, 1.8675579901499675]
        let actual = (0..<5).map { _ in normal.standardNormal() }
        #expect(zip(actual, expected).allSatisfy { abs($0 - $1) <= 1e-15 * abs($1) }, "\(actual)")
    }

    @Test("permutation: the digits split of the baselines and the first batch order")
    func permutations() {
        var split = MersenneTwister(seed: 0)
        #expect(Array(split.permutation(1797).prefix(10)) == [1081, 1707, 927, 713, 262, 182, 303, 895, 933, 1266])
        #expect(split.permutation(10) == [1, 3, 0, 8, 5, 2, 4, 7, 9, 6])
        var order = MersenneTwister(seed: 1)
        #expect(Array(order.permutation(1437).prefix(8)) == [968, 1232, 927, 866, 1170, 48, 830, 258])
    }
}
