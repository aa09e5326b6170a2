/// What a read section of a design hands back to its unlock: a sequence
/// number (seqlock), which path was taken (percpu), or nothing.
public struct ReadTicket: Sendable {
    public let value: UInt64
    @inlinable public init(_ value: UInt64) { self.value = value }
    @inlinable public static var plain: ReadTicket { ReadTicket(0) }
}

/// What the fast path does when its design cannot take the read side at once.
public enum ContentionPolicy: Sendable {
    /// Wait for the read side (spin, sleep, or take it anyway).
    case wait
    /// Return would-block; the caller takes the slow path, which waits.
    case wouldBlock
    /// Drop the event and count it (never set, never delivered).
    case drop
}

/// The contract between the page cache and a locking design: the lock that
/// guards a gfn-to-pfn cache's mapping, with a read side on the senders'
/// fast path and a write side for invalidate / refresh / (de)activate.
///
/// The guarantee every design must give: once `writeUnlock()` and then
/// `synchronize()` of an invalidation return, no reader can still write
/// through the mapping it read before. Exclusive designs get that from the
/// write side itself; `rcu` from a grace period in `synchronize()`. A design
/// that cannot (`seqlock`) must say so with `replaysStaleWrites` and report,
/// at `readUnlock`, every section that a writer overlapped, so that the
/// caller redoes it through the refreshed mapping.
///
/// Designs are noncopyable structs; hot loops are generic over this protocol
/// and specialised per design. Reader slots (`reader`) index per-thread state
/// for designs that keep it (rcu, percpu); every thread that reads registers
/// one, below `readerCapacity`.
public protocol ReadMostlyLock: ~Copyable, Sendable {
    init(readerCapacity: Int)

    /// What the fast path does when the read side is contended.
    static var contentionPolicy: ContentionPolicy { get }

    /// True for optimistic designs whose readers may write through a mapping
    /// that an invalidation has already retired, and which compensate by
    /// replaying the section (idempotent bit sets, harmless extra kicks).
    static var replaysStaleWrites: Bool { get }

    /// Enters a read section, waiting if needed.
    func readLock(reader: Int) -> ReadTicket

    /// Enters a read section only if that needs no waiting.
    func tryReadLock(reader: Int) -> ReadTicket?

    /// Leaves a read section. False means a writer ran during it and its
    /// writes may have gone to a retired mapping: the caller must replay.
    func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool

    func writeLock()
    func writeUnlock()

    /// Called after an invalidation or deactivation has been published and
    /// the write side dropped: waits until no reader can still use the old
    /// mapping (a grace period for rcu; nothing for designs that exclude).
    func synchronize()

    /// Test seam inside every read section, after the cache check succeeds
    /// and before anything is written through the mapping. Empty (and
    /// inlined away) for every real design; tests use it to force
    /// interleavings deterministically.
    func readSectionProbe()

    /// Called in a vcpu_info section between the selector's test-and-set
    /// and the `upcall_pending` store. Empty for every real design, like
    /// `readSectionProbe`: a seam for deterministic interleaving tests.
    func selectorProbe()
}

extension ReadMostlyLock where Self: ~Copyable {
    @inlinable public static var contentionPolicy: ContentionPolicy { .wait }
    @inlinable public static var replaysStaleWrites: Bool { false }

    @inlinable @inline(__always)
    public func tryReadLock(reader: Int) -> ReadTicket? { readLock(reader: reader) }

    @inlinable @inline(__always)
    public func synchronize() {}

    @inlinable @inline(__always)
    public func readSectionProbe() {}

    @inlinable @inline(__always)
    public func selectorProbe() {}

    /// Enters a read section the way the fast path does: by waiting, or by
    /// trying once when the design's policy says contention must not wait.
    @inlinable @inline(__always)
    public func fastPathReadLock(reader: Int) -> ReadTicket? {
        switch Self.contentionPolicy {
        case .wait: readLock(reader: reader)
        case .wouldBlock, .drop: tryReadLock(reader: reader)
        }
    }
}
