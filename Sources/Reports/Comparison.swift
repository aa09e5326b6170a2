/// Compares two run reports configuration by configuration.
///
/// Rows are matched on their `ConfigurationKey` (a report without a key
/// column is read with its absent value); `host` is part of it unless
/// ignored, so a comparison across machines is explicit. For each
/// configuration found on both sides and each metric, it gives the median
/// of each side's repetitions, the ratio NEW/OLD, and the two-sided
/// Mann-Whitney U p-value of the difference (exact for small samples
/// without ties). A change counts as a regression when the median moves
/// the wrong way by more than the threshold (throughput down, latency up);
/// significance is reported beside it, not required, since a handful of
/// repetitions rarely reaches it (3 against 3 never does at 0.05).
public struct Comparison: Sendable {
    public struct Metric: Sendable, Equatable {
        public let column: Column
        public let higherIsBetter: Bool
    }

    public static let metrics = [
        Metric(column: .sendsPerSecond, higherIsBetter: true),
        Metric(column: .deliveredPerSecond, higherIsBetter: true),
        Metric(column: .e2eP99, higherIsBetter: false),
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
        /// 95 % intervals of each side's median (`Statistics.medianInterval`).
        public let oldInterval: MedianInterval
        public let newInterval: MedianInterval
        /// Moved the wrong way by more than the threshold.
        public let regressed: Bool
        /// Which rows the medians take (`Basis`).
        public let basis: Basis

        public var significant: Bool { (p ?? 1) < 0.05 }
        /// Whether the two intervals share a point; nil when a side has one value.
        public var intervalsOverlap: Bool? { oldInterval.overlaps(newInterval) }
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
    /// Rows left out because their `suspect` column names a reason, per side.
    public let suspectOld: Int
    public let suspectNew: Int
    /// Each side's rows by pass, read in the same scan (a pipe is read
    /// once), for `PairedComparison`.
    public let oldPairs: PairedSamples
    public let newPairs: PairedSamples
    /// The machine's modes over both reports' `c2c_ns`, and when there are
    /// two, each configuration's delivered/s within a mode
    /// (ComparisonModes.swift).
    public let modes: HandOffModes
    public let modeChanges: [ModeChange]

    public var regressions: [Entry] { entries.filter(\.regressed) }

    /// Thresholds are percentages in this range.
    public static let thresholdRange = 0.0...1000.0

    /// Reads both reports (streaming: only each configuration's samples are
    /// kept), matches and compares. `thresholdPercent` decides what counts
    /// as a regression (0: any change for the worse). Every row must hold a
    /// finite number in each metric column.
    public init(old: ReportSource, new: ReportSource, thresholdPercent: Double, ignoreHost: Bool) throws(ReportError) {
        guard Self.thresholdRange.contains(thresholdPercent) else {
            throw ReportError("the threshold must be between 0 and 1000 percent")
        }
        let oldSide = try Groups(old, ignoreHost: ignoreHost)
        let newSide = try Groups(new, ignoreHost: ignoreHost)
        modes = HandOffModes((Array(oldSide.handOffs.values.joined()) + newSide.handOffs.values.joined()).compactMap { $0 })
        var entries: [Entry] = []
        for (key, oldSamples) in oldSide.ordered {
            guard let newSamples = newSide.samples(key) else { continue }
            let basis = Self.basis(old: oldSide.handOffs[key] ?? [], new: newSide.handOffs[key] ?? [], modes: modes)
            let changes = Self.metrics.indices.compactMap { [modes] index in
                Self.change(Self.metrics[index], modes.select(oldSamples[index], oldSide.handOffs[key] ?? [], basis),
                            modes.select(newSamples[index], newSide.handOffs[key] ?? [], basis),
                            thresholdPercent: thresholdPercent, basis: basis)
            }
            entries.append(Entry(key: key.words, changes: changes))
        }
        self.entries = entries
        onlyOld = oldSide.ordered.map(\.key).filter { newSide.samples($0) == nil }.map(\.words)
        onlyNew = newSide.ordered.map(\.key).filter { oldSide.samples($0) == nil }.map(\.words)
        self.thresholdPercent = thresholdPercent
        suspectOld = oldSide.suspect
        suspectNew = newSide.suspect
        oldPairs = oldSide.pairs
        newPairs = newSide.pairs
        modeChanges = Self.modeChanges(entries: entries.map(\.key), old: oldSide, new: newSide, modes: modes)
    }

    /// A side whose rows sit in no mode the other has is not judged: its
    /// medians describe another machine.
    private static func change(_ metric: Metric, _ a: [Double], _ b: [Double], thresholdPercent: Double,
                               basis: Basis) -> Change? {
        guard let oldInterval = Statistics.medianInterval(a), let newInterval = Statistics.medianInterval(b) else { return nil }
        let ratio = oldInterval.median != 0 ? newInterval.median / oldInterval.median : nil
        let limit = thresholdPercent / 100
        let regressed = basis != .modesDiffer && (ratio.map { metric.higherIsBetter ? $0 < 1 - limit : $0 > 1 + limit } ?? false)
        return Change(metric: metric, oldMedian: oldInterval.median, newMedian: newInterval.median, oldCount: a.count,
                      newCount: b.count, ratio: ratio, p: Statistics.mannWhitneyP(a, b), oldInterval: oldInterval,
                      newInterval: newInterval, regressed: regressed, basis: basis)
    }

    /// One report's rows grouped by configuration, in first-seen order;
    /// per group, the samples of each metric. Memory grows with
    /// configurations and samples, not rows.
    struct Groups {
        var ordered: [(key: ConfigurationKey, samples: [[Double]])] = []
        /// Each kept row's `c2c_ns` (nil: none), parallel to its samples.
        var handOffs: [ConfigurationKey: [Double?]] = [:]
        var slots: [ConfigurationKey: Int] = [:]
        /// Rows left out: their window cannot be trusted (`suspect`).
        var suspect = 0
        var pairs = PairedSamples()

        init(_ source: ReportSource, ignoreHost: Bool) throws(ReportError) {
            let required: [Column] = [.design, .scenario, .senders, .vcpus] + Comparison.metrics.map(\.column)
            let reading = ConfigurationKey.columns + [.suspect, .c2cNanoseconds] + PairedSamples.columns
            try source.scan(required: required, reading: reading) { line throws(ReportError) in
                let key = ConfigurationKey(line, ignoringHost: ignoreHost)
                var values: [Double] = []
                // Thread counts must be counts: a key of "-1" senders is no configuration.
                _ = (try line.count(.senders), try line.count(.vcpus))
                for metric in Comparison.metrics { values.append(try line.measurement(metric.column)) }
                try pairs.add(line, ignoreHost: ignoreHost)
                guard line.text(.suspect).isEmpty else {
                    suspect += 1
                    return
                }
                if slots[key] == nil {
                    slots[key] = ordered.count
                    ordered.append((key, Array(repeating: [], count: values.count)))
                }
                for (index, value) in values.enumerated() { ordered[slots[key]!].samples[index].append(value) }
                handOffs[key, default: []].append(try line.optionalNumber(.c2cNanoseconds))
            }
        }

        func samples(_ key: ConfigurationKey) -> [[Double]]? { slots[key].map { ordered[$0].samples } }
    }
}
