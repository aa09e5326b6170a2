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
