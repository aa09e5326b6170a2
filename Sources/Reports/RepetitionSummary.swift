import Platform

/// How a configuration's repetitions of one metric agree: the median, its
/// 95 % interval (`Statistics.medianInterval`), the spread, and whether
/// they split into two groups. What the summary table prints.
public struct RepetitionSummary: Sendable {
    /// Repetitions disagree when (max - min) / median exceeds this percentage.
    public static let spreadLimitPercent = 25.0

    public let interval: MedianInterval?
    public let spreadPercent: Double?
    public let bimodal: Bool

    public init(_ values: [Double]) {
        interval = Statistics.medianInterval(values)
        spreadPercent = Statistics.spreadPercent(values)
        bimodal = Statistics.isBimodal(values)
    }

    public var median: Double? { interval?.median }

    /// "4.9M..5.2M" (95 % interval), "4.9M..5.2M range 75%" (too few
    /// repetitions: the full range and its coverage), "-" (one repetition).
    public var intervalText: String {
        guard let interval, interval.method != .undefined else { return "-" }
        let range = "\(compactNumber(interval.lower))..\(compactNumber(interval.upper))"
        guard interval.method == .fullRange else { return range }
        return "\(range) range \(formatFixed(interval.coverage * 100, decimals: 0))%"
    }

    /// "bimodal", "spread 47%", or nil when the repetitions agree.
    public var disagreement: String? {
        if bimodal { return "bimodal" }
        guard let spreadPercent, spreadPercent > Self.spreadLimitPercent else { return nil }
        return "spread \(formatFixed(spreadPercent, decimals: 0))%"
    }
}

/// A number in a few characters: 15.75M, 1.1k, 296.
public func compactNumber(_ value: Double) -> String {
    switch abs(value) {
    case 1e6...: "\(formatFixed(value / 1e6, decimals: 2))M"
    case 1e3...: "\(formatFixed(value / 1e3, decimals: 1))k"
    default: formatFixed(value, decimals: 0)
    }
}
