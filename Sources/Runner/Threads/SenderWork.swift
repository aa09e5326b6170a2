import Delivery
import PageCache
import Platform

/// One sender thread's loop.
struct SenderWork: GuestThreadWork {
    let sender: Int
    let plan: SenderPlan
    let cpu: Int?
    let limit: Int
    let sampleEvery: Int
    /// Closed-loop senders of events that are not timers run the whole
    /// window: their CPU time in it is judged (`WindowCPUTime`).
    let meantToRun: Bool

    var role: String { "sender \(sender)" }

    func run<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl, stamps: EndToEndStamps,
                                               deferrals: TimerDeferrals, context: inout DeliveryContext) {
        control.checkIn()
        control.probeBefore.takePart(sender: sender)
        let shared = GuestThreadShared(domain: domain, control: control, stamps: stamps, deferrals: deferrals)
        var loop = SenderLoop(work: self, shared: shared, random: XorShift(seed: UInt64(sender) &+ 1))
        plan.targets.withUnsafeBufferPointer { targets in loop.run(targets: targets, context: &context) }
        domain.memory.quiescence.goOffline(context.slot)
        let outcome = loop.outcome(context: context)
        // Relaxed: the outcome goes through `control.senders` (a mutex);
        // this count only ends waits early (RunControl.finishedSenders),
        // among them a relocation's wait for this sender to park, which
        // must not hold up the probe below.
        control.finishedSenders.wrappingAdd(1, ordering: .relaxed)
        control.probeAfter.takePart(sender: sender)
        control.record(sender: outcome)
    }
}

/// A sender's loop and what it has counted and timed so far. Generic over
/// the design, like the run: its bursts are the specialised `sendBurst`.
private struct SenderLoop<Lock: ReadMostlyLock & ~Copyable> {
    let work: SenderWork
    let shared: GuestThreadShared<Lock>
    /// When the loop began: the open load's schedule counts from here.
    let start = monotonicNanoseconds()
    var random: XorShift
    var scheduledIndex: UInt64 = 0
    var counters = DeliveryCounters()
    var atMeasureStart: DeliveryCounters?
    var latency = LatencyHistogram()
    var stall = LatencyHistogram()
    var window = WindowCPUTime()

    /// Sends until the send limit or the run's stop, a sample at a time,
    /// parking at the gate between samples while a relocation stops senders.
    mutating func run(targets: UnsafeBufferPointer<SendTarget>, context: inout DeliveryContext) {
        while counters.sends < work.limit {
            let phase = shared.control.currentPhase
            window.observe(phase)
            if phase == .stop { break }
            let measuring = phase == .measure
            if measuring, atMeasureStart == nil { atMeasureStart = tally(context) }
            let parked = shared.control.gate.pass()
            if parked > 0, measuring { stall.record(nanoseconds: parked) }
            switch work.plan.load {
            case .closed where shared.control.gate.isRelocating:
                sendEachTimed(targets, measuring: measuring, context: &context)
            case .closed:
                sendSampled(targets, measuring: measuring, context: &context)
            case .open(let rate):
                sendOnSchedule(targets, rate: rate, measuring: measuring, context: &context)
            }
        }
    }

    /// A relocation runs: every send of the sample is timed, to see it stall.
    mutating func sendEachTimed(_ targets: UnsafeBufferPointer<SendTarget>, measuring: Bool,
                                context: inout DeliveryContext) {
        for _ in 0..<min(work.sampleEvery, work.limit - counters.sends) {
            let target = randomTarget(targets)
            timedSend(target, from: monotonicNanoseconds(), measuring: measuring, stalled: true, context: &context)
        }
    }

    /// The closed load: a burst through the hot loop, then one timed send.
    mutating func sendSampled(_ targets: UnsafeBufferPointer<SendTarget>, measuring: Bool,
                              context: inout DeliveryContext) {
        let burst = min(work.sampleEvery - 1, work.limit - counters.sends - 1)
        if burst > 0 {
            sendBurst(domain: shared.domain, targets: targets, count: burst, random: &random,
                      context: &context, counters: &counters)
        }
        if counters.sends < work.limit {
            let target = randomTarget(targets)
            timedSend(target, from: monotonicNanoseconds(), measuring: measuring, context: &context)
        }
    }

    /// The open load: the next target at its scheduled time, timed from it.
    mutating func sendOnSchedule(_ targets: UnsafeBufferPointer<SendTarget>, rate: Double, measuring: Bool,
                                 context: inout DeliveryContext) {
        let scheduled = start &+ UInt64(Double(scheduledIndex) * 1e9 / rate)
        let target = targets[Int(scheduledIndex % UInt64(targets.count))]
        scheduledIndex &+= 1
        // Between sends the sender holds no mapping: offline, so
        // that no grace period (forced-slow-drain) waits for it.
        shared.domain.memory.quiescence.goOffline(context.slot)
        let due = sleepUntil(nanoseconds: scheduled, unless: { shared.control.currentPhase == .stop })
        shared.domain.memory.quiescence.goOnline(context.slot)
        guard due else { return }
        timedSend(target, from: scheduled, measuring: measuring, stalled: shared.control.gate.isRelocating, context: &context)
    }

    mutating func randomTarget(_ targets: UnsafeBufferPointer<SendTarget>) -> SendTarget {
        targets[Int(random.next() % UInt64(targets.count))]
    }

    /// One timed send, timed from `time` (now, or the scheduled time);
    /// with `stalled`, the time also counts as a stall (a relocation ran).
    /// A timer's send is `sendTimerEvent`, which defers a would-block to
    /// the vCPU; the stamp then stays for the vCPU's delivery.
    mutating func timedSend(_ target: SendTarget, from time: UInt64, measuring: Bool, stalled: Bool = false,
                            context: inout DeliveryContext) {
        let port = Int(target.port)
        let vcpu = Int(target.vcpu)
        let stamped = shared.stamps.stamp(port: port, time: time)
        let result: DeliveryResult
        if work.plan.isTimer {
            result = shared.domain.sendTimerEvent(port: port, vcpu: vcpu, context: &context, deferrals: shared.deferrals)
        } else {
            result = shared.domain.deliver(port: port, vcpu: vcpu, context: &context)
        }
        if measuring {
            let elapsed = monotonicNanoseconds() &- time
            latency.record(nanoseconds: elapsed)
            if stalled { stall.record(nanoseconds: elapsed) }
        }
        if stamped, !result.setPendingBit, result != .wouldBlock { shared.stamps.withdraw(port: port, time: time) }
        counters.record(result)
    }

    func tally(_ context: DeliveryContext) -> DeliveryCounters {
        var snapshot = counters
        snapshot.absorb(context)
        return snapshot
    }

    /// What the sender hands back once it has left the loop.
    func outcome(context: DeliveryContext) -> SenderOutcome {
        let total = tally(context)
        var outcome = SenderOutcome()
        outcome.index = work.sender
        outcome.total = total
        outcome.measured = atMeasureStart.map { total - $0 } ?? DeliveryCounters()
        outcome.latency = latency
        outcome.stall = stall
        outcome.windowCPU = work.meantToRun ? window.finish() : nil
        outcome.cpu = Affinity.currentCPU()
        return outcome
    }
}
