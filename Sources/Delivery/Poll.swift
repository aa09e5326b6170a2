import GuestMemory
import PageCache
import Platform
import Synchronization

/// SCHEDOP_poll's host-private state (docs/model.md §6): each vCPU's
/// `poll_evtchn` (the one port it polls, -1 for several, 0 when not
/// polling, as KVM leaves it), and the VM's `poll_mask`, one bit per vCPU
/// that is polling. Senders write the mask on the fast path's masked branch
/// (`kvm_xen_check_poller`), a cross-vCPU write, so every vCPU's word and
/// the mask sit on cache lines of their own.
struct PollState: ~Copyable, @unchecked Sendable {
    let evtchn: PaddedBuffer<Atomic<Int>>
    /// The poll_mask bitmap: whole 64-bit words, on lines of their own.
    let mask: UnsafeMutableRawPointer

    init(vcpuCount: Int) {
        evtchn = PaddedBuffer(count: vcpuCount) { _ in Atomic<Int>(0) }
        let bytes = (vcpuCount + cacheLinePairBytes * 8 - 1) / (cacheLinePairBytes * 8) * cacheLinePairBytes
        mask = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: cacheLinePairBytes)
        mask.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    }

    deinit { mask.deallocate() }
}

/// How a SCHEDOP_poll ended.
public enum PollOutcome: Sendable, Equatable {
    /// A polled port was pending after the poll state was published (or
    /// the shared_info mapping was unusable, which KVM also takes for
    /// "pending"): the vCPU did not block.
    case pending
    /// A masked send to a polled port cleared this vCPU's poll_mask bit and
    /// kicked it (KVM_REQ_UNBLOCK).
    case woken
    /// Woken by something else that ends a halt: an upcall pending in
    /// vcpu_info or the shadow selector.
    case interrupted
    /// The caller's `stop` said so (the model's stand-in for the timeout).
    case stopped
}

extension EventChannelDomain where Lock: ~Copyable {
    /// kvm_xen_check_poller, on the fast path's masked branch: if `vcpu`
    /// polls `port` (or several ports) and its poll_mask bit is still set,
    /// clear the bit and kick it. Out of line: only masked sends pay.
    ///
    /// The caller has just set `port`'s pending bit with a sequentially
    /// consistent RMW; the loads here are sequentially consistent too. With
    /// the poller's publish-then-check in `poll` this is a store-load pair:
    /// in the single total order either the poller's mask bit comes before
    /// our pending bit, and we see the bit (and its poll_evtchn) and wake
    /// it, or our pending bit comes first, and its check sees the port
    /// pending and it does not block.
    @usableFromInline @inline(never)
    func wakePoller(vcpu: Int, port: Int) {
        // Sequentially consistent: see above (the poller's seq_cst store).
        let polled = pollers.evtchn.pointer(at: vcpu).pointee.load(ordering: .sequentiallyConsistent)
        guard polled == port || polled == -1 else { return }
        // Sequentially consistent (GuestAtomics' bit operations): see above.
        guard GuestAtomics.testAndClearBit(pollers.mask, vcpu) else { return }
        vcpus.pointer(at: vcpu).pointee.kick.kick()
    }

    /// SCHEDOP_poll (kvm_xen_schedop_poll), on `vcpu`'s own thread: publish
    /// what it polls (`poll_evtchn`, then its bit in `poll_mask`), then look
    /// whether a polled port is pending already; if none is, halt until a
    /// masked send to a polled port wakes it (`wakePoller`), an upcall is
    /// pending, or `stop()`; then clear the poll state. No port: it halts
    /// until any masked send to this vCPU, as KVM's -1 means.
    ///
    /// The check after publishing avoids the lost wake-up: a send that
    /// sets pending before the mask bit is visible is seen by the check
    /// (the store-load pair of `wakePoller`). While halted the thread holds
    /// no mapping: its writer slot goes offline.
    public func poll(vcpu: Int, ports: [Int], context: inout DeliveryContext,
                     unless stop: () -> Bool = { false }) -> PollOutcome {
        precondition(vcpu >= 0 && vcpu < vcpuCount, "no such vCPU")
        precondition(ports.count <= 128, "Xen polls at most 128 ports")
        precondition(ports.allSatisfy { $0 >= 0 && $0 < layout.portCount }, "port out of range")
        let polled = pollers.evtchn.pointer(at: vcpu)
        // Sequentially consistent, the store and the RMW: the poller's half
        // of the store-load pair with wakePoller (then the check's loads).
        polled.pointee.store(ports.count == 1 ? ports[0] : -1, ordering: .sequentiallyConsistent)
        _ = GuestAtomics.testAndSetBit(pollers.mask, vcpu)
        var outcome = PollOutcome.pending
        if !polledPortPending(ports, context: &context) {
            memory.quiescence.goOffline(context.slot)
            outcome = haltUntilUnblocked(vcpu: vcpu, stop: stop)
            memory.quiescence.goOnline(context.slot)
        }
        // Relaxed: the mask bit, cleared next, is what gates a wake-up; KVM
        // leaves 0 here too.
        polled.pointee.store(0, ordering: .relaxed)
        _ = GuestAtomics.testAndClearBit(pollers.mask, vcpu)
        return outcome
    }

    /// wait_pending_event: under the shared_info read side, is any of
    /// `ports` pending? An unusable mapping counts as pending (KVM's), so
    /// the vCPU does not block on what it cannot see. A section a writer
    /// overlapped (seqlock) is read again.
    func polledPortPending(_ ports: [Int], context: inout DeliveryContext) -> Bool {
        defer { context.passQuiescentState() }
        while true {
            let ticket = sharedInfo.pointee.lock.readLock(reader: context.slot)
            guard sharedInfo.pointee.check(length: layout.sharedInfoSize) else {
                _ = sharedInfo.pointee.lock.readUnlock(reader: context.slot, ticket)
                return true
            }
            let pending = sharedInfo.pointee.mappedAddress + layout.pendingOffset
            // Sequentially consistent loads (GuestAtomics.testBit): the
            // check half of the store-load pair with wakePoller.
            let found = ports.contains { GuestAtomics.testBit(pending, $0) }
            if sharedInfo.pointee.lock.readUnlock(reader: context.slot, ticket) { return found }
        }
    }

    /// kvm_vcpu_halt for a poller: sleeps on the vCPU's kick until its
    /// poll_mask bit is cleared (the unblock request), an upcall is pending
    /// (kvm_xen_has_interrupt), or `stop()`.
    private func haltUntilUnblocked(vcpu: Int, stop: () -> Bool) -> PollOutcome {
        while true {
            // Sequentially consistent (GuestAtomics.testBit): the sender
            // clears the bit before it kicks; the kick's own ordering
            // (EventKick.wait) makes a clear after this look end the sleep.
            if !GuestAtomics.testBit(pollers.mask, vcpu) { return .woken }
            if hasInterrupt(vcpu: vcpu) { return .interrupted }
            if stop() { return .stopped }
            waitForKick(vcpu: vcpu) {
                !GuestAtomics.testBit(pollers.mask, vcpu) || hasInterrupt(vcpu: vcpu) || stop()
            }
        }
    }

    /// An upcall is pending for `vcpu`, in its vcpu_info or its shadow
    /// selector (to be merged on entry).
    func hasInterrupt(vcpu: Int) -> Bool {
        shadowSelector(vcpu: vcpu) != 0 || guestUpcallPending(vcpu: vcpu)
    }

    /// Whether `vcpu` is polling now (its poll_mask bit), for tests.
    public func isPolling(vcpu: Int) -> Bool { GuestAtomics.testBit(pollers.mask, vcpu) }

    /// The poll_evtchn of `vcpu` (tests).
    public func pollEvtchn(vcpu: Int) -> Int {
        pollers.evtchn.pointer(at: vcpu).pointee.load(ordering: .relaxed)
    }
}

extension GuestVCPU {
    /// Linux's xen_clear_irq_pending: the guest clears a (masked) port's
    /// pending bit before it polls it again. True if it was pending (an
    /// event handled, counted exactly once, like the handler's clear).
    public mutating func clearPending(port: Int) -> Bool {
        enterGuestMode()
        defer { gate.exit() }
        return GuestAtomics.testAndClearBit(pendingBits, port)
    }
}
