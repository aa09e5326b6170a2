import Platform
import Synchronization

/// Send timestamps per port for end-to-end latency: a sampled send stores
/// its start time (or its scheduled time, in open loop) in its port's slot
/// if the slot is empty; the guest handler takes the slot when it handles
/// the port and records now minus the stamp.
public final class EndToEndStamps: @unchecked Sendable {
    @usableFromInline let slots: PaddedBuffer<Atomic<UInt64>>

    public init(portCount: Int) {
        slots = PaddedBuffer(count: portCount) { _ in Atomic<UInt64>(0) }
    }

    /// Stamps `port` with `time` unless an earlier stamp is still pending.
    /// Returns whether it stamped.
    @inlinable
    public func stamp(port: Int, time: UInt64) -> Bool {
        let slot = slots.pointer(at: port)
        guard slot.pointee.load(ordering: .relaxed) == 0 else { return false }
        // Release: the stamp is published before the send it times, which
        // the handler observes (through the pending bit) before taking it.
        // A compare-exchange, since senders that share ports may race here.
        return slot.pointee.compareExchange(expected: 0, desired: time, ordering: .releasing).exchanged
    }

    /// Withdraws a stamp whose send did not set the pending bit (coalesced
    /// or masked), unless the handler took it already.
    @inlinable
    public func withdraw(port: Int, time: UInt64) {
        _ = slots.pointer(at: port).pointee.compareExchange(expected: time, desired: 0, ordering: .relaxed)
    }

    /// Takes the stamp of a handled port, if any.
    @inlinable
    public func take(port: Int) -> UInt64? {
        let slot = slots.pointer(at: port)
        guard slot.pointee.load(ordering: .relaxed) != 0 else { return nil }
        // Acquire: pairs with the release in stamp.
        let time = slot.pointee.exchange(0, ordering: .acquiring)
        return time == 0 ? nil : time
    }
}
