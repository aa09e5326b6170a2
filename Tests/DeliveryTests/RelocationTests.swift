import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Testing

/// docs/model.md §7: the v4 review's interleaving, forced step by step.
/// vCPU 0's vcpu_info moves from its default slot in shared_info to guest
/// frame 1 while an event for it arrives right after the strategy's first
/// step (activation, deactivation, flag, pause, or senders stopped).
@Suite("vcpu_info relocation")
struct RelocationTests {
    static let cases = RelocationStrategy.allCases.flatMap { s in GuestABI.allCases.map { (s, $0) } }

    @Test("an event in the exposed window: lost only with both-locks", arguments: cases)
    func eventDuringMove(strategy: RelocationStrategy, abi: GuestABI) throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: abi)
        var context = domain.makeContext()!
        let port = 66
        var stopped = false
        var resumed = false
        var fastResult: DeliveryResult?
        let hooks = RelocationHooks(
            stopSenders: { stopped = true },
            resumeSenders: { resumed = true },
            afterFirstStep: {
                if strategy == .forcedSlow || strategy == .forcedSlowDrain {
                    // The slow path would wait for xen_lock, which the move
                    // holds (on this very thread): show the fast path alone.
                    fastResult = domain.deliverFast(port: port, vcpu: 0, context: &context)
                } else {
                    fastResult = domain.deliver(port: port, vcpu: 0, context: &context)
                }
            },
            callerSlot: context.slot)
        let outcome = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: strategy, hooks: hooks)
        #expect(domain.guestVCPUInfoLocation(vcpu: 0) == (1, 0))
        #expect(stopped == (strategy == .quiesce) && resumed == (strategy == .quiesce))
        if strategy == .forcedSlow || strategy == .forcedSlowDrain {
            #expect(fastResult == .wouldBlock, "the flag forces the fast path to would-block")
            #expect(!domain.guestPending(port: port), "and it wrote nothing")
            #expect(domain.deliver(port: port, vcpu: 0, context: &context) == .delivered, "the slow path delivers after the move")
        } else {
            #expect(fastResult == .delivered)
        }
        _ = domain.injectPendingEvents(vcpu: 0, context: &context)
        let handled = domain.runUpcallHandler(vcpu: 0).handled
        if strategy == .bothLocks {
            // The event set the selector in the new vcpu_info; the copy then
            // overwrote it with the old contents: the guest is never told.
            #expect(outcome.vanishedSelectorBits == 1)
            #expect(handled == 0)
            #expect(domain.guestPending(port: port), "the pending bit is stranded")
        } else {
            #expect(outcome.vanishedSelectorBits == 0)
            #expect(handled == 1, "\(strategy) delivers the event")
            #expect(domain.guestPendingCount() == 0)
        }
    }

    @Test("contents move: pending selector and upcall carried to the new address", arguments: cases)
    func contentsMove(strategy: RelocationStrategy, abi: GuestABI) throws {
        let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: abi)
        var context = domain.makeContext()!
        for port in [3, abi.bitsPerWord + 4, 5] { domain.bindPort(port, toVCPU: 1) }
        // Events pending in the default slot before the move.
        #expect(domain.deliver(port: 3, vcpu: 1, context: &context) == .delivered)
        #expect(domain.deliver(port: abi.bitsPerWord + 4, vcpu: 1, context: &context) == .delivered)
        // This thread's writer slot is online: the drain must not wait for it.
        let hooks = RelocationHooks(callerSlot: context.slot)
        _ = domain.relocateVCPUInfo(vcpu: 1, toFrame: 1, offset: 64, strategy: strategy, hooks: hooks)
        #expect(domain.guestUpcallPending(vcpu: 1))
        let expected: UInt64 = strategy == .xenMarkAll ? (abi == .longMode ? .max : 0xFFFF_FFFF) : 0b11
        #expect(domain.guestSelector(vcpu: 1) == expected)
        let outcome = domain.runUpcallHandler(vcpu: 1)
        #expect(outcome.handled == 2)
        // Back to the default slot ("reboot"), and events still arrive.
        _ = domain.relocateVCPUInfo(vcpu: 1, toFrame: 0, offset: abi.sharedInfo.defaultVCPUInfoOffset(vcpu: 1)!,
                                    strategy: strategy, hooks: hooks)
        #expect(domain.deliver(port: 5, vcpu: 1, context: &context) == .delivered)
        _ = domain.injectPendingEvents(vcpu: 1, context: &context)
        #expect(domain.runUpcallHandler(vcpu: 1).handled == 1)
    }

    @Test("forced-slow: the flag is cleared after the move and the fast path works again")
    func forcedFlagCleared() throws {
        let domain = try makeDomain(SeqLock.self, abi: .longMode)
        var context = domain.makeContext()!
        _ = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: .forcedSlow)
        #expect(domain.deliverFast(port: 9, vcpu: 0, context: &context) == .delivered)
    }
}
