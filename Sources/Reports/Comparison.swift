/// Compares two run reports configuration by configuration.
///
/// Rows are matched on the configuration columns (`keyColumns`, those
/// present in both files); `host` is part of the key unless ignored, so a
/// comparison across machines is explicit. For each configuration found on
/// both sides and each metric, it gives the median of each side's
/// repetitions, the ratio NEW/OLD, and the two-sided Mann-Whitney U p-value
/// of the difference (exact for small samples without ties). A change
/// counts as a regression when the median moves the wrong way by more than
/// the threshold (throughput down, latency up); significance is reported
/// beside it, not required, since a handful of repetitions rarely reaches
/// it (3 against 3 never does at 0.05).
public struct Comparison: Sendable {
    /// Configuration columns, in display order.
    public static let keyColumns = [
        "host", "design", "scenario", "strategy", "guest_abi", "senders", "vcpus", "placement", "mem_node",
        "load_mode", "rate_per_sender", "invalidate_every_us", "vcpu_mode", "ports_per_sender", "masked_fraction",
    ]

    public struct Metric: Sendable, Equatable {
        public let column: String
        public let higherIsBetter: Bool
    }

    public static let metrics = [
        Metric(column: "sends_per_s", higherIsBetter: true),
        Metric(column: "delivered_per_s", higherIsBetter: true),
        Metric(column: "e2e_p99_ns", higherIsBetter: false),
    ]

    public struct Change: Sendable {
        public let metric: Metric
        public let oldMedian: Double
        public let newMedian: Double
        public let oldCount: Int
        public let newCount: Int
        /// NEW/OLD; nil when OLD is 0.
        public let ratio: Double?
        public let p: Double?
        /// Moved the wrong way by more than the threshold.
        public let regressed: Bool

        public var significant: Bool { (p ?? 1) < 0.05 }
    }

    public struct Entry: Sendable {
        /// The configuration, as "column=value" pairs.
        public let key: [String]
        public let changes: [Change]
        public var regressed: Bool { changes.contains(where: \.regressed) }
    }

    public let entries: [Entry]
    /// Configurations found on one side only, as "column=value" pairs.
    public let onlyOld: [[String]]
    public let onlyNew: [[String]]
    public let thresholdPercent: Double

    public var regressions: [Entry] { entries.filter(\.regressed) }

    /// Matches and compares. `thresholdPercent` decides what counts as a
    /// regression (0: any change for the worse).
    public init(old: ReportTable, new: ReportTable, thresholdPercent: Double, ignoreHost: Bool) throws(ReportError) {
        let required = ["design", "scenario", "senders", "vcpus"] + Self.metrics.map(\.column)
        try old.require(required)
        try new.require(required)
        let keys = Self.keyColumns.filter { old.has($0) && new.has($0) && !(ignoreHost && $0 == "host") }
        let oldGroups = try Self.group(old, keys: keys)
        let newGroups = try Self.group(new, keys: keys)
        var entries: [Entry] = []
        for (key, oldSamples) in oldGroups.ordered {
            guard let newSamples = newGroups.samples[key] else { continue }
            let changes = Self.metrics.enumerated().compactMap { index, metric -> Change? in
                let a = oldSamples[index]
                let b = newSamples[index]
                guard let oldMedian = Statistics.median(a), let newMedian = Statistics.median(b) else { return nil }
                let ratio = oldMedian != 0 ? newMedian / oldMedian : nil
                let limit = thresholdPercent / 100
                let regressed = ratio.map { metric.higherIsBetter ? $0 < 1 - limit : $0 > 1 + limit } ?? false
                return Change(metric: metric, oldMedian: oldMedian, newMedian: newMedian, oldCount: a.count,
                              newCount: b.count, ratio: ratio, p: Statistics.mannWhitneyP(a, b), regressed: regressed)
            }
            entries.append(Entry(key: zip(keys, key).map { "\($0)=\($1)" }, changes: changes))
        }
        self.entries = entries
        let label = { (key: [String]) in zip(keys, key).map { "\($0)=\($1)" } }
        onlyOld = oldGroups.ordered.map(\.key).filter { newGroups.samples[$0] == nil }.map(label)
        onlyNew = newGroups.ordered.map(\.key).filter { oldGroups.samples[$0] == nil }.map(label)
        self.thresholdPercent = thresholdPercent
    }

    /// Rows grouped by configuration, in first-seen order; per group, the
    /// samples of each metric.
    private struct Groups {
        var ordered: [(key: [String], samples: [[Double]])] = []
        var samples: [[String]: [[Double]]] = [:]
    }

    private static func group(_ table: ReportTable, keys: [String]) throws(ReportError) -> Groups {
        var order: [[String]] = []
        var samples: [[String]: [[Double]]] = [:]
        for rowIndex in table.rows.indices {
            let key = keys.map { table.value(table.rows[rowIndex], $0) }
            if samples[key] == nil {
                order.append(key)
                samples[key] = Array(repeating: [], count: metrics.count)
            }
            for (index, metric) in metrics.enumerated() {
                if let value = try table.number(rowIndex, metric.column) { samples[key]![index].append(value) }
            }
        }
        var groups = Groups()
        groups.ordered = order.map { ($0, samples[$0]!) }
        groups.samples = samples
        return groups
    }
}
