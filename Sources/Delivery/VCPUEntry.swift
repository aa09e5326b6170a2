import GuestMemory
import PageCache
import Platform
import Synchronization

extension EventChannelDomain where Lock: ~Copyable {
    /// kvm_xen_inject_pending_events, on every vCPU entry: moves the shadow
    /// selector into vcpu_info. Snapshot the shadow; under the vcpu_info
    /// read side (refreshing the cache if needed) OR the snapshot into
    /// `pending_sel`, clear exactly those bits from the shadow, and set
    /// `upcall_pending`. Returns true if anything was merged; false if the
    /// shadow was empty or the vcpu_info cache is inactive (bits stay).
    @inlinable
    public func injectPendingEvents(vcpu: Int, context: inout DeliveryContext) -> Bool {
        let state = vcpus.pointer(at: vcpu)
        // Every vCPU entry is a quiescent point: the thread holds no mapping
        // between entries (lets the host recycle retired frames).
        defer { context.passQuiescentState() }
        // Acquire: pairs with the senders' RMW in setShadowSelector.
        let snapshot = state.pointee.shadowSelector.load(ordering: .acquiring)
        guard snapshot != 0 else { return false }
        var cleared = false
        while true {
            let ticket = state.pointee.vcpuInfo.lock.readLock(reader: context.slot)
            guard state.pointee.vcpuInfo.check(length: layout.vcpuInfoSize) else {
                _ = state.pointee.vcpuInfo.lock.readUnlock(reader: context.slot, ticket)
                if state.pointee.vcpuInfo.refresh() == .inactive { return cleared }
                continue
            }
            let info = state.pointee.vcpuInfo.mappedAddress
            state.pointee.vcpuInfo.lock.readSectionProbe()
            GuestAtomics.orField(info + layout.selectorOffset, byteCount: layout.selectorBytes, snapshot)
            if !cleared {
                // Acquire-release: pairs with setShadowSelector; clears only
                // the snapshot's bits, so bits set since then stay.
                state.pointee.shadowSelector.bitwiseAnd(~snapshot, ordering: .acquiringAndReleasing)
                cleared = true
            }
            GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1)
            if state.pointee.vcpuInfo.lock.readUnlock(reader: context.slot, ticket) { return true }
            // Replay through the refreshed mapping (OR is idempotent).
            context.selectorReplays &+= 1
        }
    }
}

extension VCPUInfoLayout {
    /// `evtchn_upcall_pending` is at offset 0 in both ABIs.
    @inlinable public static var upcallPendingOffset: Int { 0 }
}
