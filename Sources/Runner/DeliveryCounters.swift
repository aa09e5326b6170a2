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

    /// Tallies one result. `countingSend: false` for a deferred event that
    /// its sender already counted (a timer event the vCPU delivers later).
    @inlinable
    public mutating func record(_ result: DeliveryResult, countingSend: Bool = true) {
        if countingSend { sends &+= 1 }
        switch result {
        case .delivered: delivered &+= 1
        case .coalesced: coalesced &+= 1
        case .masked: masked &+= 1
        case .invalid: invalid &+= 1
        case .dropped: dropped &+= 1
        case .inactive: inactive &+= 1
        case .wouldBlock: break  // deferred (timer); `deliver` never ends here
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

    /// Every counter, for arithmetic over all of them. (Key paths are
    /// immutable values; Swift 6.3 just does not mark them Sendable.)
    nonisolated(unsafe) static let allCounters: [WritableKeyPath<DeliveryCounters, Int>] = [
        \.sends, \.delivered, \.coalesced, \.masked, \.invalid, \.dropped, \.inactive,
        \.wouldBlock, \.retries, \.replays, \.selectorReplays, \.carriedSends,
    ]

    private static func combine(_ lhs: Self, _ rhs: Self, _ operation: (Int, Int) -> Int) -> Self {
        var result = lhs
        for counter in allCounters { result[keyPath: counter] = operation(lhs[keyPath: counter], rhs[keyPath: counter]) }
        return result
    }

    public static func + (lhs: Self, rhs: Self) -> Self { combine(lhs, rhs, +) }

    /// Counters of `lhs` minus those of an earlier snapshot `rhs`.
    public static func - (lhs: Self, rhs: Self) -> Self { combine(lhs, rhs, -) }
}
