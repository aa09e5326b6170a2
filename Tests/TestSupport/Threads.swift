import Platform
import Synchronization

// Threads and shared state for the concurrent tests of every target (as
// every Concurrency Kit regression includes one common.h). Nothing here
// asserts on time: deadlines only bound loops.

/// Runs `body(index)` on `count` host threads at once and joins them all.
public func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) throws {
    let threads = try (0..<count).map { index in try HostThread.spawn { body(index) } }
    for thread in threads { thread.join() }
}

/// A thread started at once, joined by the test.
public final class HostThreadBox: @unchecked Sendable {
    private let thread: HostThread
    public init(_ body: @escaping @Sendable () -> Void) { thread = try! HostThread.spawn(body) }
    public func join() { thread.join() }
}

/// A deadline `seconds` from now, for bounding loops (never asserted on as
/// a duration; a liveness wait that passes it is a failure, not a timing).
public struct Deadline: Sendable {
    public let end: UInt64
    public init(seconds: Double) { end = monotonicNanoseconds() + UInt64(seconds * 1e9) }
    public var passed: Bool { monotonicNanoseconds() >= end }
}

/// Waits (yielding) until `condition` holds or `seconds` pass; returns
/// whether it held.
@discardableResult
public func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Deadline(seconds: seconds)
    while !condition() {
        if deadline.passed { return false }
        yieldThread()
    }
    return true
}

/// Gives other threads plenty of chances to run (to make a wrong
/// interleaving likely if the lock allowed it), without asserting on time.
public func letOthersRun(rounds: Int = 200) {
    for _ in 0..<rounds { yieldThread() }
    sleepMicroseconds(2_000)
}

/// Busy work that the compiler cannot drop.
@inline(never)
public func spin(_ iterations: Int) {
    for _ in 0..<iterations { cpuRelax() }
}

/// A shared sequentially consistent flag.
public final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public func set(_ newValue: Bool = true) { value.store(newValue, ordering: .sequentiallyConsistent) }
    public var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// A shared atomic counter (relaxed: read after the threads are joined, or
/// only as a progress hint).
public final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    public init() {}
    public func add(_ amount: Int = 1) { count.wrappingAdd(amount, ordering: .relaxed) }
    public var value: Int { count.load(ordering: .relaxed) }
}

/// Lets threads start their loops together, so that they overlap.
public final class StartGate: Sendable {
    private let arrived = Atomic<Int>(0)
    private let threads: Int
    public init(threads: Int) { self.threads = threads }
    public func arriveAndWait() {
        arrived.wrappingAdd(1, ordering: .sequentiallyConsistent)
        waitUntil { arrived.load(ordering: .sequentiallyConsistent) >= threads }
    }
}
