import GuestMemory
import Platform
import Reports
import Runner

/// Turns one run into one report row (schema: results/README.md).
public struct ReportRow {
    let plan: SweepPlan
    let machine: MachineInfo
    let run: ScheduledRun
    let result: RunResult
    let speedup: Double?

    public init(plan: SweepPlan, machine: MachineInfo, run: ScheduledRun, result: RunResult, speedup: Double?) {
        self.plan = plan
        self.machine = machine
        self.run = run
        self.result = result
        self.speedup = speedup
    }

    public var record: RunRecord {
        var r = RunRecord()
        let planned = plan.configurations[run.configuration]
        let c = planned.configuration
        let m = machine
        let placement = planned.placement
        let topology = plan.topology
        r.set(.utcTime, utcTimestamp(secondsSinceEpoch: secondsSinceEpoch()))
        r.set(.host, m.host)
        r.set(.cpuModel, m.cpuModel)
        r.set(.kernel, m.kernel)
        r.set(.swiftVersion, m.swiftVersion)
        r.set(.gitSHA, m.build.commit)
        r.set(.gitDirty, m.build.treeState == "unknown" ? "unknown" : m.build.treeState == "dirty" ? "true" : "false")
        r.set(.buildConfiguration, m.build.configuration)
        r.set(.numaNodes, topology.nodeCount)
        r.set(.cpus, topology.allowedCPUs.count)
        r.set(.design, c.design.rawValue)
        r.set(.scenario, c.scenario.rawValue)
        r.set(.guestABI, c.abi.rawValue)
        r.set(.senders, c.senders)
        r.set(.vcpus, c.vcpus)
        r.set(.placement, planned.placementLabel)
        r.set(.memNode, placement.memoryNode.map(String.init) ?? placement.memory.description)
        r.set(.pageNode, result.pageNode.map(String.init) ?? "unknown")
        r.set(.senderCPUs, cpuList(result.senderCPUsSeen))
        r.set(.vcpuCPUs, cpuList(result.vcpuCPUsSeen))
        r.set(.senderNodes, nodeList(result.senderCPUsSeen, topology))
        r.set(.vcpuNodes, nodeList(result.vcpuCPUsSeen, topology))
        r.set(.hostCPUs, cpuList([result.hostCPUSeen]))
        r.set(.hostNodes, nodeList([result.hostCPUSeen], topology))
        switch c.host {
        case .migrate(let every), .moveSharedInfo(let every): r.set(.invalidateEveryMicroseconds, every)
        case .idle, .toggleActivation: r.set(.invalidateEveryMicroseconds, 0)
        }
        r.set(.loadMode, c.load.description)
        r.set(.durationSeconds, seconds: result.measuredSeconds)
        r.set(.warmupSeconds, seconds: c.warmupSeconds)
        r.set(.rep, run.rep)
        r.set(.runOrder, run.index + 1)
        r.set(.orderSeed, plan.orderSeed.map(String.init) ?? "")
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
        r.set(.sendsPerSecond, rate: result.sendsPerSecond)
        r.set(.deliveredPerSecond, rate: result.deliveredPerSecond)
        r.set(.fairnessMinOverMax, ratio: result.fairnessMinOverMax)
        r.set(.gini, ratio: result.gini)
        if let speedup { r.set(.speedupVsOneSender, ratio: speedup) }
        r.set(result.sendLatency.summary, [(.sendP50, \.p50), (.sendP99, \.p99), (.sendP999, \.p999), (.sendMax, \.max)])
        r.set(result.endToEndLatency.summary,
              [(.e2eP50, \.p50), (.e2eP90, \.p90), (.e2eP99, \.p99), (.e2eP999, \.p999), (.e2eMax, \.max)])
        r.set(.timerOverhead, result.timerOverheadNanoseconds)
        r.set(.vcpuMode, c.vcpuMode.rawValue)
        r.set(.portsPerSender, c.portsPerSender)
        r.set(.maskedFraction, ratio: c.maskedFractionInEffect)
        if let rate = c.load.ratePerSender { r.set(.ratePerSender, rate: rate) }
        if c.scenario == .relocate {
            r.set(.strategy, c.relocation.rawValue)
            r.set(.relocations, result.relocations)
            r.set(result.senderStall.summary, [(.senderStallP50, \.p50), (.senderStallMax, \.max)])
            r.set(result.relocationLatency.summary, [(.relocationP50, \.p50), (.relocationMax, \.max)])
            r.set(.vanishedSelectorBits, result.vanishedSelectorBits)
        }
        if c.scenario == .poll { r.set(.pollWakeups, result.pollWakeups) }
        if c.scenario == .shinfoMove { r.set(.sharedInfoMoves, result.sharedInfoMoves.moves) }
        r.set(.oversubscribed, planned.oversubscribed)
        r.set(.hostSharesCPU, planned.hostSharesCPU)
        return r
    }
}

extension RunRecord {
    /// Sets each column to its percentile of `summary` (nanoseconds).
    mutating func set(_ summary: LatencySummary, _ columns: [(Column, KeyPath<LatencySummary, Int>)]) {
        for (column, percentile) in columns { set(column, summary[keyPath: percentile]) }
    }
}
