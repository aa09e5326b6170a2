import Platform
import Reports
import Runner
import Topology

extension PlannedConfiguration {
    /// `design=rwlock scenario=ipi senders=2 vcpus=1 placement=compact`
    /// (and `strategy=` for relocate): the words of progress lines.
    public var name: String {
        let c = configuration
        let strategy = c.scenario == .relocate ? " strategy=\(c.relocation)" : ""
        return "design=\(c.design) scenario=\(c.scenario)\(strategy) senders=\(c.senders) vcpus=\(c.vcpus) "
            + "placement=\(placementLabel)"
    }

    /// Every key column but `host` (empty ones left out), then where
    /// every thread goes, in the report's column names: what
    /// `check-placement` holds a report's rows to.
    public func planLine(on topology: Topology) -> String {
        let p = placement
        let pinned = configuration.pinning != nil
        func cpus(_ list: [Int]) -> String { pinned ? CPUList(list).description : "unpinned" }
        func nodes(_ list: [Int]) -> String { pinned ? nodeList(list, topology) : "unpinned" }
        let host = Array(p.hostCPUs.prefix(1))
        let key = key(host: nil)
        let words = key.words(key.columns.filter { key[$0] != "" })
        return (words + [
            "sender_cpus=\(cpus(p.senderCPUs))", "sender_nodes=\(nodes(p.senderCPUs))",
            "vcpu_cpus=\(cpus(p.vcpuCPUs))", "vcpu_nodes=\(nodes(p.vcpuCPUs))",
            "host_cpus=\(cpus(host))", "host_nodes=\(nodes(host))",
            "oversubscribed=\(oversubscribed)", "host_shares_cpu=\(hostSharesCPU)",
            "pair_tier=\(pairs?.tier?.rawValue ?? "unpinned")",
            "pair_distance=\(pairs.map { $0.distance.map(String.init) ?? "unknown" } ?? "unpinned")",
            "smt_shared=\(pairs.map { "\($0.smtShared)" } ?? "unpinned")",
        ]).joined(separator: " ")
    }
}

/// CPUs in cpulist syntax, or "unknown" if any is unknown.
func cpuList(_ cpus: [Int?]) -> String {
    let known = cpus.compactMap { $0 }
    return known.count == cpus.count ? CPUList(known).description : "unknown"
}

/// The NUMA nodes of `cpus` in cpulist syntax ("unknown" if any is).
func nodeList(_ cpus: [Int?], _ topology: Topology) -> String {
    cpuList(cpus.map { $0.flatMap(topology.node(ofCPU:)) })
}

extension SweepPlan {
    /// What `run --plan` prints: one line per configuration, then the runs,
    /// the timing, the order and the estimate against the budget, then what
    /// the budget left out and where ports per sender were cut to fit.
    public func describe() -> [String] {
        var lines = configurations.map { $0.planLine(on: topology) }
        let order = orderSeed.map { "interleaved passes, order_seed=\($0)" } ?? "repetitions in blocks"
        lines.append("\(configurations.count) configurations x \(reps) repetitions = \(runCount) runs of "
                     + "\(formatFixed(durationSeconds, decimals: 2)) s after \(formatFixed(warmupSeconds, decimals: 2)) s "
                     + "of warm-up; \(order)")
        lines.append("estimated time: \(formatDuration(estimatedSeconds)) (budget \(formatDuration(budgetSeconds)))")
        return lines + fitNotes
    }

    /// What the budget left out and where ports per sender were cut: one
    /// line each, for `--plan` and before a run.
    public var fitNotes: [String] { leftOut.map(\.description) + (portsNote.map { [$0] } ?? []) }

    /// "ports per sender: 15 at 259 senders (...)", when the default 16
    /// was cut for some configurations so that senders x ports fit the ABI.
    var portsNote: String? {
        guard fittedPorts else { return nil }
        let cut = configurations.map(\.configuration).filter { $0.portsPerSender != DefaultSuite.portsPerSender }
        guard let abi = cut.first?.abi else { return nil }
        let pairs = Set(cut.map { [$0.senders, $0.portsPerSender] }).sorted { $0[0] < $1[0] }
        return "ports per sender: \(DefaultSuite.portsPerSender), but "
            + pairs.map { "\($0[1]) at \($0[0]) senders" }.joined(separator: ", ")
            + " (senders x ports within the \(abi.portCount) ports of a \(abi)-bit guest; --ports-per-sender sets one for all)"
    }
}

/// "4m58s", "12s", "2h03m".
public func formatDuration(_ seconds: Double) -> String {
    guard seconds < 1e12 else { return "more than 30000 years" }
    let total = Int(max(0, seconds).rounded())
    if total >= 3600 { return "\(total / 3600)h" + twoDigits(total % 3600 / 60) + "m" }
    if total >= 60 { return "\(total / 60)m" + twoDigits(total % 60) + "s" }
    return "\(total)s"
}

private func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
