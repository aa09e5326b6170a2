import Delivery
import GuestMemory
import LockDesigns
import PageCache
import TestSupport
import Testing

/// docs/model.md §4 and §9, invariants 2-5, for every design and both ABIs.
@Suite("Fast path results")
struct FastPathTests {
    @Test("delivered: pending, then selector word, upcall, kick", arguments: designABICases)
    func delivered(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                for port in [0, 66, domain.abi.portCount - 1] {
                    domain.bindPort(port, toVCPU: 1)
                    let kicks = domain.kickCount(vcpu: 1)
                    #expect(domain.deliverFast(port: port, vcpu: 1, context: &context) == .delivered)
                    #expect(domain.guestPending(port: port))
                    #expect(domain.guestSelector(vcpu: 1) & (1 << UInt64(domain.abi.selectorBit(ofPort: port))) != 0)
                    #expect(domain.guestUpcallPending(vcpu: 1))
                    #expect(domain.guestSelector(vcpu: 0) == 0, "the other vCPU is untouched")
                    #expect(domain.kickCount(vcpu: 1) == kicks + 1)
                    var seen: [Int] = []
                    let outcome = domain.runUpcallHandler(vcpu: 1) { seen.append($0) }
                    #expect(seen == [port])
                    #expect(outcome.handled == 1 && outcome.spurious == 0)
                    #expect(!domain.guestPending(port: port) && !domain.guestUpcallPending(vcpu: 1))
                }
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("coalesced changes nothing", arguments: designABICases)
    func coalesced(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                #expect(domain.deliverFast(port: 66, vcpu: 0, context: &context) == .delivered)
                clearUpcallState(domain, vcpu: 0)
                let kicks = domain.kickCount(vcpu: 0)
                #expect(domain.deliverFast(port: 66, vcpu: 0, context: &context) == .coalesced)
                #expect(domain.guestPending(port: 66))
                #expect(domain.guestSelector(vcpu: 0) == 0)
                #expect(!domain.guestUpcallPending(vcpu: 0))
                #expect(domain.kickCount(vcpu: 0) == kicks)
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("masked: pending stays set, no selector, upcall or kick; unmask redelivers", arguments: designABICases)
    func masked(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                domain.bindPort(66, toVCPU: 1)
                domain.guestMask(port: 66)
                let kicks = domain.kickCount(vcpu: 1)
                #expect(domain.deliver(port: 66, vcpu: 1, context: &context) == .masked)
                #expect(domain.guestPending(port: 66))
                #expect(domain.guestSelector(vcpu: 1) == 0)
                #expect(!domain.guestUpcallPending(vcpu: 1))
                #expect(domain.kickCount(vcpu: 1) == kicks)
                #expect(domain.runUpcallHandler(vcpu: 1).handled == 0)
                domain.guestUnmask(port: 66)
                #expect(!domain.guestMasked(port: 66))
                #expect(domain.guestUpcallPending(vcpu: 1))
                #expect(domain.runUpcallHandler(vcpu: 1).handled == 1)
                #expect(domain.guestPendingCount() == 0)
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("invalid port or vCPU", arguments: designABICases)
    func invalid(design: LockDesign, abi: GuestABI) throws {
        struct Body: DomainTest {
            func run<Lock: ReadMostlyLock & ~Copyable>(_ domain: EventChannelDomain<Lock>, context: inout DeliveryContext) throws {
                #expect(domain.deliver(port: domain.abi.portCount, vcpu: 0, context: &context) == .invalid)
                #expect(domain.deliver(port: -1, vcpu: 0, context: &context) == .invalid)
                #expect(domain.deliver(port: 1, vcpu: 2, context: &context) == .invalid)
                #expect(domain.deliverFast(port: 1, vcpu: -1, context: &context) == .invalid)
                #expect(domain.guestPendingCount() == 0)
            }
        }
        try design.run(Body(), abi: abi)
    }

    @Test("32-bit ABI: 1024 ports; port 1023 is selector bit 31, port 66 bit 2")
    func compatPorts() throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: .compat)
        var context = domain.makeContext()!
        #expect(domain.deliver(port: 1024, vcpu: 0, context: &context) == .invalid)
        #expect(domain.deliver(port: 1023, vcpu: 0, context: &context) == .delivered)
        #expect(domain.deliver(port: 66, vcpu: 0, context: &context) == .delivered)
        #expect(domain.guestSelector(vcpu: 0) == (1 << 31) | (1 << 2))
    }
}
