#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CEvtchnShim

/// Linux futex on a 32-bit word in memory this process owns.
public enum Futex {
    /// Sleeps while `word` still holds `expected`. Returns at once when it
    /// does not (EAGAIN); may also return spuriously (EINTR): callers re-check.
    @inlinable
    public static func wait(_ word: UnsafeMutableRawPointer, expected: UInt32) {
        let rc = evtchn_futex_wait(word.assumingMemoryBound(to: UInt32.self), expected)
        // EAGAIN (value changed) and EINTR (signal) are normal wake-ups.
        precondition(rc == 0 || rc == EAGAIN || rc == EINTR, "futex wait failed: \(rc)")
    }

    /// Wakes up to `count` threads sleeping on `word`.
    @inlinable
    public static func wake(_ word: UnsafeMutableRawPointer, count: Int32 = .max) {
        let rc = evtchn_futex_wake(word.assumingMemoryBound(to: UInt32.self), count)
        precondition(rc >= 0, "futex wake failed: \(-rc)")
    }
}

