import Platform
import Synchronization

/// Wakes a halted vCPU: an event count on a futex word (kvm_vcpu_kick in
/// the model). A kick is a counter increment plus a futex wake only when
/// someone sleeps; waiting re-checks for work before sleeping, so no kick
/// is ever missed and no sleep loop is needed.
///
/// Words (one allocation of their own, stable address): [0] sequence, bumped per kick;
/// [1] sleepers, threads inside `wait`.
public struct EventKick: ~Copyable, @unchecked Sendable {
    @usableFromInline let words: UnsafeMutableRawPointer

    public init() {
        // On lines of its own: senders write it on every delivery.
        words = UnsafeMutableRawPointer(allocateOnOwnLines((UInt32, UInt32).self))
        words.initializeMemory(as: UInt32.self, repeating: 0, count: 2)
    }

    deinit { words.deallocate() }

    @usableFromInline var sequence: UnsafeMutablePointer<Atomic<UInt32>> {
        words.assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    @usableFromInline var sleepers: UnsafeMutablePointer<Atomic<UInt32>> {
        (words + 4).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    /// Wakes the vCPU if it sleeps; the caller has already published the
    /// work (upcall or shadow selector).
    @inlinable
    public func kick() {
        // Sequentially consistent: the increment and the sleepers check form
        // a store-load pair with wait's sleepers increment and the kernel's
        // re-read of the sequence: either we see the sleeper and wake it, or
        // its futex_wait sees the new sequence and does not sleep.
        sequence.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if sleepers.pointee.load(ordering: .sequentiallyConsistent) != 0 {
            Futex.wake(words)
        }
    }

    /// Sleeps until kicked, unless `hasWork()` is already true.
    public func wait(unless hasWork: () -> Bool) {
        // Acquire: pairs with kick's increment, which comes after the work
        // it announces was published.
        let seen = sequence.pointee.load(ordering: .acquiring)
        if hasWork() { return }
        // Sequentially consistent: see kick.
        sleepers.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        Futex.wait(words, expected: seen)
        sleepers.pointee.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Kicks so far (for tests and reports).
    public var count: UInt32 { sequence.pointee.load(ordering: .relaxed) }
}
