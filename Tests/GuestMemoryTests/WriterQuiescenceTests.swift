import GuestMemory
import Testing

/// When may the host reuse a retired frame: every writer slot is offline, or
/// has passed at least two quiescent states since the snapshot.
@Suite("WriterQuiescence")
struct WriterQuiescenceTests {
    @Test("unregistered slots start offline and never block", arguments: [1, 3, 8])
    func unregisteredSlotsAreOffline(capacity: Int) {
        let quiescence = WriterQuiescence(capacity: capacity)
        #expect(quiescence.capacity == capacity)
        #expect(quiescence.registeredCount == 0)
        let earlier = quiescence.snapshot()
        #expect(earlier.count == capacity)
        #expect(quiescence.isQuiescent(since: earlier))
    }

    @Test("an online slot must advance by at least two")
    func needsTwoQuiescentStates() throws {
        let quiescence = WriterQuiescence(capacity: 1)
        let slot = try #require(quiescence.register())
        #expect(slot == 0)
        let earlier = quiescence.snapshot()
        #expect(!quiescence.isQuiescent(since: earlier))
        quiescence.passQuiescentState(slot)
        #expect(!quiescence.isQuiescent(since: earlier))
        quiescence.passQuiescentState(slot)
        #expect(quiescence.isQuiescent(since: earlier))
        quiescence.passQuiescentState(slot)
        #expect(quiescence.isQuiescent(since: earlier))
        // A later snapshot starts the count again.
        let later = quiescence.snapshot()
        #expect(!quiescence.isQuiescent(since: later))
    }

    @Test("an offline slot does not block; going online again does")
    func offlineDoesNotBlock() throws {
        let quiescence = WriterQuiescence(capacity: 1)
        let slot = try #require(quiescence.register())
        let earlier = quiescence.snapshot()
        quiescence.goOffline(slot)
        #expect(quiescence.isQuiescent(since: earlier))
        quiescence.goOnline(slot)
        // Back online, its count has not moved since the snapshot: the rule
        // asks for two finished operations again.
        #expect(!quiescence.isQuiescent(since: earlier))
        quiescence.passQuiescentState(slot)
        quiescence.passQuiescentState(slot)
        #expect(quiescence.isQuiescent(since: earlier))
    }

    @Test("a snapshot taken while offline counts from the counter, not the offline bit")
    func snapshotWhileOffline() throws {
        let quiescence = WriterQuiescence(capacity: 1)
        let slot = try #require(quiescence.register())
        quiescence.passQuiescentState(slot)
        quiescence.goOffline(slot)
        let earlier = quiescence.snapshot()
        #expect(quiescence.isQuiescent(since: earlier))
        quiescence.goOnline(slot)
        #expect(!quiescence.isQuiescent(since: earlier))
        quiescence.passQuiescentState(slot)
        #expect(!quiescence.isQuiescent(since: earlier))
        quiescence.passQuiescentState(slot)
        #expect(quiescence.isQuiescent(since: earlier))
    }

    @Test("every online slot must advance; unregistered ones are ignored")
    func allSlotsMustAdvance() throws {
        let quiescence = WriterQuiescence(capacity: 4)
        let first = try #require(quiescence.register())
        let second = try #require(quiescence.register())
        #expect(first != second)
        #expect(quiescence.registeredCount == 2)
        let earlier = quiescence.snapshot()
        for _ in 0..<5 { quiescence.passQuiescentState(first) }
        quiescence.passQuiescentState(second)
        #expect(!quiescence.isQuiescent(since: earlier))
        quiescence.passQuiescentState(second)
        #expect(quiescence.isQuiescent(since: earlier))
    }

    @Test("one slow slot blocks until it goes offline")
    func slowSlotGoesOffline() throws {
        let quiescence = WriterQuiescence(capacity: 2)
        let fast = try #require(quiescence.register())
        let slow = try #require(quiescence.register())
        let earlier = quiescence.snapshot()
        for _ in 0..<10 { quiescence.passQuiescentState(fast) }
        #expect(!quiescence.isQuiescent(since: earlier))
        quiescence.goOffline(slow)
        #expect(quiescence.isQuiescent(since: earlier))
    }

    @Test("registering beyond capacity gives nil", arguments: [1, 2, 5])
    func registerBeyondCapacity(capacity: Int) {
        let quiescence = WriterQuiescence(capacity: capacity)
        for expected in 0..<capacity {
            #expect(quiescence.register() == expected)
        }
        #expect(quiescence.register() == nil)
        #expect(quiescence.register() == nil)
        #expect(quiescence.registeredCount == capacity)
    }

    @Test("a registered slot is online: the snapshot has no offline bit")
    func registeredSlotIsOnline() throws {
        let quiescence = WriterQuiescence(capacity: 2)
        let before = quiescence.snapshot()
        let slot = try #require(quiescence.register())
        let after = quiescence.snapshot()
        #expect(before[slot] != after[slot])
        #expect(before[1] == after[1])
        #expect(after[slot] == 0)
    }
}
