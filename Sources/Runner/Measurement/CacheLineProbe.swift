import Platform
import Synchronization

/// How long a cache line takes to travel from a sender's CPU to its vCPU's
/// and back, measured on the run's own threads: the path every delivery
/// crosses. A VM's vCPUs can be moved by the hypervisor between near and
/// far cores while the guest runs (this 2-core VM's hand-off jumps between
/// about 55 and about 240 ns), so a row's rates mean little without the
/// state of that path; the probe runs right before the warm-up and right
/// after the window (`c2c_ns`, `c2c_after_ns`).
///
/// A plain userspace ping-pong: pair k's sender stores an odd number in
/// the pair's word, its vCPU answers with the next even one, 64 round trips
/// a batch, up to 16 batches or about 1 ms. One batch's time over 128 is
/// one one-way hand-off; the pair's figure is the median batch. Pairs go
/// one at a time (`turn`), while every other thread of the run waits, so
/// that no traffic crosses the probe. Every wait has a deadline: a partner
/// that never comes (an oversubscribed or emulated machine, an interrupted
/// run) abandons the probe, which then has no figure, never a hang.
final class CacheLineProbe: Sendable {
    struct Pair: Sendable, Equatable {
        let sender: Int
        let vcpu: Int
    }

    let pairs: [Pair]
    /// One word per pair, each on its own lines.
    private let words: PaddedBuffer<Atomic<UInt64>>
    /// The pair being probed; `pairs.count` when all are done.
    private let turn = Atomic<Int>(0)
    private let abandoned = Atomic<Bool>(false)
    /// Monotonic time after which any wait abandons; 0 (the start) until
    /// `start`, so a probe never started is abandoned at once.
    private let deadline = Atomic<UInt64>(0)
    private let figures: Mutex<[UInt64?]>

    static let roundTripsPerBatch = 64
    static let maximumBatches = 16
    static let targetNanoseconds: UInt64 = 1_000_000
    /// Pairs probed at most: one sender-vCPU pair per thread up to this,
    /// so that a wide run's probe stays a few milliseconds.
    static let maximumPairs = 8

    /// Pair i is sender i mod `senders` with vCPU i mod `vcpus`: every
    /// thread of a run up to `maximumPairs` threads a side takes part.
    init(senders: Int, vcpus: Int) {
        let count = min(max(senders, vcpus), Self.maximumPairs)
        pairs = senders > 0 && vcpus > 0 ? (0..<count).map { Pair(sender: $0 % senders, vcpu: $0 % vcpus) } : []
        words = PaddedBuffer(count: max(pairs.count, 1)) { _ in Atomic<UInt64>(0) }
        figures = Mutex(Array(repeating: nil, count: pairs.count))
    }

    /// Opens the probe for `budget` ns from now. Release: pairs with the
    /// acquire in `expired`; the coordinator stores it before it releases
    /// the threads (the start barrier, or the phase store) anyway.
    func start(budget: UInt64) {
        deadline.store(monotonicNanoseconds() &+ budget, ordering: .releasing)
    }

    /// Ends every wait of the probe now (an interrupted run).
    func abandon() {
        // Relaxed: a flag polled by the waits; nothing is published with it.
        abandoned.store(true, ordering: .relaxed)
    }

    /// The median one-way hand-off of each pair, nil where it was abandoned.
    var oneWayNanoseconds: [UInt64?] { figures.withLock { $0 } }
}

extension CacheLineProbe {
    /// A sender's part: it leads each of its pairs, then waits for the rest.
    func takePart(sender: Int) {
        for (k, pair) in pairs.enumerated() where pair.sender == sender {
            guard waitForTurn(k) else { return }
            let figure = lead(words.pointer(at: k))
            figures.withLock { $0[k] = figure }
            // Release: pairs with the acquire in waitForTurn; the next pair
            // starts after this one's last hand-off.
            turn.store(k + 1, ordering: .releasing)
        }
        _ = waitForTurn(pairs.count)
    }

    /// A vCPU's part: it answers each of its pairs, then waits for the rest.
    func takePart(vcpu: Int) {
        for (k, pair) in pairs.enumerated() where pair.vcpu == vcpu {
            guard waitForTurn(k) else { return }
            answer(words.pointer(at: k))
        }
        _ = waitForTurn(pairs.count)
    }

    /// Whether every pair is done or the probe was given up.
    var finished: Bool {
        // Acquire: pairs with the release in takePart(sender:).
        turn.load(ordering: .acquiring) >= pairs.count || abandoned.load(ordering: .relaxed) || expired
    }

    private var expired: Bool {
        // Acquire: pairs with the release in start.
        monotonicNanoseconds() > deadline.load(ordering: .acquiring)
    }

    /// False, and the probe abandoned for every thread, once it was given
    /// up or its deadline passed.
    func stillOpen() -> Bool {
        guard abandoned.load(ordering: .relaxed) || expired else { return true }
        abandon()
        return false
    }

    /// Waits until pair `k` is on; false (and the probe abandoned) when the
    /// deadline passes first. Spins a little, then yields: a waiting
    /// thread must not take the CPU of a pair being probed.
    private func waitForTurn(_ k: Int) -> Bool {
        var spins = 0
        // Acquire: pairs with the release in takePart(sender:).
        while turn.load(ordering: .acquiring) < k {
            spins += 1
            if spins % 64 == 0 {
                guard stillOpen() else { return false }
                yieldThread()
            } else {
                cpuRelax()
            }
        }
        return !abandoned.load(ordering: .relaxed)
    }
}
