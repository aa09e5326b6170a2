import CEvtchnShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Spin-wait hint for busy loops (`pause` on x86).
@inlinable @inline(__always)
public func cpuRelax() {
    evtchn_cpu_relax()
}

/// Atomically clears bit `bit` (0-63) of the word at `word`; true if it
/// was set. Sequentially consistent (`lock btr` on x86; see
/// evtchn_test_and_clear_bit in CEvtchnShim for why it is written in C).
@inlinable @inline(__always)
public func atomicTestAndClearBit(_ word: UnsafeMutableRawPointer, _ bit: UInt64) -> Bool {
    evtchn_test_and_clear_bit(word.assumingMemoryBound(to: UInt64.self), bit) != 0
}

/// Gives the CPU away; used by spinners that may wait on a preempted thread.
@inlinable
public func yieldThread() {
    _ = sched_yield()
}

/// Monotonic wall clock in nanoseconds (CLOCK_MONOTONIC, served by the vDSO).
@inlinable
public func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    // clock_gettime(CLOCK_MONOTONIC) cannot fail with a valid pointer.
    _ = clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// CPU time the calling thread has run, in nanoseconds
/// (CLOCK_THREAD_CPUTIME_ID): what it got of the wall time, so a thread
/// that was descheduled or stopped shows it.
public func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    // clock_gettime(CLOCK_THREAD_CPUTIME_ID) cannot fail with a valid pointer on Linux.
    _ = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// The raw cycle counter (TSC on x86); only differences on one CPU mean anything.
@inlinable @inline(__always)
public func readCycleCounter() -> UInt64 {
    evtchn_read_cycle_counter()
}

/// A counter private to the calling thread, incremented and returned.
public func threadTick() -> UInt32 { evtchn_thread_tick() }

/// A bounded spin-then-yield back-off for host-side waits (never on the
/// senders' fast path): spins with `pause` first, then yields, so a waiter on
/// an oversubscribed machine does not burn the waited-for thread's CPU.
public struct Backoff {
    @usableFromInline var spins = 0

    @inlinable public init() {}

    @inlinable
    public mutating func pause() {
        spins &+= 1
        if spins < 128 {
            cpuRelax()
        } else {
            yieldThread()
        }
    }
}

/// Sleeps the calling thread (host-side pacing only, never in measured code).
public func sleepMicroseconds(_ microseconds: Int) {
    var request = timespec(tv_sec: microseconds / 1_000_000, tv_nsec: (microseconds % 1_000_000) * 1000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// Waits until the monotonic clock reaches `deadline` (ns): sleeps while it
/// is far, then spins the last stretch, so open-loop senders and periodic
/// host actions start on time. Sleeps at most 2 ms at a time and returns
/// early, false, as soon as `stop()` is true: a long period never outlives
/// the run's end or a signal. True when the deadline was reached.
@discardableResult
public func sleepUntil(nanoseconds deadline: UInt64, unless stop: () -> Bool = { false }) -> Bool {
    let spinWindow: UInt64 = 60_000
    let longestSleep: UInt64 = 2_000_000
    while true {
        if stop() { return false }
        let now = monotonicNanoseconds()
        if now >= deadline { return true }
        let remaining = deadline - now
        if remaining > spinWindow {
            sleepMicroseconds(Int(min(remaining - spinWindow, longestSleep) / 1000))
        } else {
            cpuRelax()
        }
    }
}
