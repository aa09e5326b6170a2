import Platform
import Synchronization

/// The two sides of one pair's ping-pong (`CacheLineProbe`). Every access
/// to the word is relaxed: nothing is published through it, only the
/// transfer of its cache line between the two CPUs is timed.
extension CacheLineProbe {
    /// The value that ends the answerer's loop.
    private static let done = UInt64.max

    /// The sender's side: times batches of round trips until enough, then
    /// ends the answerer; the median one-way hand-off, nil when abandoned.
    func lead(_ word: UnsafeMutablePointer<Atomic<UInt64>>) -> UInt64? {
        var value: UInt64 = 0
        var batches: [UInt64] = []
        let begin = monotonicNanoseconds()
        while batches.count < Self.maximumBatches, batches.count < 3 || monotonicNanoseconds() &- begin < Self.targetNanoseconds {
            let start = monotonicNanoseconds()
            for _ in 0..<Self.roundTripsPerBatch {
                value &+= 1
                word.pointee.store(value, ordering: .relaxed)
                value &+= 1
                guard awaitValue(word, { $0 == value }) != nil else {
                    word.pointee.store(Self.done, ordering: .relaxed)
                    return nil
                }
            }
            batches.append((monotonicNanoseconds() &- start) / UInt64(2 * Self.roundTripsPerBatch))
        }
        word.pointee.store(Self.done, ordering: .relaxed)
        return batches.sorted()[batches.count / 2]
    }

    /// The vCPU's side: answers each odd value with the next, until done.
    func answer(_ word: UnsafeMutablePointer<Atomic<UInt64>>) {
        var last: UInt64 = 0
        while let value = awaitValue(word, { $0 != last }), value != Self.done {
            last = value &+ 1
            word.pointee.store(last, ordering: .relaxed)
        }
    }

    /// Spins until the word holds a value `wanted` accepts and returns it;
    /// nil when the probe is abandoned or its deadline passes first. Every
    /// 1024 spins (tens of microseconds, far beyond a hand-off between two
    /// CPUs) it also yields: a partner placed on this very CPU
    /// (oversubscribed) then gets to answer within a switch, not a time
    /// slice, and the probe ends instead of running into its deadline.
    private func awaitValue(_ word: UnsafeMutablePointer<Atomic<UInt64>>, _ wanted: (UInt64) -> Bool) -> UInt64? {
        var spins = 0
        while true {
            let value = word.pointee.load(ordering: .relaxed)
            if wanted(value) { return value }
            spins += 1
            if spins % 1024 == 0 {
                guard stillOpen() else { return nil }
                yieldThread()
            }
            cpuRelax()
        }
    }
}
