import Delivery
import GuestMemory
import LockDesigns
import Platform
import Synchronization
import Testing

@Suite("Guest upcall handler")
struct GuestHandlerTests {
    @Test("the hot paths' literal layouts are the ABI tables' layouts", arguments: GuestABI.allCases)
    func literalLayouts(abi: GuestABI) {
        let literal = abi == .longMode ? GuestLayout.longMode : GuestLayout.compat
        #expect(GuestLayout(abi) == literal)
        // The fields both derive, against the ABI's own tables.
        #expect(literal.portCount == abi.portCount)
        #expect(literal.vcpuInfoSize == abi.vcpuInfo.size)
        #expect(literal.selectorWordOffset + literal.selectorFirstBit / 8 == abi.vcpuInfo.pendingSelectorOffset)
    }

    @Test("handles every pending unmasked port of every selected word, once", arguments: GuestABI.allCases)
    func handlesAll(abi: GuestABI) throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: abi)
        var context = domain.makeContext()!
        let ports = [0, 1, abi.bitsPerWord - 1, abi.bitsPerWord, 66, abi.portCount - 1]
        for port in ports { _ = domain.deliver(port: port, vcpu: 0, context: &context) }
        var seen: [Int] = []
        let outcome = domain.runUpcallHandler(vcpu: 0) { seen.append($0) }
        #expect(seen.sorted() == Set(ports).sorted())
        #expect(outcome.handled == Set(ports).count)
        #expect(outcome.passes == 1)
        #expect(domain.guestPendingCount() == 0)
        #expect(domain.runUpcallHandler(vcpu: 0).passes == 0, "no upcall pending: the handler is not entered")
    }

    @Test("an upcall with nothing to handle is spurious")
    func spurious() throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: .longMode)
        var context = domain.makeContext()!
        domain.guestMask(port: 3)
        _ = domain.deliver(port: 3, vcpu: 0, context: &context)
        // Unmask raises the selector, then the port is masked again before
        // the handler runs: it finds the word selected but nothing to do.
        domain.guestUnmask(port: 3)
        domain.guestMask(port: 3)
        let outcome = domain.runUpcallHandler(vcpu: 0)
        #expect(outcome == { var o = UpcallOutcome(); o.passes = 1; o.spurious = 1; return o }())
        #expect(domain.guestPending(port: 3), "masked pending stays for a later unmask")
    }

    @Test("the handler stops after maxPasses so the host can move pages")
    func boundedPasses() throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: .longMode)
        var context = domain.makeContext()!
        _ = domain.deliver(port: 7, vcpu: 0, context: &context)
        var sent = false
        // Each handled port triggers a new event: the handler would loop.
        let outcome = domain.runUpcallHandler(vcpu: 0, maxPasses: 3) { _ in
            sent = true
            clearAndResend(domain, context: &context)
        }
        #expect(sent)
        #expect(outcome.passes == 3)
        #expect(domain.guestUpcallPending(vcpu: 0))
    }

    private func clearAndResend(_ domain: EventChannelDomain<QueuedRWLock<WaitingReaders>>, context: inout DeliveryContext) {
        _ = domain.deliver(port: 7, vcpu: 0, context: &context)
    }

    @Test("a halted vCPU is woken by each kick; none is lost", .timeLimit(.minutes(1)))
    func kickWakes() throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: .longMode)
        let rounds = 200
        let handled = Mutex(0)
        // The vCPU halts until kicked, handles, and halts again; the sender
        // sends the next event only once the previous one was handled, so
        // every wake-up is needed: a lost kick would hang (time limit).
        let vcpu = try HostThread.spawn {
            var total = 0
            while total < rounds {
                domain.waitForKick(vcpu: 0) { domain.guestUpcallPending(vcpu: 0) }
                total += domain.runUpcallHandler(vcpu: 0).handled
                handled.withLock { $0 = total }
            }
        }
        var context = domain.makeContext()!
        for round in 0..<rounds {
            while handled.withLock({ $0 }) < round { yieldThread() }
            #expect(domain.deliver(port: 2, vcpu: 0, context: &context) == .delivered)
        }
        vcpu.join()
        #expect(handled.withLock { $0 } == rounds)
        #expect(domain.kickCount(vcpu: 0) == UInt32(rounds))
    }
}
