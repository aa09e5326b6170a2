import Delivery
import GuestMemory
import PageCache

/// The run's last phases: the final drain, then collecting what every
/// thread, the guest and the host counted.
extension EventDeliveryRun where Lock: ~Copyable {
    /// Final drain, unmask, drain again, after the strict check
    /// (`auditSignals`): every signalled event must now be handled, and
    /// what stays pending is `stranded`.
    func drainAll(_ domain: EventChannelDomain<Lock>) -> UpcallOutcome {
        if !domain.sharedInfoIsValid { domain.activateSharedInfo() }
        var context = domain.makeContext()!
        var drained = drain(domain, context: &context)
        for target in maskedTargets { domain.guestUnmask(port: Int(target.port)) }
        drained.merge(drain(domain, context: &context))
        domain.memory.auditQuarantine()
        return drained
    }

    /// Sums what the threads handed back, the guest's and the host's
    /// counts, and the lost-event ledger.
    func collect(into result: inout RunResult, domain: EventChannelDomain<Lock>, control: RunControl,
                 drained: UpcallOutcome, audit: SignalAudit) {
        let c = configuration
        let memory = domain.memory
        let senders = control.senders.withLock { $0 }.sorted { $0.index < $1.index }
        let vcpus = control.vcpus.withLock { $0 }.sorted { $0.index < $1.index }
        result.absorb(senders: senders)
        var handlerOutcome = drained
        result.absorb(vcpus: vcpus, handler: &handlerOutcome)
        result.handOffBefore = control.probeBefore.oneWayNanoseconds
        result.handOffAfter = control.probeAfter.oneWayNanoseconds
        result.windowCPUNanoseconds = (senders.map(\.windowCPU) + vcpus.map(\.windowCPU)).compactMap { $0 }
        result.hostCPUSeen = control.hostCPU.withLock { $0 }
        result.handled = handlerOutcome.handled
        result.spuriousUpcalls = handlerOutcome.spurious
        result.stranded = domain.guestPendingCount()
        result.unsignalled = audit.unsignalled.count
        // An unsignalled port that the drain handled anyway (its unmask, or
        // another event on its selector word, led the guest to it) is not a
        // handled event: it was lost, and counts once, as unsignalled.
        let rescued = audit.unsignalled.filter { !domain.guestPending(port: $0) }.count
        result.migrations = memory.migrations
        result.deferredMigrations = memory.deferredMigrations
        // Relaxed: the host thread is joined (RunControl.hostRounds).
        result.hostRounds = control.hostRounds.load(ordering: .relaxed)
        result.staleBits = memory.staleBits
        let pending = c.abi.sharedInfo.pendingOffset..<(c.abi.sharedInfo.pendingOffset + c.abi.portCount / 8)
        // Moves of shared_info: a merged bit is two events the guest sees
        // as one; a late bit, a write through a mapping a move retired
        // (SharedInfoMoveTally).
        result.sharedInfoMoves = domain.finishSharedInfoMoves()
        result.ledger = EventLedger(
            newlySet: result.total.newlySet - result.sharedInfoMoves.merged, handled: result.handled - rescued,
            unsignalled: result.unsignalled,
            stalePendingBits: memory.staleBits(guestFrame: domain.sharedInfoFrame, bytes: pending)
                + result.sharedInfoMoves.lateBits,
            replays: result.total.replays, carriedSends: result.total.carriedSends,
            designReplays: Lock.replaysStaleWrites)
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

extension RunResult {
    /// What the senders handed back, in sender order.
    mutating func absorb(senders: [SenderOutcome]) {
        for sender in senders {
            total = total + sender.total
            measured = measured + sender.measured
            sendLatency.merge(sender.latency)
            senderStall.merge(sender.stall)
        }
        perSenderSends = senders.map(\.measured.sends)
        senderCPUsSeen = senders.map(\.cpu)
    }

    /// What the vCPUs handed back, in vCPU order; their handlers' counts
    /// go into `handler`.
    mutating func absorb(vcpus: [VCPUOutcome], handler: inout UpcallOutcome) {
        for vcpu in vcpus {
            total = total + vcpu.deferred
            measured = measured + vcpu.deferredMeasured
            handler.merge(vcpu.outcome)
            shadowMerges += vcpu.merges
            endToEndLatency.merge(vcpu.latency)
            relocations += vcpu.relocations
            relocationLatency.merge(vcpu.relocationLatency)
            vanishedSelectorBits += vcpu.vanishedSelectorBits
            vanishedUpcalls += vcpu.vanishedUpcalls
            pollWakeups += vcpu.pollWakeups
        }
        vcpuCPUsSeen = vcpus.map(\.cpu)
    }
}
