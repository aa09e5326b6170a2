import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization

/// Runs one configuration and returns what it measured. `shouldStop` is
/// polled by the coordinating thread (for Ctrl-C): when it turns true the
/// run ends early and the result says `interrupted`.
public func runConfiguration(_ configuration: RunConfiguration,
                             shouldStop: @escaping @Sendable () -> Bool = { false }) throws(RunError) -> RunResult {
    try configuration.validate()
    let outcome = configuration.design.visit(RunVisitor(configuration: configuration, shouldStop: shouldStop))
    return try outcome.get()
}

private struct RunVisitor: LockDesignVisitor {
    let configuration: RunConfiguration
    let shouldStop: @Sendable () -> Bool

    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> Result<RunResult, RunError> {
        Result { () throws(RunError) -> RunResult in
            try EventDeliveryRun<Lock>(configuration: configuration).run(shouldStop: shouldStop)
        }
    }
}

/// The measurement engine, specialised per design: senders, vCPU threads
/// (guest), and a host thread, with a start barrier, a warm-up, a measured
/// window, a final drain and the lost-event ledger.
struct EventDeliveryRun<Lock: ReadMostlyLock & ~Copyable> {
    let configuration: RunConfiguration
    let plans: [SenderPlan]

    init(configuration: RunConfiguration) {
        self.configuration = configuration
        plans = configuration.plans
    }

    /// Ports the guest masks: the first round(fraction * n) of each sender
    /// (once each, when senders share ports).
    var maskedTargets: [SendTarget] {
        let all = plans.flatMap { plan in plan.targets.prefix(Int((configuration.maskedFraction * Double(plan.targets.count)).rounded())) }
        var seen = Set<Int32>()
        return all.filter { seen.insert($0.port).inserted }
    }

    func run(shouldStop: @escaping @Sendable () -> Bool) throws(RunError) -> RunResult {
        let c = configuration
        var result = RunResult(configuration: c)
        result.timerOverheadNanoseconds = measureTimerOverhead()
        let memory: GuestMemory
        do {
            memory = try GuestMemory(guestFrames: 2, quarantineFrames: 64, writerCapacity: c.senders + c.vcpus + 1,
                                     guestCPUs: c.vcpus, placement: c.memory)
        } catch { throw .system(error) }
        let domain = EventChannelDomain<Lock>(memory: memory, abi: c.abi, vcpuCount: c.vcpus)
        domain.activateSharedInfo()
        for vcpu in 0..<c.vcpus {
            if c.vcpuInfoInSharedInfo {
                domain.activateDefaultVCPUInfo(vcpu: vcpu)
            } else {
                domain.activateVCPUInfo(vcpu: vcpu, guestFrame: 1, offset: 64 * vcpu)
            }
        }
        for target in plans.flatMap(\.targets) { domain.bindPort(Int(target.port), toVCPU: Int(target.vcpu)) }
        let masked = maskedTargets
        for target in masked { domain.guestMask(port: Int(target.port)) }
        result.pageNode = NUMA.nodeOfPage(at: memory.hostFrameAddress(memory.hostFrame(ofGuestFrame: domain.sharedInfoFrame)))

        let control = RunControl()
        let stamps = EndToEndStamps(portCount: c.abi.portCount)
        let deferrals = TimerDeferrals(portCount: c.abi.portCount, vcpus: c.vcpus)
        var threads: [HostThread] = []
        var vcpuThreads: [HostThread] = []
        do {
            for sender in 0..<c.senders {
                threads.append(try spawnSender(sender, domain: domain, control: control, stamps: stamps, deferrals: deferrals))
            }
            threads.append(try spawnHost(domain: domain, control: control))
            for vcpu in 0..<c.vcpus {
                vcpuThreads.append(try spawnVCPU(vcpu, domain: domain, control: control, stamps: stamps, deferrals: deferrals))
            }
        } catch {
            control.phase.store(Phase.stop.rawValue, ordering: .releasing)
            control.vcpusStop.store(true, ordering: .releasing)
            control.go.store(true, ordering: .releasing)
            (threads + vcpuThreads).forEach { $0.join() }
            throw .system(error)
        }
        while control.ready.load(ordering: .acquiring) < c.threadCount { yieldThread() }
        // Release: pairs with checkIn's acquire; everything set up above is
        // visible to every thread before it starts.
        control.go.store(true, ordering: .releasing)
        let start = monotonicNanoseconds()
        let stoppedEarly = { shouldStop() || !control.failures.withLock(\.isEmpty) }

        var interrupted = wait(until: start + nanoseconds(c.warmupSeconds), control: control, stop: stoppedEarly)
        let measureStart = monotonicNanoseconds()
        control.phase.store(Phase.measure.rawValue, ordering: .releasing)
        if !interrupted {
            interrupted = wait(until: measureStart + nanoseconds(c.durationSeconds), control: control, stop: stoppedEarly)
        }
        control.phase.store(Phase.stop.rawValue, ordering: .releasing)
        let measureEnd = monotonicNanoseconds()
        threads.forEach { $0.join() }
        control.vcpusStop.store(true, ordering: .releasing)
        for vcpu in 0..<c.vcpus { domain.kick(vcpu: vcpu) }
        vcpuThreads.forEach { $0.join() }
        let failures = control.failures.withLock { $0 }
        guard failures.isEmpty else { throw .threadFailed(failures.joined(separator: "; ")) }

        // Final drain, unmask, drain again: every event set must now be handled.
        if !domain.sharedInfoIsValid { domain.activateSharedInfo() }
        var context = domain.makeContext()!
        var drained = drain(domain, context: &context)
        for target in masked { domain.guestUnmask(port: Int(target.port)) }
        drained.merge(drain(domain, context: &context))
        memory.auditQuarantine()

        let senders = control.senders.withLock { $0 }.sorted { $0.index < $1.index }
        let vcpus = control.vcpus.withLock { $0 }.sorted { $0.index < $1.index }
        for sender in senders {
            result.total = result.total + sender.total
            result.measured = result.measured + sender.measured
            result.sendLatency.merge(sender.latency)
            result.senderStall.merge(sender.stall)
        }
        result.perSenderSends = senders.map(\.measured.sends)
        result.senderCPUsSeen = senders.map(\.cpu)
        var handlerOutcome = drained
        for vcpu in vcpus {
            result.total = result.total + vcpu.deferred
            result.measured = result.measured + vcpu.deferredMeasured
            handlerOutcome.merge(vcpu.outcome)
            result.shadowMerges += vcpu.merges
            result.endToEndLatency.merge(vcpu.latency)
            result.relocations += vcpu.relocations
            result.relocationLatency.merge(vcpu.relocationLatency)
            result.vanishedSelectorBits += vcpu.vanishedSelectorBits
            result.vanishedUpcalls += vcpu.vanishedUpcalls
        }
        result.vcpuCPUsSeen = vcpus.map(\.cpu)
        result.hostCPUSeen = control.hostCPU.withLock { $0 }
        result.handled = handlerOutcome.handled
        result.spuriousUpcalls = handlerOutcome.spurious
        result.stranded = domain.guestPendingCount()
        result.migrations = memory.migrations
        result.deferredMigrations = memory.deferredMigrations
        result.hostRounds = control.hostRounds.load(ordering: .relaxed)
        result.staleBits = memory.staleBits
        let pending = c.abi.sharedInfo.pendingOffset..<(c.abi.sharedInfo.pendingOffset + c.abi.portCount / 8)
        result.ledger = EventLedger(
            newlySet: result.total.newlySet, handled: result.handled,
            stalePendingBits: memory.staleBits(guestFrame: domain.sharedInfoFrame, bytes: pending),
            replays: result.total.replays, carriedSends: result.total.carriedSends,
            designReplays: Lock.replaysStaleWrites)
        result.measuredSeconds = Double(measureEnd - measureStart) / 1e9
        result.interrupted = interrupted
        return result
    }

    /// Waits until `deadline`, every sender finished, or `stop()`; true if stopped.
    private func wait(until deadline: UInt64, control: RunControl, stop: () -> Bool) -> Bool {
        while monotonicNanoseconds() < deadline {
            if stop() { return true }
            if control.finishedSenders.load(ordering: .relaxed) == configuration.senders { return false }
            sleepMicroseconds(Int(min(2_000, (deadline &- monotonicNanoseconds()) / 1000 + 1)))
        }
        return false
    }

    /// Shadow merge and handler on every vCPU until nothing is left.
    private func drain(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) -> UpcallOutcome {
        var total = UpcallOutcome()
        var progress = true
        while progress {
            progress = false
            for vcpu in 0..<configuration.vcpus {
                if domain.injectPendingEvents(vcpu: vcpu, context: &context) { progress = true }
                let outcome = domain.runUpcallHandler(vcpu: vcpu)
                total.merge(outcome)
                if outcome.passes > 0 { progress = true }
            }
        }
        return total
    }
}

func nanoseconds(_ seconds: Double) -> UInt64 { UInt64((seconds * 1e9).rounded()) }
