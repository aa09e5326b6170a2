import Platform
import Synchronization

/// When may the host reuse a retired frame? Only when no thread can still be
/// writing into it through a mapping it read before the page moved.
///
/// Safe locking designs never write through a retired frame at all. Two
/// kinds of design do: `seqlock` (it writes first and replays when the
/// mapping moved underneath) and `nolock` (broken on purpose). So that their
/// late writes land in a frame that is still quarantined, and are counted
/// there, every thread that writes through page-cache mappings owns one slot
/// here and passes a quiescent state after each operation (a send, a shadow
/// merge). This is bookkeeping of the model, identical for every design;
/// it costs one release store to a cache line the thread owns.
///
/// A slot is a counter of finished operations; the top bit marks the thread
/// offline (idle or finished), when it holds no mapping at all.
public final class WriterQuiescence: @unchecked Sendable {
    @usableFromInline static let offlineBit: UInt64 = 1 << 63
    @usableFromInline let slots: PaddedBuffer<Atomic<UInt64>>
    private let registered = Atomic<Int>(0)

    public var capacity: Int { slots.count }

    public init(capacity: Int) {
        precondition(capacity > 0, "at least one writer slot")
        // Unclaimed slots are offline: they hold no mapping.
        slots = PaddedBuffer(count: capacity) { _ in Atomic<UInt64>(WriterQuiescence.offlineBit) }
    }

    /// Claims a free slot for the calling thread and puts it online.
    public func register() -> Int? {
        let slot = registered.wrappingAdd(1, ordering: .relaxed).oldValue
        guard slot < slots.count else { return nil }
        goOnline(slot)
        return slot
    }

    /// Slots handed out so far.
    public var registeredCount: Int { min(registered.load(ordering: .relaxed), slots.count) }

    /// The thread finished one operation and holds no mapping now.
    @inlinable @inline(__always)
    public func passQuiescentState(_ slot: Int) {
        Self.passQuiescentState(counter: counter(ofSlot: slot))
    }

    /// Slot `slot`'s counter, for a thread that keeps it at hand (the hot
    /// path then passes a quiescent state with one store).
    @inlinable
    public func counter(ofSlot slot: Int) -> UnsafeMutablePointer<Atomic<UInt64>> { slots.pointer(at: slot) }

    /// `passQuiescentState` through a counter kept at hand.
    @inlinable @inline(__always)
    public static func passQuiescentState(counter: UnsafeMutablePointer<Atomic<UInt64>>) {
        let value = counter.pointee.load(ordering: .relaxed)
        // Release: every write of the finished operation (possibly into a
        // retired frame) happens-before the host's acquiring load in
        // `isQuiescent`, which then audits or reuses that frame.
        counter.pointee.store(value &+ 1, ordering: .releasing)
    }

    /// The thread stops using mappings (idle, waiting, or done).
    public func goOffline(_ slot: Int) {
        let counter = slots.pointer(at: slot)
        // Release: pairs with the acquiring load in `isQuiescent`, as above.
        counter.pointee.store(counter.pointee.load(ordering: .relaxed) | Self.offlineBit, ordering: .releasing)
    }

    /// The thread will use mappings again.
    public func goOnline(_ slot: Int) {
        let counter = slots.pointer(at: slot)
        // Sequentially consistent: the thread's next loads of cache state
        // must not move before this store (a store-load pair with the host's
        // invalidation and its reading of the slots).
        _ = counter.pointee.exchange(counter.pointee.load(ordering: .relaxed) & ~Self.offlineBit,
                                     ordering: .sequentiallyConsistent)
    }

    /// Returns once every operation that was in flight when it was called
    /// has finished: each slot online then has passed a quiescent state
    /// since, or gone offline. A grace period over operations (as
    /// `synchronize_srcu` over `kvm->srcu` read sections): a thread that is
    /// offline (idle, sleeping between sends, or waiting on xen_lock in
    /// `deliverSlow`) does not hold it up; one that stays online and never
    /// passes a quiescent state again does, forever. The caller's own slot,
    /// if it has one, must be offline. `waiting(slot)` is called before each
    /// wait on a slot (a test seam).
    public func waitForOperationsInFlight(waiting: (Int) -> Void = { _ in }) {
        // Acquire, each load here and below: pairs with the release in
        // passQuiescentState/goOffline, so every write of an operation that
        // finished is visible to the caller once this returns.
        let before = (0..<slots.count).map { slots.pointer(at: $0).pointee.load(ordering: .acquiring) }
        var backoff = Backoff()
        for (slot, then) in before.enumerated() where then & Self.offlineBit == 0 {
            waiting(slot)
            while slots.pointer(at: slot).pointee.load(ordering: .acquiring) == then { backoff.pause() }
        }
    }

    /// The counters now, for comparing later.
    public func snapshot() -> [UInt64] {
        // Sequentially consistent fence: the retirement (the remap) that the
        // caller just made comes before these reads in the single total order.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return (0..<slots.count).map { slots.pointer(at: $0).pointee.load(ordering: .acquiring) }
    }

    /// True when every thread is offline or has finished two operations
    /// since `earlier`: one that may have started before the snapshot, and a
    /// whole one after it, which read the cache state the host left.
    public func isQuiescent(since earlier: [UInt64]) -> Bool {
        for (slot, then) in earlier.enumerated() {
            // Acquire: pairs with the release in passQuiescentState/goOffline.
            let now = slots.pointer(at: slot).pointee.load(ordering: .acquiring)
            if now & Self.offlineBit != 0 { continue }
            if (now & ~Self.offlineBit) &- (then & ~Self.offlineBit) < 2 { return false }
        }
        return true
    }
}
