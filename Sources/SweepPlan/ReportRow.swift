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
        if case .migrate(let every) = c.host { r.set(.invalidateEveryMicroseconds, every) } else {
            r.set(.invalidateEveryMicroseconds, 0)
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
        let send = result.sendLatency.summary
        r.set(.sendP50, send.p50)
        r.set(.sendP99, send.p99)
        r.set(.sendP999, send.p999)
        r.set(.sendMax, send.max)
        let e2e = result.endToEndLatency.summary
        r.set(.e2eP50, e2e.p50)
        r.set(.e2eP90, e2e.p90)
        r.set(.e2eP99, e2e.p99)
        r.set(.e2eP999, e2e.p999)
        r.set(.e2eMax, e2e.max)
        r.set(.timerOverhead, result.timerOverheadNanoseconds)
        r.set(.vcpuMode, c.vcpuMode.rawValue)
        r.set(.portsPerSender, c.portsPerSender)
        r.set(.maskedFraction, ratio: c.maskedFraction)
        if let rate = c.load.ratePerSender { r.set(.ratePerSender, rate: rate) }
        if c.scenario == .relocate {
            r.set(.strategy, c.relocation.rawValue)
            r.set(.relocations, result.relocations)
            let stall = result.senderStall.summary
            r.set(.senderStallP50, stall.p50)
            r.set(.senderStallMax, stall.max)
            let move = result.relocationLatency.summary
            r.set(.relocationP50, move.p50)
            r.set(.relocationMax, move.max)
            r.set(.vanishedSelectorBits, result.vanishedSelectorBits)
        }
        r.set(.oversubscribed, planned.oversubscribed)
        r.set(.hostSharesCPU, planned.hostSharesCPU)
        return r
    }
}
