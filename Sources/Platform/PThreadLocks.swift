#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CEvtchnShim

/// A pthread mutex at a stable heap address (pthread objects must not
/// move), on cache lines of its own.
public struct PThreadMutex: ~Copyable, @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = allocateOnOwnLines(pthread_mutex_t.self)
        checkPthread(pthread_mutex_init(mutex, nil), "pthread_mutex_init")
    }

    @inlinable @inline(__always)
    public func lock() { checkPthread(pthread_mutex_lock(mutex), "pthread_mutex_lock") }

    @inlinable @inline(__always)
    public func unlock() { checkPthread(pthread_mutex_unlock(mutex), "pthread_mutex_unlock") }

    @inlinable
    public func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    deinit {
        checkPthread(pthread_mutex_destroy(mutex), "pthread_mutex_destroy")
        mutex.deallocate()
    }
}

/// A pthread reader-writer lock at a stable heap address, on cache lines of
/// its own.
public struct PThreadRWLock: ~Copyable, @unchecked Sendable {
    /// glibc's kinds: the default prefers readers (a writer can starve while
    /// readers overlap); `preferWriter` is PREFER_WRITER_NONRECURSIVE_NP.
    public enum Kind: Sendable { case glibcDefault, preferWriter }

    @usableFromInline let rwlock: UnsafeMutablePointer<pthread_rwlock_t>

    public init(kind: Kind = .glibcDefault) {
        rwlock = allocateOnOwnLines(pthread_rwlock_t.self)
        checkPthread(evtchn_rwlock_init(rwlock, kind == .preferWriter ? 1 : 0), "pthread_rwlock_init")
    }

    @inlinable @inline(__always)
    public func readLock() { checkPthread(pthread_rwlock_rdlock(rwlock), "pthread_rwlock_rdlock") }

    @inlinable @inline(__always)
    public func tryReadLock() -> Bool {
        let rc = pthread_rwlock_tryrdlock(rwlock)
        precondition(rc == 0 || rc == EBUSY || rc == EAGAIN, "pthread_rwlock_tryrdlock failed with \(rc)")
        return rc == 0
    }

    @inlinable @inline(__always)
    public func writeLock() { checkPthread(pthread_rwlock_wrlock(rwlock), "pthread_rwlock_wrlock") }

    @inlinable @inline(__always)
    public func unlock() { checkPthread(pthread_rwlock_unlock(rwlock), "pthread_rwlock_unlock") }

    deinit {
        checkPthread(pthread_rwlock_destroy(rwlock), "pthread_rwlock_destroy")
        rwlock.deallocate()
    }
}
