import PageCache
import Platform

/// `pthread-rwlock`: what a userspace VMM reaches for first, glibc's
/// `pthread_rwlock_t` with default attributes.
///
/// Trade-off: a function call and an atomic RMW on a shared word per
/// section, plus glibc's reader preference: while readers overlap without
/// a gap, an invalidating writer can wait indefinitely.
public struct GlibcRWLock: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    @usableFromInline let rwlock = PThreadRWLock(kind: .glibcDefault)

    public init(readerCapacity: Int) {}

    @inlinable @inline(__always)
    public func readLock(reader: Int) -> ReadTicket {
        rwlock.readLock()
        return .plain
    }

    @inlinable @inline(__always)
    public func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool {
        rwlock.unlock()
        return true
    }

    @inlinable public func writeLock() { rwlock.writeLock() }
    @inlinable public func writeUnlock() { rwlock.unlock() }
}
