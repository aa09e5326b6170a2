/// Small-sample statistics for comparing repetitions of two runs.
public enum Statistics {
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// A distribution-free confidence interval for the median from order
    /// statistics: with the n values sorted, [x(k), x(n+1-k)] holds the
    /// true median with probability 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2),
    /// whatever the distribution. k is the largest that still reaches
    /// `confidence`. Fewer than 6 values cannot reach 95 %: then the
    /// interval is the full range, with its lower coverage said (3 values:
    /// 75 %); one value has no interval. nil for no values.
    public static func medianInterval(_ values: [Double], confidence: Double = 0.95) -> MedianInterval? {
        guard let median = median(values) else { return nil }
        let sorted = values.sorted()
        let n = sorted.count
        guard n >= 2 else { return MedianInterval(median: median, lower: median, upper: median, coverage: 0, method: .undefined) }
        // Walk up the binomial CDF: k - 1 is the largest j with P(B <= j) <= (1 - confidence) / 2.
        let tail = (1 - confidence) / 2
        let logHalfToN = Double(n) * log(0.5)
        var cdf = 0.0
        var k = 0
        while k < n / 2 {
            let next = cdf + exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) + logHalfToN)
            guard next <= tail else { break }
            cdf = next
            k += 1
        }
        guard k >= 1 else {
            return MedianInterval(median: median, lower: sorted[0], upper: sorted[n - 1], coverage: 1 - 2 * exp(logHalfToN),
                                  method: .fullRange)
        }
        return MedianInterval(median: median, lower: sorted[k - 1], upper: sorted[n - k], coverage: 1 - 2 * cdf,
                              method: .orderStatistics)
    }

    /// (max - min) over the median, in percent; nil for fewer than two
    /// values or a zero median.
    public static func spreadPercent(_ values: [Double]) -> Double? {
        guard values.count >= 2, let median = median(values), median != 0 else { return nil }
        return (values.max()! - values.min()!) / abs(median) * 100
    }

    /// Repetitions that fall into two separate groups: with at least 4
    /// values, the widest gap between neighbours (sorted) leaves at least 2
    /// values on each side, and is wider than 25 % of the median and than
    /// twice the range of either side.
    public static func isBimodal(_ values: [Double]) -> Bool {
        guard values.count >= 4, let median = median(values) else { return false }
        let sorted = values.sorted()
        let gaps = (1..<sorted.count).map { (at: $0, width: sorted[$0] - sorted[$0 - 1]) }
        guard let widest = gaps.max(by: { $0.width < $1.width }), widest.at >= 2, sorted.count - widest.at >= 2 else { return false }
        let lowRange = sorted[widest.at - 1] - sorted[0]
        let highRange = sorted[sorted.count - 1] - sorted[widest.at]
        return widest.width > 0.25 * abs(median) && widest.width > 2 * max(lowRange, highRange)
    }

    /// Two-sided p-value of the Mann-Whitney U test (Wilcoxon rank-sum):
    /// could the two samples come from the same distribution? Exact (by
    /// counting rank sums) when there are no ties and both samples have at
    /// most 20 values; otherwise the normal approximation with tie
    /// correction. Returns nil when either sample is empty.
    ///
    /// Note what small samples allow: with 3 repetitions on each side the
    /// smallest possible two-sided p is 0.1, so nothing can be significant
    /// at 0.05; use 5 or more repetitions to detect a change.
    public static func mannWhitneyP(_ a: [Double], _ b: [Double]) -> Double? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let all = (a.map { ($0, 0) } + b.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        // Midranks for ties.
        var ranks = [Double](repeating: 0, count: all.count)
        var tieTerm = 0.0
        var index = 0
        while index < all.count {
            var end = index
            while end + 1 < all.count && all[end + 1].0 == all[index].0 { end += 1 }
            let rank = Double(index + end) / 2 + 1
            for k in index...end { ranks[k] = rank }
            let t = Double(end - index + 1)
            tieTerm += t * t * t - t
            index = end + 1
        }
        let n1 = Double(a.count)
        let n2 = Double(b.count)
        let rankSumA = zip(all, ranks).filter { $0.0.1 == 0 }.reduce(0) { $0 + $1.1 }
        let u = rankSumA - n1 * (n1 + 1) / 2
        if tieTerm == 0, a.count <= 20, b.count <= 20 {
            return exactTwoSidedP(u: u, n1: a.count, n2: b.count)
        }
        let n = n1 + n2
        let mean = n1 * n2 / 2
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = (abs(u - mean) - 0.5) / variance.squareRoot()
        return min(1, 2 * (1 - normalCDF(max(z, 0))))
    }

    /// P(U <= min(u, n1 n2 - u)) * 2 under the null.
    static func exactTwoSidedP(u: Double, n1: Int, n2: Int) -> Double {
        let ways = uCounts(n1: n1, n2: n2)
        let total = ways.reduce(0, +)
        let lower = min(u, Double(n1 * n2) - u)
        let tail = ways.enumerated().filter { Double($0.offset) <= lower + 1e-9 }.reduce(0) { $0 + $1.element }
        return min(1, 2 * tail / total)
    }

    /// How many of the C(n1+n2, n1) equally likely rank arrangements under
    /// the null give each U from 0 to n1 n2, by counting the ways to choose
    /// n1 of n1+n2 ranks (dynamic programming).
    static func uCounts(n1: Int, n2: Int) -> [Double] {
        let maxU = n1 * n2
        // ways[j][s]: subsets of size j of the first ranks with U-sum s,
        // rolling over the ranks.
        var ways = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n1 + 1)
        ways[0][0] = 1
        for item in 0..<(n1 + n2) {
            for j in stride(from: min(item + 1, n1), through: 1, by: -1) {
                // Taking rank `item` as the j-th member adds (item - (j - 1))
                // members of the other sample below it to U.
                let add = item - (j - 1)
                guard add >= 0 else { continue }
                for s in stride(from: maxU, through: add, by: -1) where ways[j - 1][s - add] > 0 {
                    ways[j][s] += ways[j - 1][s - add]
                }
            }
        }
        return ways[n1]
    }

    /// Standard normal cumulative distribution (Abramowitz-Stegun 7.1.26
    /// through erf; absolute error below 1.5e-7).
    static func normalCDF(_ z: Double) -> Double {
        let x = abs(z) / 2.0.squareRoot()
        let t = 1 / (1 + 0.3275911 * x)
        let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
        let erf = 1 - poly * exp(-x * x)
        return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2
    }
}

/// A confidence interval for a median (`Statistics.medianInterval`).
public struct MedianInterval: Sendable, Equatable {
    public enum Method: Sendable, Equatable {
        /// Order statistics reaching the asked confidence.
        case orderStatistics
        /// Too few values for it: the full range, with a lower coverage.
        case fullRange
        /// One value: no interval (lower = upper = the value).
        case undefined
    }

    public let median: Double
    public let lower: Double
    public let upper: Double
    /// The probability that the interval holds the true median.
    public let coverage: Double
    public let method: Method

    /// Whether two intervals share a point; nil when either is undefined.
    public func overlaps(_ other: MedianInterval) -> Bool? {
        guard method != .undefined, other.method != .undefined else { return nil }
        return lower <= other.upper && other.lower <= upper
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
