import Platform

/// What the pictures show, read from the report in one pass: per
/// (scenario, design, senders) the samples of each plotted column, per
/// relocation strategy its stall samples and lost events.
public struct PlotData {
    static let columns: [Column] = [.deliveredPerSecond, .e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax, .fairnessMinOverMax]

    struct Key: Hashable {
        let scenario: String
        let design: String
        let senders: Int
    }

    var caption = ""
    var scenarios: [String] = []
    var designs: [String] = []
    var senders: [String: Set<Int>] = [:]
    var samples: [Key: [[Double]]] = [:]
    var strategies: [String] = []
    var stall: [String: (p50: [Double], max: [Double], lost: Int)] = [:]

    init(_ source: ReportSource) throws(ReportError) {
        var empty = true
        let optional: [Column] = [.strategy, .senderStallP50, .senderStallMax, .lost] + Self.captionColumns
        try source.scan(required: [.design, .scenario, .senders] + Self.columns, reading: optional) { line throws(ReportError) in
            if empty { caption = Self.caption(line) }
            empty = false
            try add(line)
        }
        guard !empty else { throw ReportError("\(printable(source.path)): no rows to plot") }
    }

    private mutating func add(_ line: ReportLine) throws(ReportError) {
        let key = Key(scenario: try line.name(.scenario), design: try line.name(.design), senders: try line.count(.senders))
        var values: [Double] = []
        for column in Self.columns { values.append(try line.number(column)) }
        if !scenarios.contains(key.scenario) { scenarios.append(key.scenario) }
        if !designs.contains(key.design) { designs.append(key.design) }
        senders[key.scenario, default: []].insert(key.senders)
        for (index, value) in values.enumerated() { samples[key, default: Self.columns.map { _ in [] }][index].append(value) }
        guard key.scenario == "relocate", line.has(.strategy), line.has(.senderStallP50), line.has(.senderStallMax)
        else { return }
        let strategy = try line.name(.strategy)
        if !strategies.contains(strategy) { strategies.append(strategy) }
        // The negative control loses events under every strategy by design;
        // summed in, it would paint losses on the strategies that have none.
        let lost = line.has(.lost) && key.design != Self.negativeControl ? try line.count(.lost) : 0
        var entry = stall[strategy] ?? ([], [], 0)
        entry.p50.append(try line.number(.senderStallP50))
        entry.max.append(try line.number(.senderStallMax))
        entry.lost += lost
        stall[strategy] = entry
    }

    /// The relocation picture's order of strategies (RelocationStrategy's,
    /// which a test checks): each variant next to the one it changes.
    /// Strategies a report has and this list lacks follow, as they come.
    public static let relocationStrategyOrder = ["quiesce", "both-locks", "forced-slow", "forced-slow-drain",
                                                 "deactivate", "xen-mark-all"]

    /// `strategies` in `relocationStrategyOrder`.
    var orderedStrategies: [String] {
        let known = Self.relocationStrategyOrder.filter(strategies.contains)
        return known + strategies.filter { !known.contains($0) }
    }

    /// The design that must lose events (LockDesign.nolock).
    static let negativeControl = "nolock"

    static let captionColumns: [Column] = [.host, .cpuModel, .cpus, .numaNodes, .kernel, .gitSHA]

    /// The machine the report came from (its first row), for the caption.
    static func caption(_ line: ReportLine) -> String {
        let m = captionColumns.map { line.text($0) }
        return "\(m[0]): \(m[1]), \(m[2]) CPUs, \(m[3]) NUMA node(s), Linux \(m[4]), evtchn-bench \(m[5])"
    }

    func senders(in scenario: String) -> [Int] { senders[scenario, default: []].sorted() }

    /// "median lower upper" of `column` for one point, through `scale`;
    /// "NaN NaN NaN" where the report has no such rows.
    func cells(_ key: Key, _ column: Column, _ scale: (Double) -> String) -> String {
        guard let values = samples[key]?[Self.columns.firstIndex(of: column)!],
              let interval = Statistics.medianInterval(values) else { return "NaN NaN NaN" }
        return [interval.median, interval.lower, interval.upper].map(scale).joined(separator: " ")
    }
}
