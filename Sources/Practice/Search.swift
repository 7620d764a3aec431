import Foundation
import Randomness
import Validation

/// One hyperparameter's range in a search.
public enum SearchDimension: Sendable, Equatable {
    /// log x uniform in [log a, log b]: every decade gets the same share of draws, the
    /// right prior for a learning rate (1e-4…1e-1 puts as many draws below 1e-3 as above 1e-2).
    case logUniform(ClosedRange<Double>)
    /// x uniform in [a, b].
    case uniform(ClosedRange<Double>)
    /// An integer uniform in a...b (a width, a depth).
    case integers(ClosedRange<Int>)

    /// One draw from the dimension.
    public func draw(using generator: inout SeededGenerator) -> Double {
        switch self {
        case .logUniform(let range):
            require(range.lowerBound > 0, "SearchDimension.logUniform: the range must be positive, got \(range)")
            return exp(generator.uniform(in: log(range.lowerBound)...log(range.upperBound)))
        case .uniform(let range):
            return generator.uniform(in: range)
        case .integers(let range):
            return Double(range.lowerBound + generator.int(below: range.upperBound - range.lowerBound + 1))
        }
    }
}

/// One evaluated setting: the values tried, the seed its training used, and its score on
/// the validation set (higher is better: an accuracy, or a negated loss).
public struct Trial: Sendable, Equatable {
    /// The hyperparameters tried, by name.
    public var settings: [String: Double]
    /// The seed the trial's training used.
    public var seed: UInt64
    /// The validation score the trial reached (higher is better).
    public var score: Double
}

/// Every combination of the listed values, in order (the first name varies slowest), each
/// trained with its own seed (`seed` + its index) and scored by `evaluate` on validation
/// data. The test set is not the search's to see.
public func gridSearch(
    _ grid: KeyValuePairs<String, [Double]>, seed: UInt64, evaluate: (_ settings: [String: Double], _ seed: UInt64) -> Double
) -> [Trial] {
    require(!grid.isEmpty && grid.allSatisfy { !$0.value.isEmpty }, "gridSearch: every dimension needs at least one value")
    var combinations: [[String: Double]] = [[:]]
    for (name, values) in grid {
        combinations = combinations.flatMap { partial in values.map { value in partial.merging([name: value]) { $1 } } }
    }
    return combinations.enumerated().map { k, settings in
        let trialSeed = seed &+ UInt64(k)
        return Trial(settings: settings, seed: trialSeed, score: evaluate(settings, trialSeed))
    }
}

/// `trials` settings drawn independently from `space` with a generator seeded by `seed`,
/// each trained with its own seed and scored by `evaluate` on validation data (Bergstra and
/// Bengio, 2012: with the same budget, random draws try more values of the dimensions that
/// matter than a grid does).
public func randomSearch(
    _ space: KeyValuePairs<String, SearchDimension>, trials: Int, seed: UInt64,
    evaluate: (_ settings: [String: Double], _ seed: UInt64) -> Double
) -> [Trial] {
    require(trials > 0, "randomSearch: needs at least one trial, got \(trials)")
    require(!space.isEmpty, "randomSearch: the search space is empty")
    var generator = SeededGenerator(seed: seed)
    return (0..<trials).map { k in
        var settings: [String: Double] = [:]
        for (name, dimension) in space { settings[name] = dimension.draw(using: &generator) }
        let trialSeed = seed &+ 1000 &+ UInt64(k)
        return Trial(settings: settings, seed: trialSeed, score: evaluate(settings, trialSeed))
    }
}

extension Array where Element == Trial {
    /// The trial with the highest validation score (the first, on a tie).
    public var best: Trial? {
        reduce(nil) { best, trial in best.map { trial.score > $0.score ? trial : $0 } ?? trial }
    }
}
