import PageCache
import Platform

/// A design with rcutorture's read-side delays: every 2^14th read section
/// of each thread gives up its CPU right after the cache check, before
/// anything is written through the mapping (`readSectionProbe`). That is
/// where a preempted sender exposes every hazard of the protocol: the host
/// may invalidate and move the page, a vCPU may move its vcpu_info. A safe
/// design waits (its writer), replays (seqlock) or never wrote; nolock
/// writes into a retired frame. Used by `validate` for every design alike
/// (`RunConfiguration.readSectionDelays`); never by `run`, which measures.
struct TortureLock<Base: ReadMostlyLock & ~Copyable>: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    let base: Base

    /// Sections between delays, per thread (a power of two).
    static var delayEvery: UInt32 { 1 << 14 }

    init(readerCapacity: Int) { base = Base(readerCapacity: readerCapacity) }

    static var contentionPolicy: ContentionPolicy { Base.contentionPolicy }
    static var replaysStaleWrites: Bool { Base.replaysStaleWrites }

    func readLock(reader: Int) -> ReadTicket { base.readLock(reader: reader) }
    func tryReadLock(reader: Int) -> ReadTicket? { base.tryReadLock(reader: reader) }
    func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool { base.readUnlock(reader: reader, ticket) }
    func writeLock() { base.writeLock() }
    func writeUnlock() { base.writeUnlock() }
    func synchronize() { base.synchronize() }

    func readSectionProbe() {
        if threadTick() & (Self.delayEvery - 1) == 0 { yieldThread() }
    }
}
