import Platform
import Reports

/// The paired-ratio tables that `run`'s summary and `compare` lead with
/// (docs/reading-results.md#paired-ratios): each design over the baseline
/// in the same pass, which a machine changing speed does not move.
enum PairedTable {
    /// Items by configuration group and design, in their order (each
    /// group's designs are adjacent, one item per metric).
    static func lines<Item>(_ items: [Item], _ identity: (Item) -> (group: ConfigurationKey, design: String))
        -> [(group: ConfigurationKey, design: String, items: [Item])] {
        var lines: [(group: ConfigurationKey, design: String, items: [Item])] = []
        for item in items {
            let (group, design) = identity(item)
            if let last = lines.last, last.group == group, last.design == design {
                lines[lines.count - 1].items.append(item)
            } else {
                lines.append((group, design, [item]))
            }
        }
        return lines
    }

    /// The summary's table: per configuration group (its key columns in
    /// `shown`, the design left out) and design, the passes paired and the
    /// median ratio of each metric with its interval.
    static func summary(_ paired: PairedRatios, shown: [Column]) -> [String] {
        let groupColumns = shown.filter { $0 != .design }
        let lines = lines(paired.ratios) { ($0.pairingKey, $0.design) }
        guard !lines.isEmpty else { return ["paired ratios: no other design ran beside \(paired.baseline)"] }
        var rows = [groupColumns.map(\.rawValue) + ["design", "passes"]
            + PairedMetric.allCases.flatMap { ["\($0.label) ratio", "95% CI"] }]
        for line in lines {
            let ratio = { (metric: PairedMetric) in line.items.first { $0.metric == metric } }
            let delivered = ratio(.deliveredPerSecond)
            let left = delivered.map { $0.leftOut > 0 ? " (\($0.leftOut) left out)" : "" } ?? ""
            rows.append(groupColumns.map { line.group[$0] ?? "" } + [line.design, "\(delivered?.ratios.count ?? 0)\(left)"]
                        + PairedMetric.allCases.flatMap { cells(ratio($0)?.interval) })
        }
        let weak = paired.ratios.contains(where: \.weak)
        return ["paired with \(paired.baseline) in each pass: median of the per-pass ratios design / \(paired.baseline), 95% CI"
                + (weak ? "; blocked runs have no passes: paired by repetition, minutes apart, so weaker" : "")]
            + aligned(rows) + missing(paired)
    }

    /// The groups that have no row of the baseline, to say why they have no line.
    static func missing(_ paired: PairedRatios) -> [String] {
        guard !paired.withoutBaseline.isEmpty else { return [] }
        let varying = ConfigurationKey.varying(paired.withoutBaseline)
        let groups = paired.withoutBaseline.map { $0.words(varying).joined(separator: " ") }
        return ["no \(paired.baseline) to pair with in \(paired.withoutBaseline.count) configuration group(s)"
                + (varying.isEmpty ? "" : ": " + printable(groups.joined(separator: "; ")))]
    }

    /// `compare`'s table: per group and design, each metric's ratio old ->
    /// new, the change (ratio of ratios), its interval and p.
    static func changes(_ comparison: PairedComparison) -> [String] {
        let byLine = lines(comparison.changes) { ($0.new.pairingKey, $0.new.design) }
        guard !byLine.isEmpty else { return ["paired ratios: no design and configuration paired with \(comparison.baseline) on both sides"] }
        let varying = ConfigurationKey.varying(byLine.map(\.group))
        var rows = [["configuration"] + PairedMetric.allCases.map { "\($0.label) ratio old -> new (change, 95% CI, p)" }]
        for line in byLine {
            let label = printable((line.group.words(varying) + ["design=\(line.design)"]).joined(separator: " "))
            rows.append([label] + PairedMetric.allCases.map { metric in line.items.first { $0.new.metric == metric }.map(cell) ?? "-" })
        }
        let weak = comparison.changes.contains { $0.old.weak || $0.new.weak }
        return ["paired with \(comparison.baseline) in each pass: how each design's ratio to it changed, NEW / OLD"
                + (weak ? "; blocked runs have no passes: paired by repetition, so weaker" : "")]
            + aligned(rows)
            + ["change: median of NEW's per-pass ratios over OLD's; 95% CI: Hodges-Lehmann interval of the shift of the "
               + "log ratios (range: too few passes); p: Mann-Whitney U of the two sets of ratios; * p < 0.05"]
    }

    private static func cell(_ change: PairedChange) -> String {
        guard !change.old.ratios.isEmpty, !change.new.ratios.isEmpty else {
            return "no pass paired in " + (change.old.ratios.isEmpty ? (change.new.ratios.isEmpty ? "either" : "OLD") : "NEW")
        }
        let old = Statistics.median(change.old.ratios).map(ratio) ?? "-"
        let new = Statistics.median(change.new.ratios).map(ratio) ?? "-"
        let p = change.p.map { formatFixed($0, decimals: 3) } ?? "-"
        return "\(old) -> \(new) (\(change.change.map(ratio) ?? "-"), \(intervalText(change.interval)), p=\(p))"
            + (change.significant ? " *" : "")
    }

    /// The ratio and its interval, as two cells.
    static func cells(_ interval: MedianInterval?) -> [String] {
        [interval.map { ratio($0.median) } ?? "-", intervalText(interval)]
    }

    static func ratio(_ value: Double) -> String { formatFixed(value, decimals: 3) }

    /// "0.810..0.880", "0.810..0.880 range 75%" (too few passes), "-".
    static func intervalText(_ interval: MedianInterval?) -> String {
        guard let interval, interval.method != .undefined else { return "-" }
        let range = "\(ratio(interval.lower))..\(ratio(interval.upper))"
        return interval.method == .fullRange ? "\(range) range \(formatFixed(interval.coverage * 100, decimals: 0))%" : range
    }

    /// Rows as columns padded to their widest cell.
    static func aligned(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { $0.enumerated().map { $0.element.padded(widths[$0.offset]) }.joined(separator: "  ") }
    }
}
