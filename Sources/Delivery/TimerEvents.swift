import Platform
import Synchronization

/// Timer events whose fast path would block, waiting for their vCPU to
/// deliver them through the slow path (KVM's `timer_pending`). A second
/// deferral of the same port before delivery coalesces with the first.
///
/// A deferral carries what the timer's fast path did (`SendProgress`): a
/// replaying design can set the pending bit and still end in would-block,
/// and then only the deferred send can raise the selector for that bit.
public final class TimerDeferrals: Sendable {
    /// Per port: `waiting`, plus `carriedUnmasked` / `carriedMasked` when
    /// some deferred attempt set the pending bit (with the port unmasked or
    /// masked at the time). Merged by OR, taken by exchange.
    private let deferred: PaddedBuffer<Atomic<UInt8>>
    private let pendingPerVCPU: PaddedBuffer<Atomic<Int>>

    private static var waiting: UInt8 { 1 }
    private static var carriedUnmasked: UInt8 { 2 }
    private static var carriedMasked: UInt8 { 4 }

    public init(portCount: Int, vcpus: Int) {
        deferred = PaddedBuffer(count: portCount) { _ in Atomic<UInt8>(0) }
        pendingPerVCPU = PaddedBuffer(count: vcpus) { _ in Atomic<Int>(0) }
    }

    /// Hands `port` to `vcpu` with what the fast path did; false if it was
    /// already waiting (coalesced with the earlier deferral, whose send now
    /// also completes this one's progress).
    func hand(port: Int, to vcpu: Int, progress: SendProgress = SendProgress()) -> Bool {
        let carried = !progress.carried ? 0 : progress.masked ? Self.carriedMasked : Self.carriedUnmasked
        // Acquire-release: the flag and the count hand the event over to the
        // vCPU thread, which takes both in the opposite order in `take`.
        let before = deferred.pointer(at: port).pointee.bitwiseOr(Self.waiting | carried,
                                                                   ordering: .acquiringAndReleasing).oldValue
        guard before & Self.waiting == 0 else { return false }
        pendingPerVCPU.pointer(at: vcpu).pointee.wrappingAdd(1, ordering: .releasing)
        return true
    }

    public func hasPending(vcpu: Int) -> Bool {
        // Acquire: pairs with the release in `hand`.
        pendingPerVCPU.pointer(at: vcpu).pointee.load(ordering: .acquiring) > 0
    }

    /// Calls `body` for each deferred port among `ports` with the progress
    /// to resume from, clearing it. The send is masked only if every
    /// deferred attempt that set the bit found the port masked.
    func take(vcpu: Int, among ports: [Int], _ body: (Int, SendProgress) -> Void) {
        for port in ports {
            // Acquire-release: pairs with the RMW in `hand`.
            let state = deferred.pointer(at: port).pointee.exchange(0, ordering: .acquiringAndReleasing)
            guard state & Self.waiting != 0 else { continue }
            pendingPerVCPU.pointer(at: vcpu).pointee.wrappingSubtract(1, ordering: .relaxed)
            let carried = state & (Self.carriedUnmasked | Self.carriedMasked) != 0
            body(port, SendProgress(carried: carried, masked: carried && state & Self.carriedUnmasked == 0))
        }
    }
}

extension EventChannelDomain where Lock: ~Copyable {
    /// KVM's Xen timer firing (kvm_xen_timer_callback): the fast path only,
    /// as in hard-IRQ context; on would-block the event is handed, with
    /// what the attempt did, to `vcpu`'s thread, which is kicked and
    /// completes it with `deliverDeferredTimerEvents`. Returns `.wouldBlock`
    /// when handed over, `.coalesced` when an earlier hand-over of the same
    /// port still waits (that one completes both).
    public func sendTimerEvent(port: Int, vcpu: Int, context: inout DeliveryContext,
                               deferrals: TimerDeferrals) -> DeliveryResult {
        var progress = SendProgress()
        let result = deliverFast(port: port, vcpu: vcpu, context: &context, progress: &progress)
        guard result == .wouldBlock else { return result }
        context.wouldBlock &+= 1
        guard deferrals.hand(port: port, to: vcpu, progress: progress) else { return .coalesced }
        kick(vcpu: vcpu)
        return .wouldBlock
    }

    /// kvm_xen_inject_timer_irqs, on `vcpu`'s thread: completes every timer
    /// event handed to it among `ports` (fast path, then slow path), resuming
    /// from what the timer's attempt did; `body` sees each result.
    public func deliverDeferredTimerEvents(vcpu: Int, among ports: [Int], context: inout DeliveryContext,
                                           deferrals: TimerDeferrals, _ body: (DeliveryResult) -> Void) {
        deferrals.take(vcpu: vcpu, among: ports) { port, progress in
            body(deliver(port: port, vcpu: vcpu, context: &context, resuming: progress))
        }
    }
}
