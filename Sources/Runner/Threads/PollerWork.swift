import Delivery
import PageCache
import Platform

/// The poll scenario's vCPU loop: a guest whose ports are all masked and
/// that waits on them as Linux's paravirtual spinlocks wait for their
/// kicker's IPI: clear the pending bits (xen_clear_irq_pending, each clear
/// of a set bit an event handled), then SCHEDOP_poll until a masked send
/// wakes it. It polls one of its ports in turn, and every other round
/// several (poll_evtchn -1, which any masked send to this vCPU wakes).
struct PollerWork: GuestThreadWork {
    let vcpu: Int
    let cpu: Int?
    /// The ports bound to this vCPU (all masked in this scenario).
    let ports: [Int]

    init(vcpu: Int, cpu: Int?, plans: [SenderPlan]) {
        self.vcpu = vcpu
        self.cpu = cpu
        ports = Set(plans.flatMap(\.targets).filter { Int($0.vcpu) == vcpu }.map { Int($0.port) }).sorted()
    }

    var role: String { "vCPU \(vcpu)" }

    /// Round `round`'s ports: one in turn, or (odd rounds) up to the 128
    /// that Xen lets one poll name.
    func polled(inRound round: Int) -> [Int] {
        guard ports.count > 1, round % 2 == 0 else { return Array(ports.prefix(128)) }
        return [ports[(round / 2) % ports.count]]
    }

    func run<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl, stamps: EndToEndStamps,
                                               deferrals: TimerDeferrals, context: inout DeliveryContext) {
        var guest = domain.guestVCPU(vcpu)
        var result = VCPUOutcome()
        result.index = vcpu
        var round = 0
        // Acquire (here and in the poll's stop): pairs with the release in
        // `EventDeliveryRun.stopVCPUs`, stored once every sender is joined.
        let stopped = { control.vcpusStop.load(ordering: .acquiring) }
        control.checkIn()
        control.probeBefore.takePart(vcpu: vcpu)
        var probedAfter = false
        while !stopped() {
            let phase = control.currentPhase
            if phase == .stop, !probedAfter {
                probedAfter = true
                control.probeAfter.takePart(vcpu: vcpu)
            }
            let measuring = phase == .measure
            for port in ports where guest.clearPending(port: port) {
                result.outcome.handled += 1
                if let sent = stamps.take(port: port), measuring {
                    result.latency.record(nanoseconds: monotonicNanoseconds() &- sent)
                }
            }
            // Upcalls, if any port of this vCPU were unmasked: they end a poll.
            if domain.injectPendingEvents(vcpu: vcpu, context: &context) { result.merges += 1 }
            result.outcome.merge(guest.runUpcallHandler())
            let probed = probedAfter
            let outcome = domain.poll(vcpu: vcpu, ports: polled(inRound: round), context: &context,
                                      unless: { stopped() || !probed && control.currentPhase == .stop })
            if outcome == .woken, measuring { result.pollWakeups += 1 }
            round += 1
        }
        domain.memory.quiescence.goOffline(context.slot)
        result.deferred.absorb(context)
        result.cpu = Affinity.currentCPU()
        control.record(vcpu: result)
    }
}
