import Histogram
import Platform

/// Latency percentiles of a run, in nanoseconds.
public struct LatencySummary: Sendable, Equatable {
    public var count: UInt64 = 0
    public var p50 = 0
    public var p90 = 0
    public var p99 = 0
    public var p999 = 0
    public var max = 0

    public init() {}

    init(_ histogram: Histogram<UInt64>) {
        guard histogram.totalCount > 0 else { return }
        count = histogram.totalCount
        p50 = Int(histogram.valueAtPercentile(50))
        p90 = Int(histogram.valueAtPercentile(90))
        p99 = Int(histogram.valueAtPercentile(99))
        p999 = Int(histogram.valueAtPercentile(99.9))
        max = Int(histogram.max)
    }
}

/// An HdrHistogram of nanosecond latencies (1 ns to 100 s, 3 significant
/// digits). One per thread; merged at the end of a run.
public struct LatencyHistogram: Sendable {
    @usableFromInline var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)

    public init() {}

    /// Records one latency (clamped to the trackable range).
    @inlinable
    public mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(Swift.min(Swift.max(nanoseconds, 1), 100_000_000_000))
    }

    public mutating func merge(_ other: LatencyHistogram) { histogram.add(other.histogram) }

    public var summary: LatencySummary { LatencySummary(histogram) }

    /// The standard HdrHistogram percentile-distribution text, in ns.
    public func percentileDistribution() -> String {
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1)
        return text
    }
}

/// The cost of one pair of clock reads (what timing a send adds), as the
/// median of many back-to-back pairs, in nanoseconds.
public func measureTimerOverhead(samples: Int = 10_001) -> Int {
    var deltas: [UInt64] = []
    deltas.reserveCapacity(samples)
    for _ in 0..<samples {
        let start = monotonicNanoseconds()
        deltas.append(monotonicNanoseconds() &- start)
    }
    deltas.sort()
    return Int(deltas[deltas.count / 2])
}
