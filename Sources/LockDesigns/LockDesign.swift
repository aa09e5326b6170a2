import PageCache

/// The locking designs evtchn-bench compares, by command-line name.
/// Selection happens once, here, at the edge: `visit` hands a visitor the
/// concrete type, and everything below is generic and specialised.
///
/// The LockDesigns target holds one `~Copyable` type per design behind
/// `ReadMostlyLock` (docs/model.md §8). A type is named for the lock it
/// is, never for being a design; the command line names the design:
///
/// | design | type |
/// |---|---|
/// | `rwlock`, `rwlock-trylock`, `rwlock-trydrop` | `QueuedRWLock<WaitingReaders / TrylockOrSlowPath / TrylockOrDrop>` |
/// | `pthread-rwlock` | `GlibcRWLock` |
/// | `mutex` | `ExclusiveLock` |
/// | `seqlock` | `SeqLock` |
/// | `rcu` | `EpochRCU` |
/// | `percpu` | `BiasedReaderLock` (per-reader indicators, BRAVO) |
/// | `nolock` | `NoLock` |
public enum LockDesign: String, CaseIterable, Sendable, CustomStringConvertible {
    case rwlock
    case rwlockTrylock = "rwlock-trylock"
    case rwlockTrydrop = "rwlock-trydrop"
    case pthreadRWLock = "pthread-rwlock"
    case mutex
    case seqlock
    case rcu
    case percpu
    case nolock

    public var description: String { rawValue }

    /// One line: what the read side does.
    public var summary: String {
        switch self {
        case .rwlock: "queued reader-writer spinlock; readers add/sub a shared counter"
        case .rwlockTrylock: "queued rwlock, read_trylock; contention = would-block, slow path"
        case .rwlockTrydrop: "queued rwlock, read_trylock; contention drops the event (counted)"
        case .pthreadRWLock: "glibc pthread_rwlock_t, default (reader-preferring) attributes"
        case .mutex: "one exclusive pthread mutex for readers and writers, lock-free bit ops"
        case .seqlock: "optimistic: read sequence, set bits, re-check; replay if it moved"
        case .rcu: "epoch RCU: per-thread reader slot; invalidation waits a grace period"
        case .percpu: "BRAVO-style per-reader indicators over a queued rwlock"
        case .nolock: "no synchronisation (UNSAFE: proves the lost-event check works)"
        }
    }

    /// Where the design comes from.
    public var origin: String {
        switch self {
        case .rwlock: "Linux virt/kvm/pfncache.c gpc->lock (rwlock_t, kernel/locking/qrwlock.c)"
        case .rwlockTrylock: "refused KVM patch \"don't block on pfncache locks\""
        case .rwlockTrydrop: "Xen per-channel rwlock taken with trylock in IRQ context"
        case .pthreadRWLock: "what a userspace VMM would reach for"
        case .mutex: "QEMU hw/i386/kvm/xen_evtchn.c port_lock"
        case .seqlock: "none: this suite's optimistic design with idempotent replay"
        case .rcu: "Linux SRCU, liburcu (mb flavour)"
        case .percpu: "BRAVO (USENIX ATC 2019), Linux percpu-rwsem"
        case .nolock: "none (negative control)"
        }
    }

    /// Whether lost events must be zero for this design.
    public var isSafe: Bool { self != .nolock }

    /// Whether the design's readers may write through a retired mapping and
    /// replay (`ReadMostlyLock.replaysStaleWrites`): only for these may a
    /// safe run show stale bits.
    public var replaysStaleWrites: Bool { visit(ReplaysStaleWrites()) }

    /// Calls the visitor with this design's lock type. Inlinable, so that at
    /// each call site the visitor's generic code is specialised for every
    /// design (without it the hot loops would run unspecialised generic code
    /// through witness tables).
    @inlinable
    public func visit<Visitor: LockDesignVisitor>(_ visitor: Visitor) -> Visitor.Result {
        switch self {
        case .rwlock: visitor.visit(QueuedRWLock<WaitingReaders>.self, design: self)
        case .rwlockTrylock: visitor.visit(QueuedRWLock<TrylockOrSlowPath>.self, design: self)
        case .rwlockTrydrop: visitor.visit(QueuedRWLock<TrylockOrDrop>.self, design: self)
        case .pthreadRWLock: visitor.visit(GlibcRWLock.self, design: self)
        case .mutex: visitor.visit(ExclusiveLock.self, design: self)
        case .seqlock: visitor.visit(SeqLock.self, design: self)
        case .rcu: visitor.visit(EpochRCU.self, design: self)
        case .percpu: visitor.visit(BiasedReaderLock.self, design: self)
        case .nolock: visitor.visit(NoLock.self, design: self)
        }
    }

    /// Parses a comma list of names, or `all`.
    public static func parseList(_ text: String) throws(DesignListError) -> [LockDesign] {
        try parseNameList(text, option: "--design")
    }
}

public typealias DesignListError = NameListError

private struct ReplaysStaleWrites: LockDesignVisitor {
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> Bool { Lock.replaysStaleWrites }
}

/// Receives the concrete lock type of a design (a generic function cannot be
/// a closure in Swift, hence a visitor).
public protocol LockDesignVisitor {
    associatedtype Result
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> Result
}
