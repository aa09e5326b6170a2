/// The columns of a run report, in file order (which appending to an
/// existing report relies on: new columns go at the end). Each column's
/// role, unit, meaning and the value a report without it is read as are
/// in `Column.info` (ColumnSchema.swift), the one source of the schema;
/// `evtchn-bench schema` prints it, results/README.md holds a copy that a
/// test keeps equal.
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
    // Placement seen, the guest and the workload, the ledger:
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
    // Where the threads sat relative to each other, and the machine's shape:
    case pairTier = "pair_tier", pairDistance = "pair_distance", smtShared = "smt_shared"
    case packages, cores, pus, llcDomains = "llc_domains"
    case memPlacement = "mem_placement"
    // Whether the window can be trusted:
    case intendedSeconds = "intended_s", windowCPUMinSeconds = "window_cpu_min_s", suspect
    // The path the row measured:
    case c2cNanoseconds = "c2c_ns", c2cMaxNanoseconds = "c2c_max_ns", c2cAfterNanoseconds = "c2c_after_ns"
}

/// What a column says about its row.
public enum ColumnRole: String, Sendable, CaseIterable {
    /// Identifies the configuration: rows equal in every key column are
    /// repetitions of one configuration (`ConfigurationKey`).
    case key
    /// What the run measured or counted.
    case measurement
    /// Where and how the row was made: the machine, the build, the seed,
    /// the time, the plan's verdicts on placement.
    case provenance
    /// Which run of its configuration: repetition, order, window lengths.
    /// Not key, so suites scaled to different budgets still match.
    case run
}

/// One column of the schema.
public struct ColumnInfo: Sendable {
    public let role: ColumnRole
    /// Type or unit, as the schema table shows it (markdown).
    public let unit: String
    /// What the column holds (markdown).
    public let meaning: String
    /// The value a report written before the column existed is read as
    /// (what every run then did); "" for an empty cell.
    public let absentValue: String

    init(_ role: ColumnRole, _ unit: String, _ meaning: String, absent: String = "") {
        self.role = role
        self.unit = unit
        self.meaning = meaning
        absentValue = absent
    }
}

extension Column {
    public var role: ColumnRole { info.role }

    /// The schema as a markdown table, one line per column in file order:
    /// what `evtchn-bench schema` prints and results/README.md holds.
    public static var markdownTable: [String] {
        ["| column | role | type, unit | meaning |", "|---|---|---|---|"]
            + allCases.map { column in
                let info = column.info
                let absent = info.absentValue.isEmpty ? "" : "; a report without the column reads as `\(info.absentValue)`"
                return "| `\(column.rawValue)` | \(info.role.rawValue) | \(info.unit) | \(info.meaning)\(absent) |"
            }
    }
}
