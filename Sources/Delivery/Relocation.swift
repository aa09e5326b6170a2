import GuestMemory
import PageCache
import Platform
import Synchronization

/// How the host moves a vCPU's vcpu_info to the address the guest registers
/// (VCPUOP_register_vcpu_info) while events keep arriving (docs/model.md §7).
public enum RelocationStrategy: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Stop every sender, copy, activate the new location, resume: the v3
    /// patch's rule, "no event delivery may be in progress".
    case quiesce
    /// Activate the new location, then copy while holding both caches'
    /// write sides: the reviewer's proposal as tried in v4. An event that
    /// lands in the new vcpu_info between activation and copy is overwritten
    /// by the copy (the v4 review's argument; reproduced, not fixed).
    case bothLocks = "both-locks"
    /// As both-locks, but a flag makes the fast path return would-block
    /// (and the slow path wait on xen_lock) while the move runs: the
    /// reviewer's fix.
    case forcedSlow = "forced-slow"
    /// As forced-slow, but after raising the flag wait until every
    /// fast-path attempt that began before it has finished (a grace period
    /// over fast paths, as `synchronize_srcu` over `kvm->srcu` would be in
    /// the kernel), then copy and activate: the reviewer's "just invalidate
    /// the cache and use the slow path", as a kernel would write it.
    case forcedSlowDrain = "forced-slow-drain"
    /// Deactivate the vcpu_info cache, copy, activate the new location;
    /// events in between go to the shadow selector and are merged on the
    /// next vCPU entry: what Linux 6.9 merged.
    case deactivate
    /// Pause the vCPU, copy, switch, then set every selector bit and
    /// upcall_pending, so nothing can be lost (the guest scans spuriously
    /// instead): what Xen does.
    case xenMarkAll = "xen-mark-all"

    public var description: String { rawValue }
}

/// What a relocation's caller provides: a way to stop and resume senders
/// (quiesce), and a test seam at the strategy's most exposed moment.
public struct RelocationHooks {
    /// Returns once no sender is inside a delivery, and none starts one.
    public var stopSenders: () -> Void
    public var resumeSenders: () -> Void
    /// Called right after the strategy's first step (activation,
    /// deactivation, flag, pause), before the copy: where the v4 review's
    /// event lands.
    public var afterFirstStep: () -> Void
    /// The calling thread's writer slot, if it has one: forced-slow-drain
    /// puts it offline for the move (the move holds no cache mapping), so
    /// that neither its own drain nor another vCPU's waits for it. Every
    /// other online slot must pass a quiescent state for the drain to end.
    public var callerSlot: Int?
    /// forced-slow-drain: called with each writer slot the drain is about
    /// to wait for (a test seam).
    public var drainWaits: (Int) -> Void

    public init(stopSenders: @escaping () -> Void = {}, resumeSenders: @escaping () -> Void = {},
                afterFirstStep: @escaping () -> Void = {}, callerSlot: Int? = nil,
                drainWaits: @escaping (Int) -> Void = { _ in }) {
        self.stopSenders = stopSenders
        self.resumeSenders = resumeSenders
        self.afterFirstStep = afterFirstStep
        self.callerSlot = callerSlot
        self.drainWaits = drainWaits
    }
}

/// What one relocation did.
public struct RelocationOutcome: Sendable, Equatable {
    /// Selector bits that events had set in the new vcpu_info before the
    /// copy overwrote them: events the guest will not be told about.
    public var vanishedSelectorBits = 0
    /// `upcall_pending` was set in the new vcpu_info and the copy cleared it.
    public var vanishedUpcall = false
}

extension EventChannelDomain where Lock: ~Copyable {
    /// Moves `vcpu`'s vcpu_info to guest address (`guestFrame`, `offset`)
    /// with `strategy`. Runs on the vCPU's own thread (the hypercall), so
    /// the guest's handler for this vCPU does not run meanwhile; the guest
    /// uses the new address once this returns.
    public func relocateVCPUInfo(vcpu: Int, toFrame guestFrame: Int, offset: Int, strategy: RelocationStrategy,
                                 hooks: RelocationHooks = RelocationHooks()) -> RelocationOutcome {
        precondition(vcpu >= 0 && vcpu < vcpuCount, "no such vCPU")
        precondition(offset % 64 == 0 && offset + layout.vcpuInfoSize <= GuestMemory.pageSize, "vcpu_info must be 64-byte aligned in the page")
        let from = guestVCPUInfoLocation(vcpu: vcpu)
        let to = (frame: guestFrame, offset: offset)
        let cache = vcpus.pointer(at: vcpu)
        // The guest hands over a fresh, zeroed vcpu_info.
        zeroVCPUInfo(at: to, vcpu: vcpu)
        var outcome = RelocationOutcome()
        switch strategy {
        case .quiesce:
            hooks.stopSenders()
            hooks.afterFirstStep()
            outcome = copyVCPUInfo(from: from, to: to, vcpu: vcpu)
            activateVCPUInfo(vcpu: vcpu, guestFrame: to.frame, offset: to.offset)
            hooks.resumeSenders()
        case .bothLocks:
            cache.pointee.vcpuInfo.activate(guestFrame: to.frame, offset: to.offset)
            hooks.afterFirstStep()
            outcome = copyHoldingBothLocks(cache, from: from, to: to, vcpu: vcpu)
            setGuestVCPUInfo(vcpu, to)
        case .forcedSlow:
            slowPathLock.lock()
            sharedInfo.pointee.forceWouldBlock(true)
            cache.pointee.vcpuInfo.activate(guestFrame: to.frame, offset: to.offset)
            hooks.afterFirstStep()
            outcome = copyHoldingBothLocks(cache, from: from, to: to, vcpu: vcpu)
            setGuestVCPUInfo(vcpu, to)
            sharedInfo.pointee.forceWouldBlock(false)
            slowPathLock.unlock()
        case .forcedSlowDrain:
            // Our own thread holds no mapping during the move: offline, or
            // another vCPU draining under xen_lock would wait for us (and
            // our own drain for ourselves).
            if let slot = hooks.callerSlot { memory.quiescence.goOffline(slot) }
            defer { if let slot = hooks.callerSlot { memory.quiescence.goOnline(slot) } }
            slowPathLock.lock()
            sharedInfo.pointee.forceWouldBlock(true)
            hooks.afterFirstStep()
            // Every fast path that began before the flag was visible may
            // still be between its shared_info and vcpu_info sections; once
            // each has finished, the old vcpu_info is written by no one
            // (later sends go to the slow path and wait on xen_lock).
            memory.quiescence.waitForOperationsInFlight(waiting: hooks.drainWaits)
            outcome = copyVCPUInfo(from: from, to: to, vcpu: vcpu)
            activateVCPUInfo(vcpu: vcpu, guestFrame: to.frame, offset: to.offset)
            sharedInfo.pointee.forceWouldBlock(false)
            slowPathLock.unlock()
        case .deactivate:
            cache.pointee.vcpuInfo.deactivate()
            hooks.afterFirstStep()
            outcome = copyVCPUInfo(from: from, to: to, vcpu: vcpu)
            activateVCPUInfo(vcpu: vcpu, guestFrame: to.frame, offset: to.offset)
        case .xenMarkAll:
            hooks.afterFirstStep()
            outcome = copyVCPUInfo(from: from, to: to, vcpu: vcpu)
            activateVCPUInfo(vcpu: vcpu, guestFrame: to.frame, offset: to.offset)
            markAllPending(at: to, vcpu: vcpu)
        }
        return outcome
    }

    /// The v4 copy: both caches' write sides held, so no delivery writes
    /// during the copy itself (it may have written before).
    private func copyHoldingBothLocks(_ state: UnsafeMutablePointer<VCPUHostState<Lock>>,
                                      from: (frame: Int, offset: Int), to: (frame: Int, offset: Int),
                                      vcpu: Int) -> RelocationOutcome {
        sharedInfo.pointee.lock.writeLock()
        state.pointee.vcpuInfo.lock.writeLock()
        let outcome = copyVCPUInfo(from: from, to: to, vcpu: vcpu)
        state.pointee.vcpuInfo.lock.writeUnlock()
        sharedInfo.pointee.lock.writeUnlock()
        return outcome
    }

    /// Copies the 64 bytes of vcpu_info (through guest mode of the vCPU
    /// making the hypercall: pages do not move meanwhile), counting selector
    /// bits and the upcall flag that deliveries had set at the destination
    /// and the copy overwrites.
    private func copyVCPUInfo(from: (frame: Int, offset: Int), to: (frame: Int, offset: Int),
                              vcpu: Int) -> RelocationOutcome {
        memory.withGuestAccess(cpu: vcpu) { view in
            let source = view.address(ofGuestFrame: from.frame) + from.offset
            let target = view.address(ofGuestFrame: to.frame) + to.offset
            var outcome = RelocationOutcome()
            let selectorBits = layout.selectorBytes * 8
            let first = layout.selectorFirstBit
            let before = GuestAtomics.loadBits(target + layout.selectorWordOffset, first: first, count: selectorBits)
            let carried = GuestAtomics.loadBits(source + layout.selectorWordOffset, first: first, count: selectorBits)
            let upcallBefore = GuestAtomics.loadByte(target + VCPUInfoLayout.upcallPendingOffset)
            let upcallCarried = GuestAtomics.loadByte(source + VCPUInfoLayout.upcallPendingOffset)
            GuestAtomics.copyWords(from: source, to: target, bytes: layout.vcpuInfoSize)
            outcome.vanishedSelectorBits = (before & ~carried).nonzeroBitCount
            outcome.vanishedUpcall = upcallBefore != 0 && upcallCarried == 0
            return outcome
        }
    }

    private func zeroVCPUInfo(at location: (frame: Int, offset: Int), vcpu: Int) {
        memory.withGuestAccess(cpu: vcpu) { view in
            GuestAtomics.zeroWords(view.address(ofGuestFrame: location.frame) + location.offset, bytes: layout.vcpuInfoSize)
        }
    }

    /// Xen's map_vcpu_info: every selector bit and upcall_pending set, so
    /// the guest scans every word once.
    private func markAllPending(at location: (frame: Int, offset: Int), vcpu: Int) {
        memory.withGuestAccess(cpu: vcpu) { view in
            let info = view.address(ofGuestFrame: location.frame) + location.offset
            let all: UInt64 = layout.selectorBytes == 8 ? .max : 0xFFFF_FFFF
            GuestAtomics.orField(info + layout.selectorOffset, byteCount: layout.selectorBytes, all)
            GuestAtomics.storeByte(info + VCPUInfoLayout.upcallPendingOffset, 1)
        }
    }
}
