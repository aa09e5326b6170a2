#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A pthread mutex that, in debug builds, knows which thread holds it, so
/// that a function that must be called with it held can say so and be
/// checked, as the kernel's `lockdep_assert_held` does (`assertHeld`). In
/// release builds it is a `PThreadMutex` and nothing more: the owner and
/// every check are compiled out.
public struct OwnedMutex: ~Copyable, @unchecked Sendable {
    @usableFromInline let mutex = PThreadMutex()
    #if DEBUG
    /// The holder's thread, 0 when free. Relaxed, both ways: only the holder
    /// stores it, and a thread only ever asks whether it is the holder; it
    /// sees its own stores, so it never finds its own id once it has
    /// unlocked, nor before it has locked.
    @usableFromInline let owner = Atomic<UInt>(0)
    #endif

    public init() {}

    @inlinable @inline(__always)
    public func lock() {
        mutex.lock()
        #if DEBUG
        owner.store(currentThreadID(), ordering: .relaxed)
        #endif
    }

    @inlinable @inline(__always)
    public func unlock() {
        #if DEBUG
        assertHeld()
        owner.store(0, ordering: .relaxed)
        #endif
        mutex.unlock()
    }

    @inlinable
    public func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    /// lockdep_assert_held: the calling thread holds this mutex. Checked in
    /// debug builds; nothing in release builds.
    @inlinable @inline(__always)
    public func assertHeld(file: StaticString = #fileID, line: UInt = #line) {
        #if DEBUG
        assert(isHeldByCurrentThread, "the calling thread does not hold this mutex", file: file, line: line)
        #endif
    }

    #if DEBUG
    /// Whether the calling thread holds this mutex (debug builds only).
    @inlinable
    public var isHeldByCurrentThread: Bool { owner.load(ordering: .relaxed) == currentThreadID() }
    #endif
}

/// The calling thread's pthread_self, as a number (never 0).
@usableFromInline
func currentThreadID() -> UInt {
    #if canImport(Glibc)
    UInt(pthread_self())
    #else
    UInt(bitPattern: pthread_self())
    #endif
}
