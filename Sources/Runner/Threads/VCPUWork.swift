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
        var result = VCPUOutcome()
        result.index = vcpu
        var deferredAtMeasureStart: DeliveryCounters?
        var idleRounds = 0
        var random = XorShift(seed: UInt64(vcpu) &+ 1000)
        var nextRelocation: UInt64 = 0
        var explicit = false
        control.checkIn()
        // Acquire: pairs with the release in `EventDeliveryRun.stopVCPUs`,
        // stored once every sender is joined.
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
                    relocate(relocation, domain: domain, control: control, toExplicit: !explicit, slot: context.slot,
                             into: &result)
                    explicit.toggle()
                    nextRelocation = monotonicNanoseconds() + jitter
                    worked = true
                }
            }
            if deferrals.hasPending(vcpu: vcpu) {
                domain.deliverDeferredTimerEvents(vcpu: vcpu, among: timerPorts, context: &context,
                                                  deferrals: deferrals) { result.deferred.record($0, countingSend: false) }
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
        // Timer events handed over after this thread's last look: the
        // senders are joined, so none comes after this one, and the
        // lost-event check that follows sees every send completed.
        domain.deliverDeferredTimerEvents(vcpu: vcpu, among: timerPorts, context: &context,
                                          deferrals: deferrals) { result.deferred.record($0, countingSend: false) }
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
        slot: Int, into result: inout VCPUOutcome
    ) {
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
}
