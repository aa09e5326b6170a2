import Platform
import Reports
import Runner
import SweepPlan

/// The table printed after a sweep: one line per configuration, medians
/// over its repetitions, with the 95 % interval of the median of
/// delivered/s and e2e p99 (order statistics; with fewer than 6
/// repetitions the full range and its coverage), and a flag where the
/// repetitions disagree (spread above 25 %, or two separate groups), so a
/// reader sees at once whether differences are noise.
struct SummaryTable {
    /// Each configuration's position in the plan: interleaved runs arrive
    /// shuffled, the table does not.
    private(set) var position: [ConfigurationKey: Int] = [:]
    /// Each configuration's runs; suspect ones (`SuspectReason`) apart.
    private(set) var results: [ConfigurationKey: [RunResult]] = [:]
    private var suspects: [ConfigurationKey: [RunResult]] = [:]

    /// The design the paired ratios divide by, and the sweep's seed (nil:
    /// blocked, pairs by repetition only).
    let baseline: String
    let orderSeed: UInt64?
    /// Each configuration's runs by pass, for the paired ratios: delivered/s,
    /// e2e p50 and p99 (`PairedMetric` order), suspect or not.
    private var passes: [ConfigurationKey: [(rep: Int, values: [Double], suspect: Bool, handOff: Double?)]] = [:]

    init(baseline: String, orderSeed: UInt64?) {
        self.baseline = baseline
        self.orderSeed = orderSeed
    }

    mutating func add(_ result: RunResult, suspect: [SuspectReason], key: ConfigurationKey, planIndex: Int, rep: Int) {
        position[key] = planIndex
        let latency = result.endToEndLatency.summary
        passes[key, default: []].append((rep, [result.deliveredPerSecond, Double(latency.p50), Double(latency.p99)], !suspect.isEmpty,
                                         result.handOffMedian))
        results[key, default: []].append(contentsOf: suspect.isEmpty ? [result] : [])
        suspects[key, default: []].append(contentsOf: suspect.isEmpty ? [] : [result])
    }

    /// The key columns that vary come first (design always); those the
    /// same in every configuration are said once, above the table.
    func render() -> String {
        let keys = position.keys.sorted { position[$0]! < position[$1]! }
        let varying = ConfigurationKey.varying(keys)
        let shown = [.design] + varying.filter { $0 != .design }
        let header = shown.map(\.rawValue) + ["reps", "delivered/s", "95% CI", "e2e p99 ns", "95% CI", "sends/s",
                                               "send p99 ns", "would-block", "stall max ns", "lost", "suspect", "repetitions disagree"]
        var rows = [header]
        for key in keys { rows.append(shown.map { key[$0] ?? "" } + cells(results[key]!, suspect: suspects[key]!)) }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
        let table = rows.map { row in
            row.enumerated().map { $0.element.padded(widths[$0.offset]) }.joined(separator: "  ")
        }
        let common = keys.first.map { key in key.words(ConfigurationKey.columns.filter { !shown.contains($0) && key[$0] != "" }) } ?? []
        return (paired(keys, shown: shown) + ["", "common to every configuration: " + common.joined(separator: " ")] + table
                + warnings + modeLines + Self.legend).joined(separator: "\n")
    }

    /// The paired-ratio table the summary leads with: the runs added in
    /// plan order, so groups and designs come as the plan has them.
    private func paired(_ keys: [ConfigurationKey], shown: [Column]) -> [String] {
        var samples = PairedSamples()
        for key in keys {
            for run in passes[key]! {
                samples.add(key: key, pass: PassID(orderSeed: orderSeed.map(String.init), rep: run.rep), values: run.values,
                            suspect: run.suspect, handOff: run.handOff)
            }
        }
        return PairedTable.summary(PairedRatios(samples, baseline: baseline), shown: shown)
    }

    /// What the reader must know before trusting the table.
    private var warnings: [String] {
        let misplaced = (Array(results.values.joined()) + suspects.values.joined()).filter { $0.memoryPlacement == "failed" }.count
        let suspect = suspects.values.map(\.count).reduce(0, +)
        return (misplaced == 0 ? [] : ["WARNING: in \(misplaced) run(s) guest memory is not on the node asked for "
                                       + "(mem_placement=failed, page_node says where it is)"])
            + (suspect == 0 ? [] : ["WARNING: \(suspect) run(s) are suspect (a stretched or starved window, or nothing "
                                    + "delivered: the report's suspect column says which) and left out of the medians"])
    }

    /// Medians over one configuration's repetitions, with intervals.
    /// Lost events count in every run, suspect or not: a verdict on the
    /// protocol, not a measurement of speed.
    private func cells(_ runs: [RunResult], suspect: [RunResult]) -> [String] {
        let delivered = RepetitionSummary(runs.map(\.deliveredPerSecond))
        let endToEnd = RepetitionSummary(runs.map { Double($0.endToEndLatency.summary.p99) })
        let lost = (runs + suspect).map(\.lost).reduce(0, +)
        let disagreement = [("delivered/s", delivered), ("e2e p99", endToEnd)].compactMap { name, summary in
            summary.disagreement.map { "\($0) \(name)" }
        }
        // Every run suspect: no median, rather than a 0 that reads as one.
        let shown = { (value: Double) in runs.isEmpty ? "-" : formatFixed(value, decimals: 0) }
        return [
            "\(runs.count)",
            shown(delivered.median ?? 0), delivered.intervalText,
            shown(endToEnd.median ?? 0), endToEnd.intervalText,
            shown(Self.median(runs.map(\.sendsPerSecond))),
            shown(Self.median(runs.map { Double($0.sendLatency.summary.p99) })),
            "\(runs.map(\.measured.wouldBlock).reduce(0, +))",
            shown(Self.median(runs.map { Double($0.senderStall.summary.max) })),
            lost > 0 ? "\(lost) LOST" : "0",
            suspect.isEmpty ? "" : "\(suspect.count)",
            disagreement.isEmpty ? "" : disagreement.joined(separator: ", "),
        ]
    }

    static let legend = [
        "medians of the repetitions; 95% CI: order-statistic (binomial) interval of the median, whatever the distribution;",
        "with fewer than 6 repetitions no such interval reaches 95%: the full range is shown with its coverage (3: 75%),",
        "with one repetition none. repetitions disagree: spread (max - min over the median) above 25%, or bimodal",
        "(4 or more repetitions falling into two groups apart by a gap wider than 25% of the median).",
        "suspect: runs left out of the medians (the report's suspect column says why); reps counts the others.",
    ]

    static func median(_ values: [Double]) -> Double { Statistics.median(values) ?? 0 }
}
