import GuestMemory
import Synchronization

/// Per-thread state a sender (or vCPU thread) passes to delivery: its reader
/// slot, and counters that only the slow and optimistic paths touch.
public struct DeliveryContext: @unchecked Sendable {
    /// Reader slot: indexes per-thread lock state and the quiescence slot.
    public let slot: Int
    /// The quiescence counter of `slot`, kept at hand for the hot path.
    @usableFromInline let quiescentCounter: UnsafeMutablePointer<Atomic<UInt64>>
    /// Sends whose fast path returned would-block (slow path taken).
    public var wouldBlock = 0
    /// Refreshes done by the slow path (kvm_xen_set_evtchn's loop).
    public var retries = 0
    /// shared_info sections redone because a writer overlapped (seqlock).
    public var replays = 0
    /// vcpu_info sections (selector, shadow merge) redone likewise.
    public var selectorReplays = 0
    /// Sends reported as setting the pending bit only because an earlier,
    /// overlapped attempt set it through a mapping that then moved: the copy
    /// may have carried that bit (a real event) or another sender may have
    /// set it in the new page meanwhile (really a coalesce). The ledger
    /// treats these as possibly coalesced.
    public var carriedSends = 0

    /// A context for reader slot `slot` of `quiescence` (one thread's).
    public init(slot: Int, of quiescence: WriterQuiescence) {
        self.slot = slot
        quiescentCounter = quiescence.counter(ofSlot: slot)
    }

    /// The thread finished one operation and holds no mapping now.
    @inlinable @inline(__always)
    public func passQuiescentState() {
        WriterQuiescence.passQuiescentState(counter: quiescentCounter)
    }
}
