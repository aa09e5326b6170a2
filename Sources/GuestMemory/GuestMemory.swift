import Platform
import Synchronization

/// Guest memory: guest frames backed by host frames, and the host's power to
/// migrate a guest frame to another host frame at any time.
///
/// Host frames come from one page-aligned allocation (placed by libnuma).
/// The guest-frame -> host-frame table plays the part of both the host page
/// tables and the guest's second-level page tables. Migration copies the
/// page to a free frame and retires the old one into a quarantine with a
/// snapshot of what was copied; any write that lands in the retired frame
/// afterwards came through a stale mapping and is lost to the guest. The
/// quarantine counts those bits (`staleBits`) when it recycles the frame.
///
/// The guest cannot touch a page while the host copies it. In KVM the
/// second-level entries of the page are zapped and every vCPU is kicked out
/// of guest mode, and a vCPU that touches the page faults and waits, each on
/// its own. Here each guest CPU announces that it is in guest mode in its own
/// padded counter (`GuestCPUGate`), as an RCU reader does, and a migration
/// raises `frozen` and waits for every counter to drop to zero: no location
/// is written by two guest CPUs on the way in or out of guest mode.
public final class GuestMemory: @unchecked Sendable {
    public static let pageSize = 4096

    public let guestFrameCount: Int
    public let hostFrameCount: Int
    public let allocation: NUMA.Allocation
    /// Snapshots of retired frames, one page per host frame.
    private let snapshots: NUMA.Allocation
    /// Guest frame -> host frame index.
    private let frameTable: PaddedBuffer<Atomic<Int>>
    /// Guest CPUs: one counter each of threads in guest mode on that CPU
    /// (one, normally: the vCPU thread).
    @usableFromInline let guestMode: PaddedBuffer<Atomic<Int>>
    /// Raised by a migration while it waits for guest mode to empty and
    /// copies; guest CPUs do not enter meanwhile. Only the host writes it.
    @usableFromInline let frozen = Atomic<Bool>(false)
    /// Bumped by every migration while frozen: a guest CPU that cached a
    /// translation (a TLB) retranslates when it sees a new value.
    @usableFromInline let translationEpochCounter = Atomic<UInt64>(0)
    /// Serialises host-side memory operations (migration, frame pool).
    let hostLock = OwnedMutex()

    // Host-side state, touched only under `hostLock`.
    private var freeFrames: [Int]
    private var quarantine: [(frame: Int, guestFrame: Int, counters: [UInt64])] = []
    /// Stale bits found per guest frame and 64-bit word of the page.
    private var staleBitsByWord: [[Int]]
    private var notifiers: [WeakNotifier] = []

    /// mmu_invalidate_seq and mmu_invalidate_in_progress: a refresh that
    /// overlaps a migration must retry (kvm's mmu_notifier_retry_cache).
    let invalidateSequence = Atomic<UInt64>(0)
    let invalidateInProgress = Atomic<Int>(0)
    /// Memslot generation: a change makes every cache check fail.
    /// On a line of its own at a stable address, which caches keep at hand
    /// (`memslotGenerationCounter`), so their check loads it directly.
    let memslotGenerationSlot = PaddedBuffer(count: 1) { _ in Atomic<UInt64>(1) }

    public let quiescence: WriterQuiescence

    private let migrationCount = Atomic<Int>(0)
    private let deferredCount = Atomic<Int>(0)
    private let staleBitCount = Atomic<Int>(0)

    /// - Parameters:
    ///   - guestFrames: guest pages (frame 0 holds shared_info by convention).
    ///   - quarantineFrames: spare host frames that let retired frames rest
    ///     before reuse; more frames tolerate slower writers.
    ///   - writerCapacity: threads that may write through page caches.
    ///   - guestCPUs: the guest's CPUs (vCPUs), each with its own gate into
    ///     guest mode.
    public init(guestFrames: Int, quarantineFrames: Int = 64, writerCapacity: Int, guestCPUs: Int,
                placement: NUMA.Placement = .local) throws(SystemError) {
        precondition(guestFrames > 0 && quarantineFrames > 0, "need guest and spare frames")
        precondition(guestCPUs > 0, "at least one guest CPU")
        guestFrameCount = guestFrames
        hostFrameCount = guestFrames + quarantineFrames
        allocation = try NUMA.allocate(byteCount: hostFrameCount * Self.pageSize, placement: placement)
        snapshots = try NUMA.allocate(byteCount: hostFrameCount * Self.pageSize, placement: placement)
        frameTable = PaddedBuffer(count: guestFrames) { Atomic<Int>($0) }
        freeFrames = Array((guestFrames..<hostFrameCount).reversed())
        staleBitsByWord = Array(repeating: Array(repeating: 0, count: Self.pageSize / 8), count: guestFrames)
        quiescence = WriterQuiescence(capacity: writerCapacity)
        guestMode = PaddedBuffer(count: guestCPUs) { _ in Atomic<Int>(0) }
    }

    /// The guest's CPUs.
    public var guestCPUCount: Int { guestMode.count }

    deinit {
        NUMA.free(allocation)
        NUMA.free(snapshots)
    }

    // MARK: Addresses

    /// Host address of host frame `frame`.
    @inlinable
    public func hostFrameAddress(_ frame: Int) -> UnsafeMutableRawPointer {
        precondition(frame >= 0 && frame < hostFrameCount, "no such host frame")
        return allocation.base + frame * Self.pageSize
    }

    /// The host frame that backs `guestFrame` now.
    public func hostFrame(ofGuestFrame guestFrame: Int) -> Int {
        precondition(guestFrame >= 0 && guestFrame < guestFrameCount, "no such guest frame")
        // Acquire: pairs with the release store in `migrate`, so the copied
        // contents are visible before the new frame is used.
        return frameTable.pointer(at: guestFrame).pointee.load(ordering: .acquiring)
    }

    /// hva_to_pfn: where the host maps `guestFrame` now (used by refresh).
    public func hostAddress(ofGuestFrame guestFrame: Int) -> UnsafeMutableRawPointer {
        hostFrameAddress(hostFrame(ofGuestFrame: guestFrame))
    }

    // MARK: Host operations

    public func addNotifier(_ notifier: MMUNotifier) {
        hostLock.withLock { notifiers.append(WeakNotifier(notifier)) }
    }

    public enum MigrationResult: Equatable, Sendable {
        case migrated(from: Int, to: Int)
        /// No free frame: the oldest retired frame may still be written by a
        /// thread that has not passed a quiescent state. Try again later.
        case deferred
    }

    /// Moves `guestFrame` to another host frame: notifies (invalidates every
    /// cache of the page), freezes the guest, copies, remaps, and retires the
    /// old frame into the quarantine.
    @discardableResult
    public func migrate(guestFrame: Int) -> MigrationResult {
        precondition(guestFrame >= 0 && guestFrame < guestFrameCount, "no such guest frame")
        hostLock.lock()
        defer { hostLock.unlock() }
        guard let newFrame = takeFreeFrame() else {
            deferredCount.wrappingAdd(1, ordering: .relaxed)
            return .deferred
        }
        // Sequentially consistent: pairs with translationMustRetry, so a
        // concurrent refresh either sees the invalidation or is invalidated.
        invalidateInProgress.wrappingAdd(1, ordering: .sequentiallyConsistent)
        for notifier in notifiers {
            notifier.target?.invalidateRangeStart(guestFrame: guestFrame)
        }
        freezeGuest()
        let oldFrame = hostFrame(ofGuestFrame: guestFrame)
        // Sequentially consistent fence: orders the invalidation (a seqlock's
        // sequence increment included) before the copy's reads, against an
        // optimistic reader's bit write followed by its sequence re-check.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        GuestAtomics.copyPage(from: hostFrameAddress(oldFrame), to: hostFrameAddress(newFrame),
                              snapshot: snapshots.base + oldFrame * Self.pageSize, bytes: Self.pageSize)
        // Release: publishes the copied contents with the new mapping; pairs
        // with the acquiring load in hostFrame(ofGuestFrame:).
        frameTable.pointer(at: guestFrame).pointee.store(newFrame, ordering: .releasing)
        // Release: pairs with the acquire in `translationEpoch`.
        translationEpochCounter.wrappingAdd(1, ordering: .releasing)
        // Release: ends the freeze; pairs with the acquiring load in
        // `waitUntilThawed` and the seq_cst load in `GuestCPUGate.enter`.
        frozen.store(false, ordering: .releasing)
        // Release: ends the invalidation; pairs with beginTranslation.
        invalidateSequence.wrappingAdd(1, ordering: .releasing)
        invalidateInProgress.wrappingSubtract(1, ordering: .releasing)
        quarantine.append((oldFrame, guestFrame, quiescence.snapshot()))
        migrationCount.wrappingAdd(1, ordering: .relaxed)
        return .migrated(from: oldFrame, to: newFrame)
    }

    /// Runs `body` with every guest CPU held out of guest mode, as a
    /// migration holds them while it copies: a change `body` makes to the
    /// guest's own view (shared_info's frame, with an epoch bump) is seen by
    /// every guest CPU's next entry, and no guest CPU still works with the
    /// old one once this returns.
    public func withGuestHeldOut(_ body: () -> Void) {
        hostLock.lock()
        defer { hostLock.unlock() }
        freezeGuest()
        body()
        // Release: ends the freeze; pairs with the acquiring load in
        // `waitUntilThawed` and the seq_cst load in `GuestCPUGate.enter`.
        frozen.store(false, ordering: .releasing)
    }

    /// A free frame, recycling the oldest retired one if every writer has
    /// passed a quiescent state since it was retired. Caller holds hostLock.
    private func takeFreeFrame() -> Int? {
        hostLock.assertHeld()
        if let frame = freeFrames.popLast() { return frame }
        guard let oldest = quarantine.first, quiescence.isQuiescent(since: oldest.counters) else { return nil }
        quarantine.removeFirst()
        audit(oldest.frame, of: oldest.guestFrame)
        return oldest.frame
    }

    /// Counts bits written into a retired frame after its copy. Caller
    /// holds hostLock.
    private func audit(_ frame: Int, of guestFrame: Int) {
        hostLock.assertHeld()
        let stale = GuestAtomics.differingBitsPerWord(hostFrameAddress(frame), snapshots.base + frame * Self.pageSize,
                                                      bytes: Self.pageSize)
        var total = 0
        for (word, bits) in stale.enumerated() where bits != 0 {
            staleBitsByWord[guestFrame][word] += bits
            total += bits
        }
        staleBitCount.wrappingAdd(total, ordering: .relaxed)
    }

    /// Stale bits found so far in bytes `range` of guest frame `guestFrame`
    /// (whole 64-bit words that overlap the range).
    public func staleBits(guestFrame: Int, bytes range: Range<Int>) -> Int {
        hostLock.withLock {
            staleBitsByWord[guestFrame][(range.lowerBound / 8)..<((range.upperBound + 7) / 8)].reduce(0, +)
        }
    }

    /// Audits and frees every quarantined frame. Call only when no thread
    /// writes through page caches any more (the end of a run).
    public func auditQuarantine() {
        hostLock.withLock {
            for entry in quarantine {
                audit(entry.frame, of: entry.guestFrame)
                freeFrames.append(entry.frame)
            }
            quarantine.removeAll()
        }
    }

    /// Migrations done.
    public var migrations: Int { migrationCount.load(ordering: .relaxed) }
    /// Migrations skipped because no frame could be reused yet.
    public var deferredMigrations: Int { deferredCount.load(ordering: .relaxed) }
    /// Bits written through stale mappings into retired frames, counted as
    /// frames are audited (recycled, or at `auditQuarantine`).
    public var staleBits: Int { staleBitCount.load(ordering: .relaxed) }
}
