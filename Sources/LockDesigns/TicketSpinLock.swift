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
        // Acquire: pairs with the release in unlock, so the previous
        // holder's critical section happens-before ours.
        if owner.load(ordering: .acquiring) != ticket { waitForTurn(ticket) }
    }

    /// The contended path: spin (then yield) until `ticket` is served.
    @usableFromInline @inline(never)
    func waitForTurn(_ ticket: UInt32) {
        var backoff = Backoff()
        // Acquire: as in lock.
        while owner.load(ordering: .acquiring) != ticket { backoff.pause() }
    }

    @inlinable
    public func unlock() {
        // Release: pairs with the acquiring loads in lock and waitForTurn.
        owner.wrappingAdd(1, ordering: .releasing)
    }
}
