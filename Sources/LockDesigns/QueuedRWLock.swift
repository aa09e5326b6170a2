import PageCache
import Platform
import Synchronization

/// How a queued rwlock's fast path treats a contended read side.
public protocol QueuedRWLockPolicy {
    static var contentionPolicy: ContentionPolicy { get }
}

/// `rwlock`: read_lock waits (Linux's gpc `rwlock_t`).
public enum WaitingReaders: QueuedRWLockPolicy {
    public static var contentionPolicy: ContentionPolicy { .wait }
}

/// `rwlock-trylock`: read_trylock; failure returns would-block and the
/// caller takes the slow path (the refused KVM patch "don't block on
/// pfncache locks").
public enum TrylockOrSlowPath: QueuedRWLockPolicy {
    public static var contentionPolicy: ContentionPolicy { .wouldBlock }
}

/// `rwlock-trydrop`: read_trylock; failure drops the event and counts it
/// (Xen's per-channel rwlock taken with trylock in IRQ context).
public enum TrylockOrDrop: QueuedRWLockPolicy {
    public static var contentionPolicy: ContentionPolicy { .drop }
}

/// Linux's queued reader-writer lock (kernel/locking/qrwlock.c): one 32-bit
/// word; readers add a bias and go if no writer holds or waits; contenders
/// queue on a fair spinlock so writers are not starved. The fast paths are
/// here and inlined, as in qrwlock.h; the slow paths are `QRWLock`'s, out
/// of line, as in qrwlock.c.
///
/// Trade-off: the read side is one atomic add and one atomic sub on a word
/// every reader shares, so the cache line bounces between all sender CPUs
/// (and across NUMA nodes) even though readers never wait for each other.
public struct QueuedRWLock<Policy: QueuedRWLockPolicy>: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    @usableFromInline let qrwlock = QRWLock()

    public init(readerCapacity: Int) {}

    public static var contentionPolicy: ContentionPolicy { Policy.contentionPolicy }

    /// queued_read_lock.
    @inlinable @inline(__always)
    public func readLock(reader: Int) -> ReadTicket {
        // Acquire: pairs with the writer's release in writeUnlock.
        let now = qrwlock.counts.wrappingAdd(QRWLock.readerBias, ordering: .acquiring).newValue
        if now & QRWLock.writerMask != 0 { qrwlock.readLockSlow() }
        return .plain
    }

    /// queued_read_trylock.
    @inlinable @inline(__always)
    public func tryReadLock(reader: Int) -> ReadTicket? {
        guard qrwlock.counts.load(ordering: .relaxed) & QRWLock.writerMask == 0 else { return nil }
        // Acquire: pairs with writeUnlock's release, as in readLock.
        let now = qrwlock.counts.wrappingAdd(QRWLock.readerBias, ordering: .acquiring).newValue
        if now & QRWLock.writerMask == 0 { return .plain }
        qrwlock.counts.wrappingSubtract(QRWLock.readerBias, ordering: .relaxed)
        return nil
    }

    @inlinable @inline(__always)
    public func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool {
        // Release: the section's writes through the mapping happen-before a
        // writer's acquiring compare-exchange that sees the count drop.
        qrwlock.counts.wrappingSubtract(QRWLock.readerBias, ordering: .releasing)
        return true
    }

    /// queued_write_lock.
    @inlinable
    public func writeLock() {
        // Acquire (on success): pairs with readUnlock's release.
        if qrwlock.counts.compareExchange(expected: 0, desired: QRWLock.writerLocked, ordering: .acquiring).exchanged {
            return
        }
        qrwlock.writeLockSlow()
    }

    @inlinable
    public func writeUnlock() {
        // Release: pairs with the readers' acquiring add (and their slow-path
        // acquiring spin), publishing the writer's changes to the cache.
        qrwlock.counts.wrappingSubtract(QRWLock.writerLocked, ordering: .releasing)
    }
}

/// A `QueuedRWLock`'s state (Linux's `struct qrwlock`) and its slow paths:
/// out of line and not generic, so that every design's specialised hot
/// loop calls one copy of each (as the standard library's Mutex calls its
/// `_lockSlow`).
///
/// Lock word (`counts`) states:
/// - bits 0-7 (`writerLocked`, 0xff): a writer holds the lock;
/// - bit 8 (`writerWaiting`): a writer waits for readers to drain;
/// - bits 9-31: the number of readers inside, in units of `readerBias`.
@usableFromInline
struct QRWLock: ~Copyable, @unchecked Sendable {
    @usableFromInline static var writerLocked: UInt32 { 0xff }
    @usableFromInline static var writerWaiting: UInt32 { 0x100 }
    @usableFromInline static var writerMask: UInt32 { 0x1ff }
    @usableFromInline static var readerBias: UInt32 { 1 << 9 }

    @usableFromInline let counts = Atomic<UInt32>(0)
    @usableFromInline let waitLock = TicketSpinLock()

    @usableFromInline init() {}

    /// queued_read_lock_slowpath: back out, queue behind waiting writers,
    /// re-enter, and wait for the holding writer to leave.
    @usableFromInline @inline(never)
    func readLockSlow() {
        counts.wrappingSubtract(Self.readerBias, ordering: .relaxed)
        waitLock.lock()
        counts.wrappingAdd(Self.readerBias, ordering: .relaxed)
        var backoff = Backoff()
        // Acquire: pairs with writeUnlock's release.
        while counts.load(ordering: .acquiring) & Self.writerLocked != 0 { backoff.pause() }
        waitLock.unlock()
    }

    /// queued_write_lock_slowpath: queue behind other contenders, announce
    /// the wait, and take the lock once the readers have drained.
    @usableFromInline @inline(never)
    func writeLockSlow() {
        waitLock.lock()
        // Acquire (on success): pairs with readUnlock's release.
        if counts.compareExchange(expected: 0, desired: Self.writerLocked, ordering: .acquiring).exchanged {
            waitLock.unlock()
            return
        }
        counts.bitwiseOr(Self.writerWaiting, ordering: .relaxed)
        var backoff = Backoff()
        // Wait for readers to drain, then turn "waiting" into "locked".
        // Acquire: pairs with readUnlock's release.
        while !counts.compareExchange(expected: Self.writerWaiting, desired: Self.writerLocked,
                                      ordering: .acquiring).exchanged {
            backoff.pause()
        }
        waitLock.unlock()
    }
}
