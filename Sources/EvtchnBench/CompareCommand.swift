import ArgumentParser
import Platform
import Reports

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two run reports configuration by configuration.",
        discussion: """
            Rows are matched on their configuration: every key column of `evtchn-bench schema` (host, design, \
            scenario, strategy, ABI, threads, placement, load, invalidation, ...); a report written before a key \
            column existed is read with the value every run then had. Duration and warm-up are not key. For each configuration on both sides it prints the median of each side's \
            repetitions for sends/s, delivered/s and e2e p99, the ratio NEW/OLD, the two-sided Mann-Whitney \
            U p-value (exact for small samples; with 3 repetitions a side the smallest p is 0.1), and whether the \
            95 % intervals of the two medians overlap (order statistics; with fewer than 6 repetitions a side \
            they are the full ranges, and the output says "ranges"). Every row needs a finite number in those \
            three columns. Reports are read as a stream: memory grows with configurations, not rows. \
            Configurations on one side only are listed. With --threshold it exits 1 when a median moves the \
            wrong way by more than PCT percent. Before all that it prints the change of each design's paired \
            ratio: its value over --baseline's in the same pass (order_seed, rep), median over passes, NEW over \
            OLD, with a 95 % Hodges-Lehmann interval and a Mann-Whitney p-value; two runs on a machine whose \
            speed jumps compare this way where their absolute medians cannot.
            """)

    @Argument(help: "The old report (baseline).")
    var old: String

    @Argument(help: "The new report.")
    var new: String

    @Option(help: "Exit 1 if a configuration regresses by more than this percentage (0 to 1000).")
    var threshold: String?

    @Flag(help: "Match rows from different hosts (drop host from the key).")
    var ignoreHost = false

    @Option(help: "The design the paired ratios divide by, pass by pass. Default: rwlock, else the old report's first design.")
    var baseline: String?

    /// --threshold as a percentage, checked before anything is read.
    private func thresholdPercent() throws -> Double? {
        let range = Comparison.thresholdRange
        return try threshold.map { text in
            guard let value = ReportNumber.parse(text), range.contains(value) else {
                throw CommandError("--threshold must be a percentage from \(Int(range.lowerBound)) to \(Int(range.upperBound)) "
                                   + "(got '\(printable(text))')")
            }
            return value
        }
    }

    func run() throws {
        let threshold = try thresholdPercent()
        let comparison: Comparison
        let paired: PairedComparison
        do {
            comparison = try Comparison(old: .file(old), new: .file(new), thresholdPercent: threshold ?? 0, ignoreHost: ignoreHost)
            paired = try PairedComparison(old: comparison.oldPairs, new: comparison.newPairs, baseline: baseline)
        } catch {
            throw CommandError(error.description)
        }
        // Paired ratios first: on a machine whose speed jumps, only they compare.
        PairedTable.changes(paired).forEach { print($0) }
        print("")
        let (table, common) = render(comparison)
        print(table)
        if comparison.suspectOld + comparison.suspectNew > 0 {
            print("left out: \(comparison.suspectOld) suspect row(s) in OLD, \(comparison.suspectNew) in NEW "
                  + "(their suspect column says why)")
        }
        // One-sided configurations, without the columns common to the table.
        let brief = { (key: [String]) in printable(key.filter { !common.contains($0) }.joined(separator: " ")) }
        Self.modeLines(comparison, brief: brief).forEach { print($0) }
        for key in comparison.onlyOld { print("only in OLD: \(brief(key))") }
        for key in comparison.onlyNew { print("only in NEW: \(brief(key))") }
        if comparison.entries.isEmpty {
            let hosts = !ignoreHost && comparison.onlyOld.contains { old in
                comparison.onlyNew.contains { $0.filter { !$0.hasPrefix("host=") } == old.filter { !$0.hasPrefix("host=") } }
            }
            print("no configuration appears in both reports" + (hosts ? " (they differ in host only: --ignore-host matches them)" : ""))
        }
        if let threshold {
            let regressions = comparison.regressions
            if !regressions.isEmpty {
                print("\(regressions.count) configuration(s) regressed by more than \(formatFixed(threshold, decimals: 1))%")
                throw ExitCode(1)
            }
            print("no regression beyond \(formatFixed(threshold, decimals: 1))%")
        }
    }

    /// One line per configuration; key columns whose value is the same in
    /// every compared configuration are printed once, above the table.
    private func render(_ comparison: Comparison) -> (table: String, common: Set<String>) {
        guard let first = comparison.entries.first else { return ("", []) }
        let constant = first.key.indices.filter { column in
            comparison.entries.allSatisfy { $0.key[column] == first.key[column] }
        }
        var lines = ["common: " + printable(constant.map { first.key[$0] }.joined(separator: " "))]
        var rows = [["configuration"] + Comparison.metrics.map { "\($0.column) old -> new (ratio, p, 95% intervals)" }]
        for entry in comparison.entries {
            let key = printable(entry.key.indices.filter { !constant.contains($0) }.map { entry.key[$0] }.joined(separator: " "))
            let cells = entry.changes.map { change in
                let ratio = change.ratio.map { formatFixed($0, decimals: 3) } ?? "-"
                let p = change.p.map { formatFixed($0, decimals: 3) } ?? "-"
                let marks = (change.regressed ? " WORSE" : "") + (change.significant ? " *" : "") + Self.basisMark(change.basis)
                return "\(compactNumber(change.oldMedian)) -> \(compactNumber(change.newMedian)) (\(ratio), p=\(p), \(overlap(change)))\(marks)"
            }
            rows.append([key.isEmpty ? "(all)" : key] + cells)
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        lines += rows.map { $0.enumerated().map { $0.element.padded(widths[$0.offset]) }.joined(separator: "  ") }
        lines.append("* p < 0.05 (Mann-Whitney U, two-sided); WORSE: beyond the threshold")
        if comparison.modes.isBimodal {
            lines.append("[near]/[far]: the machine has two modes (c2c_ns); medians of the rows in the mode both reports have "
                         + "most rows in; [modes differ]: the reports share no mode, so no verdict")
        }
        lines.append("CIs overlap/apart: 95 % order-statistic intervals of the two medians; ranges overlap/apart: a side has "
                     + "fewer than 6 repetitions, so its full range stands in (lower coverage); no CI: a side has one")
        return (lines.joined(separator: "\n"), Set(constant.map { first.key[$0] }))
    }

    /// " [near]", " [far]", " [modes differ]"; "" when all rows count.
    static func basisMark(_ basis: Comparison.Basis) -> String {
        switch basis {
        case .allRows: ""
        case .mode(let mode): mode == 0 ? " [near]" : " [far]"
        case .modesDiffer: " [modes differ]"
        }
    }

    /// Whether the two medians' intervals overlap, and what kind they are.
    private func overlap(_ change: Comparison.Change) -> String {
        guard let overlaps = change.intervalsOverlap else { return "no CI" }
        let exact = change.oldInterval.method == .orderStatistics && change.newInterval.method == .orderStatistics
        return (exact ? "CIs " : "ranges ") + (overlaps ? "overlap" : "apart")
    }
}
