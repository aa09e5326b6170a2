import LockDesigns
import PageCache
import Platform
import Synchronization
import Testing

/// One lock of a design at a stable heap address, shared between threads.
final class LockBox<Lock: ReadMostlyLock & ~Copyable>: Sendable {
    let lock: Lock
    init(readers: Int) { lock = Lock(readerCapacity: readers) }
}

/// Runs `body(index)` on `count` host threads at once and joins them all.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) throws {
    let threads = try (0..<count).map { index in try HostThread.spawn { body(index) } }
    for thread in threads { thread.join() }
}

/// A deadline `seconds` from now, for bounding loops (never asserted on as
/// a duration; a liveness wait that passes it is a failure, not a timing).
struct Deadline: Sendable {
    let end: UInt64
    init(seconds: Double) { end = monotonicNanoseconds() + UInt64(seconds * 1e9) }
    var passed: Bool { monotonicNanoseconds() >= end }
}

/// Waits (yielding) until `condition` holds or `seconds` pass; returns
/// whether it held.
@discardableResult
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Deadline(seconds: seconds)
    while !condition() {
        if deadline.passed { return false }
        yieldThread()
    }
    return true
}

/// Gives other threads plenty of chances to run (to make a wrong
/// interleaving likely if the lock allowed it), without asserting on time.
func letOthersRun(rounds: Int = 200) {
    for _ in 0..<rounds { yieldThread() }
    sleepMicroseconds(2_000)
}

/// A shared sequentially consistent flag.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set(_ newValue: Bool = true) { value.store(newValue, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// Lets threads start their loops together, so that they overlap.
final class StartGate: Sendable {
    private let arrived = Atomic<Int>(0)
    private let threads: Int
    init(threads: Int) { self.threads = threads }
    func arriveAndWait() {
        arrived.wrappingAdd(1, ordering: .sequentiallyConsistent)
        waitUntil { arrived.load(ordering: .sequentiallyConsistent) >= threads }
    }
}

/// A shared atomic counter.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ amount: Int = 1) { count.wrappingAdd(amount, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Busy work that the compiler cannot drop.
@inline(never)
func spin(_ iterations: Int) {
    for _ in 0..<iterations { cpuRelax() }
}

extension LockDesign {
    /// Designs whose `readLock` excludes writers (every one but rcu, whose
    /// readers never wait, and nolock).
    static let excluding: [LockDesign] = allCases.filter { $0 != .rcu && $0 != .nolock }
    /// Designs whose writers wait for readers to leave in `writeLock`.
    static let writersWaitForReaders: [LockDesign] = allCases.filter { ![.rcu, .seqlock, .nolock].contains($0) }
    /// Designs whose `tryReadLock` really tries (the queued rwlock ones).
    static let trying: [LockDesign] = [.rwlock, .rwlockTrylock, .rwlockTrydrop]
    /// Every design that must be safe.
    static let safe: [LockDesign] = allCases.filter(\.isSafe)
}
