import Delivery
import GuestMemory
import PageCache
import Platform

/// Starting a run's threads; the host thread's loop is small enough to
/// live here.
extension EventDeliveryRun where Lock: ~Copyable {
    func spawnSender(_ sender: Int, domain: EventChannelDomain<Lock>, control: RunControl,
                     stamps: EndToEndStamps, deferrals: TimerDeferrals) throws(SystemError) -> HostThread {
        let work = SenderWork(sender: sender, plan: plans[sender], cpu: configuration.pinning?.senders[sender],
                              limit: configuration.sendLimitPerSender ?? .max, sampleEvery: configuration.sampleEvery,
                              meantToRun: plans[sender].load == .closed && !plans[sender].isTimer
                                  && configuration.scenario != .mixed)
        return try work.spawn(domain: domain, control: control, stamps: stamps, deferrals: deferrals)
    }

    func spawnVCPU(_ vcpu: Int, domain: EventChannelDomain<Lock>, control: RunControl,
                   stamps: EndToEndStamps, deferrals: TimerDeferrals) throws(SystemError) -> HostThread {
        if configuration.scenario == .poll {
            let work = PollerWork(vcpu: vcpu, cpu: configuration.pinning?.vcpus[vcpu], plans: plans)
            return try work.spawn(domain: domain, control: control, stamps: stamps, deferrals: deferrals)
        }
        let timerPorts = plans.filter(\.isTimer).flatMap(\.targets).filter { Int($0.vcpu) == vcpu }.map { Int($0.port) }
        let relocation = configuration.scenario == .relocate
            ? VCPUWork.Relocation(strategy: configuration.relocation,
                                  periodNanoseconds: UInt64(configuration.relocateEveryMicroseconds) * 1000,
                                  senders: configuration.senders,
                                  defaultOffset: configuration.abi.sharedInfo.defaultVCPUInfoOffset(vcpu: vcpu) ?? 0)
            : nil
        let work = VCPUWork(vcpu: vcpu, cpu: configuration.pinning?.vcpus[vcpu], mode: configuration.vcpuMode,
                            timerPorts: timerPorts, relocation: relocation)
        return try work.spawn(domain: domain, control: control, stamps: stamps, deferrals: deferrals)
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
                if Self.hostRound(action, domain: domain, control: control, round: rounds, next: &next) { rounds += 1 }
            }
            // Relaxed: read after this thread is joined (RunControl.hostRounds).
            control.hostRounds.store(rounds, ordering: .relaxed)
            control.hostCPU.withLock { $0 = Affinity.currentCPU() }
        }
    }

    /// One round of the host's action, after waiting for its time; false
    /// when there was nothing to do (idle) or the run stopped the wait.
    private static func hostRound(_ action: HostAction, domain: EventChannelDomain<Lock>, control: RunControl,
                                  round: Int, next: inout UInt64) -> Bool {
        // Ends early at the run's end (the period may be long).
        func waited(_ every: Int, _ next: inout UInt64) -> Bool {
            next &+= UInt64(every) * 1000
            return sleepUntil(nanoseconds: next, unless: { control.currentPhase == .stop })
        }
        switch action {
        case .idle:
            sleepMicroseconds(1_000)
            return false
        case .migrate(let every):
            // Back to back (every == 0, validation): no yield between
            // migrations, so that the host really migrates as often as it
            // can (yielding to the busy senders and vCPUs of an
            // oversubscribed machine cost it most of its turns).
            guard every == 0 || waited(every, &next) else { return false }
            if round % 16 == 15 { domain.memory.bumpMemslotGeneration() }
            domain.memory.migrate(guestFrame: domain.sharedInfoFrame)
        case .moveSharedInfo(let every):
            if every == 0 { yieldThread() } else if !waited(every, &next) { return false }
            domain.moveSharedInfo(toFrame: domain.sharedInfoFrame == 0 ? 2 : 0)
        case .toggleActivation:
            domain.deactivateSharedInfo()
            yieldThread()
            domain.activateSharedInfo()
            yieldThread()
        }
        return true
    }
}

/// A sender's or a vCPU's loop: each runs on its own thread, pinned to its
/// CPU (if any) with its own delivery context, and works with the same four
/// things: the domain, the run's control, the end-to-end stamps and the timer
/// deferrals.
protocol GuestThreadWork: Sendable {
    /// The CPU to pin the thread to; nil: left to the scheduler.
    var cpu: Int? { get }
    /// The thread as a pinning failure names it ("sender 2").
    var role: String { get }

    /// The loop, on the thread `spawn` started, pinned and with `context`
    /// registered; it checks in with `control` before its first send or
    /// merge, and takes its reader slot offline before it hands back.
    func run<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl, stamps: EndToEndStamps,
                                               deferrals: TimerDeferrals, context: inout DeliveryContext)
}

extension GuestThreadWork {
    /// Starts the thread: pins it, takes a delivery context, runs the loop.
    func spawn<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl, stamps: EndToEndStamps,
                                                 deferrals: TimerDeferrals) throws(SystemError) -> HostThread {
        try HostThread.spawn {
            control.pin(cpu, role: role)
            var context = domain.makeContext()!
            run(domain: domain, control: control, stamps: stamps, deferrals: deferrals, context: &context)
        }
    }
}

/// The four things every guest thread's loop works with.
struct GuestThreadShared<Lock: ReadMostlyLock & ~Copyable> {
    let domain: EventChannelDomain<Lock>
    let control: RunControl
    let stamps: EndToEndStamps
    let deferrals: TimerDeferrals
}
