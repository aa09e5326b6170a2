import LockDesigns
import PageCache
import Platform
import TestSupport
import Testing

/// What tryReadLock did around a writer, single-threaded.
struct TryOutcome: Sendable {
    var freeSucceeded = false
    var sharedSucceeded = false
    var underWriter: Bool? = nil
    var fastPathUnderWriter: Bool? = nil
    var afterWriter = false
    var writerAfterReaders = false
}

struct TryReadRun: DesignTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) -> TryOutcome {
        let lock = Lock(readerCapacity: 2)
        var outcome = TryOutcome()

        // Free lock: try succeeds; a second reader shares it.
        if let first = lock.tryReadLock(reader: 0) {
            outcome.freeSucceeded = true
            if let second = lock.tryReadLock(reader: 1) {
                outcome.sharedSucceeded = true
                _ = lock.readUnlock(reader: 1, second)
            }
            _ = lock.readUnlock(reader: 0, first)
        }

        lock.writeLock()
        if let ticket = lock.tryReadLock(reader: 0) {
            outcome.underWriter = true
            _ = lock.readUnlock(reader: 0, ticket)
        } else {
            outcome.underWriter = false
        }
        if Lock.contentionPolicy != .wait {
            if let ticket = lock.fastPathReadLock(reader: 0) {
                outcome.fastPathUnderWriter = true
                _ = lock.readUnlock(reader: 0, ticket)
            } else {
                outcome.fastPathUnderWriter = false
            }
        }
        lock.writeUnlock()

        if let ticket = lock.tryReadLock(reader: 0) {
            outcome.afterWriter = true
            _ = lock.readUnlock(reader: 0, ticket)
        }
        // Every reader left: a writer gets in at once (this would spin
        // forever if a failed try had leaked its reader count).
        lock.writeLock()
        lock.writeUnlock()
        outcome.writerAfterReaders = true
        return outcome
    }
}

/// A reader holds the lock and a writer queues behind it: a new trying
/// reader must not barge past the waiting writer (qrwlock's trylock fails
/// when the writer-waiting bit is set).
struct TryBehindWaitingWriterRun: DesignTest {
    struct Outcome: Sendable {
        var refusedWhileWriterWaited = false
        var writerEnteredEarly = false
        var writerDone = false
    }

    func run<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) throws -> Outcome {
        let box = LockBox<Lock>(readers: 2)
        let writerInside = Flag(), writerDone = Flag()
        var outcome = Outcome()
        let held = box.lock.readLock(reader: 0)
        let thread = try HostThread.spawn {
            box.lock.writeLock()
            writerInside.set()
            box.lock.writeUnlock()
            writerDone.set()
        }
        // Until the writer has announced itself, a try may still succeed.
        outcome.refusedWhileWriterWaited = waitUntil(seconds: 5) {
            if let ticket = box.lock.tryReadLock(reader: 1) {
                _ = box.lock.readUnlock(reader: 1, ticket)
                return false
            }
            return true
        }
        outcome.writerEnteredEarly = writerInside.isSet
        _ = box.lock.readUnlock(reader: 0, held)
        outcome.writerDone = waitUntil { writerDone.isSet }
        if outcome.writerDone { thread.join() }
        return outcome
    }
}

@Suite("tryReadLock", .serialized)
struct TryLockTests {
    @Test("tryReadLock fails while a writer holds the lock and succeeds after", arguments: LockDesign.trying)
    func tryFailsUnderWriter(design: LockDesign) throws {
        let outcome = try design.run(TryReadRun())
        #expect(outcome.freeSucceeded)
        #expect(outcome.sharedSucceeded, "readers should share the lock")
        #expect(outcome.underWriter == false)
        #expect(outcome.afterWriter)
        #expect(outcome.writerAfterReaders)
    }

    @Test("the fast path gives up under a writer for the non-waiting policies",
          arguments: [LockDesign.rwlockTrylock, .rwlockTrydrop])
    func fastPathGivesUp(design: LockDesign) throws {
        #expect(try design.run(TryReadRun()).fastPathUnderWriter == false)
    }

    @Test("a trying reader does not barge past a waiting writer", arguments: LockDesign.trying)
    func tryBehindWaitingWriter(design: LockDesign) throws {
        let outcome = try design.run(TryBehindWaitingWriterRun())
        #expect(outcome.refusedWhileWriterWaited)
        #expect(!outcome.writerEnteredEarly, "the writer entered while a reader held the lock")
        #expect(outcome.writerDone)
    }
}
