import Delivery
import GuestMemory
import PageCache
import Platform
import Synchronization

/// Phases of a run, as the coordinating thread announces them.
enum Phase: Int {
    case warmup = 0, measure = 1, stop = 2
}

/// State shared by a run's threads.
final class RunControl: Sendable {
    let phase = Atomic<Int>(Phase.warmup.rawValue)
    let go = Atomic<Bool>(false)
    let ready = Atomic<Int>(0)
    let vcpusStop = Atomic<Bool>(false)
    let finishedSenders = Atomic<Int>(0)
    let failures = Mutex<[String]>([])
    let gate = SenderGate()
    let senders = Mutex<[SenderOutcome]>([])
    let vcpus = Mutex<[VCPUOutcome]>([])
    let hostRounds = Atomic<Int>(0)
    /// The CPU the host thread was on when it stopped (nil: unknown).
    let hostCPU = Mutex<Int?>(nil)

    var currentPhase: Phase { Phase(rawValue: phase.load(ordering: .acquiring))! }

    /// Start barrier: each thread checks in, then waits for `go`.
    func checkIn() {
        ready.wrappingAdd(1, ordering: .releasing)
        while !go.load(ordering: .acquiring) { yieldThread() }
    }

    func fail(_ why: String) { failures.withLock { $0.append(why) } }

    /// Pins the calling thread if asked; a failure ends the run with its reason.
    func pin(_ cpu: Int?, role: String) {
        guard let cpu else { return }
        do { try Affinity.pinSelf(to: cpu) } catch { fail("\(role): \(error)") }
    }

    func record(sender: SenderOutcome) { senders.withLock { $0.append(sender) } }
    func record(vcpu: VCPUOutcome) { vcpus.withLock { $0.append(vcpu) } }
}

struct SenderOutcome: Sendable {
    var total = DeliveryCounters()
    var measured = DeliveryCounters()
    var latency = LatencyHistogram()
    var stall = LatencyHistogram()
    var cpu: Int?
    var index = 0
}

struct VCPUOutcome: Sendable {
    var deferred = DeliveryCounters()
    var deferredMeasured = DeliveryCounters()
    var outcome = UpcallOutcome()
    var merges = 0
    var latency = LatencyHistogram()
    var relocations = 0
    var relocationLatency = LatencyHistogram()
    var vanishedSelectorBits = 0
    var vanishedUpcalls = 0
    var cpu: Int?
    var index = 0
}

/// Timer events whose fast path would block, waiting for their vCPU to
/// deliver them through the slow path (KVM's `timer_pending`). A second
/// deferral of the same port before delivery coalesces with the first.
final class TimerDeferrals: Sendable {
    private let deferred: PaddedBuffer<Atomic<Bool>>
    private let pendingPerVCPU: PaddedBuffer<Atomic<Int>>

    init(portCount: Int, vcpus: Int) {
        deferred = PaddedBuffer(count: portCount) { _ in Atomic<Bool>(false) }
        pendingPerVCPU = PaddedBuffer(count: vcpus) { _ in Atomic<Int>(0) }
    }

    /// Hands `port` to `vcpu`; false if it was already waiting (coalesced).
    func hand(port: Int, to vcpu: Int) -> Bool {
        // Acquire-release: the flag and the count hand the event over to the
        // vCPU thread, which takes both in the opposite order in `take`.
        guard !deferred.pointer(at: port).pointee.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        pendingPerVCPU.pointer(at: vcpu).pointee.wrappingAdd(1, ordering: .releasing)
        return true
    }

    func hasPending(vcpu: Int) -> Bool {
        // Acquire: pairs with the release in `hand`.
        pendingPerVCPU.pointer(at: vcpu).pointee.load(ordering: .acquiring) > 0
    }

    /// Calls `body` for each deferred port among `ports`, clearing it.
    func take(vcpu: Int, among ports: [Int], _ body: (Int) -> Void) {
        for port in ports where deferred.pointer(at: port).pointee.exchange(false, ordering: .acquiringAndReleasing) {
            pendingPerVCPU.pointer(at: vcpu).pointee.wrappingSubtract(1, ordering: .relaxed)
            body(port)
        }
    }
}

extension EventDeliveryRun where Lock: ~Copyable {
    func spawnSender(_ sender: Int, domain: EventChannelDomain<Lock>, control: RunControl,
                     stamps: EndToEndStamps, deferrals: TimerDeferrals) throws(SystemError) -> HostThread {
        let work = SenderWork(sender: sender, plan: plans[sender], cpu: configuration.pinning?.senders[sender],
                              limit: configuration.sendLimitPerSender ?? .max, sampleEvery: configuration.sampleEvery)
        return try HostThread.spawn { work.run(domain: domain, control: control, stamps: stamps, deferrals: deferrals) }
    }

    func spawnVCPU(_ vcpu: Int, domain: EventChannelDomain<Lock>, control: RunControl,
                   stamps: EndToEndStamps, deferrals: TimerDeferrals) throws(SystemError) -> HostThread {
        let timerPorts = plans.filter(\.isTimer).flatMap(\.targets).filter { Int($0.vcpu) == vcpu }.map { Int($0.port) }
        let relocation = configuration.scenario == .relocate
            ? VCPUWork.Relocation(strategy: configuration.relocation,
                                  periodNanoseconds: UInt64(configuration.relocateEveryMicroseconds) * 1000,
                                  senders: configuration.senders,
                                  defaultOffset: configuration.abi.sharedInfo.defaultVCPUInfoOffset(vcpu: vcpu) ?? 0)
            : nil
        let work = VCPUWork(vcpu: vcpu, cpu: configuration.pinning?.vcpus[vcpu], mode: configuration.vcpuMode,
                            timerPorts: timerPorts, relocation: relocation)
        return try HostThread.spawn { work.run(domain: domain, control: control, stamps: stamps, deferrals: deferrals) }
    }

    func spawnHost(domain: EventChannelDomain<Lock>, control: RunControl) throws(SystemError) -> HostThread {
        let action = configuration.host
        let cpu = configuration.pinning?.host.first
        return try HostThread.spawn {
            control.pin(cpu, role: "host")
            control.checkIn()
            var rounds = 0
            var next = monotonicNanoseconds()
            while control.currentPhase != .stop {
                switch action {
                case .idle:
                    sleepMicroseconds(1_000)
                    continue
                case .migrate(let every):
                    if every > 0 {
                        next &+= UInt64(every) * 1000
                        // Ends early at the run's end (the period may be long).
                        guard sleepUntil(nanoseconds: next, unless: { control.currentPhase == .stop }) else { continue }
                    } else {
                        yieldThread()
                    }
                    if rounds % 16 == 15 { domain.memory.bumpMemslotGeneration() }
                    domain.memory.migrate(guestFrame: domain.sharedInfoFrame)
                case .toggleActivation:
                    domain.deactivateSharedInfo()
                    yieldThread()
                    domain.activateSharedInfo()
                    yieldThread()
                }
                rounds += 1
            }
            control.hostRounds.store(rounds, ordering: .relaxed)
            control.hostCPU.withLock { $0 = Affinity.currentCPU() }
        }
    }
}

/// One sender thread's loop.
struct SenderWork: Sendable {
    let sender: Int
    let plan: SenderPlan
    let cpu: Int?
    let limit: Int
    let sampleEvery: Int

    func run<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl,
                                               stamps: EndToEndStamps, deferrals: TimerDeferrals) {
        control.pin(cpu, role: "sender \(sender)")
        var context = domain.makeContext()!
        var counters = DeliveryCounters()
        var atMeasureStart: DeliveryCounters?
        var latency = LatencyHistogram()
        var stall = LatencyHistogram()
        var random = XorShift(seed: UInt64(sender) &+ 1)
        let gate = control.gate
        var scheduledIndex: UInt64 = 0
        control.checkIn()
        let start = monotonicNanoseconds()

        func tally() -> DeliveryCounters {
            var snapshot = counters
            snapshot.absorb(context)
            return snapshot
        }
        /// One timed send, timed from `time` (now, or the scheduled time);
        /// with `stalled`, the time also counts as a stall (a relocation ran).
        func timedSend(_ target: SendTarget, from time: UInt64, measuring: Bool, stalled: Bool = false) {
            let port = Int(target.port)
            let vcpu = Int(target.vcpu)
            let stamped = stamps.stamp(port: port, time: time)
            var result: DeliveryResult
            if plan.isTimer {
                result = domain.deliverFast(port: port, vcpu: vcpu, context: &context)
                if result == .wouldBlock {
                    context.wouldBlock += 1
                    if deferrals.hand(port: port, to: vcpu) {
                        // As KVM's timer: hand over, then kick the vCPU.
                        domain.kick(vcpu: vcpu)
                    } else {
                        result = .coalesced
                    }
                }
            } else {
                result = domain.deliver(port: port, vcpu: vcpu, context: &context)
            }
            if measuring {
                let elapsed = monotonicNanoseconds() &- time
                latency.record(nanoseconds: elapsed)
                if stalled { stall.record(nanoseconds: elapsed) }
            }
            if stamped, !result.setPendingBit, result != .wouldBlock { stamps.withdraw(port: port, time: time) }
            counters.record(result)
        }

        plan.targets.withUnsafeBufferPointer { targets in
            while counters.sends < limit {
                let phase = control.currentPhase
                if phase == .stop { break }
                let measuring = phase == .measure
                if measuring, atMeasureStart == nil { atMeasureStart = tally() }
                let parked = gate.pass()
                if parked > 0, measuring { stall.record(nanoseconds: parked) }
                switch plan.load {
                case .closed where gate.isRelocating:
                    // A relocation runs: time every send, to see it stall.
                    for _ in 0..<min(sampleEvery, limit - counters.sends) {
                        let target = targets[Int(random.next() % UInt64(targets.count))]
                        timedSend(target, from: monotonicNanoseconds(), measuring: measuring, stalled: true)
                    }
                case .closed:
                    let burst = min(sampleEvery - 1, limit - counters.sends - 1)
                    if burst > 0 {
                        sendBurst(domain: domain, targets: targets, count: burst, random: &random,
                                  context: &context, counters: &counters)
                    }
                    if counters.sends < limit {
                        let target = targets[Int(random.next() % UInt64(targets.count))]
                        timedSend(target, from: monotonicNanoseconds(), measuring: measuring)
                    }
                case .open(let rate):
                    let scheduled = start &+ UInt64(Double(scheduledIndex) * 1e9 / rate)
                    let target = targets[Int(scheduledIndex % UInt64(targets.count))]
                    scheduledIndex &+= 1
                    guard sleepUntil(nanoseconds: scheduled, unless: { control.currentPhase == .stop }) else { continue }
                    timedSend(target, from: scheduled, measuring: measuring, stalled: gate.isRelocating)
                }
            }
        }
        domain.memory.quiescence.goOffline(context.slot)
        let total = tally()
        var outcome = SenderOutcome()
        outcome.index = sender
        outcome.total = total
        outcome.measured = atMeasureStart.map { total - $0 } ?? DeliveryCounters()
        outcome.latency = latency
        outcome.stall = stall
        outcome.cpu = Affinity.currentCPU()
        control.record(sender: outcome)
        control.finishedSenders.wrappingAdd(1, ordering: .relaxed)
    }
}

/// One vCPU thread's loop: the guest's side of delivery.
struct VCPUWork: Sendable {
    let vcpu: Int
    let cpu: Int?
    let mode: VCPUMode
    /// Timer ports bound to this vCPU (for deferred timer events).
    let timerPorts: [Int]
    /// Relocate scenario: how and how often this vCPU moves its vcpu_info.
    let relocation: Relocation?

    struct Relocation: Sendable {
        let strategy: RelocationStrategy
        let periodNanoseconds: UInt64
        let senders: Int
        /// Offset of this vCPU's default slot in shared_info.
        let defaultOffset: Int
    }

    func run<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl,
                                               stamps: EndToEndStamps, deferrals: TimerDeferrals) {
        control.pin(cpu, role: "vCPU \(vcpu)")
        var context = domain.makeContext()!
        var guest = domain.guestVCPU(vcpu)
        var result = VCPUOutcome()
        result.index = vcpu
        var deferredAtMeasureStart: DeliveryCounters?
        var idleRounds = 0
        var random = XorShift(seed: UInt64(vcpu) &+ 1000)
        var nextRelocation: UInt64 = 0
        var explicit = false
        control.checkIn()
        while !control.vcpusStop.load(ordering: .acquiring) {
            let measuring = control.currentPhase == .measure
            if measuring, deferredAtMeasureStart == nil { deferredAtMeasureStart = result.deferred }
            var worked = false
            if let relocation, measuring {
                let now = monotonicNanoseconds()
                // A random moment in [0.5, 1.5) periods from now.
                let jitter = relocation.periodNanoseconds / 2 + random.next() % max(relocation.periodNanoseconds, 1)
                if nextRelocation == 0 {
                    nextRelocation = now + jitter
                } else if now >= nextRelocation {
                    relocate(relocation, domain: domain, control: control, toExplicit: !explicit, into: &result)
                    explicit.toggle()
                    nextRelocation = monotonicNanoseconds() + jitter
                    worked = true
                }
            }
            if deferrals.hasPending(vcpu: vcpu) {
                deferrals.take(vcpu: vcpu, among: timerPorts) { port in
                    result.deferred.record(domain.deliver(port: port, vcpu: vcpu, context: &context), countingSend: false)
                }
                worked = true
            }
            if domain.injectPendingEvents(vcpu: vcpu, context: &context) {
                result.merges += 1
                worked = true
            }
            let pass = guest.runUpcallHandler { port in
                if let sent = stamps.take(port: port), measuring {
                    result.latency.record(nanoseconds: monotonicNanoseconds() &- sent)
                }
            }
            result.outcome.merge(pass)
            if worked || pass.passes > 0 {
                idleRounds = 0
                continue
            }
            switch mode {
            case .poll:
                idleRounds += 1
                if idleRounds < 64 { cpuRelax() } else { yieldThread() }
            case .halt:
                domain.memory.quiescence.goOffline(context.slot)
                domain.waitForKick(vcpu: vcpu) {
                    control.vcpusStop.load(ordering: .acquiring) || guest.upcallPending()
                        || domain.shadowSelector(vcpu: vcpu) != 0 || deferrals.hasPending(vcpu: vcpu)
                }
                domain.memory.quiescence.goOnline(context.slot)
            }
        }
        domain.memory.quiescence.goOffline(context.slot)
        result.deferred.absorb(context)
        result.deferredMeasured = deferredAtMeasureStart.map { result.deferred - $0 } ?? DeliveryCounters()
        result.cpu = Affinity.currentCPU()
        control.record(vcpu: result)
    }

    /// One move of this vCPU's vcpu_info: to its explicit address (guest
    /// frame 1, 64 bytes per vCPU) or back to the default slot ("reboot").
    private func relocate<Lock: ReadMostlyLock & ~Copyable>(
        _ relocation: Relocation, domain: EventChannelDomain<Lock>, control: RunControl, toExplicit: Bool,
        into result: inout VCPUOutcome
    ) {
        let gate = control.gate
        let senders = relocation.senders
        let hooks = RelocationHooks(
            stopSenders: { gate.close { senders - control.finishedSenders.load(ordering: .relaxed) } },
            resumeSenders: { gate.open() })
        gate.relocating.wrappingAdd(1, ordering: .relaxed)
        let start = monotonicNanoseconds()
        let outcome = toExplicit
            ? domain.relocateVCPUInfo(vcpu: vcpu, toFrame: 1, offset: 64 * vcpu, strategy: relocation.strategy, hooks: hooks)
            : domain.relocateVCPUInfo(vcpu: vcpu, toFrame: domain.sharedInfoFrame, offset: relocation.defaultOffset,
                                      strategy: relocation.strategy, hooks: hooks)
        result.relocationLatency.record(nanoseconds: monotonicNanoseconds() - start)
        gate.relocating.wrappingSubtract(1, ordering: .relaxed)
        result.relocations += 1
        result.vanishedSelectorBits += outcome.vanishedSelectorBits
        result.vanishedUpcalls += outcome.vanishedUpcall ? 1 : 0
    }
}
