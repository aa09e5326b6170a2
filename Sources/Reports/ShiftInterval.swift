#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Statistics {
    /// Values a side beyond which `shiftInterval` works on evenly spaced
    /// order statistics of that side, so the differences it sorts stay
    /// below a million whatever the number of passes.
    static let shiftSampleLimit = 1000

    /// A distribution-free confidence interval for how far `b` lies above
    /// `a` (Hodges-Lehmann; Bauer 1972), the interval that goes with the
    /// Mann-Whitney test. With the n1 n2 differences b_j - a_i sorted it is
    /// [d(k), d(n1 n2 + 1 - k)], where k - 1 is the largest U with
    /// P(U <= k - 1) <= (1 - confidence) / 2 under the null: exact up to 20
    /// values a side, the normal approximation beyond. `median` is the
    /// Hodges-Lehmann estimate, the median of the differences. Too few
    /// values to reach `confidence`: the full range of the differences,
    /// with its coverage; one value a side: undefined. nil when a side is
    /// empty. It assumes the two samples differ by a shift, which per-pass
    /// log ratios of one design on one machine do closely enough.
    public static func shiftInterval(_ a: [Double], _ b: [Double], confidence: Double = 0.95) -> MedianInterval? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let a = thinned(a.sorted()), b = thinned(b.sorted())
        let differences = b.flatMap { y in a.map { y - $0 } }.sorted()
        let estimate = median(differences)!
        let n = differences.count
        guard n >= 2 else { return MedianInterval(median: estimate, lower: estimate, upper: estimate, coverage: 0, method: .undefined) }
        let (k, coverage) = shiftRank(n1: a.count, n2: b.count, tail: (1 - confidence) / 2)
        guard k >= 1 else {
            return MedianInterval(median: estimate, lower: differences[0], upper: differences[n - 1], coverage: coverage,
                                  method: .fullRange)
        }
        return MedianInterval(median: estimate, lower: differences[k - 1], upper: differences[n - k], coverage: coverage,
                              method: .orderStatistics)
    }

    /// At most `shiftSampleLimit` evenly spaced values of a sorted sample,
    /// its least and greatest kept.
    private static func thinned(_ sorted: [Double]) -> [Double] {
        let limit = shiftSampleLimit
        guard sorted.count > limit else { return sorted }
        return (0..<limit).map { sorted[$0 * (sorted.count - 1) / (limit - 1)] }
    }

    /// The largest k with P(U <= k - 1) <= tail, and the coverage of
    /// [d(k), d(n1 n2 + 1 - k)]; k = 0 when even U = 0 is too likely, the
    /// coverage then that of the full range.
    static func shiftRank(n1: Int, n2: Int, tail: Double) -> (k: Int, coverage: Double) {
        if n1 <= 20, n2 <= 20 {
            let counts = uCounts(n1: n1, n2: n2)
            let total = counts.reduce(0, +)
            var cdf = 0.0
            var k = 0
            while k < counts.count / 2, cdf + counts[k] / total <= tail {
                cdf += counts[k] / total
                k += 1
            }
            return (k, 1 - 2 * (k == 0 ? counts[0] / total : cdf))
        }
        let mean = Double(n1 * n2) / 2
        let sd = (Double(n1 * n2) * Double(n1 + n2 + 1) / 12).squareRoot()
        // Continuity-corrected: P(U <= u) ~ Phi((u + 0.5 - mean) / sd).
        let k = max(0, Int((mean + 0.5 - normalQuantile(1 - tail) * sd).rounded(.down)))
        return (k, 1 - 2 * normalCDF((Double(max(k, 1)) - 0.5 - mean) / sd))
    }

    /// The z with normalCDF(z) = p, by bisection (p in (0.5, 1)).
    static func normalQuantile(_ p: Double) -> Double {
        var low = 0.0, high = 40.0
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if normalCDF(middle) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
