import Platform
import Synchronization

/// A fair ticket spinlock: the `wait_lock` that queues contenders of the
/// queued rwlock (Linux uses its qspinlock there), and the writer-side lock
/// of the seqlock. Host-side and contended paths only.
///
/// Userspace adaptation: after a bounded spin, waiters yield the CPU, since
/// unlike kernel spinlock holders ours can be preempted (on a 2-core machine
/// with more threads than cores, pure spinning would crawl).
public struct TicketSpinLock: ~Copyable, @unchecked Sendable {
    @usableFromInline let next = Atomic<UInt32>(0)
    @usableFromInline let owner = Atomic<UInt32>(0)

    public init() {}

    @inlinable
    public func lock() {
        let ticket = next.wrappingAdd(1, ordering: .relaxed).oldValue
        var backoff = Backoff()
        // Acquire: pairs with the release in unlock, so the previous
        // holder's critical section happens-before ours.
        while owner.load(ordering: .acquiring) != ticket { backoff.pause() }
    }

    @inlinable
    public func unlock() {
        // Release: pairs with the acquiring spin in lock.
        owner.wrappingAdd(1, ordering: .releasing)
    }
}
