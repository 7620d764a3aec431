// Times, for the lesson's --measure: the only numbers in this appendix that change from
// run to run, so they are printed only when asked for.

import Validation

/// Seconds per call of `body`: the fastest of `repeats` timings, each of as many calls
/// as fill `minimumTime` seconds (the fastest, because other work on the machine can
/// only slow a run down, never speed it up).
public func secondsPerCall(repeats: Int = 5, minimumTime: Double = 0.05, _ body: () -> Void) -> Double {
    require(repeats > 0, "secondsPerCall: at least one timing is needed, got repeats \(repeats)")
    require(
        minimumTime.isFinite && minimumTime >= 0 && minimumTime <= 3600,
        "secondsPerCall: the minimum time must be between 0 and 3600 seconds, got \(minimumTime)")
    let clock = ContinuousClock()
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
    body()  // once first: caches, page faults, lazily made buffers
    var calls = 1
    while seconds(clock.measure { for _ in 0..<calls { body() } }) < minimumTime { calls *= 2 }
    var best = Double.infinity
    for _ in 0..<repeats {
        best = min(best, seconds(clock.measure { for _ in 0..<calls { body() } }) / Double(calls))
    }
    return best
}
