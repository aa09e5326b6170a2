import LockDesigns
import PageCache
import Platform
import TestSupport
import Testing

/// What a blocking test saw: whether the blocked thread got in while the
/// main thread still held the lock, and whether it got in afterwards.
struct BlockingOutcome: Sendable {
    var startedWaiting = false
    var enteredEarly = false
    var enteredAfterRelease = false
    var ticket: UInt64? = nil
}

/// The main thread holds one side of the lock; a second thread tries the
/// other side. The second thread must not get in until the main thread lets
/// go, and must get in after.
struct BlockingRun: DesignTest {
    enum Holder: Sendable, CustomStringConvertible {
        case writer, reader
        var description: String { self == .writer ? "writer" : "reader" }
    }
    let holder: Holder

    func run<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) throws -> BlockingOutcome {
        let box = LockBox<Lock>(readers: 2)
        let attempting = Flag(), inside = Flag(), done = Flag()
        let holder = self.holder
        var outcome = BlockingOutcome()
        var mainTicket = ReadTicket.plain
        switch holder {
        case .writer: box.lock.writeLock()
        case .reader:
            mainTicket = box.lock.readLock(reader: 0)
            outcome.ticket = mainTicket.value
        }
        let thread = try HostThread.spawn {
            attempting.set()
            switch holder {
            case .writer:
                let ticket = box.lock.readLock(reader: 1)
                inside.set()
                _ = box.lock.readUnlock(reader: 1, ticket)
            case .reader:
                box.lock.writeLock()
                inside.set()
                box.lock.writeUnlock()
                box.lock.synchronize()
            }
            done.set()
        }
        outcome.startedWaiting = waitUntil { attempting.isSet }
        letOthersRun()
        outcome.enteredEarly = inside.isSet
        switch holder {
        case .writer: box.lock.writeUnlock()
        case .reader: _ = box.lock.readUnlock(reader: 0, mainTicket)
        }
        outcome.enteredAfterRelease = waitUntil { done.isSet } && inside.isSet
        // Join only a thread known to have finished (a broken lock must fail
        // the test, not hang it).
        if outcome.enteredAfterRelease { thread.join() }
        return outcome
    }
}

@Suite("Blocking", .serialized)
struct BlockingTests {
    /// readLock waits while a writer holds the lock (designs whose readers
    /// exclude writers); writeLock waits while a reader holds it (designs
    /// whose writers wait for readers).
    @Test("the other side waits while one side holds the lock",
          arguments: LockDesign.excluding.map { ($0, BlockingRun.Holder.writer) }
              + LockDesign.writersWaitForReaders.map { ($0, BlockingRun.Holder.reader) })
    func otherSideWaits(design: LockDesign, holder: BlockingRun.Holder) throws {
        let outcome = try design.run(BlockingRun(holder: holder))
        let (waiter, release) = holder == .writer ? ("reader", "writeUnlock") : ("writer", "readUnlock")
        #expect(outcome.startedWaiting)
        #expect(!outcome.enteredEarly, "a \(waiter) entered while the lock was held")
        #expect(outcome.enteredAfterRelease, "the \(waiter) never entered after \(release)")
    }

    @Test("negative control: with no lock the other side gets in at once")
    func noLockDoesNotBlock() throws {
        let outcome = try LockDesign.nolock.run(BlockingRun(holder: .writer))
        #expect(outcome.enteredEarly)
    }
}
