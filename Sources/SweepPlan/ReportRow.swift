import GuestMemory
import Platform
import Reports
import Runner
import Topology

extension PlannedConfiguration {
    /// The key columns of this configuration's rows (`Column.info` and
    /// results/README.md say what each holds), `host` included when given.
    public func keyRecord(host: String?) -> RunRecord {
        let c = configuration
        var r = RunRecord()
        if let host { r.set(.host, host) }
        r.set(.design, c.design.rawValue)
        r.set(.scenario, c.scenario.rawValue)
        r.set(.guestABI, c.abi.rawValue)
        r.set(.senders, c.senders)
        r.set(.vcpus, c.vcpus)
        r.set(.placement, placementLabel)
        r.set(.memNode, placement.memoryNode.map(String.init) ?? placement.memory.description)
        switch c.host {
        case .migrate(let every), .moveSharedInfo(let every): r.set(.invalidateEveryMicroseconds, every)
        case .idle, .toggleActivation: r.set(.invalidateEveryMicroseconds, 0)
        }
        r.set(.loadMode, c.load.description)
        if let rate = c.load.ratePerSender { r.set(.ratePerSender, rate: rate) }
        r.set(.vcpuMode, c.vcpuMode.rawValue)
        r.set(.portsPerSender, c.portsPerSender)
        r.set(.maskedFraction, ratio: c.maskedFractionInEffect)
        if c.scenario == .relocate { r.set(.strategy, c.relocation.rawValue) }
        return r
    }

    /// The configuration's key; without a host, for a plan of this machine.
    public func key(host: String?) -> ConfigurationKey {
        ConfigurationKey(keyRecord(host: host), ignoringHost: host == nil)
    }
}

extension SweepPlan {
    /// One run's report row (schema: `Column.info`), on `machine`.
    /// `suspect`: the run's `SuspectReason`s, judged once by the caller.
    public func record(_ run: ScheduledRun, result: RunResult, machine: MachineInfo, speedup: Double?,
                       suspect: [SuspectReason]) -> RunRecord {
        ReportRow(plan: self, machine: machine, run: run, result: result, speedup: speedup, suspect: suspect).record
    }
}

/// Turns one run into one report row, step by step: the key, provenance,
/// the run's place in the sweep, where its threads were, what it counted,
/// and its rates and latencies.
private struct ReportRow {
    let plan: SweepPlan
    let machine: MachineInfo
    let run: ScheduledRun
    let result: RunResult
    let speedup: Double?
    let suspect: [SuspectReason]

    var record: RunRecord {
        let planned = plan.configurations[run.configuration]
        var r = planned.keyRecord(host: machine.host)
        setProvenance(&r, planned)
        setRun(&r)
        setPlacementSeen(&r)
        setCounts(&r)
        setRates(&r)
        setSuspicion(&r)
        return r
    }

    private func setProvenance(_ r: inout RunRecord, _ planned: PlannedConfiguration) {
        let m = machine
        r.set(.utcTime, utcTimestamp(secondsSinceEpoch: secondsSinceEpoch()))
        r.set(.cpuModel, m.cpuModel)
        r.set(.kernel, m.kernel)
        r.set(.swiftVersion, m.swiftVersion)
        r.set(.gitSHA, m.build.commit)
        r.set(.gitDirty, m.build.treeState == "unknown" ? "unknown" : m.build.treeState == "dirty" ? "true" : "false")
        r.set(.buildConfiguration, m.build.configuration)
        r.set(.numaNodes, plan.topology.nodeCount)
        r.set(.cpus, plan.topology.allowedCPUs.count)
        r.set(.orderSeed, plan.orderSeed.map(String.init) ?? "")
        r.set(.oversubscribed, planned.oversubscribed)
        r.set(.hostSharesCPU, planned.hostSharesCPU)
        setShape(&r, planned.pairs)
    }

    /// Where the threads sat relative to each other, and the machine.
    private func setShape(_ r: inout RunRecord, _ pairs: PairFacts?) {
        let t = plan.topology
        r.set(.pairTier, pairs?.tier?.rawValue ?? "")
        r.set(.pairDistance, pairs?.distance.map(String.init) ?? "")
        r.set(.smtShared, pairs.map { $0.smtShared ? "true" : "false" } ?? "")
        r.set(.packages, t.packages.count)
        r.set(.cores, t.cores.count)
        r.set(.pus, t.pus.count)
        r.set(.llcDomains, t.llcDomains.count)
    }

    private func setRun(_ r: inout RunRecord) {
        r.set(.durationSeconds, seconds: result.measuredSeconds)
        r.set(.warmupSeconds, seconds: result.configuration.warmupSeconds)
        r.set(.rep, run.rep)
        r.set(.runOrder, run.index + 1)
        r.set(.intendedSeconds, seconds: result.configuration.durationSeconds)
    }

    /// Whether the window can be trusted (`SuspectReason`).
    private func setSuspicion(_ r: inout RunRecord) {
        r.set(.windowCPUMinSeconds, result.leastWindowCPUSeconds.map { formatFixed($0, decimals: 6) } ?? "")
        r.set(.c2cNanoseconds, result.handOffMedian.map { formatFixed($0, decimals: 0) } ?? "")
        r.set(.c2cMaxNanoseconds, result.handOffMax.map(String.init) ?? "")
        r.set(.c2cAfterNanoseconds, result.handOffAfterMedian.map { formatFixed($0, decimals: 0) } ?? "")
        r.set(.suspect, suspect.map(\.rawValue).joined(separator: ";"))
    }

    private func setPlacementSeen(_ r: inout RunRecord) {
        let topology = plan.topology
        r.set(.pageNode, result.pageNode.map(String.init) ?? "unknown")
        r.set(.memPlacement, result.memoryPlacement)
        r.set(.senderCPUs, cpuList(result.senderCPUsSeen))
        r.set(.vcpuCPUs, cpuList(result.vcpuCPUsSeen))
        r.set(.senderNodes, nodeList(result.senderCPUsSeen, topology))
        r.set(.vcpuNodes, nodeList(result.vcpuCPUsSeen, topology))
        r.set(.hostCPUs, cpuList([result.hostCPUSeen]))
        r.set(.hostNodes, nodeList([result.hostCPUSeen], topology))
    }

    private func setCounts(_ r: inout RunRecord) {
        let n = result.measured
        r.set(.sends, n.sends)
        r.set(.delivered, n.delivered)
        r.set(.coalesced, n.coalesced)
        r.set(.masked, n.masked)
        r.set(.wouldBlock, n.wouldBlock)
        r.set(.retries, n.retries)
        r.set(.dropped, n.dropped)
        r.set(.inactive, n.inactive)
        r.set(.replays, n.replays + n.selectorReplays)
        r.set(.handled, result.handled)
        r.set(.lost, result.lost)
        r.set(.unsignalled, result.unsignalled)
        r.set(.duplicates, result.ledger.duplicates)
        r.set(.staleBits, result.staleBits)
        r.set(.migrations, result.migrations)
        r.set(.spuriousUpcalls, result.spuriousUpcalls)
        r.set(.shadowMerges, result.shadowMerges)
        switch result.configuration.scenario {
        case .relocate:
            r.set(.relocations, result.relocations)
            r.set(.vanishedSelectorBits, result.vanishedSelectorBits)
        case .poll: r.set(.pollWakeups, result.pollWakeups)
        case .shinfoMove: r.set(.sharedInfoMoves, result.sharedInfoMoves.moves)
        default: break
        }
    }

    private func setRates(_ r: inout RunRecord) {
        r.set(.sendsPerSecond, rate: result.sendsPerSecond)
        r.set(.deliveredPerSecond, rate: result.deliveredPerSecond)
        r.set(.fairnessMinOverMax, ratio: result.fairnessMinOverMax)
        r.set(.gini, ratio: result.gini)
        if let speedup { r.set(.speedupVsOneSender, ratio: speedup) }
        r.set(.timerOverhead, result.timerOverheadNanoseconds)
        r.set(result.sendLatency.summary, [(.sendP50, \.p50), (.sendP99, \.p99), (.sendP999, \.p999), (.sendMax, \.max)])
        r.set(result.endToEndLatency.summary,
              [(.e2eP50, \.p50), (.e2eP90, \.p90), (.e2eP99, \.p99), (.e2eP999, \.p999), (.e2eMax, \.max)])
        guard result.configuration.scenario == .relocate else { return }
        r.set(result.senderStall.summary, [(.senderStallP50, \.p50), (.senderStallMax, \.max)])
        r.set(result.relocationLatency.summary, [(.relocationP50, \.p50), (.relocationMax, \.max)])
    }
}

extension RunRecord {
    /// Sets each column to its percentile of `summary` (nanoseconds).
    mutating func set(_ summary: LatencySummary, _ columns: [(Column, KeyPath<LatencySummary, Int>)]) {
        for (column, percentile) in columns { set(column, summary[keyPath: percentile]) }
    }
}
