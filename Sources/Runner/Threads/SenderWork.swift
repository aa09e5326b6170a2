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

    var role: String { "sender \(sender)" }

    func run<Lock: ReadMostlyLock & ~Copyable>(domain: EventChannelDomain<Lock>, control: RunControl, stamps: EndToEndStamps,
                                               deferrals: TimerDeferrals, context: inout DeliveryContext) {
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
            let result: DeliveryResult
            if plan.isTimer {
                result = domain.sendTimerEvent(port: port, vcpu: vcpu, context: &context, deferrals: deferrals)
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
                    // Between sends the sender holds no mapping: offline, so
                    // that no grace period (forced-slow-drain) waits for it.
                    domain.memory.quiescence.goOffline(context.slot)
                    let due = sleepUntil(nanoseconds: scheduled, unless: { control.currentPhase == .stop })
                    domain.memory.quiescence.goOnline(context.slot)
                    guard due else { continue }
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
        // Relaxed: the outcome went through `control.senders` (a mutex);
        // this count only ends waits early (RunControl.finishedSenders).
        control.finishedSenders.wrappingAdd(1, ordering: .relaxed)
    }
}
