import LockDesigns
import PageCache
import Platform
import TestSupport
import Testing

/// `percpu` (BRAVO): the fast, reader-biased path must still exclude
/// writers, and the lock must keep working after a writer revoked the bias.
@Suite("percpu", .serialized)
struct BiasedReaderLockTests {
    // A read section entered on the reader-biased fast path has the
    // reader's slot address as its ticket, never 0 (the ticket of the
    // queued rwlock underneath).

    /// Holds `ticket` (taken by the caller in `slot`) while a writer thread
    /// tries to get in. Returns whether the writer got in before the release
    /// and whether it got in after.
    static func writerAgainst(_ box: LockBox<BiasedReaderLock>, slot: Int, ticket: ReadTicket) throws
        -> (early: Bool, after: Bool)
    {
        let attempting = Flag(), readerInside = Flag(), writerSawReader = Flag(), writerDone = Flag()
        readerInside.set()
        let thread = try HostThread.spawn {
            attempting.set()
            box.lock.writeLock()
            if readerInside.isSet { writerSawReader.set() }
            box.lock.writeUnlock()
            writerDone.set()
        }
        _ = waitUntil { attempting.isSet }
        letOthersRun()
        let early = writerDone.isSet || writerSawReader.isSet
        readerInside.set(false)
        _ = box.lock.readUnlock(reader: slot, ticket)
        let after = waitUntil { writerDone.isSet }
        if after { thread.join() }
        return (early || writerSawReader.isSet, after)
    }

    @Test("a fresh lock is reader-biased: readLock takes the fast ticket", arguments: [0, 3])
    func freshLockIsBiased(slot: Int) {
        let lock = BiasedReaderLock(readerCapacity: 4)
        let ticket = lock.readLock(reader: slot)
        #expect(ticket.value != 0)
        #expect(lock.readUnlock(reader: slot, ticket) == true)
    }

    @Test("a fast-path read section blocks a writer until released", arguments: [0, 3])
    func fastReaderBlocksWriter(slot: Int) throws {
        let box = LockBox<BiasedReaderLock>(readers: 4)
        let ticket = box.lock.readLock(reader: slot)
        #expect(ticket.value != 0)
        let outcome = try Self.writerAgainst(box, slot: slot, ticket: ticket)
        #expect(!outcome.early, "the writer entered while a fast-path reader was inside")
        #expect(outcome.after, "the writer never entered after the reader left")
    }

    @Test("after a writer, readers take the slow path and still exclude writers")
    func slowReaderBlocksWriter() throws {
        let box = LockBox<BiasedReaderLock>(readers: 2)
        box.lock.writeLock()
        box.lock.writeUnlock()
        // The writer revoked the bias; only a slow-path reader re-arms it.
        let ticket = box.lock.readLock(reader: 1)
        #expect(ticket.value == 0)
        let outcome = try Self.writerAgainst(box, slot: 1, ticket: ticket)
        #expect(!outcome.early, "the writer entered while a slow-path reader was inside")
        #expect(outcome.after)
    }

    @Test("after writeLock/writeUnlock readers and writers keep working")
    func worksAfterWriter() throws {
        let box = LockBox<BiasedReaderLock>(readers: 2)
        #expect(try completes {
            for _ in 0..<3 {
                box.lock.writeLock()
                box.lock.writeUnlock()
                let first = box.lock.readLock(reader: 0)
                let second = box.lock.readLock(reader: 1) // readers share
                _ = box.lock.readUnlock(reader: 1, second)
                _ = box.lock.readUnlock(reader: 0, first)
            }
            // No reader count leaked: a writer gets in.
            box.lock.writeLock()
            box.lock.writeUnlock()
        })
    }

    @Test("the reader bias comes back after a writer")
    func biasReturns() throws {
        let lock = BiasedReaderLock(readerCapacity: 1)
        lock.writeLock()
        lock.writeUnlock()
        // The inhibition lasts 9x the (tiny, uncontended) revocation; poll
        // with plain read sections until a reader re-arms the bias.
        let deadline = Deadline(seconds: 5)
        var sawFast = false
        while !sawFast && !deadline.passed {
            let ticket = lock.readLock(reader: 0)
            sawFast = ticket.value != 0
            #expect(lock.readUnlock(reader: 0, ticket) == true)
        }
        #expect(sawFast, "the lock never became reader-biased again")
    }
}
