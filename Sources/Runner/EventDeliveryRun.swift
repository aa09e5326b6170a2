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
            configuration.readSectionDelays
                ? try EventDeliveryRun<TortureLock<Lock>>(configuration: configuration).run(shouldStop: shouldStop)
                : try EventDeliveryRun<Lock>(configuration: configuration).run(shouldStop: shouldStop)
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
        let all = plans.flatMap { plan in plan.targets.prefix(Int((configuration.maskedFractionInEffect * Double(plan.targets.count)).rounded())) }
        var seen = Set<Int32>()
        return all.filter { seen.insert($0.port).inserted }
    }

    /// The run's phases in order: set up, spawn, measure, stop, audit the
    /// signals, drain, collect.
    func run(shouldStop: @escaping @Sendable () -> Bool) throws(RunError) -> RunResult {
        var result = RunResult(configuration: configuration)
        result.timerOverheadNanoseconds = measureTimerOverhead()
        let domain = try setUp()
        let memory = domain.memory
        result.pageNode = NUMA.nodeOfPage(at: memory.hostFrameAddress(memory.hostFrame(ofGuestFrame: domain.sharedInfoFrame)))
        let control = RunControl(senders: configuration.senders, vcpus: configuration.vcpus)
        let threads = try spawn(domain: domain, control: control)
        let window = measure(control: control, domain: domain, shouldStop: shouldStop)
        try stop(threads, domain: domain, control: control)
        // The strict check comes first: the drain's unmask would re-raise
        // unsignalled events and hide them (docs/model.md §9).
        let audit = domain.auditSignals()
        let drained = drainAll(domain)
        collect(into: &result, domain: domain, control: control, drained: drained, audit: audit)
        result.measuredSeconds = Double(window.end - window.start) / 1e9
        result.interrupted = window.interrupted
        return result
    }

    /// Guest memory, the domain with shared_info and every vcpu_info
    /// active, the ports bound and the masked ones masked.
    private func setUp() throws(RunError) -> EventChannelDomain<Lock> {
        let c = configuration
        let memory: GuestMemory
        do {
            // Frame 2: where the shinfo-move scenario moves shared_info to.
            memory = try GuestMemory(guestFrames: c.scenario == .shinfoMove ? 3 : 2, quarantineFrames: 64, writerCapacity: c.senders + c.vcpus + 1,
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
        for target in maskedTargets { domain.guestMask(port: Int(target.port)) }
        return domain
    }

    /// The run's threads: senders and the host thread, then the vCPUs
    /// (stopped later, once the senders are joined).
    private struct Threads {
        var sendersAndHost: [HostThread] = []
        var vcpus: [HostThread] = []
    }

    /// Starts every thread; on a failure, releases those already started
    /// (straight to `stop`) and joins them.
    private func spawn(domain: EventChannelDomain<Lock>, control: RunControl) throws(RunError) -> Threads {
        let c = configuration
        let stamps = EndToEndStamps(portCount: c.abi.portCount)
        let deferrals = TimerDeferrals(portCount: c.abi.portCount, vcpus: c.vcpus)
        var threads = Threads()
        do {
            for sender in 0..<c.senders {
                threads.sendersAndHost.append(try spawnSender(sender, domain: domain, control: control, stamps: stamps,
                                                              deferrals: deferrals))
            }
            threads.sendersAndHost.append(try spawnHost(domain: domain, control: control))
            for vcpu in 0..<c.vcpus {
                threads.vcpus.append(try spawnVCPU(vcpu, domain: domain, control: control, stamps: stamps, deferrals: deferrals))
            }
        } catch {
            // Release: pairs with the acquires in currentPhase, VCPUWork.run
            // and checkIn; the started threads leave at once.
            control.phase.store(Phase.stop.rawValue, ordering: .releasing)
            control.vcpusStop.store(true, ordering: .releasing)
            control.go.store(true, ordering: .releasing)
            (threads.sendersAndHost + threads.vcpus).forEach { $0.join() }
            throw .system(error)
        }
        return threads
    }

    /// Releases the threads once all checked in, then the probe of the
    /// hand-off, the warm-up, the measured window and the probe again;
    /// returns the window and whether it was cut short.
    private func measure(control: RunControl, domain: EventChannelDomain<Lock>, shouldStop: @escaping @Sendable () -> Bool)
        -> (start: UInt64, end: UInt64, interrupted: Bool) {
        let c = configuration
        let stoppedEarly = { shouldStop() || !control.failures.withLock(\.isEmpty) }
        // Acquire: pairs with the release increment in checkIn.
        while control.ready.load(ordering: .acquiring) < c.threadCount { yieldThread() }
        control.probeBefore.start(budget: probeBudget)
        // Release: pairs with checkIn's acquire; everything set up above is
        // visible to every thread before it starts.
        control.go.store(true, ordering: .releasing)
        waitFor(control.probeBefore, stop: stoppedEarly)
        let start = monotonicNanoseconds()

        var interrupted = wait(until: start + nanoseconds(c.warmupSeconds), control: control, stop: stoppedEarly)
        let measureStart = monotonicNanoseconds()
        // Release: pairs with the acquire in currentPhase (senders and vCPUs
        // start counting what they measure).
        control.phase.store(Phase.measure.rawValue, ordering: .releasing)
        if !interrupted {
            interrupted = wait(until: measureStart + nanoseconds(c.durationSeconds), control: control, stop: stoppedEarly)
        }
        let end = monotonicNanoseconds()
        if interrupted { control.probeAfter.abandon() } else { control.probeAfter.start(budget: probeBudget) }
        // Release: pairs with the acquire in currentPhase.
        control.phase.store(Phase.stop.rawValue, ordering: .releasing)
        // A halted or polling vCPU wakes to take its part in the probe.
        for vcpu in 0..<c.vcpus { domain.kick(vcpu: vcpu) }
        waitFor(control.probeAfter, stop: stoppedEarly)
        return (measureStart, end, interrupted)
    }

    /// A probe's deadline: far beyond its millisecond a pair on a sound
    /// machine; reached only where a partner cannot run (oversubscribed,
    /// emulated), which then costs the run this much and leaves no figure.
    private var probeBudget: UInt64 { 20_000_000 + 10_000_000 * UInt64(CacheLineProbe.maximumPairs) }

    /// Sleeps until `probe` is finished; a stop request abandons it.
    private func waitFor(_ probe: CacheLineProbe, stop: () -> Bool) {
        while !probe.finished {
            if stop() { probe.abandon() }
            sleepMicroseconds(50)
        }
    }

    /// Joins the senders and the host thread, then stops, kicks and joins
    /// the vCPUs; a thread's failure fails the run.
    private func stop(_ threads: Threads, domain: EventChannelDomain<Lock>, control: RunControl) throws(RunError) {
        threads.sendersAndHost.forEach { $0.join() }
        stopVCPUs(domain: domain, control: control)
        threads.vcpus.forEach { $0.join() }
        let failures = control.failures.withLock { $0 }
        guard failures.isEmpty else { throw .threadFailed(failures.joined(separator: "; ")) }
    }

    private func stopVCPUs(domain: EventChannelDomain<Lock>, control: RunControl) {
        // Release: pairs with the acquire loads in VCPUWork.run; every send
        // (the senders are joined) happens before a vCPU sees the stop.
        control.vcpusStop.store(true, ordering: .releasing)
        for vcpu in 0..<configuration.vcpus { domain.kick(vcpu: vcpu) }
    }

    /// Waits until `deadline`, every sender finished, or `stop()`; true if stopped.
    private func wait(until deadline: UInt64, control: RunControl, stop: () -> Bool) -> Bool {
        while monotonicNanoseconds() < deadline {
            if stop() { return true }
            // Relaxed: only ends the wait early (RunControl.finishedSenders).
            if control.finishedSenders.load(ordering: .relaxed) == configuration.senders { return false }
            sleepMicroseconds(Int(min(2_000, (deadline &- monotonicNanoseconds()) / 1000 + 1)))
        }
        return false
    }
}

func nanoseconds(_ seconds: Double) -> UInt64 { UInt64((seconds * 1e9).rounded()) }
