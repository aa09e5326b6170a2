import PageCache
import Platform
import Synchronization

/// `rcu`: epoch-based read-copy-update, in the style of liburcu's "mb"
/// flavour and Linux SRCU: readers announce themselves in a per-thread slot;
/// an invalidation marks the cache invalid and then waits a grace period
/// (`synchronize`) until every reader that might have seen the old mapping
/// has left, before the host may move the page.
///
/// Reader slot states: 0 = outside; (epoch | 1) = inside, entered when the
/// global epoch (always even) had that value.
///
/// Trade-off: readers never wait and write only their own cache line, but
/// announcing needs a full barrier per section (a locked exchange here;
/// liburcu's memb flavour moves it into the writer with membarrier(2)), and
/// every invalidation costs a grace period: a scan of all reader slots.
public struct EpochRCU: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    @usableFromInline let epoch = Atomic<UInt64>(2)
    @usableFromInline let readers: PaddedBuffer<Atomic<UInt64>>
    /// `readers`' slots, kept at hand for the read side.
    @usableFromInline let readerSlots: PaddedSlots<Atomic<UInt64>>
    @usableFromInline let writers = PThreadMutex()

    public init(readerCapacity: Int) {
        readers = PaddedBuffer(count: readerCapacity) { _ in Atomic<UInt64>(0) }
        readerSlots = readers.slots
    }

    @inlinable @inline(__always)
    public func readLock(reader: Int) -> ReadTicket {
        // Acquire: pairs with synchronize's release-bearing epoch increment,
        // so a reader that sees the new epoch sees the invalidation before it.
        let current = epoch.load(ordering: .acquiring)
        let slot = readerSlots.pointer(at: reader)
        // Sequentially consistent exchange: announces the reader before any
        // load of cache state (a store-load pair with synchronize's epoch
        // increment followed by its reading of the slots).
        _ = slot.pointee.exchange(current | 1, ordering: .sequentiallyConsistent)
        // The ticket carries the slot's address: the unlock is one store.
        return ReadTicket(UInt64(UInt(bitPattern: slot)))
    }

    @inlinable @inline(__always)
    public func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool {
        // The slot readLock announced this section in.
        let slot = UnsafeMutablePointer<Atomic<UInt64>>(bitPattern: UInt(ticket.value)).unsafelyUnwrapped
        // Release: the section's writes happen-before synchronize's
        // acquiring load that sees the slot empty.
        slot.pointee.store(0, ordering: .releasing)
        return true
    }

    @inlinable public func writeLock() { writers.lock() }
    @inlinable public func writeUnlock() { writers.unlock() }

    /// Waits for every reader that entered before the new epoch to leave:
    /// the design's slow path, out of line.
    @inline(never)
    public func synchronize() {
        // Sequentially consistent: see readLock.
        let target = epoch.wrappingAdd(2, ordering: .sequentiallyConsistent).newValue
        for slot in 0..<readers.count {
            var backoff = Backoff()
            while true {
                // Sequentially consistent: the other half of the store-load
                // pair with readLock's exchange (the epoch increment above
                // and the cache's seq_cst invalidation precede it in the
                // single total order); it also acquires readUnlock's release.
                let state = readers.pointer(at: slot).pointee.load(ordering: .sequentiallyConsistent)
                if state == 0 || state >= target { break }
                backoff.pause()
            }
        }
    }
}
