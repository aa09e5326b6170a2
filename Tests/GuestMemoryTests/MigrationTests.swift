import GuestMemory
import Synchronization
import Testing

/// Records every notification with the host frame and the guest-visible
/// translation state at the moment it was called.
final class RecordingNotifier: MMUNotifier, @unchecked Sendable {
    struct Call: Equatable {
        let guestFrame: Int
        let hostFrameAtCall: Int
        let translationBlocked: Bool
    }

    private let memory: GuestMemory
    private let lock = Mutex<[Call]>([])
    /// Optional action run inside the notification (before the copy).
    let action: (@Sendable (Int) -> Void)?

    init(memory: GuestMemory, action: (@Sendable (Int) -> Void)? = nil) {
        self.memory = memory
        self.action = action
    }

    func invalidateRangeStart(guestFrame: Int) {
        let call = Call(guestFrame: guestFrame, hostFrameAtCall: memory.hostFrame(ofGuestFrame: guestFrame),
                        translationBlocked: memory.beginTranslation() == nil)
        lock.withLock { $0.append(call) }
        action?(guestFrame)
    }

    var calls: [Call] { lock.withLock { $0 } }
}

/// A notifier that only counts, and can be dropped to test weak retention.
final class CountingNotifier: MMUNotifier, Sendable {
    let count = Atomic<Int>(0)
    func invalidateRangeStart(guestFrame: Int) { count.wrappingAdd(1, ordering: .relaxed) }
}

@Suite("GuestMemory migration and quarantine")
struct MigrationTests {
    static func memory(guestFrames: Int = 2, quarantineFrames: Int = 4, writers: Int = 2) throws -> GuestMemory {
        try GuestMemory(guestFrames: guestFrames, quarantineFrames: quarantineFrames, writerCapacity: writers,
                        guestCPUs: 2)
    }

    @Test("a fresh memory maps guest frame g to host frame g, zero-filled")
    func initialMapping() throws {
        let memory = try Self.memory(guestFrames: 3, quarantineFrames: 2)
        #expect(memory.guestFrameCount == 3)
        #expect(memory.hostFrameCount == 5)
        for frame in 0..<3 {
            #expect(memory.hostFrame(ofGuestFrame: frame) == frame)
            #expect(memory.hostAddress(ofGuestFrame: frame) == memory.hostFrameAddress(frame))
        }
        #expect(Int(bitPattern: memory.hostFrameAddress(0)) % GuestMemory.pageSize == 0)
        #expect(memory.hostFrameAddress(1) - memory.hostFrameAddress(0) == GuestMemory.pageSize)
        let page = UnsafeRawBufferPointer(start: memory.hostFrameAddress(0), count: 5 * GuestMemory.pageSize)
        #expect(page.allSatisfy { $0 == 0 })
        #expect(memory.migrations == 0 && memory.deferredMigrations == 0 && memory.staleBits == 0)
    }

    @Test("migrate moves the frame and preserves its content")
    func migratePreservesContent() throws {
        let memory = try Self.memory()
        memory.withGuestAccess { view in
            let page = view.address(ofGuestFrame: 1)
            for offset in stride(from: 0, to: GuestMemory.pageSize, by: 8) {
                page.storeBytes(of: UInt64(offset) &* 0x9E37_79B9_7F4A_7C15, toByteOffset: offset, as: UInt64.self)
            }
        }
        let result = memory.migrate(guestFrame: 1)
        guard case .migrated(let from, let to) = result else {
            Issue.record("expected a migration, got \(result)")
            return
        }
        #expect(from == 1)
        #expect(to != 1)
        #expect(memory.hostFrame(ofGuestFrame: 1) == to)
        #expect(memory.hostFrame(ofGuestFrame: 0) == 0, "other frames stay put")
        #expect(memory.migrations == 1)
        memory.withGuestAccess { view in
            let page = view.address(ofGuestFrame: 1)
            #expect(page == memory.hostFrameAddress(to))
            for offset in stride(from: 0, to: GuestMemory.pageSize, by: 8) {
                let value = page.load(fromByteOffset: offset, as: UInt64.self)
                if value != UInt64(offset) &* 0x9E37_79B9_7F4A_7C15 {
                    Issue.record("word at \(offset) not carried")
                    break
                }
            }
        }
    }

    @Test("repeated migrations keep the content and never reuse the current frame")
    func repeatedMigrations() throws {
        let memory = try Self.memory(guestFrames: 1, quarantineFrames: 3)
        GuestAtomics.storeByte(memory.hostAddress(ofGuestFrame: 0) + 100, 0x5C)
        var previous = memory.hostFrame(ofGuestFrame: 0)
        for round in 0..<10 {
            guard case .migrated(let from, let to) = memory.migrate(guestFrame: 0) else {
                Issue.record("round \(round) deferred with no registered writer")
                return
            }
            #expect(from == previous)
            #expect(to != from)
            previous = to
            #expect(GuestAtomics.loadByte(memory.hostAddress(ofGuestFrame: 0) + 100) == 0x5C)
        }
        #expect(memory.migrations == 10)
        #expect(memory.deferredMigrations == 0)
        #expect(memory.staleBits == 0)
    }

    @Test("writes before migration are carried and not stale")
    func writesBeforeMigrationAreCarried() throws {
        let memory = try Self.memory()
        let pending = GuestABI.longMode.sharedInfo.pendingOffset
        for port in [0, 66, 4095] {
            _ = GuestAtomics.testAndSetBit(memory.hostAddress(ofGuestFrame: 0) + pending, port)
        }
        memory.migrate(guestFrame: 0)
        memory.auditQuarantine()
        #expect(memory.staleBits == 0)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0..<GuestMemory.pageSize) == 0)
        for port in [0, 66, 4095] {
            #expect(GuestAtomics.testBit(memory.hostAddress(ofGuestFrame: 0) + pending, port))
        }
    }

    @Test("writes through the old frame after migration are stale, attributed to their words")
    func staleWritesAfterMigration() throws {
        let memory = try Self.memory()
        let pending = GuestABI.longMode.sharedInfo.pendingOffset
        guard case .migrated(let old, _) = memory.migrate(guestFrame: 0) else {
            Issue.record("migration deferred")
            return
        }
        // Port 66 is bit 2 of pending word 1 (bytes 0x808..<0x810); port 130
        // and 131 are in word 2 (bytes 0x810..<0x818). Plus the selector of
        // vCPU 1 (bytes 0x48..<0x50).
        let stale = memory.hostFrameAddress(old)
        _ = GuestAtomics.testAndSetBit(stale + pending, 66)
        _ = GuestAtomics.testAndSetBit(stale + pending, 130)
        _ = GuestAtomics.testAndSetBit(stale + pending, 131)
        GuestAtomics.orField(stale + 0x48, byteCount: 8, 0b1011)
        // Nothing is counted until the frame is audited.
        #expect(memory.staleBits == 0)
        // The guest never sees them.
        #expect(!GuestAtomics.testBit(memory.hostAddress(ofGuestFrame: 0) + pending, 66))

        memory.auditQuarantine()
        #expect(memory.staleBits == 6)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0..<GuestMemory.pageSize) == 6)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x808..<0x810) == 1)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x809..<0x80A) == 1, "whole overlapping word")
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x810..<0x818) == 2)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x808..<0x818) == 3)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x800..<0x808) == 0)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x818..<0xA00) == 0)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x48..<0x50) == 3)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x00..<0x48) == 0)
        #expect(memory.staleBits(guestFrame: 1, bytes: 0..<GuestMemory.pageSize) == 0, "other guest frame")

        // Auditing again does not count the same frame twice.
        memory.auditQuarantine()
        #expect(memory.staleBits == 6)
    }

    @Test("stale writes are attributed to the guest frame the retired frame belonged to")
    func staleBitsPerGuestFrame() throws {
        let memory = try Self.memory(guestFrames: 3)
        guard case .migrated(let old, _) = memory.migrate(guestFrame: 2) else {
            Issue.record("migration deferred")
            return
        }
        #expect(old == 2)
        GuestAtomics.storeByte(memory.hostFrameAddress(old) + 4000, 0xFF)
        memory.auditQuarantine()
        #expect(memory.staleBits == 8)
        #expect(memory.staleBits(guestFrame: 2, bytes: 4000..<4001) == 8)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0..<GuestMemory.pageSize) == 0)
        #expect(memory.staleBits(guestFrame: 1, bytes: 0..<GuestMemory.pageSize) == 0)
    }

    @Test("the notifier runs before the copy, once per migration, with translation blocked")
    func notifierBeforeCopy() throws {
        let memory = try Self.memory()
        // The notifier writes a marker into the frame it is told about; that
        // marker reaches the new frame only if the copy comes after it.
        let notifier = RecordingNotifier(memory: memory) { guestFrame in
            GuestAtomics.storeByte(memory.hostAddress(ofGuestFrame: guestFrame) + 0x20, 0xA7)
        }
        memory.addNotifier(notifier)
        let before = try #require(memory.beginTranslation())
        guard case .migrated(let from, let to) = memory.migrate(guestFrame: 1) else {
            Issue.record("migration deferred")
            return
        }
        #expect(notifier.calls == [.init(guestFrame: 1, hostFrameAtCall: from, translationBlocked: true)])
        #expect(GuestAtomics.loadByte(memory.hostFrameAddress(to) + 0x20) == 0xA7)
        memory.auditQuarantine()
        #expect(memory.staleBits == 0, "a write made inside the notifier is not stale")
        #expect(memory.translationMustRetry(since: before))

        memory.migrate(guestFrame: 0)
        #expect(notifier.calls.map(\.guestFrame) == [1, 0])
        #expect(notifier.calls.allSatisfy { $0.translationBlocked })
    }

    @Test("a deferred migration notifies nobody")
    func deferredDoesNotNotify() throws {
        let memory = try Self.memory(guestFrames: 1, quarantineFrames: 1, writers: 1)
        let notifier = CountingNotifier()
        memory.addNotifier(notifier)
        _ = try #require(memory.quiescence.register())
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 0, to: 1))
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        #expect(notifier.count.load(ordering: .relaxed) == 1)
    }

    @Test("notifiers are held weakly")
    func notifierIsWeak() throws {
        let memory = try Self.memory()
        let kept = CountingNotifier()
        memory.addNotifier(kept)
        weak var dropped: CountingNotifier?
        do {
            let temporary = CountingNotifier()
            memory.addNotifier(temporary)
            dropped = temporary
            memory.migrate(guestFrame: 0)
            #expect(temporary.count.load(ordering: .relaxed) == 1)
        }
        #expect(dropped == nil, "GuestMemory kept a strong reference to its notifier")
        memory.migrate(guestFrame: 0)
        #expect(kept.count.load(ordering: .relaxed) == 2)
        #expect(memory.migrations == 2)
    }

    @Test("translationMustRetry is false without a migration and true after one")
    func translationRetry() throws {
        let memory = try Self.memory()
        let sequence = try #require(memory.beginTranslation())
        #expect(!memory.translationMustRetry(since: sequence))
        memory.bumpMemslotGeneration()
        #expect(!memory.translationMustRetry(since: sequence), "memslot changes are a separate check")
        memory.migrate(guestFrame: 1)
        #expect(memory.translationMustRetry(since: sequence))
        let next = try #require(memory.beginTranslation())
        #expect(next != sequence)
        #expect(!memory.translationMustRetry(since: next))
    }

    @Test("a deferred migration does not force a retry")
    func deferredNoRetry() throws {
        let memory = try Self.memory(guestFrames: 1, quarantineFrames: 1, writers: 1)
        _ = try #require(memory.quiescence.register())
        memory.migrate(guestFrame: 0)
        let sequence = try #require(memory.beginTranslation())
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        #expect(!memory.translationMustRetry(since: sequence))
    }

    @Test("memslot generation starts at 1 and bumps by one")
    func memslotGeneration() throws {
        let memory = try Self.memory()
        let start = memory.memslotGeneration
        #expect(start == 1)
        memory.bumpMemslotGeneration()
        #expect(memory.memslotGeneration == start + 1)
        memory.bumpMemslotGeneration()
        #expect(memory.memslotGeneration == start + 2)
        memory.migrate(guestFrame: 0)
        #expect(memory.memslotGeneration == start + 2, "migration is not a memslot change")
    }

    @Test("a writer that never passes a quiescent state blocks recycling")
    func quarantineDefers() throws {
        let memory = try Self.memory(guestFrames: 1, quarantineFrames: 2, writers: 2)
        let writer = try #require(memory.quiescence.register())
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 0, to: 1))
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 1, to: 2))
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        #expect(memory.migrations == 2)
        #expect(memory.deferredMigrations == 2)
        #expect(memory.hostFrame(ofGuestFrame: 0) == 2, "a deferred migration leaves the page where it is")

        // One quiescent state is not enough...
        memory.quiescence.passQuiescentState(writer)
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        #expect(memory.migrations == 2)
        // ...two are: the oldest retired frame (0) is recycled.
        memory.quiescence.passQuiescentState(writer)
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 2, to: 0))
        #expect(memory.migrations == 3)
        #expect(memory.deferredMigrations == 3)
    }

    @Test("a writer going offline allows recycling")
    func offlineWriterAllowsRecycling() throws {
        let memory = try Self.memory(guestFrames: 1, quarantineFrames: 2, writers: 1)
        let writer = try #require(memory.quiescence.register())
        memory.migrate(guestFrame: 0)
        memory.migrate(guestFrame: 0)
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        memory.quiescence.goOffline(writer)
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 2, to: 0))
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 0, to: 1))
        #expect(memory.migrations == 4)
    }

    @Test("recycling audits the frame: stale writes are counted without auditQuarantine")
    func recyclingAudits() throws {
        let memory = try Self.memory(guestFrames: 1, quarantineFrames: 2, writers: 1)
        let writer = try #require(memory.quiescence.register())
        guard case .migrated(let retired, _) = memory.migrate(guestFrame: 0) else {
            Issue.record("migration deferred")
            return
        }
        // A late writer: writes through the mapping it read before the move,
        // then finishes its operation.
        _ = GuestAtomics.testAndSetBit(memory.hostFrameAddress(retired) + 0x800, 7)
        memory.quiescence.passQuiescentState(writer)
        memory.quiescence.passQuiescentState(writer)
        memory.migrate(guestFrame: 0)
        #expect(memory.staleBits == 0, "frame 0 still has a free frame ahead of it")
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 2, to: retired))
        #expect(memory.staleBits == 1)
        #expect(memory.staleBits(guestFrame: 0, bytes: 0x800..<0x808) == 1)
        // The recycled frame now holds the guest's page, not the stale write.
        #expect(!GuestAtomics.testBit(memory.hostAddress(ofGuestFrame: 0) + 0x800, 7))
    }

    @Test("auditQuarantine frees every retired frame")
    func auditFreesFrames() throws {
        let memory = try Self.memory(guestFrames: 1, quarantineFrames: 2, writers: 1)
        _ = try #require(memory.quiescence.register())
        memory.migrate(guestFrame: 0)
        memory.migrate(guestFrame: 0)
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        memory.auditQuarantine()
        guard case .migrated = memory.migrate(guestFrame: 0) else {
            Issue.record("audited frames were not freed")
            return
        }
        guard case .migrated = memory.migrate(guestFrame: 0) else {
            Issue.record("audited frames were not freed")
            return
        }
        #expect(memory.migrate(guestFrame: 0) == .deferred)
    }

    @Test("registering writers beyond capacity gives nil")
    func writerCapacity() throws {
        let memory = try Self.memory(writers: 2)
        #expect(memory.quiescence.capacity == 2)
        #expect(memory.quiescence.register() == 0)
        #expect(memory.quiescence.register() == 1)
        #expect(memory.quiescence.register() == nil)
        #expect(memory.quiescence.registeredCount == 2)
    }
}
