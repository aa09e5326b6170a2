import GuestMemory
import Synchronization

/// What one send did (kvm_xen_set_evtchn_fast and its slow path).
public enum DeliveryResult: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// The pending bit went 0 -> 1 on an unmasked port; selector and upcall
    /// raised (or the shadow selector set) and the vCPU kicked if needed.
    case delivered
    /// The pending bit was already set: nothing else was touched.
    case coalesced
    /// The pending bit went 0 -> 1 but the port is masked: no selector,
    /// no upcall, no kick; unmasking will redeliver.
    case masked
    /// The fast path could not use the shared_info mapping (invalid,
    /// inactive, stale generation, or a trylock failed): take the slow path.
    case wouldBlock
    /// Port out of range for the ABI, or no such vCPU.
    case invalid
    /// A trylock-or-drop design could not take the read side: the event was
    /// dropped (never set) and is counted, not hidden.
    case dropped
    /// The slow path found shared_info inactive (refresh fails): the event
    /// cannot be delivered, as when the kernel returns -EINVAL.
    case inactive

    public var description: String {
        switch self {
        case .delivered: "delivered"
        case .coalesced: "coalesced"
        case .masked: "masked"
        case .wouldBlock: "would-block"
        case .invalid: "invalid"
        case .dropped: "dropped"
        case .inactive: "inactive"
        }
    }

    /// Did this send change a pending bit from 0 to 1 (an event the guest
    /// must eventually handle exactly once)?
    @inlinable
    public var setPendingBit: Bool { self == .delivered || self == .masked }
}

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
