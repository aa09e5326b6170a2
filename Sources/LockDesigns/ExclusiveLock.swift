import PageCache
import Platform

/// `mutex`: one exclusive lock for readers and writers, with lock-free bit
/// operations inside, as QEMU's Xen emulation does (`port_lock`, a
/// QemuMutex, in hw/i386/kvm/xen_evtchn.c).
///
/// Trade-off: simplest to reason about, but senders serialise with each
/// other, not only with the invalidating host.
public struct ExclusiveLock: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    @usableFromInline let mutex = PThreadMutex()

    public init(readerCapacity: Int) {}

    @inlinable @inline(__always)
    public func readLock(reader: Int) -> ReadTicket {
        mutex.lock()
        return .plain
    }

    @inlinable @inline(__always)
    public func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool {
        mutex.unlock()
        return true
    }

    @inlinable public func writeLock() { mutex.lock() }
    @inlinable public func writeUnlock() { mutex.unlock() }
}
