import GuestMemory
import LockDesigns
import PageCache
import TestSupport
import Testing

/// The cache's verbs on their own, for every design (docs/model.md §3):
/// activate, check, invalidate, refresh, deactivate, the memslot
/// generation and a forced would-block.
@Suite("GfnPfnCache verbs")
struct GfnPfnCacheTests {
    @Test("inactive -> activate -> check maps the guest address", arguments: LockDesign.allCases)
    func activateAndCheck(design: LockDesign) throws {
        try design.run(Verbs { memory, cache in
            #expect(cache.check(length: 8) == nil)
            #expect(cache.refresh() == .inactive)
            #expect(cache.activate(guestFrame: 1, offset: 64) == .refreshed)
            #expect(cache.check(length: 8) == memory.hostAddress(ofGuestFrame: 1) + 64)
            #expect(cache.check(length: GuestMemory.pageSize) == nil, "beyond the page")
            #expect(cache.mappedGuestFrame == 1 && cache.mappedOffset == 64)
        })
    }

    @Test("invalidate of its page -> check fails -> refresh maps the new frame", arguments: LockDesign.allCases)
    func invalidateAndRefresh(design: LockDesign) throws {
        try design.run(Verbs { memory, cache in
            #expect(cache.activate(guestFrame: 0, offset: 0) == .refreshed)
            cache.invalidate(guestFrame: 1)
            #expect(cache.isValid, "another page: untouched")
            cache.invalidate(guestFrame: 0)
            #expect(cache.check(length: 8) == nil)
            #expect(cache.isActive && !cache.isValid)
            #expect(memory.migrate(guestFrame: 0) != .deferred)
            #expect(cache.refresh() == .refreshed)
            #expect(cache.check(length: 8) == memory.hostAddress(ofGuestFrame: 0))
        })
    }

    @Test("a memslot change or a forced would-block fails check until undone", arguments: LockDesign.allCases)
    func generationAndForcing(design: LockDesign) throws {
        try design.run(Verbs { memory, cache in
            #expect(cache.activate(guestFrame: 0, offset: 0) == .refreshed)
            memory.bumpMemslotGeneration()
            #expect(cache.check(length: 8) == nil)
            #expect(cache.refresh() == .refreshed)
            #expect(cache.check(length: 8) != nil)
            cache.forceWouldBlock(true)
            #expect(cache.isForcedWouldBlock && cache.check(length: 8) == nil)
            cache.forceWouldBlock(false)
            #expect(cache.check(length: 8) != nil)
        })
    }

    @Test("deactivate forgets the mapping", arguments: LockDesign.allCases)
    func deactivate(design: LockDesign) throws {
        try design.run(Verbs { _, cache in
            #expect(cache.activate(guestFrame: 0, offset: 0) == .refreshed)
            cache.deactivate()
            #expect(!cache.isActive && cache.mappedGuestFrame == nil)
            #expect(cache.check(length: 8) == nil)
            #expect(cache.refresh() == .inactive)
        })
    }
}

/// A cache of the design's lock over two guest frames, handed to `body`
/// with its memory (one closure per test: the cache's type is generic, so
/// the body sees it through `CacheUnderTest`).
private struct Verbs: DesignTest {
    let body: (GuestMemory, any CacheUnderTest) throws -> Void

    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
        let memory = try GuestMemory(guestFrames: 2, quarantineFrames: 4, writerCapacity: 2, guestCPUs: 1)
        try body(memory, CacheBox<Lock>(memory: memory))
    }
}
