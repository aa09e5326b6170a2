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
    /// Guest frame of shared_info as the guest sees it: frame 0 until the
    /// guest moves it (`moveSharedInfo`).
    public var sharedInfoFrame: Int {
        // Acquire: pairs with the release store in moveSharedInfo.
        guestSharedInfoFrame.pointer(at: 0).pointee.load(ordering: .acquiring)
    }
    let guestSharedInfoFrame = PaddedBuffer(count: 1) { _ in Atomic<Int>(0) }

    @usableFromInline let sharedInfoCache: PaddedBuffer<GfnPfnCache<Lock>>
    @usableFromInline let vcpus: PaddedBuffer<VCPUHostState<Lock>>
    /// Guest-physical address of each vCPU's vcpu_info as the guest sees it.
    @usableFromInline let guestVCPUInfoAddress: PaddedBuffer<Atomic<Int>>
    /// Guest-private port binding (EVTCHNOP_bind_vcpu as the guest records
    /// it): per vCPU a bitmap of the ports bound to it (Linux's
    /// `cpu_evtchn_mask`), and per port the vCPU it is bound to.
    @usableFromInline let boundPortBitmaps: PaddedBuffer<BoundPortBitmap>
    private let boundVCPUOfPort: Mutex<[Int]>
    /// Layout constants of `abi`, kept as stored values for the hot path.
    public let layout: GuestLayout
    /// kvm->arch.xen.xen_lock: serialises slow-path senders.
    @usableFromInline let slowPathLock = PThreadMutex()
    /// SCHEDOP_poll state: each vCPU's poll_evtchn, and the VM's poll_mask.
    let pollers: PollState
    /// Serialises moves of shared_info and keeps their tally.
    let sharedInfoMoves = Mutex(SharedInfoMoves())

    /// Creates the domain and registers it as `memory`'s MMU notifier.
    /// Caches start inactive: activate shared_info and each vcpu_info.
    /// Every port starts bound to vCPU 0, as in Xen and Linux.
    public init(memory: GuestMemory, abi: GuestABI, vcpuCount: Int) {
        precondition(vcpuCount > 0, "at least one vCPU")
        precondition(vcpuCount <= memory.guestCPUCount, "more vCPUs than the guest memory has guest CPUs")
        self.memory = memory
        self.abi = abi
        self.vcpuCount = vcpuCount
        let readers = memory.quiescence.capacity
        sharedInfoCache = PaddedBuffer(count: 1) { _ in GfnPfnCache(memory: memory, readerCapacity: readers) }
        sharedInfo = sharedInfoCache.pointer(at: 0)
        vcpus = PaddedBuffer(count: vcpuCount) { _ in VCPUHostState(memory: memory, readerCapacity: readers) }
        guestVCPUInfoAddress = PaddedBuffer(count: vcpuCount) { _ in Atomic<Int>(-1) }
        layout = GuestLayout(abi)
        boundPortBitmaps = PaddedBuffer(count: vcpuCount) { vcpu in BoundPortBitmap(allSet: vcpu == 0) }
        boundVCPUOfPort = Mutex(Array(repeating: 0, count: abi.portCount))
        pollers = PollState(vcpuCount: vcpuCount)
        memory.addNotifier(self)
    }

    /// A context for a thread that sends or merges; nil when every reader
    /// slot of the memory's quiescence registry is taken.
    public func makeContext() -> DeliveryContext? {
        memory.quiescence.register().map { DeliveryContext(slot: $0, of: memory.quiescence) }
    }

    /// The shared_info cache (kept at hand: one load on the fast path).
    @usableFromInline let sharedInfo: UnsafeMutablePointer<GfnPfnCache<Lock>>

    // MARK: Host (VMM) operations

    /// KVM_XEN_ATTR_TYPE_SHARED_INFO: map shared_info at the guest's frame
    /// (`sharedInfoFrame`).
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
        precondition(offset % 64 == 0 && offset + layout.vcpuInfoSize <= GuestMemory.pageSize, "vcpu_info must be 64-byte aligned in the page")
        setGuestVCPUInfo(vcpu, (guestFrame, offset))
        return vcpus.pointer(at: vcpu).pointee.vcpuInfo.activate(guestFrame: guestFrame, offset: offset)
    }

    /// Where the guest believes `vcpu`'s vcpu_info is from now on; guest
    /// CPUs translate again on their next entry.
    func setGuestVCPUInfo(_ vcpu: Int, _ to: (frame: Int, offset: Int)) {
        // Release: pairs with the acquire in guestVCPUInfoLocation (and in
        // GuestVCPU.translate, after the epoch bump below).
        guestVCPUInfoAddress.pointer(at: vcpu).pointee.store(to.frame * GuestMemory.pageSize + to.offset, ordering: .releasing)
        memory.invalidateGuestTranslations()
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

    // MARK: Guest operations

    /// A guest CPU for vCPU `vcpu`, to be used by one thread at a time.
    public func guestVCPU(_ vcpu: Int) -> GuestVCPU {
        precondition(vcpu >= 0 && vcpu < vcpuCount, "no such vCPU")
        return GuestVCPU(vcpu: vcpu, memory: memory, layout: layout, sharedInfoFrame: guestSharedInfoFrame.pointer(at: 0),
                         vcpuInfoAddress: guestVCPUInfoAddress.pointer(at: vcpu),
                         boundPorts: boundPortBitmaps.pointer(at: vcpu).pointee.bits)
    }

    /// EVTCHNOP_bind_vcpu as the guest records it: `port`'s events are
    /// handled by `vcpu`'s handler from now on. Bind before sending; to
    /// rebind a port that may be pending, mask it first and unmask after
    /// (as Linux's set_affinity does), so the unmask re-raises it.
    public func bindPort(_ port: Int, toVCPU vcpu: Int) {
        precondition(port >= 0 && port < layout.portCount, "port out of range")
        precondition(vcpu >= 0 && vcpu < vcpuCount, "no such vCPU")
        boundVCPUOfPort.withLock { owners in
            _ = GuestAtomics.testAndClearBit(boundPortBitmaps.pointer(at: owners[port]).pointee.bits, port)
            _ = GuestAtomics.testAndSetBit(boundPortBitmaps.pointer(at: vcpu).pointee.bits, port)
            owners[port] = vcpu
        }
    }

    /// The vCPU `port` is bound to.
    public func boundVCPU(ofPort port: Int) -> Int {
        precondition(port >= 0 && port < layout.portCount, "port out of range")
        return boundVCPUOfPort.withLock { $0[port] }
    }

    /// Where the guest believes vCPU `vcpu`'s vcpu_info is: (frame, offset).
    public func guestVCPUInfoLocation(vcpu: Int) -> (frame: Int, offset: Int) {
        // Acquire: pairs with the release in setGuestVCPUInfo.
        let address = guestVCPUInfoAddress.pointer(at: vcpu).pointee.load(ordering: .acquiring)
        precondition(address >= 0, "vCPU \(vcpu) has no vcpu_info")
        return (address / GuestMemory.pageSize, address % GuestMemory.pageSize)
    }
}

/// A bitmap of every 2-level port (4096 bits), in its own allocation.
public struct BoundPortBitmap: ~Copyable, @unchecked Sendable {
    public static var byteCount: Int { 4096 / 8 }
    @usableFromInline let bits: UnsafeMutableRawPointer

    init(allSet: Bool) {
        bits = UnsafeMutableRawPointer.allocate(byteCount: Self.byteCount, alignment: cacheLinePairBytes)
        bits.initializeMemory(as: UInt8.self, repeating: allSet ? 0xFF : 0, count: Self.byteCount)
    }

    deinit { bits.deallocate() }
}

extension EventChannelDomain where Lock: ~Copyable {
    /// Kicks `vcpu` (wakes it if halted), e.g. to make it notice a stop.
    public func kick(vcpu: Int) { vcpus.pointer(at: vcpu).pointee.kick.kick() }
}
