/// Checks a report against the plan it was run from: every row ran where
/// its plan line said. The plan is `run --plan`'s output, whose
/// configuration lines are `column=value` words (the key columns but
/// `host`, then where each thread and the memory go). A row matches the
/// plan line of its `ConfigurationKey` (host left out: a plan is of one
/// machine); its sender, vCPU and host CPUs and nodes, as seen at the end
/// of the run, must be the plan's, and `page_node` the plan's `mem_node`;
/// its `pair_tier`, `pair_distance` and `smt_shared` the plan line's where
/// it has them (a plan's `unpinned` or `unknown` is an empty column).
/// Every planned configuration must have a row.
public struct PlacementCheck: Sendable {
    /// What must equal the plan: (report column, plan word).
    static let placed: [(Column, String)] = [
        (.senderCPUs, "sender_cpus"), (.senderNodes, "sender_nodes"), (.vcpuCPUs, "vcpu_cpus"),
        (.vcpuNodes, "vcpu_nodes"), (.hostCPUs, "host_cpus"), (.hostNodes, "host_nodes"), (.pageNode, "mem_node"),
    ]
    /// What must equal the plan where its line has the word (plans from
    /// before the tiers have none).
    static let shape: [(Column, String)] = [(.pairTier, "pair_tier"), (.pairDistance, "pair_distance"), (.smtShared, "smt_shared")]

    public private(set) var planLines = 0
    public private(set) var rows = 0
    /// One line per problem, naming the row or the configuration.
    public private(set) var problems: [String] = []

    public init(plan: [String], report: ReportSource) throws(ReportError) {
        var planned: [ConfigurationKey: [String: String]] = [:]
        var order: [ConfigurationKey] = []
        for line in plan where line.hasPrefix("design=") {
            let words = Self.words(line)
            let key = ConfigurationKey(words: words, ignoringHost: true)
            if planned.updateValue(words, forKey: key) == nil { order.append(key) }
            planLines += 1
        }
        var ran = Set<ConfigurationKey>()
        try report.scan(required: Self.placed.map(\.0), reading: ConfigurationKey.columns + (Self.placed + Self.shape).map(\.0)) { line in
            rows += 1
            let key = ConfigurationKey(line, ignoringHost: true)
            let name = key.words(ConfigurationKey.columns.filter { key[$0] != $0.info.absentValue }).joined(separator: " ")
            guard let words = planned[key] else { return problems.append("row \(line.line): no plan line for \(name)") }
            ran.insert(key)
            let expected = Self.placed.map { ($0.0, words[$0.1]) }
                + Self.shape.compactMap { column, word in words[word].map { (column, ["unpinned", "unknown"].contains($0) ? "" : $0) } }
            let wrong = expected.filter { column, planned in planned != line.text(column) }
            if !wrong.isEmpty {
                let detail = wrong.map { "\($0.0) planned \(Self.shown($0.1)), ran \(Self.shown(line.text($0.0)))" }
                problems.append("row \(line.line) \(name): " + detail.joined(separator: "; "))
            }
        }
        for key in order where !ran.contains(key) { problems.append("no row for \(key.words.joined(separator: " "))") }
        if planLines == 0 || rows == 0 { problems.append("empty plan or report") }
    }

    private static func shown(_ value: String?) -> String { value.map { $0.isEmpty ? "nothing" : $0 } ?? "nothing" }

    /// `column=value` words; a value may hold '=' but no space.
    static func words(_ line: String) -> [String: String] {
        var words: [String: String] = [:]
        for word in line.split(separator: " ") {
            guard let equals = word.firstIndex(of: "=") else { continue }
            words[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        return words
    }
}
