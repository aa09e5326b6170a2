import LockDesigns
import PageCache
import Platform
import Synchronization
import Testing

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

struct ExclusionOutcome: Sendable {
    /// Read sections whose observation counts (validated, for seqlock).
    var checked = 0
    /// Counted read sections that saw a != b.
    var torn = 0
    /// seqlock sections whose validation failed (the caller would retry).
    var retried = 0
    /// readUnlock returned false for a design that does not replay.
    var unexpectedFailures = 0
    var writes = 0
    var finalA = 0
    var finalB = 0
    /// Counted read sections that saw a newer write than the reader's
    /// previous one (the first section sets the baseline): evidence that
    /// the writer ran while readers read.
    var writesSeen = 0
}

/// Readers check a == b inside read sections while a writer changes a, then
/// b, inside write sections. The writer starts once every reader has done
/// one section, and readers do at least `readSections` sections and keep
/// reading until the writer is done (bounded by `maxReadSections` and the
/// deadline), so the two sides overlap in time.
struct ExclusionRun: LockDesignVisitor {
    var readers = 2
    var readSections = 20_000
    var maxReadSections = 200_000
    var writeSections = 2_000
    var seconds = 1.5

    func visit<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) -> Result<ExclusionOutcome, any Error> {
        let box = LockBox<Lock>(readers: readers)
        let pair = SharedPair()
        let checked = Counter(), torn = Counter(), retried = Counter(), unexpected = Counter(), writes = Counter()
        let seen = Counter(), readersReady = Counter()
        let writerDone = Flag()
        let gate = StartGate(threads: readers + 1)
        let deadline = Deadline(seconds: seconds)
        let (readers, readSections, maxReadSections, writeSections) =
            (self.readers, self.readSections, self.maxReadSections, self.writeSections)
        return Result {
            try runThreads(readers + 1) { index in
                gate.arriveAndWait()
                if index == readers {
                    waitUntil { readersReady.value >= readers }
                    for _ in 0..<writeSections {
                        box.lock.writeLock()
                        pair.a &+= 1
                        spin(20)
                        pair.b &+= 1
                        box.lock.writeUnlock()
                        box.lock.synchronize()
                        writes.add()
                        if deadline.passed { break }
                    }
                    writerDone.set()
                    return
                }
                var (myChecked, myTorn, myRetried, myUnexpected, mySeen) = (0, 0, 0, 0, 0)
                var last: Int? = nil
                for section in 0..<maxReadSections {
                    if section >= readSections {
                        // Quota done: keep reading, politely, until the
                        // writer finishes (unfair locks would starve it).
                        if writerDone.isSet { break }
                        yieldThread()
                    }
                    let ticket = box.lock.readLock(reader: index)
                    box.lock.readSectionProbe()
                    let a = pair.a
                    spin(2)
                    let b = pair.b
                    if box.lock.readUnlock(reader: index, ticket) {
                        myChecked += 1
                        if a != b { myTorn += 1 }
                        if let previous = last, a != previous { mySeen += 1 }
                        last = a
                    } else if Lock.replaysStaleWrites {
                        // Optimistic contract: a failed validation means the
                        // observation does not count and the caller retries.
                        myRetried += 1
                    } else {
                        myUnexpected += 1
                    }
                    if section == 0 { readersReady.add() }
                    if section % 128 == 0, deadline.passed { break }
                }
                checked.add(myChecked)
                torn.add(myTorn)
                retried.add(myRetried)
                unexpected.add(myUnexpected)
                seen.add(mySeen)
            }
            return ExclusionOutcome(checked: checked.value, torn: torn.value, retried: retried.value,
                                    unexpectedFailures: unexpected.value, writes: writes.value,
                                    finalA: pair.a, finalB: pair.b, writesSeen: seen.value)
        }
    }
}

struct GraceOutcome: Sendable {
    var checked = 0
    /// Counted read sections that found the version they were using
    /// retired (its grace period over) before they left.
    var usedAfterRetire = 0
    var retried = 0
    var writes = 0
}

/// The ReadMostlyLock guarantee in its general form: once `writeUnlock()`
/// and then `synchronize()` return, no reader that read the old value is
/// still inside (or, for seqlock, that reader's section fails validation).
/// The writer publishes a new version, then, after the grace period,
/// declares the old one retired; a reader that is still inside while its
/// version is declared retired is a violation.
struct GracePeriodRun: LockDesignVisitor {
    var readers = 2
    var readSections = 20_000
    var maxReadSections = 200_000
    var writeSections = 2_000
    var seconds = 1.5

    final class Versions: Sendable {
        let current = Atomic<Int>(0)
        let retired = Atomic<Int>(-1)
    }

    func visit<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) -> Result<GraceOutcome, any Error> {
        let box = LockBox<Lock>(readers: readers)
        let versions = Versions()
        let checked = Counter(), violations = Counter(), retried = Counter(), writes = Counter()
        let readersReady = Counter()
        let writerDone = Flag()
        let gate = StartGate(threads: readers + 1)
        let deadline = Deadline(seconds: seconds)
        let (readers, readSections, maxReadSections, writeSections) =
            (self.readers, self.readSections, self.maxReadSections, self.writeSections)
        return Result {
            try runThreads(readers + 1) { index in
                gate.arriveAndWait()
                if index == readers {
                    waitUntil { readersReady.value >= readers }
                    for _ in 0..<writeSections {
                        box.lock.writeLock()
                        let old = versions.current.load(ordering: .sequentiallyConsistent)
                        versions.current.store(old + 1, ordering: .sequentiallyConsistent)
                        box.lock.writeUnlock()
                        box.lock.synchronize()
                        versions.retired.store(old, ordering: .sequentiallyConsistent)
                        writes.add()
                        if deadline.passed { break }
                    }
                    writerDone.set()
                    return
                }
                var (myChecked, myViolations, myRetried) = (0, 0, 0)
                for section in 0..<maxReadSections {
                    if section >= readSections {
                        // Quota done: keep reading, politely, until the
                        // writer finishes (unfair locks would starve it).
                        if writerDone.isSet { break }
                        yieldThread()
                    }
                    let ticket = box.lock.readLock(reader: index)
                    box.lock.readSectionProbe()
                    let version = versions.current.load(ordering: .sequentiallyConsistent)
                    spin(10) // "use" the version
                    let retiredNow = versions.retired.load(ordering: .sequentiallyConsistent)
                    if box.lock.readUnlock(reader: index, ticket) {
                        myChecked += 1
                        if retiredNow >= version { myViolations += 1 }
                    } else {
                        myRetried += 1
                    }
                    if section == 0 { readersReady.add() }
                    if section % 128 == 0, deadline.passed { break }
                }
                checked.add(myChecked)
                violations.add(myViolations)
                retried.add(myRetried)
            }
            return GraceOutcome(checked: checked.value, usedAfterRetire: violations.value,
                                retried: retried.value, writes: writes.value)
        }
    }
}

/// Two writers increment a plain counter in write sections.
struct WriterExclusionRun: LockDesignVisitor {
    var writers = 2
    var sections = 2_000

    func visit<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) -> Result<(done: Int, counted: Int), any Error> {
        let box = LockBox<Lock>(readers: 1)
        let pair = SharedPair()
        let done = Counter()
        let deadline = Deadline(seconds: 1.0)
        let sections = self.sections
        let gate = StartGate(threads: writers)
        return Result {
            try runThreads(writers) { _ in
                gate.arriveAndWait()
                for _ in 0..<sections {
                    box.lock.writeLock()
                    let seen = pair.a
                    spin(5)
                    pair.a = seen + 1
                    box.lock.writeUnlock()
                    done.add()
                    if deadline.passed { break }
                }
            }
            return (done.value, pair.a)
        }
    }
}

@Suite("Mutual exclusion", .serialized)
struct MutualExclusionTests {
    @Test("readers never see a write section half done", arguments: LockDesign.excluding)
    func readersExcludeWriters(design: LockDesign) throws {
        let outcome = try design.visit(ExclusionRun()).get()
        #expect(outcome.torn == 0, "\(outcome.torn) of \(outcome.checked) read sections saw a != b")
        #expect(outcome.unexpectedFailures == 0, "readUnlock failed for a design that does not replay")
        #expect(outcome.checked > 0)
        #expect(outcome.writes > 0)
        #expect(outcome.finalA == outcome.writes)
        #expect(outcome.finalB == outcome.writes)
        #expect(outcome.writesSeen > 0, "readers never saw the writer's work: the run did not overlap")
        if design != .seqlock { #expect(outcome.retried == 0) }
    }

    @Test("after writeUnlock + synchronize no validated reader still uses the old version",
          arguments: LockDesign.safe)
    func gracePeriod(design: LockDesign) throws {
        let outcome = try design.visit(GracePeriodRun()).get()
        #expect(outcome.usedAfterRetire == 0,
                "\(outcome.usedAfterRetire) of \(outcome.checked) read sections outlived their version")
        #expect(outcome.checked > 0)
        #expect(outcome.writes > 0)
        if !design.visit(TraitsVisitor()).replaysStaleWrites { #expect(outcome.retried == 0) }
    }

    @Test("writers exclude each other", arguments: LockDesign.safe)
    func writersExcludeWriters(design: LockDesign) throws {
        let outcome = try design.visit(WriterExclusionRun()).get()
        #expect(outcome.done > 0)
        #expect(outcome.counted == outcome.done, "lost \(outcome.done - outcome.counted) increments")
    }

    // Negative controls: the same bodies catch a lock that does nothing, so
    // the checks above can fail. Repeated (bounded) until the race shows.

    @Test("negative control: without a lock, readers see torn writes")
    func noLockTears() throws {
        let deadline = Deadline(seconds: 3)
        var torn = 0
        repeat {
            torn += try LockDesign.nolock.visit(ExclusionRun(readSections: 20_000, writeSections: 5_000, seconds: 0.5)).get().torn
        } while torn == 0 && !deadline.passed
        #expect(torn > 0)
    }

    @Test("negative control: without a lock, readers outlive their version")
    func noLockOutlivesGracePeriod() throws {
        let deadline = Deadline(seconds: 3)
        var violations = 0
        repeat {
            violations += try LockDesign.nolock.visit(GracePeriodRun(seconds: 0.5)).get().usedAfterRetire
        } while violations == 0 && !deadline.passed
        #expect(violations > 0)
    }
}
