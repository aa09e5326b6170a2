import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Synchronization
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

/// Every design with every guest ABI, for design-independent properties.
let designABICases: [(LockDesign, GuestABI)] = LockDesign.allCases.flatMap { d in GuestABI.allCases.map { (d, $0) } }

/// Runs `body` with the concrete lock type of every design.
struct DesignBody: LockDesignVisitor {
    let body: (any DesignCase) throws -> Void
    func visit<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) -> Result<Void, any Error> {
        Result { try body(ConcreteDesignCase<Lock>(design: design)) }
    }
}

/// A design-independent test body, opened per design.
protocol DesignCase {
    var design: LockDesign { get }
    func run(_ test: some DesignTest) throws
}

protocol DesignTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws
}

struct ConcreteDesignCase<Lock: ReadMostlyLock & ~Copyable>: DesignCase {
    let design: LockDesign
    func run(_ test: some DesignTest) throws { try test.run(Lock.self, design: design) }
}

extension LockDesign {
    /// Runs `test` specialised for this design.
    func run(_ test: some DesignTest) throws {
        try visit(DesignBody { try $0.run(test) }).get()
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

import Platform

/// A thread started at once, joined by the test.
final class HostThreadBox: @unchecked Sendable {
    private let thread: HostThread
    init(_ body: @escaping @Sendable () -> Void) { thread = try! HostThread.spawn(body) }
    func join() { thread.join() }
}

func yieldIfPossible() { yieldThread() }
