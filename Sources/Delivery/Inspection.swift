import GuestMemory
import Platform

/// What the guest could find right now, for the lost-event oracle
/// (docs/model.md §9, "signalled, not merely pending").
public struct SignalAudit: Sendable, Equatable {
    /// Ports pending, unmasked and signalled: the guest will handle them.
    public var signalled: [Int] = []
    /// Ports pending and unmasked whose selector bit (in the bound vCPU's
    /// vcpu_info or shadow) or `upcall_pending` (or a non-empty shadow) is
    /// missing: nothing in a real guest looks at them, so each is lost.
    public var unsignalled: [Int] = []
    /// Ports pending and masked: no selector is what a masked port is.
    public var masked = 0

    public init() {}
}

extension EventChannelDomain where Lock: ~Copyable {
    /// True if the guest would enter vCPU `vcpu`'s upcall handler now.
    public func guestUpcallPending(vcpu: Int) -> Bool {
        var guest = guestVCPU(vcpu)
        return guest.upcallPending()
    }

    /// The guest's `evtchn_pending_sel` of `vcpu`.
    public func guestSelector(vcpu: Int) -> UInt64 {
        var guest = guestVCPU(vcpu)
        return guest.selector()
    }

    /// The guest reads the pending bit of `port`.
    public func guestPending(port: Int) -> Bool {
        memory.withGuestAccess(cpu: boundVCPU(ofPort: port)) { view in
            GuestAtomics.testBit(view.address(ofGuestFrame: sharedInfoFrame) + layout.pendingOffset, port)
        }
    }

    /// The guest reads the mask bit of `port`.
    public func guestMasked(port: Int) -> Bool {
        memory.withGuestAccess(cpu: boundVCPU(ofPort: port)) { view in
            GuestAtomics.testBit(view.address(ofGuestFrame: sharedInfoFrame) + layout.maskOffset, port)
        }
    }

    /// Pending bits set in shared_info now (ports not yet handled).
    public func guestPendingCount() -> Int {
        memory.withGuestAccess { view in
            let shared = view.address(ofGuestFrame: sharedInfoFrame)
            return stride(from: 0, to: layout.portCount, by: 64).reduce(0) { total, first in
                total + GuestAtomics.loadBits(shared + layout.pendingOffset, first: first, count: min(64, layout.portCount)).nonzeroBitCount
            }
        }
    }

    /// Classifies every pending port of the live shared_info page. Call it
    /// with every sender, timer deferral and vCPU thread stopped, and before
    /// any final drain or unmask: an unmask re-raises any pending port, and
    /// would make an unsignalled event look signalled.
    ///
    /// A port is signalled when its selector word's bit is set in the
    /// vcpu_info of the vCPU it is bound to (where the guest believes it
    /// is) or in that vCPU's shadow selector, and `upcall_pending` is set
    /// there or the shadow is non-empty (the next entry merges it and sets
    /// `upcall_pending`).
    public func auditSignals() -> SignalAudit {
        let signals = (0..<vcpuCount).map { vcpu in
            var guest = guestVCPU(vcpu)
            let shadow = shadowSelector(vcpu: vcpu)
            return (selector: guest.selector() | shadow, upcall: guest.upcallPending() || shadow != 0)
        }
        let owners = (0..<layout.portCount).map { boundVCPU(ofPort: $0) }
        return memory.withGuestAccess { view in
            let shared = view.address(ofGuestFrame: sharedInfoFrame)
            var audit = SignalAudit()
            for first in stride(from: 0, to: layout.portCount, by: 64) {
                let pending = GuestAtomics.loadBits(shared + layout.pendingOffset, first: first, count: 64)
                let masks = GuestAtomics.loadBits(shared + layout.maskOffset, first: first, count: 64)
                audit.masked += (pending & masks).nonzeroBitCount
                var bits = pending & ~masks
                while bits != 0 {
                    let port = first + bits.trailingZeroBitCount
                    bits &= bits - 1
                    let signal = signals[owners[port]]
                    if signal.upcall, signal.selector & (1 << UInt64(port >> layout.wordShift)) != 0 {
                        audit.signalled.append(port)
                    } else {
                        audit.unsignalled.append(port)
                    }
                }
            }
            return audit
        }
    }
}
