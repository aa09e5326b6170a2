import Delivery
import GuestMemory
import LockDesigns
import PageCache
import TestSupport
import Testing

/// docs/model.md §5 and §6: would-block, refresh, shadow selector, merge.
@Suite("Slow path and shadow selector")
struct SlowPathTests {
    @Test("vcpu_info on its own page: migrating it sends selectors to the shadow until entry refreshes")
    func vcpuInfoPageMigration() throws {
        let domain = try makeDomain(SeqLock.self, abi: .compat, separateVCPUInfo: true)
        var context = domain.makeContext()!
        #expect(domain.memory.migrate(guestFrame: 1) != .deferred)
        #expect(domain.sharedInfoIsValid, "shared_info's page did not move")
        #expect(!domain.vcpuInfoIsValid(vcpu: 0) && !domain.vcpuInfoIsValid(vcpu: 1))
        domain.bindPort(40, toVCPU: 1)
        #expect(domain.deliverFast(port: 40, vcpu: 1, context: &context) == .delivered)
        #expect(domain.shadowSelector(vcpu: 1) == 1 << 1)
        #expect(domain.injectPendingEvents(vcpu: 1, context: &context))
        #expect(domain.vcpuInfoIsValid(vcpu: 1))
        #expect(domain.runUpcallHandler(vcpu: 1).handled == 1)
    }

    @Test("a vCPU entry with nothing to merge is still a quiescent point (frames get recycled)")
    func entryIsQuiescent() throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: .longMode)
        var context = domain.makeContext()!
        // 8 spare frames: without quiescent states from this online vCPU
        // context, the 9th migration would find no frame to reuse.
        for _ in 0..<20 {
            #expect(domain.memory.migrate(guestFrame: 0) != .deferred)
            #expect(!domain.injectPendingEvents(vcpu: 0, context: &context))
            #expect(!domain.injectPendingEvents(vcpu: 0, context: &context))
        }
        #expect(domain.memory.deferredMigrations == 0)
    }

    @Test("invalidate -> would-block (nothing written) -> slow path refreshes and delivers", arguments: designABICases)
    func invalidateThenRefresh(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                #expect(domain.memory.migrate(guestFrame: 0) != .deferred)
                #expect(!domain.sharedInfoIsValid)
                #expect(domain.deliverFast(port: 66, vcpu: 0, context: &context) == .wouldBlock)
                #expect(domain.guestPendingCount() == 0, "§9, invariant 5: an invalid cache writes nothing")
                #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
                #expect(context.wouldBlock == 1)
                #expect(context.retries >= 1)
                #expect(domain.sharedInfoIsValid)
                // vcpu_info sat in shared_info's page: it moved too and the
                // selector went to the shadow; the vCPU's entry merges it.
                #expect(domain.injectPendingEvents(vcpu: 0, context: &context))
                #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("memslot change forces the slow path (selftest)", arguments: LockDesign.allCases)
    func memslotChange(design: LockDesign) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                domain.bindPort(5, toVCPU: 1)
                domain.memory.bumpMemslotGeneration()
                #expect(domain.deliverFast(port: 5, vcpu: 1, context: &context) == .wouldBlock)
                #expect(domain.deliver(port: 5, vcpu: 1, context: &context) == .delivered)
                // vcpu_info's cache also fails its check (generation) until the
                // vCPU's entry refreshes it; the event waits in the shadow.
                #expect(domain.shadowSelector(vcpu: 1) == 1)
                #expect(domain.injectPendingEvents(vcpu: 1, context: &context))
                #expect(domain.shadowSelector(vcpu: 1) == 0)
                #expect(domain.runUpcallHandler(vcpu: 1).handled == 1)
            }
        }
        try design.run(Body(), abi: .longMode, separateVCPUInfo: true)
    }

    @Test("inactive vcpu_info -> shadow -> merged on entry with upcall_pending = 1", arguments: designABICases)
    func shadowMerge(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                domain.deactivateVCPUInfo(vcpu: 0)
                let kicks = domain.kickCount(vcpu: 0)
                let ports = [1, domain.abi.bitsPerWord + 5, 3 * domain.abi.bitsPerWord + 7]
                for port in ports {
                    #expect(domain.deliver(port: port, vcpu: 0, context: &context) == .delivered)
                }
                let expected: UInt64 = (1 << 0) | (1 << 1) | (1 << 3)
                #expect(domain.shadowSelector(vcpu: 0) == expected)
                #expect(domain.kickCount(vcpu: 0) == kicks + 3, "each newly set shadow bit kicks")
                #expect(domain.guestSelector(vcpu: 0) == 0)
                #expect(!domain.injectPendingEvents(vcpu: 0, context: &context), "inactive: the bits stay in the shadow")
                #expect(domain.shadowSelector(vcpu: 0) == expected)
                domain.activateVCPUInfo(vcpu: 0, guestFrame: 1, offset: 0)
                #expect(domain.injectPendingEvents(vcpu: 0, context: &context))
                #expect(domain.shadowSelector(vcpu: 0) == 0)
                #expect(domain.guestSelector(vcpu: 0) == expected, "§9, invariant 6: exactly the snapshot's bits")
                #expect(domain.guestUpcallPending(vcpu: 0))
                var seen: [Int] = []
                _ = domain.runUpcallHandler(vcpu: 0) { seen.append($0) }
                #expect(seen.sorted() == ports.sorted())
                #expect(!domain.injectPendingEvents(vcpu: 0, context: &context), "empty shadow: nothing to merge")
            }
        }
        try design.run(Body(), abi: abi, separateVCPUInfo: true)
    }

    @Test("inactive shared_info: fast path would-block, slow path inactive, nothing written", arguments: LockDesign.allCases)
    func inactiveSharedInfo(design: LockDesign) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                domain.deactivateSharedInfo()
                #expect(domain.deliverFast(port: 9, vcpu: 0, context: &context) == .wouldBlock)
                #expect(domain.deliver(port: 9, vcpu: 0, context: &context) == .inactive)
                #expect(domain.guestPendingCount() == 0)
                #expect(domain.activateSharedInfo() == .refreshed)
                #expect(domain.deliver(port: 9, vcpu: 0, context: &context) == .delivered)
            }
        }
        try design.run(Body(), abi: .longMode)
    }
}
