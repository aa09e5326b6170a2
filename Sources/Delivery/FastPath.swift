import GuestMemory
import PageCache
import Platform
import Synchronization

extension EventChannelDomain where Lock: ~Copyable {
    /// kvm_xen_set_evtchn_fast alone: one attempt, no slow path. Returns
    /// `.wouldBlock` when the shared_info mapping cannot be used. Branches
    /// on the ABI as `deliver` does.
    @inlinable
    public func deliverFast(port: Int, vcpu: Int, context: inout DeliveryContext) -> DeliveryResult {
        var progress = SendProgress()
        return deliverFast(port: port, vcpu: vcpu, context: &context, progress: &progress)
    }

    /// `deliverFast`, telling the caller what the attempt did. A send that
    /// set the pending bit and then said `.wouldBlock` (its replay found the
    /// cache unusable) leaves `progress.carried` set: whoever completes the
    /// send (the timer's deferred send, `deliver(port:vcpu:context:resuming:)`)
    /// must be handed `progress`, or nothing raises the selector for that bit.
    @inlinable
    public func deliverFast(port: Int, vcpu: Int, context: inout DeliveryContext,
                            progress: inout SendProgress) -> DeliveryResult {
        let result = layout.wordShift == 6
            ? firstAttempt(port: port, vcpu: vcpu, layout: .longMode, context: &context, progress: &progress)
            : firstAttempt(port: port, vcpu: vcpu, layout: .compat, context: &context, progress: &progress)
        context.passQuiescentState()
        return result
    }

    /// A send's first attempt, after the target check: the fast path with
    /// the design's fast-path read side.
    @inlinable @inline(__always)
    func firstAttempt(port: Int, vcpu: Int, layout: GuestLayout, context: inout DeliveryContext,
                      progress: inout SendProgress) -> DeliveryResult {
        guard isValidTarget(port: port, vcpu: vcpu, layout: layout) else { return .invalid }
        return attempt(port: port, vcpu: vcpu, layout: layout, waiting: false, context: &context, progress: &progress)
    }

    @inlinable @inline(__always)
    func isValidTarget(port: Int, vcpu: Int, layout: GuestLayout) -> Bool {
        port >= 0 && port < layout.portCount && vcpu >= 0 && vcpu < vcpuCount
    }

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

    /// The vcpu_info half of a delivery: set the selector bit and, if it was
    /// newly set, `upcall_pending`; through the shadow selector when the
    /// vcpu_info cache is unusable (or, for try designs, contended). Kicks
    /// the vCPU after the lock is dropped when anything was newly raised.
    @inlinable @inline(__always)
    func raiseSelector(vcpu: Int, word: Int, layout: GuestLayout, waiting: Bool, context: inout DeliveryContext) {
        let state = vcpus.pointer(at: vcpu)
        let reader = context.slot
        var kick = false
        repeat {
            let acquired = waiting
                ? state.pointee.vcpuInfo.lock.readLock(reader: reader)
                : state.pointee.vcpuInfo.lock.fastPathReadLock(reader: reader)
            guard let ticket = acquired else {
                kick = setShadowSelector(state, word: word)
                break
            }
            guard state.pointee.vcpuInfo.check(length: layout.vcpuInfoSize) else {
                _ = state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket)
                kick = setShadowSelector(state, word: word)
                break
            }
            let info = state.pointee.vcpuInfo.mappedAddress
            state.pointee.vcpuInfo.lock.readSectionProbe()
            // docs/model.md §9, invariant 4: the selector is written only after the pending bit.
            if !GuestAtomics.testAndSetBit(info + layout.selectorWordOffset, layout.selectorFirstBit &+ word) {
                state.pointee.vcpuInfo.lock.selectorProbe()
                GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1)
                kick = true
            }
            if !state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket) {
                let replayed = replaySelector(vcpu: vcpu, word: word, waiting: waiting, reader: reader, raisedBefore: kick)
                kick = replayed.kick
                context.selectorReplays &+= replayed.replays
            }
        } while false
        if kick { state.pointee.kick.kick() }
    }

    /// The vcpu_info section again after a writer overlapped it (seqlock),
    /// as many times as writers keep overlapping; returns whether to kick
    /// and how many sections it ran. "Newly set" is carried across the
    /// attempts: if an earlier attempt newly set the selector bit, a
    /// relocation's copy may have carried that bit without
    /// `upcall_pending`, and a replay that finds the bit set must still
    /// store `upcall_pending`. Out of line, with the layout read from
    /// memory and few arguments: only replaying designs get here, and the
    /// call must not cost the inlined path registers. Its body repeats the
    /// section in `raiseSelector` on purpose: one shared inline section
    /// (tried) costs percpu 5 instructions per delivered event (150.2 vs
    /// 145.2, `make instructions`) for no work, by register allocation.
    @inlinable @inline(never)
    func replaySelector(vcpu: Int, word: Int, waiting: Bool, reader: Int,
                        raisedBefore: Bool) -> (kick: Bool, replays: Int) {
        let state = vcpus.pointer(at: vcpu)
        var raised = raisedBefore
        var replays = 0
        while true {
            replays &+= 1
            let acquired = waiting
                ? state.pointee.vcpuInfo.lock.readLock(reader: reader)
                : state.pointee.vcpuInfo.lock.fastPathReadLock(reader: reader)
            guard let ticket = acquired else { return (setShadowSelector(state, word: word) || raised, replays) }
            guard state.pointee.vcpuInfo.check(length: layout.vcpuInfoSize) else {
                _ = state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket)
                return (setShadowSelector(state, word: word) || raised, replays)
            }
            let info = state.pointee.vcpuInfo.mappedAddress
            state.pointee.vcpuInfo.lock.readSectionProbe()
            if !GuestAtomics.testAndSetBit(info + layout.selectorWordOffset, layout.selectorFirstBit &+ word) {
                raised = true
            }
            if raised { GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1) }
            if state.pointee.vcpuInfo.lock.readUnlock(reader: reader, ticket) { return (raised, replays) }
        }
    }

    /// Sets `word` in the host-private shadow selector; true if newly set.
    @inlinable @inline(__always)
    func setShadowSelector(_ state: UnsafeMutablePointer<VCPUHostState<Lock>>, word: Int) -> Bool {
        let bit = UInt64(1) &<< UInt64(word)
        // Acquire-release: pairs with the acquiring snapshot and the
        // clearing RMW in injectPendingEvents.
        return state.pointee.shadowSelector.bitwiseOr(bit, ordering: .acquiringAndReleasing).oldValue & bit == 0
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
