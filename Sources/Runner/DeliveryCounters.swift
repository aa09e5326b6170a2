import Delivery

/// What a set of sends did, by result, plus the slow-path and replay
/// counters of their contexts. Additive, so per-thread tallies sum.
public struct DeliveryCounters: Sendable, Equatable {
    public var sends = 0
    public var delivered = 0
    public var coalesced = 0
    public var masked = 0
    public var invalid = 0
    public var dropped = 0
    public var inactive = 0
    /// Sends that took the slow path (fast path said would-block).
    public var wouldBlock = 0
    /// Refreshes in the slow path.
    public var retries = 0
    /// shared_info sections replayed (seqlock).
    public var replays = 0
    /// vcpu_info sections replayed (seqlock).
    public var selectorReplays = 0
    /// Sends that set their bit only through a mapping that then moved.
    public var carriedSends = 0

    public init() {}

    @inlinable
    public mutating func record(_ result: DeliveryResult) {
        sends &+= 1
        switch result {
        case .delivered: delivered &+= 1
        case .coalesced: coalesced &+= 1
        case .masked: masked &+= 1
        case .invalid: invalid &+= 1
        case .dropped: dropped &+= 1
        case .inactive: inactive &+= 1
        case .wouldBlock: break  // `deliver` never ends in would-block
        }
    }

    /// Takes the context's slow-path and replay counters.
    public mutating func absorb(_ context: DeliveryContext) {
        wouldBlock += context.wouldBlock
        retries += context.retries
        replays += context.replays
        selectorReplays += context.selectorReplays
        carriedSends += context.carriedSends
    }

    /// Sends that changed a pending bit from 0 to 1.
    public var newlySet: Int { delivered + masked }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.sends += rhs.sends
        sum.delivered += rhs.delivered
        sum.coalesced += rhs.coalesced
        sum.masked += rhs.masked
        sum.invalid += rhs.invalid
        sum.dropped += rhs.dropped
        sum.inactive += rhs.inactive
        sum.wouldBlock += rhs.wouldBlock
        sum.retries += rhs.retries
        sum.replays += rhs.replays
        sum.selectorReplays += rhs.selectorReplays
        sum.carriedSends += rhs.carriedSends
        return sum
    }
}
