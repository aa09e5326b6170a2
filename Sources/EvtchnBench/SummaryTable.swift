import Platform
import Reports
import Runner

/// The table printed after a sweep: one line per configuration, medians
/// over its repetitions, with the spread (min..max as percent of the
/// median) so a reader sees at once whether differences are noise.
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
        let header = ["design", "scenario", "strategy", "placement", "senders", "vcpus", "reps", "sends/s", "spread", "delivered/s",
                      "send p99 ns", "e2e p99 ns", "would-block", "stall max ns", "lost"]
        var rows = [header]
        for key in position.keys.sorted(by: { position[$0]! < position[$1]! }) {
            let runs = results[key]!
            let rates = runs.map(\.sendsPerSecond)
            let median = Self.median(rates)
            let spread = median > 0 ? (rates.max()! - rates.min()!) / median * 100 : 0
            let lost = runs.map(\.lost).reduce(0, +)
            rows.append([
                key.design, key.scenario, key.strategy, key.placement, "\(key.senders)", "\(key.vcpus)", "\(runs.count)",
                formatFixed(median, decimals: 0), "\(formatFixed(spread, decimals: 1))%",
                formatFixed(Self.median(runs.map(\.deliveredPerSecond)), decimals: 0),
                formatFixed(Self.median(runs.map { Double($0.sendLatency.summary.p99) }), decimals: 0),
                formatFixed(Self.median(runs.map { Double($0.endToEndLatency.summary.p99) }), decimals: 0),
                "\(runs.map(\.measured.wouldBlock).reduce(0, +))",
                formatFixed(Self.median(runs.map { Double($0.senderStall.summary.max) }), decimals: 0),
                lost > 0 ? "\(lost) LOST" : "0",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            row.enumerated().map { $0.element.padded(widths[$0.offset]) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func median(_ values: [Double]) -> Double { Statistics.median(values) ?? 0 }
}
