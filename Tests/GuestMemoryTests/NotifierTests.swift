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

/// Notifiers, the refresh retry protocol and the memslot generation.
@Suite("GuestMemory notifiers and invalidation")
struct NotifierTests {
    @Test("the notifier runs before the copy, once per migration, with translation blocked")
    func notifierBeforeCopy() throws {
        let memory = try testMemory()
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
        let memory = try testMemory(guestFrames: 1, quarantineFrames: 1, writers: 1)
        let notifier = CountingNotifier()
        memory.addNotifier(notifier)
        _ = try #require(memory.quiescence.register())
        #expect(memory.migrate(guestFrame: 0) == .migrated(from: 0, to: 1))
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        #expect(notifier.count.load(ordering: .relaxed) == 1)
    }

    @Test("notifiers are held weakly")
    func notifierIsWeak() throws {
        let memory = try testMemory()
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
        let memory = try testMemory()
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
        let memory = try testMemory(guestFrames: 1, quarantineFrames: 1, writers: 1)
        _ = try #require(memory.quiescence.register())
        memory.migrate(guestFrame: 0)
        let sequence = try #require(memory.beginTranslation())
        #expect(memory.migrate(guestFrame: 0) == .deferred)
        #expect(!memory.translationMustRetry(since: sequence))
    }

    @Test("memslot generation starts at 1 and bumps by one")
    func memslotGeneration() throws {
        let memory = try testMemory()
        let start = memory.memslotGeneration
        #expect(start == 1)
        memory.bumpMemslotGeneration()
        #expect(memory.memslotGeneration == start + 1)
        memory.bumpMemslotGeneration()
        #expect(memory.memslotGeneration == start + 2)
        memory.migrate(guestFrame: 0)
        #expect(memory.memslotGeneration == start + 2, "migration is not a memslot change")
    }
}
