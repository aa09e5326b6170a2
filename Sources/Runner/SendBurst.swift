import Delivery
import PageCache

/// One (port, vCPU) a sender may target.
public struct SendTarget: Sendable, Equatable {
    public let port: Int32
    public let vcpu: Int32

    public init(port: Int, vcpu: Int) {
        self.port = Int32(port)
        self.vcpu = Int32(vcpu)
    }
}

/// xorshift64: cheap per-thread pseudo-random numbers for picking targets.
public struct XorShift: Sendable {
    @usableFromInline var state: UInt64

    public init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed &* 0x9E37_79B9_7F4A_7C15
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state ^= state &<< 13
        state ^= state &>> 7
        state ^= state &<< 17
        return state
    }
}

/// The senders' hot loop: `count` sends (fast path, slow path on
/// would-block) to targets drawn at random from `targets`, tallied into
/// `counters`. Generic over the design and specialised per design; it must
/// compile to straight-line code with no retain/release, allocation or
/// protocol-witness call (scripts/check-fast-path-codegen.sh checks this).
@inline(never)
public func sendBurst<Lock: ReadMostlyLock & ~Copyable>(
    domain: EventChannelDomain<Lock>,
    targets: UnsafeBufferPointer<SendTarget>,
    count: Int,
    random: inout XorShift,
    context: inout DeliveryContext,
    counters: inout DeliveryCounters
) {
    precondition(!targets.isEmpty, "no targets")
    let targetCount = UInt64(targets.count)
    for _ in 0..<count {
        let target = targets[Int(random.next() % targetCount)]
        counters.record(domain.deliver(port: Int(target.port), vcpu: Int(target.vcpu), context: &context,
                                       quiescentState: false))
    }
    // One quiescent state per burst: the stale-write audit needs them to
    // come, not to come after every send.
    context.passQuiescentState()
}
