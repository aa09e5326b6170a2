import LockDesigns
import PageCache
import Synchronization
import TestSupport
import Testing

/// Readers check a == b while the writer changes a, then b.
struct ExclusionRun: DesignTest {
    var race = ReadWriteRace()

    func run<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) throws
        -> (race: RaceOutcome, finalA: Int, finalB: Int) {
        let pair = SharedPair()
        let outcome = try race.run(
            LockBox<Lock>(readers: race.readers),
            write: {
                pair.a &+= 1
                spin(20)
                pair.b &+= 1
            },
            observe: {
                let a = pair.a
                spin(2)
                return (a, pair.b)
            },
            violates: { a, b in a != b })
        return (outcome, pair.a, pair.b)
    }
}

/// The ReadMostlyLock guarantee in its general form: once `writeUnlock()`
/// and then `synchronize()` return, no reader that read the old value is
/// still inside (or, for seqlock, that reader's section fails validation).
/// The writer publishes a new version, then, after the grace period,
/// declares the old one retired; a reader that is still inside while its
/// version is declared retired is a violation.
struct GracePeriodRun: DesignTest {
    var race = ReadWriteRace()

    final class Versions: Sendable {
        let current = Atomic<Int>(0)
        let retired = Atomic<Int>(-1)
    }

    func run<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) throws -> RaceOutcome {
        let versions = Versions()
        return try race.run(
            LockBox<Lock>(readers: race.readers),
            write: {
                let old = versions.current.load(ordering: .sequentiallyConsistent)
                versions.current.store(old + 1, ordering: .sequentiallyConsistent)
            },
            // The writer is alone: the version before its last write is
            // current - 1.
            afterGracePeriod: {
                versions.retired.store(versions.current.load(ordering: .sequentiallyConsistent) - 1,
                                       ordering: .sequentiallyConsistent)
            },
            observe: {
                let version = versions.current.load(ordering: .sequentiallyConsistent)
                spin(10) // "use" the version
                return (version, versions.retired.load(ordering: .sequentiallyConsistent))
            },
            violates: { version, retired in retired >= version })
    }
}

/// Two writers increment a plain counter in write sections.
struct WriterExclusionRun: DesignTest {
    var writers = 2
    var sections = 2_000

    func run<Lock: ReadMostlyLock & ~Copyable>(_: Lock.Type, design: LockDesign) throws -> (done: Int, counted: Int) {
        let box = LockBox<Lock>(readers: 1)
        let pair = SharedPair()
        let done = Counter()
        let deadline = Deadline(seconds: 1.0)
        let sections = self.sections
        let gate = StartGate(threads: writers)
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

@Suite("Mutual exclusion", .serialized)
struct MutualExclusionTests {
    @Test("readers never see a write section half done", arguments: LockDesign.excluding)
    func readersExcludeWriters(design: LockDesign) throws {
        let (outcome, finalA, finalB) = try design.run(ExclusionRun())
        #expect(outcome.violations == 0, "\(outcome.violations) of \(outcome.checked) read sections saw a != b")
        #expect(outcome.unexpectedFailures == 0, "readUnlock failed for a design that does not replay")
        #expect(outcome.checked > 0)
        #expect(outcome.writes > 0)
        #expect(finalA == outcome.writes)
        #expect(finalB == outcome.writes)
        #expect(outcome.writesSeen > 0, "readers never saw the writer's work: the run did not overlap")
        if design != .seqlock { #expect(outcome.retried == 0) }
    }

    @Test("after writeUnlock + synchronize no validated reader still uses the old version",
          arguments: LockDesign.safe)
    func gracePeriod(design: LockDesign) throws {
        let outcome = try design.run(GracePeriodRun())
        #expect(outcome.violations == 0,
                "\(outcome.violations) of \(outcome.checked) read sections outlived their version")
        #expect(outcome.unexpectedFailures == 0, "readUnlock failed for a design that does not replay")
        #expect(outcome.checked > 0)
        #expect(outcome.writes > 0)
        if !design.replaysStaleWrites { #expect(outcome.retried == 0) }
    }

    @Test("writers exclude each other", arguments: LockDesign.safe)
    func writersExcludeWriters(design: LockDesign) throws {
        let outcome = try design.run(WriterExclusionRun())
        #expect(outcome.done > 0)
        #expect(outcome.counted == outcome.done, "lost \(outcome.done - outcome.counted) increments")
    }

    // Negative controls: the same bodies catch a lock that does nothing, so
    // the checks above can fail. Repeated (bounded) until the race shows.

    @Test("negative control: without a lock, readers see torn writes")
    func noLockTears() throws {
        let quick = ReadWriteRace(readSections: 20_000, writeSections: 5_000, seconds: 0.5)
        let deadline = Deadline(seconds: 3)
        var torn = 0
        repeat {
            torn += try LockDesign.nolock.run(ExclusionRun(race: quick)).race.violations
        } while torn == 0 && !deadline.passed
        #expect(torn > 0)
    }

    @Test("negative control: without a lock, readers outlive their version")
    func noLockOutlivesGracePeriod() throws {
        let deadline = Deadline(seconds: 3)
        var violations = 0
        repeat {
            violations += try LockDesign.nolock.run(GracePeriodRun(race: ReadWriteRace(seconds: 0.5))).violations
        } while violations == 0 && !deadline.passed
        #expect(violations > 0)
    }
}
