import GuestMemory
import PageCache
import Platform

/// What one run of the guest's upcall handler saw.
public struct UpcallOutcome: Sendable, Equatable {
    /// Ports whose pending bit the handler cleared (events handled).
    public var handled = 0
    /// Passes that found `upcall_pending` set but handled nothing.
    public var spurious = 0
    /// Handler passes (one per time `upcall_pending` was found set).
    public var passes = 0

    public init() {}
}

extension EventChannelDomain where Lock: ~Copyable {
    /// The guest's upcall handler, as Linux's events_2l does it:
    /// `upcall_pending = 0`; `sel = xchg(pending_sel, 0)`; for each selected
    /// word, `bits = pending & ~mask`, and for each bit clear pending
    /// atomically, then handle the port; again while `upcall_pending` is set.
    /// Together with the sender's order (pending, mask test, selector,
    /// upcall) this loses no event.
    ///
    /// Runs as the guest (pages cannot move meanwhile), at most `maxPasses`
    /// passes, so the host can migrate between calls. `onPort` sees each
    /// handled port.
    public func runUpcallHandler(vcpu: Int, maxPasses: Int = 64, onPort: (Int) -> Void = { _ in }) -> UpcallOutcome {
        var outcome = UpcallOutcome()
        let bitsPerWord = 1 << wordShift
        memory.withGuestAccess { view in
            let shared = view.address(ofGuestFrame: sharedInfoFrame)
            let location = guestVCPUInfo(vcpu)
            let info = view.address(ofGuestFrame: location.frame) + location.offset
            while outcome.passes < maxPasses,
                  GuestAtomics.loadByte(info + VCPUInfoLayout.upcallPendingOffset) != 0 {
                outcome.passes += 1
                GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 0)
                var selector = GuestAtomics.takeField(info + selectorOffset, byteCount: selectorBytes)
                let before = outcome.handled
                while selector != 0 {
                    let word = selector.trailingZeroBitCount
                    selector &= selector &- 1
                    let first = word * bitsPerWord
                    var bits = GuestAtomics.loadBits(shared + pendingOffset, first: first, count: bitsPerWord)
                        & ~GuestAtomics.loadBits(shared + maskOffset, first: first, count: bitsPerWord)
                    while bits != 0 {
                        let port = first + bits.trailingZeroBitCount
                        bits &= bits &- 1
                        if GuestAtomics.testAndClearBit(shared + pendingOffset, port) {
                            outcome.handled += 1
                            onPort(port)
                        }
                    }
                }
                if outcome.handled == before { outcome.spurious += 1 }
            }
        }
        return outcome
    }

    /// True if the guest would enter its upcall handler now.
    public func guestUpcallPending(vcpu: Int) -> Bool {
        memory.withGuestAccess { view in
            let location = guestVCPUInfo(vcpu)
            let info = view.address(ofGuestFrame: location.frame) + location.offset
            return GuestAtomics.loadByte(info + VCPUInfoLayout.upcallPendingOffset) != 0
        }
    }

    /// The guest's `evtchn_pending_sel` of `vcpu`.
    public func guestSelector(vcpu: Int) -> UInt64 {
        memory.withGuestAccess { view in
            let location = guestVCPUInfo(vcpu)
            let info = view.address(ofGuestFrame: location.frame) + location.offset
            return GuestAtomics.loadBits(info + selectorOffset, first: 0, count: selectorBytes * 8)
        }
    }

    /// The guest masks `port`.
    public func guestMask(port: Int) {
        precondition(port >= 0 && port < portCount, "port out of range")
        memory.withGuestAccess { view in
            _ = GuestAtomics.testAndSetBit(view.address(ofGuestFrame: sharedInfoFrame) + maskOffset, port)
        }
    }

    /// The guest unmasks `port` bound to `vcpu` (Linux's 2-level unmask for
    /// the local vCPU): clear the mask bit, then test pending; if pending,
    /// re-raise (selector, then upcall) so the event is delivered.
    public func guestUnmask(port: Int, vcpu: Int) {
        precondition(port >= 0 && port < portCount, "port out of range")
        memory.withGuestAccess { view in
            let shared = view.address(ofGuestFrame: sharedInfoFrame)
            _ = GuestAtomics.testAndClearBit(shared + maskOffset, port)
            guard GuestAtomics.testBit(shared + pendingOffset, port) else { return }
            let location = guestVCPUInfo(vcpu)
            let info = view.address(ofGuestFrame: location.frame) + location.offset
            if !GuestAtomics.testAndSetBit(info + selectorOffset, port >> wordShift) {
                GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1)
            }
        }
    }

    /// The guest reads the pending bit of `port`.
    public func guestPending(port: Int) -> Bool {
        memory.withGuestAccess { view in
            GuestAtomics.testBit(view.address(ofGuestFrame: sharedInfoFrame) + pendingOffset, port)
        }
    }

    /// The guest reads the mask bit of `port`.
    public func guestMasked(port: Int) -> Bool {
        memory.withGuestAccess { view in
            GuestAtomics.testBit(view.address(ofGuestFrame: sharedInfoFrame) + maskOffset, port)
        }
    }

    /// Pending bits set in shared_info now (ports not yet handled).
    public func guestPendingCount() -> Int {
        memory.withGuestAccess { view in
            let shared = view.address(ofGuestFrame: sharedInfoFrame)
            return stride(from: 0, to: portCount, by: 64).reduce(0) { total, first in
                total + GuestAtomics.loadBits(shared + pendingOffset, first: first, count: min(64, portCount)).nonzeroBitCount
            }
        }
    }
}
