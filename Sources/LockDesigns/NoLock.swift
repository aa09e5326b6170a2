import PageCache

/// `nolock`: no synchronisation at all. Unsafe on purpose: a sender can
/// read the mapping, the host can invalidate and move the page, and the
/// sender then writes into the retired frame. It exists to show that the
/// lost-event check catches that.
public struct NoLock: ~Copyable, ReadMostlyLock, Sendable {
    public init(readerCapacity: Int) {}

    @inlinable @inline(__always)
    public func readLock(reader: Int) -> ReadTicket { .plain }

    @inlinable @inline(__always)
    public func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool { true }

    @inlinable @inline(__always) public func writeLock() {}
    @inlinable @inline(__always) public func writeUnlock() {}
}
