import Platform

/// What the pictures show, read from the report in one pass: per
/// configuration (`ConfigurationKey`) the samples of each plotted column,
/// per relocation strategy its stall samples and lost events.
///
/// No two configurations are merged. Each scenario gets one picture per
/// panel: one value of every key column but the design and the strategy
/// that varies between its configurations (vcpus, placement, host, ...),
/// named in the title. A picture whose x-axis is senders draws one line per
/// series, a configuration less its sender count (`speedupKey`); in a panel
/// the series differ in design (and strategy, which relocation pictures
/// compare side by side) only, and the legend or bar label names them.
public struct PlotData {
    static let columns: [Column] = [.deliveredPerSecond, .e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax, .fairnessMinOverMax]

    /// One point of a line: a series at one sender count.
    struct Point: Hashable {
        let series: ConfigurationKey
        let senders: Int
    }

    /// Each host's machine (its first row), in first-seen order.
    var machines: [(host: String, caption: String)] = []
    var scenarios: [String] = []
    /// Series (keys less senders) in first-seen order, and their senders.
    var series: [ConfigurationKey] = []
    var senders: [ConfigurationKey: Set<Int>] = [:]
    var samples: [Point: [[Double]]] = [:]
    /// Relocation groups (series less design), first-seen order.
    var strategies: [ConfigurationKey] = []
    var stall: [ConfigurationKey: (p50: [Double], max: [Double], lost: Int)] = [:]
    /// Rows left out of a series' medians because their `suspect` column
    /// names a reason; each picture's caption counts those of its series.
    var suspect: [ConfigurationKey: Int] = [:]
    /// Each sample's `c2c_ns` (nil: none), parallel to `samples`, and the
    /// modes they fall into: when there are two, the throughput pictures
    /// draw each design's line once per mode (PlotModes.swift).
    var handOff: [Point: [Double?]] = [:]
    var modes = HandOffModes([])
    /// The rows by pass, for the paired-ratio pictures (PlotPaired.swift).
    var paired = PairedSamples()

    init(_ source: ReportSource, ignoreHost: Bool = false) throws(ReportError) {
        var empty = true
        let optional: [Column] = [.senderStallP50, .senderStallMax, .lost, .c2cNanoseconds] + ConfigurationKey.columns
            + Self.captionColumns + PairedSamples.columns
        try source.scan(required: [.design, .scenario, .senders] + Self.columns, reading: optional) { line throws(ReportError) in
            if !machines.contains(where: { $0.host == line.text(.host) }) { machines.append((line.text(.host), Self.caption(line))) }
            empty = false
            try add(line, ignoreHost: ignoreHost)
            try paired.add(line, ignoreHost: ignoreHost)
        }
        guard !empty else { throw ReportError("\(printable(source.path)): no rows to plot") }
        modes = HandOffModes(handOff.values.joined().compactMap { $0 })
    }

    private mutating func add(_ line: ReportLine, ignoreHost: Bool) throws(ReportError) {
        // Names that the script writes unquoted must be plain.
        let scenario = try line.name(.scenario)
        let design = try line.name(.design)
        if line.has(.strategy), line.text(.strategy) != "" { _ = try line.name(.strategy) }
        let count = try line.count(.senders)
        var values: [Double] = []
        for column in Self.columns { values.append(try line.measurement(column)) }
        if !scenarios.contains(scenario) { scenarios.append(scenario) }
        let series = ConfigurationKey(line, ignoringHost: ignoreHost).speedupKey
        let trusted = line.text(.suspect).isEmpty
        if !trusted { suspect[series, default: 0] += 1 }
        if senders[series] == nil { self.series.append(series) }
        senders[series, default: []].insert(count)
        let point = Point(series: series, senders: count)
        if samples[point] == nil { samples[point] = Self.columns.map { _ in [] } }
        for (index, value) in values.enumerated() where trusted { samples[point]![index].append(value) }
        if trusted { handOff[point, default: []].append(try line.optionalNumber(.c2cNanoseconds)) }
        guard scenario == "relocate", line.has(.senderStallP50), line.has(.senderStallMax) else { return }
        // Designs pooled per strategy (the picture says so); the negative
        // control loses events under every strategy by design, and summed
        // in would paint losses on the strategies that have none.
        let group = series.pairingKey
        if stall[group] == nil { strategies.append(group) }
        let lost = line.has(.lost) && design != Self.negativeControl ? try line.count(.lost) : 0
        var entry = stall[group] ?? ([], [], 0)
        // Lost events count in every row: a verdict, not a speed.
        entry.lost += lost
        if trusted {
            entry.p50.append(try line.measurement(.senderStallP50))
            entry.max.append(try line.measurement(.senderStallMax))
        }
        stall[group] = entry
    }

    /// The relocation picture's order of strategies (RelocationStrategy's,
    /// which a test checks): each variant next to the one it changes.
    /// Strategies a report has and this list lacks follow, as they come.
    public static let relocationStrategyOrder = ["quiesce", "both-locks", "forced-slow", "forced-slow-drain",
                                                 "deactivate", "xen-mark-all"]

    /// `strategies` in `relocationStrategyOrder` (stable within a strategy).
    var orderedStrategies: [ConfigurationKey] {
        let rank = { (key: ConfigurationKey) in Self.relocationStrategyOrder.firstIndex(of: key[.strategy] ?? "") ?? Int.max }
        return strategies.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// The design that must lose events (LockDesign.nolock).
    static let negativeControl = "nolock"

    static let captionColumns: [Column] = [.host, .cpuModel, .cpus, .numaNodes, .kernel, .gitSHA]

    /// The machines of a picture's series, for its caption: the one host's,
    /// or every host's of the report when hosts are pooled or mixed.
    func caption(for series: [ConfigurationKey]) -> String {
        let hosts = Set(series.compactMap { $0[.host] })
        let shown = hosts.count == 1 ? machines.filter { hosts.contains($0.host) } : machines
        let left = series.map { suspect[$0] ?? 0 }.reduce(0, +)
        return shown.map(\.caption).joined(separator: "; ") + (left == 0 ? "" : "; \(left) suspect row(s) left out")
    }

    /// The machine a row came from, for the caption.
    static func caption(_ line: ReportLine) -> String {
        let m = captionColumns.map { line.text($0) }
        return "\(m[0]): \(m[1]), \(m[2]) CPUs, \(m[3]) NUMA node(s), Linux \(m[4]), evtchn-bench \(m[5])"
    }

    /// The series of one picture, and what they share that other pictures'
    /// series of the same scenario do not.
    struct Panel {
        let scenario: String
        /// "vcpus=4 placement=split"; empty when only the design varies.
        let label: String
        let series: [ConfigurationKey]

        /// "ipi" or "ipi; vcpus=4 placement=split", for titles.
        var title: String { label.isEmpty ? scenario : "\(scenario); \(label)" }
    }

    /// What varies within one picture.
    static let withinPanel: Set<Column> = [.design, .strategy]

    /// A scenario's panels, in first-seen order.
    func panels(in scenario: String) -> [Panel] {
        let all = series(in: scenario)
        let varying = ConfigurationKey.varying(all).filter { !Self.withinPanel.contains($0) }
        var order: [ConfigurationKey] = []
        var groups: [ConfigurationKey: [ConfigurationKey]] = [:]
        for series in all {
            let panel = series.without(Self.withinPanel)
            if groups[panel] == nil { order.append(panel) }
            groups[panel, default: []].append(series)
        }
        return order.map { Panel(scenario: scenario, label: $0.words(varying).joined(separator: " "), series: groups[$0]!) }
    }

    /// The series of one scenario, in first-seen order.
    /// The series of one scenario, in first-seen order; the ladder's steps
    /// and the `--pairs` cells have pictures of their own (PlotLadder.swift,
    /// PlotPairs.swift).
    func series(in scenario: String) -> [ConfigurationKey] {
        series.filter { $0[.scenario] == scenario && !Self.isLadder($0) && !Self.isPair($0) }
    }

    /// The sender counts of some series, ascending.
    func senders(of series: [ConfigurationKey]) -> [Int] {
        series.reduce(into: Set<Int>()) { $0.formUnion(senders[$1] ?? []) }.sorted()
    }

    /// Legend labels of `keys`: `lead` (when there) and every other column
    /// that varies between them, as `column=value`, but those in `hidden`.
    static func labels(_ keys: [ConfigurationKey], lead: Column?, hidden: Set<Column> = []) -> [String] {
        let varying = ConfigurationKey.varying(keys).filter { $0 != lead && !hidden.contains($0) }
        return keys.map { key in
            ((lead.flatMap { key[$0] }.map { [$0] } ?? []) + key.words(varying)).joined(separator: " ")
        }
    }

    /// "median lower upper" of `column` for one point, through `scale`;
    /// "NaN NaN NaN" where the report has no such rows.
    /// With `mode`, only the samples whose `c2c_ns` falls in that mode.
    func cells(_ series: ConfigurationKey, senders: Int, _ column: Column, mode: Int? = nil,
               _ scale: (Double) -> String) -> String {
        let point = Point(series: series, senders: senders)
        guard let all = samples[point]?[Self.columns.firstIndex(of: column)!],
              case let values = modes.values(all, figures: handOff[point] ?? [], in: mode),
              let interval = Statistics.medianInterval(values) else { return "NaN NaN NaN" }
        return [interval.median, interval.lower, interval.upper].map(scale).joined(separator: " ")
    }
}
