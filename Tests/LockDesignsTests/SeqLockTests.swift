import LockDesigns
import PageCache
import Testing

/// The optimistic contract of `seqlock`: readUnlock reports whether a
/// writer section overlapped the read section.
@Suite("seqlock")
struct SeqLockTests {
    @Test("a read section with no writer validates")
    func noWriterValidates() {
        let lock = SeqLock(readerCapacity: 1)
        for _ in 0..<3 {
            let ticket = lock.readLock(reader: 0)
            #expect(lock.readUnlock(reader: 0, ticket) == true)
        }
    }

    @Test("a writer section inside a read section fails its validation, and synchronize adds nothing",
          arguments: [1, 2, 5], [false, true])
    func writerInsideFails(writerSections: Int, synchronize: Bool) {
        let lock = SeqLock(readerCapacity: 1)
        let ticket = lock.readLock(reader: 0)
        for _ in 0..<writerSections {
            lock.writerSection()
        }
        // A grace-period design would wait for the reader here (and hang
        // this single thread); seqlock does not: the writer's overlap is
        // reported at readUnlock.
        if synchronize { lock.synchronize() }
        #expect(lock.readUnlock(reader: 0, ticket) == false)
    }

    @Test("a section that starts after the writer validates")
    func afterWriterValidates() {
        let lock = SeqLock(readerCapacity: 1)
        let before = lock.readLock(reader: 0)
        lock.writerSection()
        let after = lock.readLock(reader: 0)
        #expect(after.value != before.value)
        #expect(lock.readUnlock(reader: 0, after) == true)
        #expect(lock.readUnlock(reader: 0, before) == false)
    }

    @Test("readers take no write side: a reader's ticket is even, a writer makes it move by two")
    func ticketsAreSequences() {
        let lock = SeqLock(readerCapacity: 1)
        let first = lock.readLock(reader: 0)
        #expect(first.value % 2 == 0)
        #expect(lock.readUnlock(reader: 0, first) == true)
        let again = lock.readLock(reader: 0)
        #expect(again.value == first.value, "a read section must not move the sequence")
        #expect(lock.readUnlock(reader: 0, again) == true)
        lock.writerSection()
        let later = lock.readLock(reader: 0)
        #expect(later.value == first.value + 2)
        #expect(lock.readUnlock(reader: 0, later) == true)
    }

    @Test("the fast path takes the waiting read side")
    func fastPath() throws {
        let lock = SeqLock(readerCapacity: 1)
        #expect(SeqLock.replaysStaleWrites)
        #expect(SeqLock.contentionPolicy == .wait)
        let taken = lock.fastPathReadLock(reader: 0)
        let ticket = try #require(taken)
        #expect(lock.readUnlock(reader: 0, ticket) == true)
    }
}

extension SeqLock {
    /// One empty writer section: the sequence moves by two.
    fileprivate func writerSection() {
        writeLock()
        writeUnlock()
    }
}
