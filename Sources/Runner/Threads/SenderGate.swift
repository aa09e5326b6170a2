import Platform
import Synchronization

/// Stops senders between deliveries (the quiesce relocation strategy, the
/// v3 patch's "no event delivery may be in progress"). Senders look at the
/// gate between bursts; a closer waits until every active sender is parked.
final class SenderGate: Sendable {
    private let closers = Atomic<Int>(0)
    private let parked = Atomic<Int>(0)
    /// Relocations in progress, of any strategy (senders time their sends
    /// individually while one runs, to measure stalls).
    let relocating = Atomic<Int>(0)

    /// Sender side: parks while the gate is closed; returns the time parked
    /// (0 if open).
    @inlinable
    func pass() -> UInt64 {
        // Sequentially consistent: the sender's check and the closer's
        // increment-then-count form a store-load pair with park/close.
        guard closers.load(ordering: .sequentiallyConsistent) > 0 else { return 0 }
        let start = monotonicNanoseconds()
        parked.wrappingAdd(1, ordering: .sequentiallyConsistent)
        while closers.load(ordering: .sequentiallyConsistent) > 0 { yieldThread() }
        parked.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        return monotonicNanoseconds() - start
    }

    /// Closes the gate and waits until `active()` senders are parked
    /// (`active` excludes senders that have finished).
    func close(active: () -> Int) {
        closers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        while parked.load(ordering: .sequentiallyConsistent) < active() { yieldThread() }
    }

    func open() { closers.wrappingSubtract(1, ordering: .sequentiallyConsistent) }

    var isRelocating: Bool { relocating.load(ordering: .relaxed) > 0 }
}
