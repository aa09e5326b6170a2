import GuestMemory
import Platform
import Synchronization

/// A gfn-to-pfn cache (Linux virt/kvm/pfncache.c): a host mapping of one
/// guest address, with the verbs activate, check, refresh, invalidate and
/// deactivate, guarded by a read-mostly lock of the design under test.
///
/// State (active, valid, generation, khva, guest frame and offset) changes
/// only with the write side held. Readers look at it with the read side
/// held, or, for designs whose readers do not exclude writers (rcu, seqlock),
/// inside a section the design validates. Fields are atomics so that such
/// optimistic reads are well defined; under a lock they are plain loads.
public struct GfnPfnCache<Lock: ReadMostlyLock & ~Copyable>: ~Copyable, @unchecked Sendable {
    public let lock: Lock
    /// gpc->refresh_lock: serialises refresh, activate and deactivate.
    let refreshLock = OwnedMutex()
    @usableFromInline unowned(unsafe) let memory: GuestMemory
    /// The memory's memslot generation counter, kept at hand for `check`.
    @usableFromInline let memslotGeneration: UnsafeMutablePointer<Atomic<UInt64>>

    @usableFromInline static var activeFlag: UInt8 { 1 }
    @usableFromInline static var validFlag: UInt8 { 2 }
    /// Set while a relocation forces the fast path onto the slow path:
    /// `check` wants exactly active|valid, so this bit makes it fail at no
    /// cost to the fast path.
    @usableFromInline static var forcedWouldBlockFlag: UInt8 { 4 }

    @usableFromInline let flags = Atomic<UInt8>(0)
    @usableFromInline let generation = Atomic<UInt64>(0)
    /// Host address of the cached guest address (frame + offset), 0 if none.
    @usableFromInline let khva = Atomic<UInt>(0)
    @usableFromInline let guestFrame = Atomic<Int>(-1)
    @usableFromInline let pageOffset = Atomic<Int>(0)
    /// Grace periods of activate/deactivate still running: each retired a
    /// mapping with the write side held and waits, after dropping it, for
    /// readers that may still write through it. See `invalidate`.
    let retiring = Atomic<Int>(0)

    public init(memory: GuestMemory, readerCapacity: Int) {
        self.memory = memory
        self.memslotGeneration = memory.memslotGenerationCounter
        self.lock = Lock(readerCapacity: readerCapacity)
    }

    // MARK: Fast-path verbs (caller is inside a read section)

    /// kvm_gpc_check: true if the cache is active, valid, of the current
    /// memslot generation, and `length` bytes fit in the page; then
    /// `mappedAddress` may be written through until the read side is
    /// dropped. False: the caller returns would-block or uses a fallback.
    @inlinable @inline(__always)
    public func check(length: Int) -> Bool {
        // Sequentially consistent (a plain load on x86): pairs with the
        // release store of the flags in refresh, so a reader that sees
        // `valid` also sees the khva published with it; and with the seq_cst
        // stores of activate/deactivate/invalidate, for designs whose readers
        // announce themselves with a seq_cst RMW instead of excluding the
        // writer (rcu, percpu): a reader the grace period did not see must
        // see `invalid`.
        flags.load(ordering: .sequentiallyConsistent) == Self.activeFlag | Self.validFlag
            // Relaxed, both: nothing is published through the generation
            // (GuestMemory.bumpMemslotGeneration).
            && generation.load(ordering: .relaxed) == memslotGeneration.pointee.load(ordering: .relaxed)
            && pageOffset.load(ordering: .relaxed) &+ length <= GuestMemory.pageSize
    }

    /// gpc->khva: the host address of the cached guest address, after
    /// `check` said true, in the same read section.
    @inlinable @inline(__always)
    public var mappedAddress: UnsafeMutableRawPointer {
        // Never 0 once `valid` was seen: refresh stores khva before the
        // release that sets `valid`, and nothing zeroes it afterwards (unlike
        // the kernel's deactivate, so that a reader that writers do not
        // exclude can never load a null address between its check and its
        // write; the grace period or the replay covers the old address).
        UnsafeMutableRawPointer(bitPattern: khva.load(ordering: .relaxed)).unsafelyUnwrapped
    }

    // MARK: Host verbs

    public var isActive: Bool { flags.load(ordering: .relaxed) & Self.activeFlag != 0 }
    public var isValid: Bool { flags.load(ordering: .relaxed) & Self.validFlag != 0 }
    public var isForcedWouldBlock: Bool { flags.load(ordering: .relaxed) & Self.forcedWouldBlockFlag != 0 }
    /// The guest frame this cache maps, or nil when inactive.
    public var mappedGuestFrame: Int? { isActive ? guestFrame.load(ordering: .relaxed) : nil }
    public var mappedOffset: Int { pageOffset.load(ordering: .relaxed) }

    public enum RefreshResult: Equatable, Sendable {
        case refreshed
        /// The cache is not active (kvm_gpc_refresh returns -EINVAL).
        case inactive
    }

    /// kvm_gpc_activate: maps guest address (`guestFrame`, `offset`).
    @discardableResult
    public func activate(guestFrame frame: Int, offset: Int) -> RefreshResult {
        precondition(frame >= 0 && frame < memory.guestFrameCount, "no such guest frame")
        precondition(offset >= 0 && offset < GuestMemory.pageSize, "offset outside the page")
        refreshLock.lock()
        defer { refreshLock.unlock() }
        lock.writeLock()
        guestFrame.store(frame, ordering: .relaxed)
        pageOffset.store(offset, ordering: .relaxed)
        // Sequentially consistent: see check (clearing `valid` here retires
        // the old mapping, as deactivate does).
        flags.store(Self.activeFlag, ordering: .sequentiallyConsistent)
        retiring.wrappingAdd(1, ordering: .relaxed)
        lock.writeUnlock()
        // The old mapping's page did not move, but nothing may write through
        // it once the guest believes its data lives elsewhere.
        lock.synchronize()
        // Release: pairs with the acquire in `invalidate`; see there.
        retiring.wrappingSubtract(1, ordering: .releasing)
        return refreshLocked()
    }

    /// kvm_gpc_deactivate: forgets the mapping; once this returns nothing
    /// writes through it.
    public func deactivate() {
        refreshLock.lock()
        defer { refreshLock.unlock() }
        lock.writeLock()
        // Sequentially consistent: see check.
        flags.store(0, ordering: .sequentiallyConsistent)
        retiring.wrappingAdd(1, ordering: .relaxed)
        lock.writeUnlock()
        lock.synchronize()
        // Release: pairs with the acquire in `invalidate`; see there.
        retiring.wrappingSubtract(1, ordering: .releasing)
    }

    /// kvm_gpc_refresh: re-translates the guest address and republishes it.
    @discardableResult
    public func refresh() -> RefreshResult {
        refreshLock.lock()
        defer { refreshLock.unlock() }
        return refreshLocked()
    }

    /// __kvm_gpc_refresh: refresh's work. Caller holds refreshLock.
    private func refreshLocked() -> RefreshResult {
        refreshLock.assertHeld()
        var backoff = Backoff()
        while true {
            guard isActive else { return .inactive }
            if isValid, generation.load(ordering: .relaxed) == memory.memslotGeneration { return .refreshed }
            // hva_to_pfn_retry: translate without the lock, then publish
            // under the write side unless an invalidation overlapped.
            guard let sequence = memory.beginTranslation() else {
                backoff.pause()
                continue
            }
            let frame = guestFrame.load(ordering: .relaxed)
            let address = memory.hostAddress(ofGuestFrame: frame) + pageOffset.load(ordering: .relaxed)
            lock.writeLock()
            if memory.translationMustRetry(since: sequence) {
                lock.writeUnlock()
                backoff.pause()
                continue
            }
            khva.store(UInt(bitPattern: address), ordering: .relaxed)
            generation.store(memory.memslotGeneration, ordering: .relaxed)
            // Release: publishes khva and generation with `valid`; pairs
            // with the sequentially consistent (so at least acquiring) load
            // of the flags in check. A forced would-block stays forced.
            let forced = flags.load(ordering: .relaxed) & Self.forcedWouldBlockFlag
            flags.store(Self.activeFlag | Self.validFlag | forced, ordering: .releasing)
            lock.writeUnlock()
            return .refreshed
        }
    }

    /// Makes every `check` fail (so the fast path says would-block) until
    /// turned off; the write side makes readers that are inside finish
    /// first. Used by the forced-slow relocation strategy.
    public func forceWouldBlock(_ on: Bool) {
        lock.writeLock()
        let others = flags.load(ordering: .relaxed) & ~Self.forcedWouldBlockFlag
        // Sequentially consistent: see check.
        flags.store(on ? others | Self.forcedWouldBlockFlag : others, ordering: .sequentiallyConsistent)
        lock.writeUnlock()
        lock.synchronize()
    }

    /// The MMU notifier's part (gfn_to_pfn_cache_invalidate_start): if this
    /// cache maps `frame`, mark it invalid, then wait until no reader can
    /// still write through the old mapping. Decided with the write side
    /// held: an unlocked load may not see a refresh's `valid` yet. Also
    /// waits while an activate or deactivate is retiring a mapping: where
    /// the write side does not wait for readers (rcu), one that passed
    /// `check` may still write through it (docs/history.md).
    public func invalidate(guestFrame frame: Int) {
        lock.writeLock()
        let mapsFrame = isValid && guestFrame.load(ordering: .relaxed) == frame
        if mapsFrame {
            // Sequentially consistent: see check.
            flags.store(flags.load(ordering: .relaxed) & ~Self.validFlag, ordering: .sequentiallyConsistent)
        }
        // Acquire: pairs with the release decrement that ends a retiring
        // writer's grace period, so the writes of the readers it waited for
        // are visible to the copy that follows this invalidation. The
        // increment was made under the write side, which we hold now.
        let mustWait = mapsFrame || retiring.load(ordering: .acquiring) != 0
        lock.writeUnlock()
        if mustWait { lock.synchronize() }
    }
}
