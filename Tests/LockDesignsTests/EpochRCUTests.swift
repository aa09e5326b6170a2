import LockDesigns
import PageCache
import Platform
import TestSupport
import Testing

/// Runs `body` on a helper thread; true if it finished within `seconds`
/// (a hang becomes a failure instead of a stuck test run).
func completes(within seconds: Double = 10, _ body: @escaping @Sendable () -> Void) throws -> Bool {
    let done = Flag()
    let thread = try HostThread.spawn {
        body()
        done.set()
    }
    guard waitUntil(seconds: seconds, { done.isSet }) else { return false }
    thread.join()
    return true
}

/// The grace-period contract of `rcu`: synchronize waits for every reader
/// that was inside when it started, and for nothing else.
@Suite("rcu", .serialized)
struct EpochRCUTests {
    @Test("synchronize returns with no reader inside")
    func synchronizeWithNoReader() throws {
        let box = LockBox<EpochRCU>(readers: 4)
        #expect(try completes { box.lock.synchronize() })
        // Readers that came and went do not hold it up either.
        for reader in 0..<4 {
            let ticket = box.lock.readLock(reader: reader)
            #expect(box.lock.readUnlock(reader: reader, ticket) == true)
        }
        #expect(try completes {
            box.lock.writeLock()
            box.lock.writeUnlock()
            box.lock.synchronize()
            box.lock.synchronize()
        })
    }

    @Test("readers never wait for a writer")
    func readersDoNotWait() throws {
        let box = LockBox<EpochRCU>(readers: 1)
        #expect(try completes {
            box.lock.writeLock()
            let ticket = box.lock.readLock(reader: 0)
            _ = box.lock.readUnlock(reader: 0, ticket)
            box.lock.writeUnlock()
        })
    }

    @Test("a reader inside holds synchronize until it leaves", arguments: [0, 3])
    func synchronizeWaitsForReader(slot: Int) throws {
        let box = LockBox<EpochRCU>(readers: 4)
        let started = Flag(), finished = Flag()
        let ticket = box.lock.readLock(reader: slot)
        let thread = try HostThread.spawn {
            started.set()
            box.lock.synchronize()
            finished.set()
        }
        #expect(waitUntil { started.isSet })
        letOthersRun()
        let finishedWhileInside = finished.isSet
        #expect(box.lock.readUnlock(reader: slot, ticket) == true)
        let finishedAfter = waitUntil { finished.isSet }
        #expect(!finishedWhileInside, "synchronize returned while a reader was still inside")
        #expect(finishedAfter, "synchronize never returned after the reader left")
        if finishedAfter { thread.join() }
    }

    @Test("synchronize waits for every reader inside, not just the first")
    func synchronizeWaitsForAllReaders() throws {
        let box = LockBox<EpochRCU>(readers: 3)
        let finished = Flag()
        let first = box.lock.readLock(reader: 0)
        let last = box.lock.readLock(reader: 2)
        let thread = try HostThread.spawn {
            box.lock.synchronize()
            finished.set()
        }
        letOthersRun()
        let afterNone = finished.isSet
        _ = box.lock.readUnlock(reader: 0, first)
        letOthersRun()
        let afterOne = finished.isSet
        _ = box.lock.readUnlock(reader: 2, last)
        let afterBoth = waitUntil { finished.isSet }
        #expect(!afterNone)
        #expect(!afterOne, "synchronize returned while reader 2 was still inside")
        #expect(afterBoth)
        if afterBoth { thread.join() }
    }

    @Test("a reader that entered after an earlier grace period holds up the next one")
    func readerAfterGracePeriodHoldsNextOne() throws {
        // synchronize() ran to completion, then a reader entered: that reader
        // belongs to the new epoch. A second synchronize must wait for it
        // (it was inside when that one started).
        let box = LockBox<EpochRCU>(readers: 1)
        box.lock.synchronize()
        let ticket = box.lock.readLock(reader: 0)
        let finished = Flag()
        let thread = try HostThread.spawn {
            box.lock.synchronize()
            finished.set()
        }
        letOthersRun()
        #expect(!finished.isSet, "synchronize ignored a reader inside")
        _ = box.lock.readUnlock(reader: 0, ticket)
        let done = waitUntil { finished.isSet }
        #expect(done)
        if done { thread.join() }
    }
}
