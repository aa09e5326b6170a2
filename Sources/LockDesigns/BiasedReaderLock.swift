import PageCache
import Platform
import Synchronization

/// `percpu`: per-reader indicators over a queued rwlock, after BRAVO
/// (Dice and Kogan, USENIX ATC 2019) and Linux's percpu-rwsem.
///
/// While the lock is reader-biased, a reader only marks its own padded slot
/// and checks the bias; it never touches the shared lock word. A writer
/// revokes the bias, waits until every slot is clear, and then works under
/// the underlying rwlock; for a while after a revocation (9 times as long
/// as the revocation took, as in BRAVO) readers use the underlying lock,
/// then the first reader to notice turns the bias back on.
///
/// Per-thread slots stand in for per-CPU counters: a userspace thread can
/// migrate between CPUs mid-section, a thread cannot.
///
/// Trade-off: read side scales like rcu (own cache line, one fenced store),
/// but each invalidation scans every slot and then slows readers down.
public struct BiasedReaderLock: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    @usableFromInline let underlying = QueuedRWLock<WaitingReaders>(readerCapacity: 0)
    @usableFromInline let readerBias = Atomic<Bool>(true)
    @usableFromInline let inhibitUntil = Atomic<UInt64>(0)
    @usableFromInline let visibleReaders: PaddedBuffer<Atomic<Bool>>
    /// `visibleReaders`' slots, kept at hand for the read side.
    @usableFromInline let readerSlots: PaddedSlots<Atomic<Bool>>

    @usableFromInline static var inhibitMultiplier: UInt64 { 9 }

    public init(readerCapacity: Int) {
        visibleReaders = PaddedBuffer(count: readerCapacity) { _ in Atomic<Bool>(false) }
        readerSlots = visibleReaders.slots
    }

    @inlinable @inline(__always)
    public func readLock(reader: Int) -> ReadTicket {
        let slot = readerSlots.pointer(at: reader)
        if readerBias.load(ordering: .relaxed) {
            // Sequentially consistent: publishing the slot and re-reading the
            // bias is a store-load pair with writeLock's clearing of the bias
            // followed by its scan of the slots.
            _ = slot.pointee.exchange(true, ordering: .sequentiallyConsistent)
            // The fast ticket is the slot's address (never 0, the queued
            // rwlock's ticket): the unlock is one store.
            if readerBias.load(ordering: .sequentiallyConsistent) { return ReadTicket(UInt64(UInt(bitPattern: slot))) }
            slot.pointee.store(false, ordering: .releasing)
        }
        return readLockSlow()
    }

    /// The read side while the bias is off: the underlying rwlock (which
    /// keeps no per-reader state), and the bias back on once the
    /// inhibition is over. Out of line: it reads the clock.
    @usableFromInline @inline(never)
    func readLockSlow() -> ReadTicket {
        let ticket = underlying.readLock(reader: 0)
        // Under the read side no writer is inside, so re-arming is safe.
        if !readerBias.load(ordering: .relaxed), monotonicNanoseconds() >= inhibitUntil.load(ordering: .relaxed) {
            readerBias.store(true, ordering: .relaxed)
        }
        return ticket
    }

    @inlinable @inline(__always)
    public func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool {
        if let slot = UnsafeMutablePointer<Atomic<Bool>>(bitPattern: UInt(ticket.value)) {
            // Release: the section's writes happen-before the writer's
            // acquiring scan that sees the slot clear.
            slot.pointee.store(false, ordering: .releasing)
            return true
        }
        return underlying.readUnlock(reader: 0, ticket)
    }

    /// Revokes the bias and waits until every reader slot is clear: the
    /// writer's slow path, out of line.
    @inline(never)
    public func writeLock() {
        underlying.writeLock()
        guard readerBias.load(ordering: .relaxed) else { return }
        // Sequentially consistent: see readLock.
        readerBias.store(false, ordering: .sequentiallyConsistent)
        let start = monotonicNanoseconds()
        for slot in 0..<visibleReaders.count {
            var backoff = Backoff()
            // Sequentially consistent: the other half of the store-load pair
            // with readLock (clear the bias, then read the slots; a reader
            // publishes its slot, then reads the bias); it also acquires
            // readUnlock's release.
            while visibleReaders.pointer(at: slot).pointee.load(ordering: .sequentiallyConsistent) { backoff.pause() }
        }
        let now = monotonicNanoseconds()
        inhibitUntil.store(now &+ (now &- start) &* Self.inhibitMultiplier, ordering: .relaxed)
    }

    public func writeUnlock() { underlying.writeUnlock() }
}
