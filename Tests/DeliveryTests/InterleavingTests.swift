import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization
import TestSupport
import Testing

/// What the probe inside read sections should do; tests in the serialized
/// suite below set it. Only `InterleavedLock` reads it.
nonisolated(unsafe) var sectionProbe: (() -> Void)?
/// Called at the start of every `readLock` of an `InterleavedLock`, before
/// the read side is taken: lets a test stop a sender between its two
/// sections (shared_info, then vcpu_info).
nonisolated(unsafe) var readLockHook: (() -> Void)?

/// Called between a vcpu_info section's selector test-and-set and its
/// `upcall_pending` store (`ReadMostlyLock.selectorProbe`).
nonisolated(unsafe) var selectorHook: (() -> Void)?
/// Called with the lock's `id` at the start of every `writeLock` and
/// `synchronize` of an `InterleavedLock`, before the base design may wait:
/// lets a test know a writer reached the point where it blocks.
nonisolated(unsafe) var writerHook: ((WriterStep, Int) -> Void)?

enum WriterStep { case writeLock, synchronize }

/// Identities of `InterleavedLock`s, in creation order: a domain creates
/// its shared_info cache's lock first, then vCPU 0's vcpu_info lock, ...
let interleavedLockIDs = Atomic<Int>(0)

/// A design with a hook in its read sections: after the cache check
/// succeeded and before anything is written through the mapping. Lets a
/// test force "the host moves the page right now" deterministically, on
/// one thread, with no timing.
struct InterleavedLock<Base: ReadMostlyLock & ~Copyable>: ~Copyable, ReadMostlyLock, @unchecked Sendable {
    let base: Base
    let id: Int
    init(readerCapacity: Int) {
        base = Base(readerCapacity: readerCapacity)
        id = interleavedLockIDs.wrappingAdd(1, ordering: .relaxed).oldValue
    }
    static var contentionPolicy: ContentionPolicy { Base.contentionPolicy }
    static var replaysStaleWrites: Bool { Base.replaysStaleWrites }
    func readLock(reader: Int) -> ReadTicket {
        readLockHook?()
        return base.readLock(reader: reader)
    }
    func tryReadLock(reader: Int) -> ReadTicket? { base.tryReadLock(reader: reader) }
    func readUnlock(reader: Int, _ ticket: ReadTicket) -> Bool { base.readUnlock(reader: reader, ticket) }
    func writeLock() {
        writerHook?(.writeLock, id)
        base.writeLock()
    }
    func writeUnlock() { base.writeUnlock() }
    func synchronize() {
        writerHook?(.synchronize, id)
        base.synchronize()
    }
    func readSectionProbe() { sectionProbe?() }
    func selectorProbe() { selectorHook?() }
}

/// Fires `action` once, at the `nth` read section (1-based).
func probe(atSection nth: Int, _ action: @escaping () -> Void) {
    var sections = 0
    sectionProbe = {
        sections += 1
        if sections == nth { action() }
    }
}

/// docs/model.md §9, invariant 7: after invalidate returns nothing writes through the old
/// mapping, and a host that moves the page loses any write that breaks it.
@Suite("Deterministic interleavings", .serialized)
struct InterleavingTests {
    @Test("nolock: a send whose page moves mid-section writes into the retired frame and is lost")
    func nolockLosesTheEvent() throws {
        defer { sectionProbe = nil }
        let domain = try makeDomain(InterleavedLock<NoLock>.self, abi: .longMode)
        var context = domain.makeContext()!
        probe(atSection: 1) { domain.memory.migrate(guestFrame: 0) }
        let result = domain.deliver(port: 66, vcpu: 0, context: &context)
        #expect(result == .delivered, "the sender believes it delivered")
        #expect(!domain.guestPending(port: 66), "but the live page never saw the bit")
        #expect(domain.runUpcallHandler(vcpu: 0).handled == 0)
        domain.memory.auditQuarantine()
        #expect(domain.memory.staleBits(guestFrame: 0, bytes: 0x800..<0xA00) == 1)
        #expect(context.replays == 0)
    }

    @Test("seqlock: the same interleaving is caught by the re-check and replayed", arguments: GuestABI.allCases)
    func seqlockReplays(abi: GuestABI) throws {
        defer { sectionProbe = nil }
        let domain = try makeDomain(InterleavedLock<SeqLock>.self, abi: abi)
        var context = domain.makeContext()!
        probe(atSection: 1) { domain.memory.migrate(guestFrame: 0) }
        #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
        #expect(context.replays == 1)
        #expect(context.carriedSends == 0, "the copy preceded the stale write: the replay sets the bit anew")
        #expect(domain.guestPending(port: 66), "the replay set the bit in the live page")
        #expect(domain.injectPendingEvents(vcpu: 0, context: &context) || domain.guestUpcallPending(vcpu: 0))
        #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
        domain.memory.auditQuarantine()
        let stale = domain.memory.staleBits(guestFrame: 0, bytes: abi.sharedInfo.pendingOffset..<abi.sharedInfo.maskOffset)
        #expect(stale == 1, "the first attempt's write is visible in the retired frame")
        #expect(stale <= context.replays, "and it is covered by a replay")
    }

    @Test("seqlock: shared_info deactivated mid-section leaves the bit in the page; the selector is still raised")
    func seqlockDeactivatedMidSection() throws {
        defer { sectionProbe = nil }
        let domain = try makeDomain(InterleavedLock<SeqLock>.self, abi: .longMode)
        var context = domain.makeContext()!
        probe(atSection: 1) { domain.deactivateSharedInfo() }
        // The section is overlapped, its replay finds the cache inactive, and
        // the slow path's refresh fails: the bit stays set in the page.
        #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
        #expect(context.replays == 1 && context.carriedSends == 1)
        #expect(domain.guestPending(port: 66))
        domain.activateSharedInfo()
        _ = domain.injectPendingEvents(vcpu: 0, context: &context)
        #expect(domain.runUpcallHandler(vcpu: 0).handled == 1, "the guest was told about the word: not stranded")
        #expect(domain.guestPendingCount() == 0)
    }

    @Test("seqlock: a page move during the vcpu_info section replays the selector")
    func seqlockSelectorReplay() throws {
        defer { sectionProbe = nil }
        let domain = try makeDomain(InterleavedLock<SeqLock>.self, abi: .longMode)
        var context = domain.makeContext()!
        // Section 1 is shared_info's; section 2 is vcpu_info's, which sits in
        // the same page (default slot).
        domain.bindPort(130, toVCPU: 1)
        probe(atSection: 2) { domain.memory.migrate(guestFrame: 0) }
        #expect(domain.deliver(port: 130, vcpu: 1, context: &context) == .delivered)
        #expect(context.replays == 0)
        #expect(context.selectorReplays == 1)
        // The replay found the vcpu_info cache invalid and used the shadow.
        #expect(domain.shadowSelector(vcpu: 1) == 1 << 2)
        #expect(domain.injectPendingEvents(vcpu: 1, context: &context))
        #expect(domain.runUpcallHandler(vcpu: 1).handled == 1)
    }

    @Test("rwlock: a migration cannot start inside a read section", .timeLimit(.minutes(1)))
    func rwlockExcludesTheHost() throws {
        defer { sectionProbe = nil }
        let domain = try makeDomain(InterleavedLock<QueuedRWLock<WaitingReaders>>.self, abi: .longMode)
        var context = domain.makeContext()!
        let migrated = Atomic<Bool>(false)
        nonisolated(unsafe) var migratedInsideSection = false
        nonisolated(unsafe) var host: HostThreadBox?
        probe(atSection: 1) {
            // Start the host now; it must wait for this section to end.
            host = HostThreadBox {
                domain.memory.migrate(guestFrame: 0)
                migrated.store(true, ordering: .releasing)
            }
            for _ in 0..<10_000 { yieldThread() }
            migratedInsideSection = migrated.load(ordering: .acquiring)
        }
        #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
        host?.join()
        #expect(!migratedInsideSection)
        #expect(domain.guestPending(port: 66), "the bit was carried to the new frame by the copy")
        domain.memory.auditQuarantine()
        #expect(domain.memory.staleBits == 0)
    }

    /// The window the forced-slow flag does not cover: a sender that has
    /// left its shared_info section (pending set, flag not yet up) but not
    /// yet entered its vcpu_info section when the move starts. Two threads,
    /// stepped by handshakes, no timing.
    @Test("a sender between its two sections during the move", .timeLimit(.minutes(1)),
          arguments: [RelocationStrategy.forcedSlow, .bothLocks, .deactivate, .xenMarkAll, .quiesce, .forcedSlowDrain])
    func senderBetweenSections(strategy: RelocationStrategy) throws {
        let (outcome, handled) = try moveWithSenderBetweenSections(QueuedRWLock<WaitingReaders>.self, strategy: strategy)
        switch strategy {
        case .forcedSlow, .bothLocks:
            // The sender's vcpu_info section found the new location active
            // and set the selector there before the copy overwrote it.
            #expect(outcome.vanishedSelectorBits == 1, "\(strategy)")
            #expect(handled == 0)
        case .deactivate, .xenMarkAll, .quiesce, .forcedSlowDrain:
            #expect(outcome.vanishedSelectorBits == 0, "\(strategy)")
            #expect(handled == 1)
        }
    }
}

/// Moves vCPU 0's vcpu_info from its default slot to guest frame 1 with
/// `strategy` while a sender of port 66 is stopped between its two sections
/// (shared_info done, vcpu_info not yet entered); the sender goes on at the
/// strategy's first step (quiesce: when senders are stopped) and the move
/// waits for its send to end. Returns the move's outcome and the events the
/// guest handled after a shadow merge. Needs the serialized suite above
/// (`readLockHook`); `Base` must wait for its read side (the hook sits in
/// `readLock`, not in `tryReadLock`).
func moveWithSenderBetweenSections<Base: ReadMostlyLock & ~Copyable>(
    _ base: Base.Type, strategy: RelocationStrategy
) throws -> (outcome: RelocationOutcome, handled: Int) {
    defer { readLockHook = nil }
    let domain = try makeDomain(InterleavedLock<Base>.self, abi: .longMode)
    let stage = Atomic<Int>(0)  // 1: sender between sections; 2: move at its first step; 3: send done
    func wait(for value: Int) {
        while stage.load(ordering: .acquiring) < value { yieldThread() }
    }
    nonisolated(unsafe) var calls = 0
    readLockHook = {
        calls += 1
        guard calls == 2 else { return }  // the sender's second section: vcpu_info
        stage.store(1, ordering: .releasing)
        wait(for: 2)
    }
    let sender = HostThreadBox {
        var context = domain.makeContext()!
        _ = domain.deliver(port: 66, vcpu: 0, context: &context)
        // Done with mappings (forced-slow-drain's drain waits for online slots).
        domain.memory.quiescence.goOffline(context.slot)
        stage.store(3, ordering: .releasing)
    }
    wait(for: 1)
    readLockHook = nil
    let hooks = RelocationHooks(
        // Quiesce waits for senders to reach a safe point; this one is
        // mid-delivery, so it is let go and awaited first.
        stopSenders: { stage.store(2, ordering: .releasing); wait(for: 3) },
        afterFirstStep: {
            if strategy != .quiesce {
                stage.store(2, ordering: .releasing)
                wait(for: 3)
            }
        })
    let outcome = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: strategy, hooks: hooks)
    sender.join()
    var context = domain.makeContext()!
    _ = domain.injectPendingEvents(vcpu: 0, context: &context)
    return (outcome, domain.runUpcallHandler(vcpu: 0).handled)
}
