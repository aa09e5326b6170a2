#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A joinable OS thread running a closure. Benchmarks need real threads that
/// they can pin, not tasks on a cooperative pool.
public final class HostThread: @unchecked Sendable {
    // Written once by `spawn` before any other thread sees the object.
    private var handle: pthread_t
    private var joined = false

    private init(handle: pthread_t) { self.handle = handle }

    /// Starts `body` on a new thread.
    public static func spawn(_ body: @escaping @Sendable () -> Void) throws(SystemError) -> HostThread {
        let box = Unmanaged.passRetained(ClosureBox(body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            // The box was retained for exactly this thread; take it back here.
            let closure = Unmanaged<ClosureBox>.fromOpaque(raw!).takeRetainedValue()
            closure.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<ClosureBox>.fromOpaque(box).release()
            throw SystemError("pthread_create", code: rc)
        }
        return HostThread(handle: handle)
    }

    /// Waits for the thread to finish. Joining twice is a programming error.
    public func join() {
        precondition(!joined, "thread joined twice")
        joined = true
        checkPthread(pthread_join(handle, nil), "pthread_join")
    }

    deinit {
        if !joined { checkPthread(pthread_detach(handle), "pthread_detach") }
    }
}

private final class ClosureBox {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
