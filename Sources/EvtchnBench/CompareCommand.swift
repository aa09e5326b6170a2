import ArgumentParser
import Platform
import Reports

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two run reports configuration by configuration.",
        discussion: """
            Rows are matched on their configuration (host, design, scenario, strategy, ABI, threads, placement, \
            load, invalidation, ...). For each configuration on both sides it prints the median of each side's \
            repetitions for sends/s, delivered/s and e2e p99, the ratio NEW/OLD, and the two-sided Mann-Whitney \
            U p-value (exact for small samples; with 3 repetitions a side the smallest p is 0.1). \
            Configurations on one side only are listed. With --threshold it exits 1 when a median moves the \
            wrong way by more than PCT percent.
            """)

    @Argument(help: "The old report (baseline).")
    var old: String

    @Argument(help: "The new report.")
    var new: String

    @Option(help: "Exit 1 if a configuration regresses by more than this percentage.")
    var threshold: Double?

    @Flag(help: "Match rows from different hosts (drop host from the key).")
    var ignoreHost = false

    func run() throws {
        if let threshold, !(threshold >= 0 && threshold.isFinite) {
            throw CommandError("--threshold must be a non-negative percentage (got \(threshold))")
        }
        let comparison: Comparison
        do {
            comparison = try Comparison(old: ReportTable.load(old), new: ReportTable.load(new),
                                        thresholdPercent: threshold ?? 0, ignoreHost: ignoreHost)
        } catch {
            throw CommandError(error.description)
        }
        let (table, common) = render(comparison)
        print(table)
        // One-sided configurations, without the columns common to the table.
        let brief = { (key: [String]) in key.filter { !common.contains($0) }.joined(separator: " ") }
        for key in comparison.onlyOld { print("only in OLD: \(brief(key))") }
        for key in comparison.onlyNew { print("only in NEW: \(brief(key))") }
        if comparison.entries.isEmpty { print("no configuration appears in both reports") }
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
        var lines = ["common: " + constant.map { first.key[$0] }.joined(separator: " ")]
        var rows = [["configuration"] + Comparison.metrics.map { "\($0.column) old -> new (ratio, p)" }]
        for entry in comparison.entries {
            let key = entry.key.indices.filter { !constant.contains($0) }.map { entry.key[$0] }.joined(separator: " ")
            let cells = entry.changes.map { change in
                let ratio = change.ratio.map { formatFixed($0, decimals: 3) } ?? "-"
                let p = change.p.map { formatFixed($0, decimals: 3) } ?? "-"
                let marks = (change.regressed ? " WORSE" : "") + (change.significant ? " *" : "")
                return "\(compact(change.oldMedian)) -> \(compact(change.newMedian)) (\(ratio), p=\(p))\(marks)"
            }
            rows.append([key.isEmpty ? "(all)" : key] + cells)
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        lines += rows.map { $0.enumerated().map { $0.element.padded(widths[$0.offset]) }.joined(separator: "  ") }
        lines.append("* p < 0.05 (Mann-Whitney U, two-sided); WORSE: beyond the threshold")
        return (lines.joined(separator: "\n"), Set(constant.map { first.key[$0] }))
    }

    private func compact(_ value: Double) -> String {
        switch abs(value) {
        case 1e6...: "\(formatFixed(value / 1e6, decimals: 2))M"
        case 1e3...: "\(formatFixed(value / 1e3, decimals: 1))k"
        default: formatFixed(value, decimals: 0)
        }
    }
}
