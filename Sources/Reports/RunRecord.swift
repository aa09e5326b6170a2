import Platform

/// The columns of a run report, in file order. The schema, with units and
/// meanings, is documented in results/README.md; keep the two in step.
public enum Column: String, CaseIterable, Sendable {
    case utcTime = "utc_time", host, cpuModel = "cpu_model", kernel, swiftVersion = "swift_version"
    case gitSHA = "git_sha", numaNodes = "numa_nodes", cpus
    case design, scenario, guestABI = "guest_abi", senders, vcpus, placement
    case memNode = "mem_node", pageNode = "page_node", senderCPUs = "sender_cpus", vcpuCPUs = "vcpu_cpus"
    case invalidateEveryMicroseconds = "invalidate_every_us", loadMode = "load_mode", durationSeconds = "duration_s"
    case rep
    case sends, delivered, coalesced, masked, wouldBlock = "would_block", retries, dropped, handled, lost
    case sendsPerSecond = "sends_per_s", deliveredPerSecond = "delivered_per_s"
    case fairnessMinOverMax = "fairness_min_over_max", gini
    case sendP50 = "send_p50_ns", sendP99 = "send_p99_ns", sendP999 = "send_p999_ns", sendMax = "send_max_ns"
    case e2eP50 = "e2e_p50_ns", e2eP90 = "e2e_p90_ns", e2eP99 = "e2e_p99_ns", e2eP999 = "e2e_p999_ns"
    case e2eMax = "e2e_max_ns", timerOverhead = "timer_overhead_ns"
    // Beyond the required set:
    case hostCPUs = "host_cpus", senderNodes = "sender_nodes", vcpuNodes = "vcpu_nodes", vcpuMode = "vcpu_mode", portsPerSender = "ports_per_sender"
    case maskedFraction = "masked_fraction", ratePerSender = "rate_per_sender", oversubscribed
    case migrations, replays, duplicates, staleBits = "stale_bits", spuriousUpcalls = "spurious_upcalls"
    case shadowMerges = "shadow_merges", speedupVsOneSender = "speedup_vs_1_sender", warmupSeconds = "warmup_s"
    case inactive, lostFlag = "lost_flag", unsignalled
    // Relocate scenario:
    case strategy, relocations
    case senderStallP50 = "sender_stall_p50_ns", senderStallMax = "sender_stall_max_ns"
    case relocationP50 = "relocation_p50_ns", relocationMax = "relocation_max_ns"
    case vanishedSelectorBits = "vanished_selector_bits"
    // Poll and shinfo-move scenarios:
    case pollWakeups = "poll_wakeups", sharedInfoMoves = "shinfo_moves"
    /// Path prefix of this row's histogram files (run --histograms).
    case histograms
    // Provenance, order and placement (the plan):
    case gitDirty = "git_dirty", buildConfiguration = "build_configuration"
    case orderSeed = "order_seed", runOrder = "run_order"
    case hostNodes = "host_nodes", hostSharesCPU = "host_shares_cpu"
}

/// One row of a run report: one configuration x repetition. Values are
/// set by column with typed setters that fix the formatting (no exponents,
/// fixed decimals); a column never set is an empty field.
public struct RunRecord: Sendable, Equatable {
    public static let columns = Column.allCases.map(\.rawValue)

    private var values: [Column: String] = [:]

    public init() {}

    public subscript(column: Column) -> String { values[column] ?? "" }

    public mutating func set(_ column: Column, _ text: String) { values[column] = text }
    public mutating func set(_ column: Column, _ count: Int) {
        values[column] = String(count)
        // lost_flag follows lost, so that the two cannot disagree.
        if column == .lost { values[.lostFlag] = count > 0 ? "LOST" : "" }
    }
    public mutating func set(_ column: Column, _ flag: Bool) { values[column] = flag ? "true" : "false" }

    /// Rates and counts per second: one decimal.
    public mutating func set(_ column: Column, rate: Double) { values[column] = formatFixed(rate, decimals: 1) }
    /// Ratios and fractions: four decimals.
    public mutating func set(_ column: Column, ratio: Double) { values[column] = formatFixed(ratio, decimals: 4) }
    /// Seconds: three decimals.
    public mutating func set(_ column: Column, seconds: Double) { values[column] = formatFixed(seconds, decimals: 3) }

    /// The fields in `columns` order.
    public var fields: [String] { Column.allCases.map { values[$0] ?? "" } }
}
