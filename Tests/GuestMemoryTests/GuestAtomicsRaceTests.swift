import GuestMemory
import Platform
import Synchronization
import TestSupport
import Testing

/// GuestAtomics from two threads at once (bounded in iterations and time).
@Suite("GuestAtomics under concurrency")
struct GuestAtomicsRaceTests {
    @Test("two threads setting disjoint bits of the same words lose nothing")
    func disjointBitsConcurrently() throws {
        let page = PageBuffer()
        let bits = 256 // four shared 64-bit words; thread t owns bits with bit % 2 == t
        let rounds = 2_000
        let errors = Counter()
        let deadline = Deadline(seconds: 1.0)
        try runThreads(2) { thread in
            let bitmap = page.base + 0x800
            var mistakes = 0
            for _ in 0..<rounds {
                // Every one of our bits is clear, so set must see clear and
                // clear must see set, whatever the other thread does to its
                // bits of the same words.
                for bit in stride(from: thread, to: bits, by: 2) where GuestAtomics.testAndSetBit(bitmap, bit) {
                    mistakes += 1
                }
                for bit in stride(from: thread, to: bits, by: 2) where !GuestAtomics.testAndClearBit(bitmap, bit) {
                    mistakes += 1
                }
                if deadline.passed { break }
            }
            for bit in stride(from: thread, to: bits, by: 2) where GuestAtomics.testAndSetBit(bitmap, bit) {
                mistakes += 1
            }
            errors.add(mistakes)
        }
        #expect(errors.value == 0)
        // Every bit ends up set exactly once; nothing outside the range.
        #expect(page.bytes(0x800..<(0x800 + bits / 8)).allSatisfy { $0 == 0xFF })
        #expect(page.bytes(0..<0x800).allSatisfy { $0 == 0 })
        #expect(page.bytes((0x800 + bits / 8)..<4096).allSatisfy { $0 == 0 })
    }

    @Test("two threads racing test-and-set on one bit: exactly one wins each round")
    func testAndSetRace() throws {
        // Round r races on bit r of the page; the threads move in lockstep
        // (neither starts round r + 1 before the other finished round r), so
        // they really do contend on the same word.
        let page = PageBuffer()
        let rounds = 8_192
        let race = RaceState(rounds: rounds)
        let deadline = Deadline(seconds: 1.5)
        try runThreads(2) { thread in
            let other = 1 - thread
            for round in 0..<rounds {
                var backoff = Backoff()
                while race.progress(other) < round - 1 {
                    if race.stopped.load(ordering: .relaxed) { return }
                    backoff.pause()
                }
                if !GuestAtomics.testAndSetBit(page.base, round) { race.wins[thread][round] = 1 }
                race.setProgress(thread, round)
                if deadline.passed {
                    race.stopped.store(true, ordering: .relaxed)
                    return
                }
            }
        }
        let completed = min(race.progress(0), race.progress(1)) + 1
        #expect(completed > 0)
        var wrong = 0
        for round in 0..<completed where race.wins[0][round] + race.wins[1][round] != 1 {
            wrong += 1
        }
        #expect(wrong == 0, "rounds with zero or two winners")
        for round in 0..<completed {
            #expect(GuestAtomics.testBit(page.base, round))
        }
    }
}

/// Per-thread results and progress of the race test. Each thread writes
/// only its own `wins` row; the main thread reads them after joining.
final class RaceState: @unchecked Sendable {
    var wins: [UnsafeMutableBufferPointer<Int>]
    let progressCounters = PaddedBuffer(count: 2) { _ in Atomic<Int>(-1) }
    let stopped = Atomic<Bool>(false)

    init(rounds: Int) {
        wins = (0..<2).map { _ in
            let buffer = UnsafeMutableBufferPointer<Int>.allocate(capacity: rounds)
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    func progress(_ thread: Int) -> Int { progressCounters.pointer(at: thread).pointee.load(ordering: .acquiring) }
    func setProgress(_ thread: Int, _ round: Int) {
        progressCounters.pointer(at: thread).pointee.store(round, ordering: .releasing)
    }

    deinit { for buffer in wins { buffer.deallocate() } }
}
