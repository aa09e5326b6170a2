import GuestMemory
import PageCache
import Platform

extension EventChannelDomain where Lock: ~Copyable {
    /// kvm_xen_set_evtchn: the fast path, then, on would-block, the slow
    /// path. This is what a sender calls. Always inlined, so that each
    /// design's hot loop holds its own fast path (no call, and nothing for
    /// LLVM's function merging to fold across designs into indirect calls).
    ///
    /// A send is one operation of the stale-write audit: it passes a
    /// quiescent state when done, unless the caller passes
    /// `quiescentState: false` and passes one itself after a burst of sends
    /// (the senders' hot loop does, once per burst).
    ///
    /// Like KVM, it branches once on the guest's ABI (`long_mode`) and runs
    /// a copy of the path with that ABI's offsets as constants.
    @inlinable @inline(__always)
    public func deliver(port: Int, vcpu: Int, context: inout DeliveryContext,
                        quiescentState: Bool = true) -> DeliveryResult {
        let result = layout.wordShift == 6
            ? send(port: port, vcpu: vcpu, layout: .longMode, context: &context)
            : send(port: port, vcpu: vcpu, layout: .compat, context: &context)
        if quiescentState { context.passQuiescentState() }
        return result
    }

    /// Completes a send whose fast path said `.wouldBlock` on another
    /// thread (the timer's deferred send, run by the vCPU): the fast path
    /// again, then the slow path, starting from what the first thread's
    /// attempts did. A bit they set counts as this send's (`SendProgress`),
    /// so the selector is raised even if the bit is found already set.
    public func deliver(port: Int, vcpu: Int, context: inout DeliveryContext,
                        resuming progress: SendProgress) -> DeliveryResult {
        let result = send(port: port, vcpu: vcpu, layout: layout, context: &context, resuming: progress)
        context.passQuiescentState()
        return result
    }

    /// `deliver` for one ABI's constant `layout`, from what earlier
    /// attempts of the send did (`resuming`; none for a fresh send).
    @inlinable @inline(__always)
    func send(port: Int, vcpu: Int, layout: GuestLayout, context: inout DeliveryContext,
              resuming: SendProgress = SendProgress()) -> DeliveryResult {
        var progress = resuming
        let result = firstAttempt(port: port, vcpu: vcpu, layout: layout, context: &context, progress: &progress)
        guard result == .wouldBlock else { return result }
        context.wouldBlock &+= 1
        return deliverSlow(port: port, vcpu: vcpu, context: &context, progress: progress)
    }

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

    /// The slow path: under xen_lock, retry the fast path with a waiting
    /// read side, refreshing the shared_info cache after each would-block.
    /// Under a storm of invalidations this can loop (the kernel's comment
    /// says so); every refresh is counted in `context.retries`.
    @inlinable @inline(never)
    func deliverSlow(port: Int, vcpu: Int, context: inout DeliveryContext, progress: SendProgress) -> DeliveryResult {
        var progress = progress
        // The fast path is over and no mapping is held: offline while
        // waiting on xen_lock, so that a relocation holding it and draining
        // the fast paths in flight (forced-slow-drain) does not wait for us.
        memory.quiescence.goOffline(context.slot)
        slowPathLock.lock()
        memory.quiescence.goOnline(context.slot)
        defer { slowPathLock.unlock() }
        while true {
            let result = attempt(port: port, vcpu: vcpu, layout: layout, waiting: true, context: &context,
                                 progress: &progress)
            if result != .wouldBlock { return result }
            context.retries &+= 1
            if sharedInfo.pointee.refresh() == .inactive {
                guard progress.carried else { return .inactive }
                // Only a replaying design gets here: it set the bit through
                // a mapping that a deactivation then retired. In a page that
                // was deactivated, not moved, the bit stays pending for the
                // guest, so the selector must be raised (through vcpu_info,
                // which has its own cache, or the shadow) or nothing would
                // ever look at that word: a lost event. If the page had moved
                // too, the copy may not have carried the bit; the raise is
                // then a spurious upcall, and the send is counted as possibly
                // coalesced.
                context.carriedSends &+= 1
                if progress.masked {
                    wakePoller(vcpu: vcpu, port: port)
                    return .masked
                }
                raiseSelector(vcpu: vcpu, word: port &>> layout.wordShift, layout: layout, waiting: true,
                              context: &context)
                return .delivered
            }
        }
    }
}
