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

    public mutating func merge(_ other: UpcallOutcome) {
        handled &+= other.handled
        spurious &+= other.spurious
        passes &+= other.passes
    }
}

extension GuestVCPU {
    /// The guest's upcall handler, as Linux's events_2l does it:
    /// `upcall_pending = 0`; `sel = xchg(pending_sel, 0)`; for each selected
    /// word, `bits = pending & cpu_evtchn_mask[cpu] & ~mask` (only the ports
    /// bound to this vCPU); for each of those ports, clear its pending bit
    /// (`sync_test_and_clear_bit`, a `lock btr`) and handle it; again while
    /// `upcall_pending` is set. Together with the sender's order (pending,
    /// mask test, selector, upcall) this loses no event.
    ///
    /// The clear's old value says whether this pass really cleared the bit,
    /// so `handled` stays exact: a bit cleared by someone else (a handler
    /// that raced with a rebinding) is not counted twice.
    ///
    /// Runs in guest mode (pages cannot move meanwhile), at most `maxPasses`
    /// passes, so the host can migrate between calls. `onPort` sees each
    /// handled port; it is inlined into the caller's specialisation.
    @inlinable
    public mutating func runUpcallHandler(maxPasses: Int = 64, onPort: (Int) -> Void = { _ in }) -> UpcallOutcome {
        enterGuestMode()
        defer { gate.exit() }
        // A guest kernel is built for its own word size: one copy of the
        // loop per ABI, each with its constants folded in.
        return layout.wordShift == 6
            ? handlerPasses(layout: .longMode, maxPasses: maxPasses, onPort: onPort)
            : handlerPasses(layout: .compat, maxPasses: maxPasses, onPort: onPort)
    }

    /// The handler's passes for the constant `layout` (the vCPU's own); the
    /// caller is in guest mode with a current translation.
    @inlinable @inline(__always)
    func handlerPasses(layout: GuestLayout, maxPasses: Int, onPort: (Int) -> Void) -> UpcallOutcome {
        var outcome = UpcallOutcome()
        let pending = pendingBits
        let masks = maskBits
        let upcall = vcpuInfo + VCPUInfoLayout.upcallPendingOffset
        let selectorWord = vcpuInfo + layout.selectorWordOffset
        while outcome.passes < maxPasses, GuestAtomics.loadByte(upcall) != 0 {
            outcome.passes &+= 1
            GuestAtomics.storeByte(upcall, 0)
            var selector = GuestAtomics.takeBits(selectorWord, first: layout.selectorFirstBit,
                                                 count: layout.selectorBytes * 8)
            let before = outcome.handled
            while selector != 0 {
                let first = selector.trailingZeroBitCount &<< layout.wordShift
                selector &= selector &- 1
                var bits = GuestAtomics.loadWord(pending, from: first) & GuestAtomics.loadWord(boundPorts, from: first)
                    & ~GuestAtomics.loadWord(masks, from: first) & layout.wordMask
                while bits != 0 {
                    let port = first &+ bits.trailingZeroBitCount
                    bits &= bits &- 1
                    guard GuestAtomics.testAndClearBit(pending, port) else { continue }
                    outcome.handled &+= 1
                    onPort(port)
                }
            }
            if outcome.handled == before { outcome.spurious &+= 1 }
        }
        return outcome
    }

    /// True if the guest would enter its upcall handler now.
    public mutating func upcallPending() -> Bool {
        enterGuestMode()
        defer { gate.exit() }
        return GuestAtomics.loadByte(vcpuInfo + VCPUInfoLayout.upcallPendingOffset) != 0
    }

    /// This vCPU's `evtchn_pending_sel`.
    public mutating func selector() -> UInt64 {
        enterGuestMode()
        defer { gate.exit() }
        return GuestAtomics.loadBits(vcpuInfo + layout.selectorWordOffset, first: layout.selectorFirstBit,
                                     count: layout.selectorBytes * 8)
    }

    /// Linux's 2-level unmask of a port bound to this vCPU: clear the mask
    /// bit, then test pending; if pending, re-raise (selector, then upcall)
    /// so the event is delivered. (For a port bound elsewhere Linux asks Xen
    /// with EVTCHNOP_unmask, which re-raises on the bound vCPU the same way.)
    public mutating func unmask(port: Int) {
        enterGuestMode()
        defer { gate.exit() }
        _ = GuestAtomics.testAndClearBit(sharedInfo + layout.maskOffset, port)
        guard GuestAtomics.testBit(sharedInfo + layout.pendingOffset, port) else { return }
        if !GuestAtomics.testAndSetBit(vcpuInfo + layout.selectorWordOffset,
                                       layout.selectorFirstBit &+ port &>> layout.wordShift) {
            GuestAtomics.storeByte(vcpuInfo + VCPUInfoLayout.upcallPendingOffset, 1)
        }
    }
}

extension EventChannelDomain where Lock: ~Copyable {
    /// Runs vCPU `vcpu`'s upcall handler once (a fresh guest CPU: for tests
    /// and the final drain; the vCPU threads keep theirs).
    public func runUpcallHandler(vcpu: Int, maxPasses: Int = 64, onPort: (Int) -> Void = { _ in }) -> UpcallOutcome {
        var guest = guestVCPU(vcpu)
        return guest.runUpcallHandler(maxPasses: maxPasses, onPort: onPort)
    }

    /// The guest masks `port`.
    public func guestMask(port: Int) {
        precondition(port >= 0 && port < layout.portCount, "port out of range")
        memory.withGuestAccess(cpu: boundVCPU(ofPort: port)) { view in
            _ = GuestAtomics.testAndSetBit(view.address(ofGuestFrame: sharedInfoFrame) + layout.maskOffset, port)
        }
    }

    /// The guest unmasks `port`, which re-raises it on the vCPU it is bound
    /// to if it is pending.
    public func guestUnmask(port: Int) {
        precondition(port >= 0 && port < layout.portCount, "port out of range")
        var guest = guestVCPU(boundVCPU(ofPort: port))
        guest.unmask(port: port)
    }
}
