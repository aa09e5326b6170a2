import Platform
import Synchronization

// Guest mode: how guest CPUs enter and leave it, and how a migration holds
// them out while it copies (docs/model.md §2).

extension GuestMemory {
    /// Runs `body` in guest mode on guest CPU `cpu`: pages cannot move while
    /// it runs (in a real machine the guest's second-level entries are gone
    /// during a copy). `body` receives a translation from guest frame to
    /// address. Must not nest (a nested entry waits for a freeze that waits
    /// for the outer one).
    public func withGuestAccess<R>(cpu: Int = 0, _ body: (GuestView) throws -> R) rethrows -> R {
        let gate = guestCPUGate(cpu)
        gate.enter()
        defer { gate.exit() }
        return try body(GuestView(memory: self))
    }

    /// Guest CPU `cpu`'s gate into guest mode.
    public func guestCPUGate(_ cpu: Int) -> GuestCPUGate {
        precondition(cpu >= 0 && cpu < guestMode.count, "no such guest CPU")
        return GuestCPUGate(memory: self, inside: guestMode.pointer(at: cpu))
    }

    /// Changes whenever a migration remapped a guest frame or the guest's
    /// own data moved (`invalidateGuestTranslations`): a translation made
    /// in guest mode stays good while this value stays the same.
    @inlinable
    public var translationEpoch: UInt64 {
        // Acquire: pairs with the release increments in `migrate` and
        // `invalidateGuestTranslations`, so a guest CPU that sees the new
        // epoch also sees the new frame table and the guest's moved data.
        translationEpochCounter.load(ordering: .acquiring)
    }

    /// True while a migration holds the guest out of guest mode (tests).
    public var isFrozen: Bool { frozen.load(ordering: .acquiring) }

    /// Makes every guest CPU translate again on its next entry (the guest
    /// moved data it keeps translated, such as a vcpu_info).
    public func invalidateGuestTranslations() {
        // Release: pairs with the acquire in `translationEpoch`; the new
        // location, stored before this call, is seen with the new epoch.
        translationEpochCounter.wrappingAdd(1, ordering: .releasing)
    }

    /// Waits, out of guest mode, until no migration is copying.
    @usableFromInline
    func waitUntilThawed() {
        var backoff = Backoff()
        // Acquire: pairs with the release store that ends the freeze in
        // `migrate` (or `withGuestHeldOut`), so the copy and the remap are
        // visible once it is over.
        while frozen.load(ordering: .acquiring) { backoff.pause() }
    }

    /// Raises the freeze and waits until no guest CPU is in guest mode.
    /// Caller holds hostLock (one freeze at a time) and lowers the freeze.
    func freezeGuest() {
        hostLock.assertHeld()
        // Sequentially consistent: a store-load pair with `GuestCPUGate.enter`
        // (its increment, then its load of `frozen`). In the single total
        // order either the guest CPU's increment comes first, and the loads
        // of the counters below see it and wait, or this store comes first,
        // and the guest CPU sees `frozen` and backs out.
        frozen.store(true, ordering: .sequentiallyConsistent)
        for cpu in 0..<guestMode.count {
            var backoff = Backoff()
            // Sequentially consistent (acquire at least): the other half of
            // the pair above; reading the guest CPU's release decrement in
            // `exit` makes its guest-mode writes visible to the copy.
            while guestMode.pointer(at: cpu).pointee.load(ordering: .sequentiallyConsistent) != 0 { backoff.pause() }
        }
    }

    /// The guest's translation, valid in guest mode only.
    public struct GuestView {
        let memory: GuestMemory

        public func address(ofGuestFrame guestFrame: Int) -> UnsafeMutableRawPointer {
            memory.hostAddress(ofGuestFrame: guestFrame)
        }
    }
}

/// One guest CPU's way into and out of guest mode, as KVM's vcpu_run enters
/// and leaves the guest: a counter on the CPU's own padded line, and the
/// memory's freeze flag, which only a migration writes.
public struct GuestCPUGate: @unchecked Sendable {
    @usableFromInline unowned(unsafe) let memory: GuestMemory
    @usableFromInline let inside: UnsafeMutablePointer<Atomic<Int>>

    @usableFromInline
    init(memory: GuestMemory, inside: UnsafeMutablePointer<Atomic<Int>>) {
        self.memory = memory
        self.inside = inside
    }

    /// Enters guest mode; waits while a migration copies a page.
    @inlinable @inline(__always)
    public func enter() {
        while true {
            // Sequentially consistent: the increment and the load below are
            // the guest's half of the store-load pair with `freezeGuest`
            // (its store of `frozen`, then its loads of the counters).
            inside.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if !memory.frozen.load(ordering: .sequentiallyConsistent) { return }
            // Back out: release pairs with the host's load of the counter.
            inside.pointee.wrappingSubtract(1, ordering: .releasing)
            memory.waitUntilThawed()
        }
    }

    /// Leaves guest mode.
    @inlinable @inline(__always)
    public func exit() {
        // Release: the guest-mode writes happen-before a migration's load
        // of this counter that reads the result (and then its copy).
        inside.pointee.wrappingSubtract(1, ordering: .releasing)
    }
}
