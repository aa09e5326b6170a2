import GuestMemory
import PageCache
import Platform

extension EventChannelDomain where Lock: ~Copyable {
    /// One pass of the fast path (docs/model.md §4), in the kernel's
    /// order: set pending; if it was already set, stop (coalesced); if the
    /// port is masked, stop (masked); otherwise, with the shared_info lock
    /// dropped, raise the selector and upcall in vcpu_info (or the shadow
    /// selector) and kick. The two caches' locks are never held together.
    ///
    /// - Parameters:
    ///   - layout: the domain's `layout`; the send path passes it as
    ///     constants (`GuestLayout.longMode` or `.compat`), as KVM branches
    ///     on `long_mode` and then uses fixed offsets.
    ///   - waiting: take the read side by waiting (the slow path) rather
    ///     than by the design's fast-path policy (which may try and fail).
    ///   - progress: what the attempts of this send did so far (see
    ///     `SendProgress`).
    @inlinable @inline(__always)
    func attempt(port: Int, vcpu: Int, layout: GuestLayout, waiting: Bool, context: inout DeliveryContext,
                 progress: inout SendProgress) -> DeliveryResult {
        let cache = sharedInfo
        // The reader's slot, read once: a design with per-reader state
        // indexes by it on both sides of the section.
        let reader = context.slot
        let acquired = waiting
            ? cache.pointee.lock.readLock(reader: reader)
            : cache.pointee.lock.fastPathReadLock(reader: reader)
        guard let ticket = acquired else {
            return Lock.contentionPolicy == .drop ? .dropped : .wouldBlock
        }
        guard cache.pointee.check(length: layout.sharedInfoSize) else {
            // docs/model.md §9, invariant 5: with an unusable mapping nothing is written.
            _ = cache.pointee.lock.readUnlock(reader: reader, ticket)
            return .wouldBlock
        }
        let page = cache.pointee.mappedAddress
        cache.pointee.lock.readSectionProbe()
        let setNow = !GuestAtomics.testAndSetBit(page + layout.pendingOffset, port)
        guard setNow || progress.carried else {
            // Coalesced: the port was pending already, and no earlier
            // attempt of this send set it. The commonest send of all gets
            // its own short path.
            guard cache.pointee.lock.readUnlock(reader: reader, ticket) else {
                return overlapped(port: port, vcpu: vcpu, waiting: waiting, context: &context, progress: &progress)
            }
            return .coalesced
        }
        progress.masked = GuestAtomics.testBit(page + layout.maskOffset, port)
        progress.carried = true
        guard cache.pointee.lock.readUnlock(reader: reader, ticket) else {
            return overlapped(port: port, vcpu: vcpu, waiting: waiting, context: &context, progress: &progress)
        }
        if !setNow { context.carriedSends &+= 1 }
        if progress.masked {
            // kvm_xen_check_poller: a vCPU polling this port is woken.
            wakePoller(vcpu: vcpu, port: port)
            return .masked
        }
        raiseSelector(vcpu: vcpu, word: port &>> layout.wordShift, layout: layout, waiting: waiting,
                      context: &context)
        return .delivered
    }

    /// A writer overlapped the section: our bit may sit in a retired frame.
    /// Redo through whatever mapping is current (setting a bit is
    /// idempotent), out of line: only replaying designs get here.
    @inlinable @inline(__always)
    func overlapped(port: Int, vcpu: Int, waiting: Bool, context: inout DeliveryContext,
                    progress: inout SendProgress) -> DeliveryResult {
        context.replays &+= 1
        let replayed = replay(port: port, vcpu: vcpu, waiting: waiting, context: &context, progress: progress)
        progress = replayed.progress
        return replayed.result
    }

    /// `attempt` again after an overlapped section (seqlock's replay); as
    /// many times as writers keep overlapping. Out of line, with the
    /// domain's layout read from memory. `progress` goes in and comes back
    /// by value: passed `inout`, its address would escape into this call
    /// and keep it in memory on the path that never replays.
    @inlinable @inline(never)
    func replay(port: Int, vcpu: Int, waiting: Bool, context: inout DeliveryContext,
                progress: SendProgress) -> (result: DeliveryResult, progress: SendProgress) {
        var progress = progress
        let result = attempt(port: port, vcpu: vcpu, layout: layout, waiting: waiting, context: &context,
                             progress: &progress)
        return (result, progress)
    }
}

/// What the attempts of one send have done so far.
public struct SendProgress: Sendable {
    /// Some attempt, through some mapping, changed the pending bit from 0
    /// to 1. For replaying designs the bit set through the old mapping may
    /// have been carried over by the host's copy (or stayed in a page that
    /// was deactivated, not moved), so a later attempt that finds the bit
    /// already set must still raise the selector (docs/model.md §9).
    public var carried = false
    /// The port was masked when that bit was set.
    public var masked = false

    @inlinable public init() {}

    @inlinable public init(carried: Bool, masked: Bool) {
        self.carried = carried
        self.masked = masked
    }
}
