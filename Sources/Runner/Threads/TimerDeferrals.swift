import Platform
import Synchronization

/// Timer events whose fast path would block, waiting for their vCPU to
/// deliver them through the slow path (KVM's `timer_pending`). A second
/// deferral of the same port before delivery coalesces with the first.
final class TimerDeferrals: Sendable {
    private let deferred: PaddedBuffer<Atomic<Bool>>
    private let pendingPerVCPU: PaddedBuffer<Atomic<Int>>

    init(portCount: Int, vcpus: Int) {
        deferred = PaddedBuffer(count: portCount) { _ in Atomic<Bool>(false) }
        pendingPerVCPU = PaddedBuffer(count: vcpus) { _ in Atomic<Int>(0) }
    }

    /// Hands `port` to `vcpu`; false if it was already waiting (coalesced).
    func hand(port: Int, to vcpu: Int) -> Bool {
        // Acquire-release: the flag and the count hand the event over to the
        // vCPU thread, which takes both in the opposite order in `take`.
        guard !deferred.pointer(at: port).pointee.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        pendingPerVCPU.pointer(at: vcpu).pointee.wrappingAdd(1, ordering: .releasing)
        return true
    }

    func hasPending(vcpu: Int) -> Bool {
        // Acquire: pairs with the release in `hand`.
        pendingPerVCPU.pointer(at: vcpu).pointee.load(ordering: .acquiring) > 0
    }

    /// Calls `body` for each deferred port among `ports`, clearing it.
    func take(vcpu: Int, among ports: [Int], _ body: (Int) -> Void) {
        for port in ports where deferred.pointer(at: port).pointee.exchange(false, ordering: .acquiringAndReleasing) {
            pendingPerVCPU.pointer(at: vcpu).pointee.wrappingSubtract(1, ordering: .relaxed)
            body(port)
        }
    }
}
