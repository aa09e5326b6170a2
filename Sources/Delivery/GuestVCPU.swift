import GuestMemory
import Platform
import Synchronization

/// One guest CPU as the guest kernel sees itself: its gate into guest mode,
/// where its vcpu_info is, the ports bound to it (Linux's per-CPU
/// `cpu_evtchn_mask`), and the addresses of shared_info and vcpu_info as it
/// last translated them, like a TLB: kept while the memory's translation
/// epoch stays the same (no migration remapped a page and no vcpu_info
/// moved), so a handler pass translates nothing. Owned by one thread (the vCPU's); nothing here is shared with
/// another vCPU.
public struct GuestVCPU: @unchecked Sendable {
    public let vcpu: Int
    @usableFromInline let gate: GuestCPUGate
    @usableFromInline let layout: GuestLayout
    @usableFromInline unowned(unsafe) let memory: GuestMemory
    /// The guest frame of shared_info (the domain's; it moves with
    /// `moveSharedInfo`).
    @usableFromInline let sharedInfoFrame: UnsafeMutablePointer<Atomic<Int>>
    /// The guest-physical address of this vCPU's vcpu_info (the domain's).
    @usableFromInline let vcpuInfoAddress: UnsafeMutablePointer<Atomic<Int>>
    /// Bitmap of the ports bound to this vCPU (the domain's, per vCPU).
    @usableFromInline let boundPorts: UnsafeMutableRawPointer

    // The cached translation; `epoch == .max` means none yet.
    @usableFromInline var epoch = UInt64.max
    @usableFromInline var sharedInfo: UnsafeMutableRawPointer
    @usableFromInline var vcpuInfo: UnsafeMutableRawPointer
    /// shared_info's pending and mask bitmaps.
    @usableFromInline var pendingBits: UnsafeMutableRawPointer
    @usableFromInline var maskBits: UnsafeMutableRawPointer

    init(vcpu: Int, memory: GuestMemory, layout: GuestLayout, sharedInfoFrame: UnsafeMutablePointer<Atomic<Int>>,
         vcpuInfoAddress: UnsafeMutablePointer<Atomic<Int>>, boundPorts: UnsafeMutableRawPointer) {
        self.vcpu = vcpu
        self.gate = memory.guestCPUGate(vcpu)
        self.layout = layout
        self.memory = memory
        self.sharedInfoFrame = sharedInfoFrame
        self.vcpuInfoAddress = vcpuInfoAddress
        self.boundPorts = boundPorts
        // Placeholders until the first entry translates (epoch is .max).
        sharedInfo = memory.hostFrameAddress(0)
        vcpuInfo = sharedInfo
        pendingBits = sharedInfo
        maskBits = sharedInfo
    }

    /// Enters guest mode and makes `sharedInfo` and `vcpuInfo` current.
    /// The caller leaves with `gate.exit()`.
    @inlinable @inline(__always)
    mutating func enterGuestMode() {
        gate.enter()
        // The epoch changes when a migration remapped a page (which cannot
        // happen in guest mode) or a vcpu_info moved. Acquire (in
        // translationEpoch): pairs with the release increments in `migrate`
        // and `invalidateGuestTranslations`, so the frame table and the
        // vcpu_info address read in `translate` are at least that new.
        let now = memory.translationEpoch
        if now != epoch { translate(epoch: now) }
    }

    @usableFromInline
    mutating func translate(epoch now: UInt64) {
        // Acquire: pairs with the release store of a new address in
        // setGuestVCPUInfo, made before its epoch bump.
        let address = vcpuInfoAddress.pointee.load(ordering: .acquiring)
        precondition(address >= 0, "vCPU \(vcpu) has no vcpu_info")
        // Acquire: pairs with the release store of a new frame in
        // moveSharedInfo, made before its epoch bump.
        sharedInfo = memory.hostAddress(ofGuestFrame: sharedInfoFrame.pointee.load(ordering: .acquiring))
        vcpuInfo = memory.hostAddress(ofGuestFrame: address / GuestMemory.pageSize) + address % GuestMemory.pageSize
        pendingBits = sharedInfo + layout.pendingOffset
        maskBits = sharedInfo + layout.maskOffset
        epoch = now
    }
}
