import GuestMemory
import Synchronization
import Testing

/// Retired frames wait in the quarantine until every writer passed a
/// quiescent state; recycling audits them.
@Suite("GuestMemory quarantine")
struct QuarantineTests {
    @Test("a writer that never passes a quiescent state blocks recycling")
    func quarantineDefers() throws {
        let memory = try testMemory(guestFrames: 1, quarantineFrames: 2, writers: 2)
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
        let memory = try testMemory(guestFrames: 1, quarantineFrames: 2, writers: 1)
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
        let memory = try testMemory(guestFrames: 1, quarantineFrames: 2, writers: 1)
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
        let memory = try testMemory(guestFrames: 1, quarantineFrames: 2, writers: 1)
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
        let memory = try testMemory(writers: 2)
        #expect(memory.quiescence.capacity == 2)
        #expect(memory.quiescence.register() == 0)
        #expect(memory.quiescence.register() == 1)
        #expect(memory.quiescence.register() == nil)
        #expect(memory.quiescence.registeredCount == 2)
    }
}
