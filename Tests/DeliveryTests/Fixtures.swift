import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Synchronization
import TestSupport
import Testing

/// A domain with shared_info at guest frame 0 and each vCPU's vcpu_info in
/// its default slot (or on guest frame 1 when `separateVCPUInfo`).
func makeDomain<Lock: ReadMostlyLock & ~Copyable>(
    _ lock: Lock.Type, abi: GuestABI, vcpus: Int = 2, separateVCPUInfo: Bool = false
) throws -> EventChannelDomain<Lock> {
    let memory = try GuestMemory(guestFrames: 2, quarantineFrames: 8, writerCapacity: 8, guestCPUs: vcpus)
    let domain = EventChannelDomain<Lock>(memory: memory, abi: abi, vcpuCount: vcpus)
    #expect(domain.activateSharedInfo() == .refreshed)
    for vcpu in 0..<vcpus {
        if separateVCPUInfo {
            #expect(domain.activateVCPUInfo(vcpu: vcpu, guestFrame: 1, offset: 64 * vcpu) == .refreshed)
        } else {
            #expect(domain.activateDefaultVCPUInfo(vcpu: vcpu) == .refreshed)
        }
    }
    return domain
}

/// A test body over a fresh domain (`makeDomain`) and a sender context,
/// generic over the lock type; `design.run(test, abi:)` runs it for one
/// design through `DesignTest`.
protocol DomainTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws
}

extension LockDesign {
    /// Runs `test` on a fresh domain of this design (vcpu_info on guest
    /// frame 1 with `separateVCPUInfo`, else in its default slot).
    func run(_ test: some DomainTest, abi: GuestABI, separateVCPUInfo: Bool = false) throws {
        try run(OnFreshDomain(test: test, abi: abi, separateVCPUInfo: separateVCPUInfo))
    }
}

private struct OnFreshDomain<Test: DomainTest>: DesignTest {
    let test: Test
    let abi: GuestABI
    let separateVCPUInfo: Bool

    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
        let domain = try makeDomain(Lock.self, abi: abi, separateVCPUInfo: separateVCPUInfo)
        var context = domain.makeContext()!
        try test.run(domain, context: &context)
    }
}

/// Test-only: the guest zeroes `upcall_pending` and the selector of `vcpu`
/// without handling anything (to observe what a later send touches).
func clearUpcallState<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, vcpu: Int) {
    let frame = domain.sharedInfoFrame
    let offset = domain.abi.sharedInfo.defaultVCPUInfoOffset(vcpu: vcpu)!
    domain.memory.withGuestAccess { view in
        let info = view.address(ofGuestFrame: frame) + offset
        GuestAtomics.storeByte(info, 0)
        _ = GuestAtomics.takeField(info + domain.abi.vcpuInfo.pendingSelectorOffset,
                                   byteCount: domain.abi.vcpuInfo.pendingSelectorBytes)
    }
}

