import Platform
import Reports
import Runner

/// The table printed after a sweep: one line per configuration, medians
/// over its repetitions, with the 95 % interval of the median of
/// delivered/s and e2e p99 (order statistics; with fewer than 6
/// repetitions the full range and its coverage), and a flag where the
/// repetitions disagree (spread above 25 %, or two separate groups), so a
/// reader sees at once whether differences are noise.
struct SummaryTable {
    struct Key: Hashable {
        let design: String
        let scenario: String
        let strategy: String
        let placement: String
        let senders: Int
        let vcpus: Int
    }

    /// Each key's position in the plan: interleaved runs arrive shuffled,
    /// the table does not.
    private var position: [Key: Int] = [:]
    private var results: [Key: [RunResult]] = [:]

    mutating func add(_ result: RunResult, placement: String, planIndex: Int) {
        let c = result.configuration
        let key = Key(design: c.design.rawValue, scenario: c.scenario.rawValue,
                      strategy: c.scenario == .relocate ? c.relocation.rawValue : "-", placement: placement,
                      senders: c.senders, vcpus: c.vcpus)
        position[key] = planIndex
        results[key, default: []].append(result)
    }

    func render() -> String {
        let header = ["design", "scenario", "strategy", "placement", "senders", "vcpus", "reps", "delivered/s", "95% CI",
                      "e2e p99 ns", "95% CI", "sends/s", "send p99 ns", "would-block", "stall max ns", "lost",
                      "repetitions disagree"]
        var rows = [header]
        for key in position.keys.sorted(by: { position[$0]! < position[$1]! }) {
            let runs = results[key]!
            let delivered = RepetitionSummary(runs.map(\.deliveredPerSecond))
            let endToEnd = RepetitionSummary(runs.map { Double($0.endToEndLatency.summary.p99) })
            let lost = runs.map(\.lost).reduce(0, +)
            let disagreement = [("delivered/s", delivered), ("e2e p99", endToEnd)].compactMap { name, summary in
                summary.disagreement.map { "\($0) \(name)" }
            }
            rows.append([
                key.design, key.scenario, key.strategy, key.placement, "\(key.senders)", "\(key.vcpus)", "\(runs.count)",
                formatFixed(delivered.median ?? 0, decimals: 0), delivered.intervalText,
                formatFixed(endToEnd.median ?? 0, decimals: 0), endToEnd.intervalText,
                formatFixed(Self.median(runs.map(\.sendsPerSecond)), decimals: 0),
                formatFixed(Self.median(runs.map { Double($0.sendLatency.summary.p99) }), decimals: 0),
                "\(runs.map(\.measured.wouldBlock).reduce(0, +))",
                formatFixed(Self.median(runs.map { Double($0.senderStall.summary.max) }), decimals: 0),
                lost > 0 ? "\(lost) LOST" : "0",
                disagreement.isEmpty ? "" : disagreement.joined(separator: ", "),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
        let table = rows.map { row in
            row.enumerated().map { $0.element.padded(widths[$0.offset]) }.joined(separator: "  ")
        }
        return (table + Self.legend).joined(separator: "\n")
    }

    static let legend = [
        "medians of the repetitions; 95% CI: order-statistic (binomial) interval of the median, whatever the distribution;",
        "with fewer than 6 repetitions no such interval reaches 95%: the full range is shown with its coverage (3: 75%),",
        "with one repetition none. repetitions disagree: spread (max - min over the median) above 25%, or bimodal",
        "(4 or more repetitions falling into two groups apart by a gap wider than 25% of the median).",
    ]

    static func median(_ values: [Double]) -> Double { Statistics.median(values) ?? 0 }
}
