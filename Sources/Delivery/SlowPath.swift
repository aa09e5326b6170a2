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
    @inlinable @inline(__always)
    public func deliver(port: Int, vcpu: Int, context: inout DeliveryContext,
                        quiescentState: Bool = true) -> DeliveryResult {
        guard isValidTarget(port: port, vcpu: vcpu) else { return .invalid }
        var carried = false
        var result = attempt(port: port, vcpu: vcpu, waiting: false, context: &context, carried: &carried)
        if result == .wouldBlock {
            context.wouldBlock &+= 1
            result = deliverSlow(port: port, vcpu: vcpu, context: &context, carried: carried)
        }
        if quiescentState { context.passQuiescentState() }
        return result
    }

    /// The slow path: under xen_lock, retry the fast path with a waiting
    /// read side, refreshing the shared_info cache after each would-block.
    /// Under a storm of invalidations this can loop (the kernel's comment
    /// says so); every refresh is counted in `context.retries`.
    @inlinable @inline(never)
    func deliverSlow(port: Int, vcpu: Int, context: inout DeliveryContext, carried: Bool) -> DeliveryResult {
        var carried = carried
        slowPathLock.lock()
        defer { slowPathLock.unlock() }
        while true {
            let result = attempt(port: port, vcpu: vcpu, waiting: true, context: &context, carried: &carried)
            if result != .wouldBlock { return result }
            context.retries &+= 1
            if sharedInfo.pointee.refresh() == .inactive {
                // A bit set through a mapping that was then deactivated (not
                // moved) stays in the page: report the send by what it did.
                return carried ? .delivered : .inactive
            }
        }
    }
}
