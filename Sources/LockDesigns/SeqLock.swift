import PageCache
import Platform
import Synchronization

/// `seqlock`: optimistic readers with idempotent replay (no origin in the
/// kernel or Xen; the design this suite adds to the comparison).
///
/// Readers write nothing shared: they read the sequence, do the section
/// (setting bits through the mapping), then re-read the sequence. If it
/// moved, a writer ran meanwhile and the section's writes may have gone to
/// a retired frame, so the caller replays through the refreshed mapping.
/// Setting a bit twice is harmless and an extra kick is harmless, so replay
/// is safe; a replay may make one event visible twice (a duplicate), never
/// lose it.
///
/// Trade-off: the cheapest read side with many readers (no shared cache
/// line is written), paid for by a full fence per section and by breaking
/// the page cache's usual guarantee: invalidate returns while readers may
/// still write into the old frame, so retired frames must stay quarantined
/// until every reader has moved on (`WriterQuiescence`). A kernel could not
/// free such a page at once either.
///
/// Lock word: the sequence; odd while a writer is inside.
public struct SeqLock: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    @usableFromInline let sequence = Atomic<UInt64>(0)
    @usableFromInline let writers = TicketSpinLock()

    public init(readerCapacity: Int) {}

    public static var replaysStaleWrites: Bool { true }

    @inlinable @inline(__always)
    public func readLock(reader: Int) -> ReadTicket {
        // Acquire: pairs with writeUnlock's release, so the section sees
        // everything the last writer published.
        let start = sequence.load(ordering: .acquiring)
        if start & 1 == 0 { return ReadTicket(start) }
        return readLockSlow()
    }

    /// A writer is inside (and may be preempted): spin, then yield, until
    /// the sequence is even again.
    @usableFromInline @inline(never)
    func readLockSlow() -> ReadTicket {
        var backoff = Backoff()
        while true {
            // Acquire: as in readLock.
            let start = sequence.load(ordering: .acquiring)
            if start & 1 == 0 { return ReadTicket(start) }
            backoff.pause()
        }
    }

    @inlinable @inline(__always)
    public func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool {
        // Sequentially consistent fence: the section's writes through the
        // mapping and this re-read of the sequence form a store-load pair
        // with writeLock's increment and the host's fenced page copy
        // (GuestMemory.migrate): either the copy sees our writes, or we see
        // the new sequence and replay.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        return sequence.load(ordering: .relaxed) == ticket.value
    }

    @inlinable
    public func writeLock() {
        writers.lock()
        // Sequentially consistent: see readUnlock.
        sequence.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    @inlinable
    public func writeUnlock() {
        // Release: pairs with the acquiring load in readLock.
        sequence.wrappingAdd(1, ordering: .releasing)
        writers.unlock()
    }
}
