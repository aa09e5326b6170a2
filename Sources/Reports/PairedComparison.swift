#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// How a paired ratio moved between two reports: a ratio of ratios.
///
/// Two runs on a machine that jumps between a fast and a slow phase can
/// move every absolute median by 2x; a design's ratio to the baseline in
/// each pass moves far less, so its change is what can be trusted there.
public struct PairedChange: Sendable {
    public let old: PairedRatio
    public let new: PairedRatio
    /// median(new ratios) / median(old ratios); nil when a side paired no
    /// pass or the old median is 0.
    public let change: Double?
    /// A 95 % interval of the change: the Hodges-Lehmann interval of the
    /// shift between the two sides' per-pass log ratios
    /// (`Statistics.shiftInterval`), exponentiated; with fewer passes the
    /// full range of the shifts, with its coverage. Its `median` is the
    /// Hodges-Lehmann estimate, which need not equal `change` exactly.
    public let interval: MedianInterval?
    /// Two-sided Mann-Whitney U p-value of the two sets of per-pass ratios.
    public let p: Double?

    public var significant: Bool { (p ?? 1) < 0.05 }

    init(old: PairedRatio, new: PairedRatio) {
        self.old = old
        self.new = new
        let oldMedian = Statistics.median(old.ratios), newMedian = Statistics.median(new.ratios)
        change = oldMedian.flatMap { o in newMedian.flatMap { o > 0 ? $0 / o : nil } }
        p = Statistics.mannWhitneyP(old.ratios, new.ratios)
        // Ratios are positive (values over a baseline above 0), except a
        // value of 0: its log is -inf and would make the interval meaningless.
        let positive = old.ratios.allSatisfy { $0 > 0 } && new.ratios.allSatisfy { $0 > 0 }
        interval = positive ? Statistics.shiftInterval(old.ratios.map(log), new.ratios.map(log)).map { shift in
            MedianInterval(median: exp(shift.median), lower: exp(shift.lower), upper: exp(shift.upper),
                           coverage: shift.coverage, method: shift.method)
        } : nil
    }
}

/// The paired ratios of two reports against one baseline, matched by
/// configuration group, design and metric.
public struct PairedComparison: Sendable {
    public let baseline: String
    /// In the old report's order.
    public let changes: [PairedChange]

    public init(old: PairedRatios, new: PairedRatios) {
        precondition(old.baseline == new.baseline, "both sides over one baseline")
        baseline = old.baseline
        var index: [String: PairedRatio] = [:]
        for ratio in new.ratios { index[Self.identity(ratio)] = ratio }
        changes = old.ratios.compactMap { old in index[Self.identity(old)].map { PairedChange(old: old, new: $0) } }
    }

    /// Compares two reports' rows (`Comparison.oldPairs`, `newPairs`) over
    /// `baseline` (asked, or `PairedRatios.baseline` of their designs, the
    /// old report's first); an asked baseline in neither is an error.
    public init(old: PairedSamples, new: PairedSamples, baseline asked: String?) throws(ReportError) {
        let designs = old.designs + new.designs.filter { !old.designs.contains($0) }
        guard let baseline = PairedRatios.baseline(among: designs, asked: asked) else {
            throw ReportError("--baseline \(printable(asked ?? "")): no such design in either report (they hold \(designs.joined(separator: ",")))")
        }
        self.init(old: PairedRatios(old, baseline: baseline), new: PairedRatios(new, baseline: baseline))
    }

    private static func identity(_ ratio: PairedRatio) -> String {
        ratio.pairingKey.words.joined(separator: "\u{1F}") + "\u{1E}\(ratio.design)\u{1E}\(ratio.metric.rawValue)"
    }
}

extension PairedSamples {
    /// The columns pairing reads besides the key: the pass, the metrics,
    /// and whether the row is suspect.
    static let columns: [Column] = [.orderSeed, .rep, .suspect, .c2cNanoseconds] + PairedMetric.allCases.map(\.column)

    /// One report row. A row without a repetition number, or without a
    /// metric (a report older than the column), is passed over; one with a
    /// non-empty `suspect` counts its pass but pairs with nothing.
    mutating func add(_ line: ReportLine, ignoreHost: Bool) throws(ReportError) {
        guard line.has(.rep), let rep = Int(line.text(.rep)), rep >= 1,
              PairedMetric.allCases.allSatisfy({ line.has($0.column) }) else { return }
        let pass = PassID(orderSeed: line.has(.orderSeed) ? line.text(.orderSeed) : nil, rep: rep)
        var values: [Double] = []
        for metric in PairedMetric.allCases { values.append(try line.measurement(metric.column)) }
        add(key: ConfigurationKey(line, ignoringHost: ignoreHost), pass: pass, values: values,
            suspect: line.has(.suspect) && !line.text(.suspect).isEmpty, handOff: try line.optionalNumber(.c2cNanoseconds))
    }
}
