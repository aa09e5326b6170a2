import LockDesigns
import PageCache
import Platform
import Synchronization
import TestSupport

/// What the readers of a `ReadWriteRace` saw, summed over readers.
struct RaceOutcome: Sendable {
    /// Read sections whose observation counts (validated, for seqlock).
    var checked = 0
    /// Counted read sections whose observation broke the property.
    var violations = 0
    /// Sections whose validation failed for a replaying design (the caller
    /// would retry).
    var retried = 0
    /// readUnlock returned false for a design that does not replay.
    var unexpectedFailures = 0
    /// Counted read sections that saw a newer first value than the reader's
    /// previous one (the first section sets the baseline): evidence that
    /// the writer ran while readers read.
    var writesSeen = 0
    var writes = 0
}

/// Readers observe two values inside read sections while one writer
/// changes them inside write sections, each followed by `synchronize()`.
/// The writer starts once every reader has done one section; readers do at
/// least `readSections` sections and keep reading until the writer is done
/// (bounded by `maxReadSections` and the deadline), so the two sides
/// overlap in time.
struct ReadWriteRace: Sendable {
    /// Reader threads, each doing `readSections` to `maxReadSections`
    /// sections; one writer doing `writeSections`; all within `seconds`.
    var readers = 2, readSections = 20_000, maxReadSections = 200_000
    var writeSections = 2_000, seconds = 1.5

    /// `write` runs inside each write section, `afterGracePeriod` after its
    /// `synchronize()`; `observe` runs inside each read section and
    /// `violates` judges what it saw once the section validated.
    func run<Lock: ReadMostlyLock & ~Copyable>(
        _ box: LockBox<Lock>, write: @escaping @Sendable () -> Void,
        afterGracePeriod: @escaping @Sendable () -> Void = {},
        observe: @escaping @Sendable () -> (Int, Int), violates: @escaping @Sendable (Int, Int) -> Bool
    ) throws -> RaceOutcome {
        let checked = Counter(), violations = Counter(), retried = Counter(), unexpected = Counter()
        let seen = Counter(), writes = Counter(), readersReady = Counter()
        let writerDone = Flag()
        let gate = StartGate(threads: readers + 1)
        let deadline = Deadline(seconds: seconds)
        let race = self
        try runThreads(readers + 1) { index in
            gate.arriveAndWait()
            if index == race.readers {
                waitUntil { readersReady.value >= race.readers }
                for _ in 0..<race.writeSections {
                    box.lock.writeLock()
                    write()
                    box.lock.writeUnlock()
                    box.lock.synchronize()
                    afterGracePeriod()
                    writes.add()
                    if deadline.passed { break }
                }
                writerDone.set()
                return
            }
            var tally = RaceOutcome()
            var last: Int? = nil
            for section in 0..<race.maxReadSections {
                if section >= race.readSections {
                    // Quota done: keep reading, politely, until the writer
                    // finishes (unfair locks would starve it).
                    if writerDone.isSet { break }
                    yieldThread()
                }
                let ticket = box.lock.readLock(reader: index)
                box.lock.readSectionProbe()
                let (first, second) = observe()
                if box.lock.readUnlock(reader: index, ticket) {
                    tally.checked += 1
                    if violates(first, second) { tally.violations += 1 }
                    if let previous = last, first != previous { tally.writesSeen += 1 }
                    last = first
                } else if Lock.replaysStaleWrites {
                    // Optimistic contract: a failed validation means the
                    // observation does not count and the caller retries.
                    tally.retried += 1
                } else {
                    tally.unexpectedFailures += 1
                }
                if section == 0 { readersReady.add() }
                if section % 128 == 0, deadline.passed { break }
            }
            checked.add(tally.checked)
            violations.add(tally.violations)
            retried.add(tally.retried)
            unexpected.add(tally.unexpectedFailures)
            seen.add(tally.writesSeen)
        }
        return RaceOutcome(checked: checked.value, violations: violations.value, retried: retried.value,
                           unexpectedFailures: unexpected.value, writesSeen: seen.value, writes: writes.value)
    }
}

/// Two plain (non-atomic) integers on different cache lines that every
/// write section changes together; a reader that sees them differ saw a
/// writer mid-section.
final class SharedPair: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Int>
    init() {
        storage = .allocate(capacity: 16)
        storage.initialize(repeating: 0, count: 16)
    }
    deinit { storage.deallocate() }
    var a: Int {
        get { storage[0] }
        set { storage[0] = newValue }
    }
    var b: Int {
        get { storage[8] }
        set { storage[8] = newValue }
    }
}
