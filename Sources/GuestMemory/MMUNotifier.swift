import Synchronization

/// Told before a guest page is moved, like KVM's MMU notifier
/// (invalidate_range_start). Every page cache mapping that page must be
/// invalidated before this returns, and, in whatever way its locking design
/// provides, no reader may still be writing through the old mapping.
public protocol MMUNotifier: AnyObject, Sendable {
    func invalidateRangeStart(guestFrame: Int)
}

/// The invalidation protocol as page-cache refresh sees it (kvm's
/// mmu_invalidate_seq and mmu_invalidate_in_progress), and the memslot
/// generation every cache check compares.
extension GuestMemory {
    /// Starts a translation attempt: the sequence to compare, or nil while an
    /// invalidation is in progress (the caller retries).
    public func beginTranslation() -> UInt64? {
        // Acquire on both: pairs with the releases that end a migration, so a
        // translation that sees the new sequence also sees the new frame.
        let sequence = invalidateSequence.load(ordering: .acquiring)
        return invalidateInProgress.load(ordering: .acquiring) == 0 ? sequence : nil
    }

    /// mmu_notifier_retry_cache: true if a migration started or finished
    /// since `beginTranslation` returned `sequence`. Called with the cache's
    /// write side held, after the translation.
    public func translationMustRetry(since sequence: UInt64) -> Bool {
        // Sequentially consistent: orders this check after the caller's
        // write-lock acquisition against `migrate`'s increment of
        // in-progress followed by the notifier's write-lock acquisition.
        invalidateInProgress.load(ordering: .sequentiallyConsistent) != 0
            || invalidateSequence.load(ordering: .sequentiallyConsistent) != sequence
    }

    /// The memslot generation counter (kvm->memslots->generation), for a
    /// cache to keep at hand; read it relaxed (see bumpMemslotGeneration).
    public var memslotGenerationCounter: UnsafeMutablePointer<Atomic<UInt64>> { memslotGenerationSlot.pointer(at: 0) }

    /// The memslot generation a valid cache must carry.
    public var memslotGeneration: UInt64 { memslotGenerationCounter.pointee.load(ordering: .relaxed) }

    /// A memslot change: every cache fails its check until refreshed.
    public func bumpMemslotGeneration() {
        // Relaxed: check and refresh read the generation relaxed, as nothing
        // is published through it. A sender that misses the bump for one
        // send writes through a mapping that is still right (a memslot
        // change here moves no page), which is harmless, as in KVM
        // (kvm_gpc_check reads the generation with no ordering either).
        memslotGenerationCounter.pointee.wrappingAdd(1, ordering: .relaxed)
    }
}

struct WeakNotifier {
    weak var target: MMUNotifier?
    init(_ target: MMUNotifier) { self.target = target }
}
