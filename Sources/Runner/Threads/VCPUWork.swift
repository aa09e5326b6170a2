import Delivery
import PageCache
import Platform

/// One vCPU thread's loop: the guest's side of delivery.
struct VCPUWork: GuestThreadWork {
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

    var role: String { "vCPU \(vcpu)" }

    func run<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl, stamps: EndToEndStamps,
                                               deferrals: TimerDeferrals, context: inout DeliveryContext) {
        var guest = domain.guestVCPU(vcpu)
        let shared = GuestThreadShared(domain: domain, control: control, stamps: stamps, deferrals: deferrals)
        var loop = VCPULoop(work: self, shared: shared, result: VCPUOutcome(index: vcpu),
                            random: XorShift(seed: UInt64(vcpu) &+ 1000))
        control.checkIn()
        control.probeBefore.takePart(vcpu: vcpu)
        // Acquire: pairs with the release in `EventDeliveryRun.stopVCPUs`,
        // stored once every sender is joined.
        while !control.vcpusStop.load(ordering: .acquiring) {
            loop.round(guest: &guest, context: &context)
        }
        // Timer events handed over after this thread's last look: the
        // senders are joined, so none comes after this one, and the
        // lost-event check that follows sees every send completed.
        loop.deliverDeferredTimerEvents(context: &context)
        domain.memory.quiescence.goOffline(context.slot)
        control.record(vcpu: loop.outcome(context: context))
    }
}

/// A vCPU's loop and what it has counted so far. Generic over the design,
/// like the run.
private struct VCPULoop<Lock: ReadMostlyLock & ~Copyable> {
    let work: VCPUWork
    let shared: GuestThreadShared<Lock>
    var result: VCPUOutcome
    var random: XorShift
    var deferredAtMeasureStart: DeliveryCounters?
    var idleRounds = 0
    var nextRelocation: UInt64 = 0
    var explicit = false
    var window = WindowCPUTime()
    /// This vCPU took its part in the probe after the window.
    var probedAfter = false

    /// One round: relocate if due, complete deferred timer events, merge
    /// the shadow, run the guest's handler; idle if none of it had work.
    mutating func round(guest: inout GuestVCPU, context: inout DeliveryContext) {
        let phase = shared.control.currentPhase
        window.observe(phase)
        if phase == .stop, !probedAfter {
            probedAfter = true
            shared.control.probeAfter.takePart(vcpu: work.vcpu)
        }
        let measuring = phase == .measure
        if measuring, deferredAtMeasureStart == nil { deferredAtMeasureStart = result.deferred }
        var worked = measuring && relocateIfDue(slot: context.slot)
        if shared.deferrals.hasPending(vcpu: work.vcpu) {
            deliverDeferredTimerEvents(context: &context)
            worked = true
        }
        if shared.domain.injectPendingEvents(vcpu: work.vcpu, context: &context) {
            result.merges += 1
            worked = true
        }
        let pass = guest.runUpcallHandler { port in
            if let sent = shared.stamps.take(port: port), measuring {
                result.latency.record(nanoseconds: monotonicNanoseconds() &- sent)
            }
        }
        result.outcome.merge(pass)
        if worked || pass.passes > 0 {
            idleRounds = 0
        } else {
            idle(guest: &guest, slot: context.slot)
        }
    }

    /// Relocate scenario: moves vcpu_info when its moment has come, and
    /// draws the next moment; true if it moved.
    mutating func relocateIfDue(slot: Int) -> Bool {
        guard let relocation = work.relocation else { return false }
        let now = monotonicNanoseconds()
        // A random moment in [0.5, 1.5) periods from now.
        let jitter = relocation.periodNanoseconds / 2 + random.next() % max(relocation.periodNanoseconds, 1)
        if nextRelocation == 0 {
            nextRelocation = now + jitter
            return false
        }
        guard now >= nextRelocation else { return false }
        relocate(relocation, toExplicit: !explicit, slot: slot)
        explicit.toggle()
        nextRelocation = monotonicNanoseconds() + jitter
        return true
    }

    /// One move of this vCPU's vcpu_info: to its explicit address (guest
    /// frame 1, 64 bytes per vCPU) or back to the default slot ("reboot").
    mutating func relocate(_ relocation: VCPUWork.Relocation, toExplicit: Bool, slot: Int) {
        let vcpu = work.vcpu
        let domain = shared.domain
        // The hooks escape: they hold these, not the loop.
        let control = shared.control
        let gate = control.gate
        let senders = relocation.senders
        let hooks = RelocationHooks(
            // Relaxed: a count that only ends the wait (RunControl.finishedSenders).
            stopSenders: { gate.close { senders - control.finishedSenders.load(ordering: .relaxed) } },
            resumeSenders: { gate.open() },
            callerSlot: slot)
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

    /// Completes the timer events handed to this vCPU (`TimerDeferrals`).
    mutating func deliverDeferredTimerEvents(context: inout DeliveryContext) {
        shared.domain.deliverDeferredTimerEvents(vcpu: work.vcpu, among: work.timerPorts, context: &context,
                                          deferrals: shared.deferrals) { result.deferred.record($0, countingSend: false) }
    }

    /// Nothing to do: spin, then yield (poll mode), or sleep until kicked
    /// (halt mode), offline meanwhile.
    mutating func idle(guest: inout GuestVCPU, slot: Int) {
        switch work.mode {
        case .poll:
            idleRounds += 1
            if idleRounds < 64 { cpuRelax() } else { yieldThread() }
        case .halt:
            let vcpu = work.vcpu
            let probed = probedAfter
            shared.domain.memory.quiescence.goOffline(slot)
            shared.domain.waitForKick(vcpu: vcpu) {
                // Acquire, as the loop's own check: pairs with the release
                // in `EventDeliveryRun.stopVCPUs`. The window's end wakes
                // it too, for the probe.
                shared.control.vcpusStop.load(ordering: .acquiring) || guest.upcallPending()
                    || !probed && shared.control.currentPhase == .stop
                    || shared.domain.shadowSelector(vcpu: vcpu) != 0 || shared.deferrals.hasPending(vcpu: vcpu)
            }
            shared.domain.memory.quiescence.goOnline(slot)
        }
    }

    /// What the vCPU hands back once it has left the loop.
    func outcome(context: DeliveryContext) -> VCPUOutcome {
        var outcome = result
        outcome.deferred.absorb(context)
        outcome.deferredMeasured = deferredAtMeasureStart.map { outcome.deferred - $0 } ?? DeliveryCounters()
        outcome.windowCPU = work.mode == .poll ? window.finish() : nil
        outcome.cpu = Affinity.currentCPU()
        return outcome
    }
}
