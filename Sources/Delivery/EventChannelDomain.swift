import GuestMemory
import PageCache
import Platform
import Synchronization

/// Host-private state of one vCPU: its vcpu_info cache, the shadow selector
/// used while that cache is unusable (vcpu->arch.xen.evtchn_pending_sel),
/// and its kick.
public struct VCPUHostState<Lock: ReadMostlyLock & ~Copyable>: ~Copyable, @unchecked Sendable {
    public let vcpuInfo: GfnPfnCache<Lock>
    @usableFromInline let shadowSelector = Atomic<UInt64>(0)
    public let kick = EventKick()

    init(memory: GuestMemory, readerCapacity: Int) {
        vcpuInfo = GfnPfnCache(memory: memory, readerCapacity: readerCapacity)
    }
}

/// One guest's Xen event-channel state as KVM keeps it: the shared_info
/// cache, per-vCPU state, and the guest's own view of where its vcpu_info
/// lives. Generic over the locking design, so the delivery code below is
/// specialised per design with no dynamic dispatch.
public final class EventChannelDomain<Lock: ReadMostlyLock & ~Copyable>: MMUNotifier, @unchecked Sendable {
    public let memory: GuestMemory
    public let abi: GuestABI
    public let vcpuCount: Int
    /// Guest frame of shared_info (the model keeps it at frame 0).
    public let sharedInfoFrame = 0

    @usableFromInline let sharedInfoCache: PaddedBuffer<GfnPfnCache<Lock>>
    @usableFromInline let vcpus: PaddedBuffer<VCPUHostState<Lock>>
    /// Guest-physical address of each vCPU's vcpu_info as the guest sees it.
    @usableFromInline let guestVCPUInfoAddress: PaddedBuffer<Atomic<Int>>
    /// kvm->arch.xen.xen_lock: serialises slow-path senders.
    @usableFromInline let slowPathLock = PThreadMutex()

    // Layout constants of `abi`, kept as stored values for the hot path.
    @usableFromInline let pendingOffset: Int
    @usableFromInline let maskOffset: Int
    @usableFromInline let selectorOffset: Int
    @usableFromInline let selectorBytes: Int
    @usableFromInline let wordShift: Int
    @usableFromInline let portCount: Int
    @usableFromInline let sharedInfoSize: Int
    @usableFromInline let vcpuInfoSize: Int

    /// Creates the domain and registers it as `memory`'s MMU notifier.
    /// Caches start inactive: activate shared_info and each vcpu_info.
    public init(memory: GuestMemory, abi: GuestABI, vcpuCount: Int) {
        precondition(vcpuCount > 0, "at least one vCPU")
        self.memory = memory
        self.abi = abi
        self.vcpuCount = vcpuCount
        let readers = memory.quiescence.capacity
        sharedInfoCache = PaddedBuffer(count: 1) { _ in GfnPfnCache(memory: memory, readerCapacity: readers) }
        vcpus = PaddedBuffer(count: vcpuCount) { _ in VCPUHostState(memory: memory, readerCapacity: readers) }
        guestVCPUInfoAddress = PaddedBuffer(count: vcpuCount) { _ in Atomic<Int>(-1) }
        pendingOffset = abi.sharedInfo.pendingOffset
        maskOffset = abi.sharedInfo.maskOffset
        selectorOffset = abi.vcpuInfo.pendingSelectorOffset
        selectorBytes = abi.vcpuInfo.pendingSelectorBytes
        wordShift = abi.bitsPerWord.trailingZeroBitCount
        portCount = abi.portCount
        sharedInfoSize = abi.sharedInfo.size
        vcpuInfoSize = abi.vcpuInfo.size
        memory.addNotifier(self)
    }

    /// A context for a thread that sends or merges; nil when every reader
    /// slot of the memory's quiescence registry is taken.
    public func makeContext() -> DeliveryContext? {
        memory.quiescence.register().map(DeliveryContext.init(slot:))
    }

    @usableFromInline var sharedInfo: UnsafeMutablePointer<GfnPfnCache<Lock>> { sharedInfoCache.pointer(at: 0) }

    // MARK: Host (VMM) operations

    /// KVM_XEN_ATTR_TYPE_SHARED_INFO: map shared_info at guest frame 0.
    @discardableResult
    public func activateSharedInfo() -> GfnPfnCache<Lock>.RefreshResult {
        sharedInfo.pointee.activate(guestFrame: sharedInfoFrame, offset: 0)
    }

    public func deactivateSharedInfo() { sharedInfo.pointee.deactivate() }

    @discardableResult
    public func refreshSharedInfo() -> GfnPfnCache<Lock>.RefreshResult { sharedInfo.pointee.refresh() }

    public var sharedInfoIsValid: Bool { sharedInfo.pointee.isValid }

    /// Points vCPU `vcpu`'s vcpu_info (guest view and host cache) at the
    /// guest address (`guestFrame`, `offset`).
    @discardableResult
    public func activateVCPUInfo(vcpu: Int, guestFrame: Int, offset: Int) -> GfnPfnCache<Lock>.RefreshResult {
        precondition(vcpu >= 0 && vcpu < vcpuCount, "no such vCPU")
        precondition(offset % 64 == 0 && offset + vcpuInfoSize <= GuestMemory.pageSize, "vcpu_info must be 64-byte aligned in the page")
        // Release: pairs with the acquire in guestVCPUInfo.
        guestVCPUInfoAddress.pointer(at: vcpu).pointee.store(guestFrame * GuestMemory.pageSize + offset, ordering: .releasing)
        return vcpus.pointer(at: vcpu).pointee.vcpuInfo.activate(guestFrame: guestFrame, offset: offset)
    }

    /// The default slot: shared_info + 64 * vcpu (vCPUs below 32 only).
    @discardableResult
    public func activateDefaultVCPUInfo(vcpu: Int) -> GfnPfnCache<Lock>.RefreshResult {
        guard let offset = abi.sharedInfo.defaultVCPUInfoOffset(vcpu: vcpu) else {
            preconditionFailure("vCPU \(vcpu) has no default vcpu_info slot (only the first 32 do)")
        }
        return activateVCPUInfo(vcpu: vcpu, guestFrame: sharedInfoFrame, offset: offset)
    }

    public func deactivateVCPUInfo(vcpu: Int) { vcpus.pointer(at: vcpu).pointee.vcpuInfo.deactivate() }

    public func vcpuInfoIsValid(vcpu: Int) -> Bool { vcpus.pointer(at: vcpu).pointee.vcpuInfo.isValid }

    /// The host-private shadow selector of `vcpu`.
    public func shadowSelector(vcpu: Int) -> UInt64 {
        vcpus.pointer(at: vcpu).pointee.shadowSelector.load(ordering: .relaxed)
    }

    /// Kicks delivered to `vcpu` so far.
    public func kickCount(vcpu: Int) -> UInt32 { vcpus.pointer(at: vcpu).pointee.kick.count }

    /// Sleeps until `vcpu` is kicked, unless `hasWork()` is true already.
    public func waitForKick(vcpu: Int, unless hasWork: () -> Bool) {
        vcpus.pointer(at: vcpu).pointee.kick.wait(unless: hasWork)
    }

    /// The MMU notifier: invalidates every cache that maps `guestFrame`.
    /// When vcpu_info sits in its default slot, the vcpu_info caches map the
    /// shared_info page too, and are invalidated with it.
    public func invalidateRangeStart(guestFrame: Int) {
        sharedInfo.pointee.invalidate(guestFrame: guestFrame)
        for vcpu in 0..<vcpuCount {
            vcpus.pointer(at: vcpu).pointee.vcpuInfo.invalidate(guestFrame: guestFrame)
        }
    }

    /// Where the guest believes vCPU `vcpu`'s vcpu_info is: (frame, offset).
    @usableFromInline
    func guestVCPUInfo(_ vcpu: Int) -> (frame: Int, offset: Int) {
        // Acquire: pairs with the release in activateVCPUInfo.
        let address = guestVCPUInfoAddress.pointer(at: vcpu).pointee.load(ordering: .acquiring)
        precondition(address >= 0, "vCPU \(vcpu) has no vcpu_info")
        return (address / GuestMemory.pageSize, address % GuestMemory.pageSize)
    }
}

extension EventChannelDomain where Lock: ~Copyable {
    /// Kicks `vcpu` (wakes it if halted), e.g. to make it notice a stop.
    public func kick(vcpu: Int) { vcpus.pointer(at: vcpu).pointee.kick.kick() }
}
