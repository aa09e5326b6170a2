import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization
import TestSupport
import Testing

/// "Delivered means signalled" (docs/model.md §9): the interleavings in
/// which a send set its pending bit and nothing told the guest, step by step
/// on the real code, with handshakes. Each checks the strict oracle
/// (`auditSignals`) before anything is drained or unmasked.
extension InterleavingTests {
    @Suite("Deterministic interleavings: every event set is signalled")
    struct SignalledTests {
        /// SPIN's seqlock trail (replay x deactivate, EARLY_UNMASK): a
        /// sender sets the selector bit in the default slot and stops before
        /// its upcall store; the vCPU deactivates, copies (the selector comes
        /// across, upcall_pending is 0) and activates; the sender stores
        /// upcall into the old slot, fails its re-check and replays, and the
        /// replay finds the selector already set. It must still store
        /// upcall_pending: "newly set" is carried across the replay.
        @Test("seqlock: a replay after a move raises upcall_pending for the selector it set before",
              .timeLimit(.minutes(1)), arguments: GuestABI.allCases)
        func selectorReplayAfterMove(abi: GuestABI) throws {
            let (domain, sent, outcome) = try moveWhileSelectorRaised(SeqLock.self, abi: abi) { domain in
                #expect(domain.guestSelector(vcpu: 0) == 1 << UInt64(66 >> domain.layout.wordShift),
                        "the copy carried the selector bit")
                #expect(!domain.guestUpcallPending(vcpu: 0), "but not upcall_pending: the sender had not stored it")
            }
            #expect(outcome.vanishedSelectorBits == 0)
            #expect(sent == .delivered)
            let audit = domain.auditSignals()
            #expect(audit.unsignalled.isEmpty, "the replay must raise upcall_pending in the new vcpu_info")
            #expect(audit.signalled == [66])
            #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
        }

        /// The negative control of the same interleaving: nolock never
        /// replays, so the upcall lands in the old slot and the event sits
        /// in the new vcpu_info with its selector and no upcall. The strict
        /// oracle sees it.
        @Test("nolock: the same move leaves the event unsignalled, and the oracle says so", .timeLimit(.minutes(1)))
        func nolockLeavesItUnsignalled() throws {
            let (domain, _, _) = try moveWhileSelectorRaised(NoLock.self, abi: .longMode) { _ in }
            #expect(domain.auditSignals().unsignalled == [66])
            #expect(domain.runUpcallHandler(vcpu: 0).handled == 0, "no upcall: the handler never runs")
        }

        /// Why the check comes before the final unmask: both-locks' copy
        /// wipes the selector and upcall a send had raised in the new
        /// vcpu_info (unsignalled); a masked port of the same selector word
        /// is pending too, and unmasking it re-raises the word, so the
        /// handler then finds the lost event as well. Counted after the
        /// unmask, the run would have called the loss a delivery.
        @Test("an unmask after the move re-raises the word and would hide the unsignalled event")
        func unmaskHidesUnsignalled() throws {
            let domain = try makeDomain(QueuedRWLock<WaitingReaders>.self, abi: .longMode)
            var context = domain.makeContext()!
            domain.guestMask(port: 67)
            #expect(domain.deliver(port: 67, vcpu: 0, context: &context) == .masked)
            let hooks = RelocationHooks(afterFirstStep: { _ = domain.deliver(port: 66, vcpu: 0, context: &context) })
            let outcome = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: .bothLocks, hooks: hooks)
            #expect(outcome.vanishedSelectorBits == 1)
            let audit = domain.auditSignals()
            #expect(audit.unsignalled == [66])
            #expect(audit.masked == 1)
            domain.guestUnmask(port: 67)
            #expect(domain.runUpcallHandler(vcpu: 0).handled == 2, "the unmask led the handler to 66 too")
        }

        /// The selftest's race (TEST_LOCKING_POLL_RACE) on a timer: the
        /// timer's fast path sets the pending bit while shared_info is being
        /// deactivated, its re-check fails and its replay finds the cache
        /// inactive: would-block. The deferred send on the vCPU thread must
        /// complete that send, raising the selector for the bit already set,
        /// whether shared_info is active again by then or not.
        @Test("seqlock: a timer event deferred after setting its bit is signalled by the deferred send",
              .timeLimit(.minutes(1)), arguments: [true, false])
        func timerDeferralCarriesTheBit(reactivated: Bool) throws {
            defer { sectionProbe = nil }
            let domain = try makeDomain(InterleavedLock<SeqLock>.self, abi: .longMode)
            let deferrals = TimerDeferrals(portCount: domain.layout.portCount, vcpus: 2)
            let stage = Atomic<Int>(0)  // 1: timer inside its shared_info section; 2: go on
            probe(atSection: 1) {
                stage.store(1, ordering: .releasing)
                while stage.load(ordering: .acquiring) < 2 { yieldThread() }
            }
            let fired = Mutex<DeliveryResult?>(nil)
            let timer = HostThreadBox {
                var context = domain.makeContext()!
                let result = domain.sendTimerEvent(port: 66, vcpu: 0, context: &context, deferrals: deferrals)
                fired.withLock { $0 = result }
                domain.memory.quiescence.goOffline(context.slot)
            }
            while stage.load(ordering: .acquiring) < 1 { yieldThread() }
            domain.deactivateSharedInfo()
            stage.store(2, ordering: .releasing)
            timer.join()
            #expect(fired.withLock { $0 } == .wouldBlock, "the replay found shared_info inactive")
            #expect(domain.guestPending(port: 66), "the bit was set through the deactivated (not moved) page")
            #expect(deferrals.hasPending(vcpu: 0))
            if reactivated { domain.activateSharedInfo() }
            var context = domain.makeContext()!
            var results: [DeliveryResult] = []
            domain.deliverDeferredTimerEvents(vcpu: 0, among: [66], context: &context, deferrals: deferrals) {
                results.append($0)
            }
            #expect(results == [.delivered], "the deferred send completes the timer's send")
            #expect(!deferrals.hasPending(vcpu: 0))
            #expect(domain.auditSignals().unsignalled.isEmpty, "the pending bit has its selector and upcall")
            _ = domain.injectPendingEvents(vcpu: 0, context: &context)
            #expect(domain.runUpcallHandler(vcpu: 0).handled == 1)
        }

        /// forced-slow's hole (a sender between its shared_info and
        /// vcpu_info sections is past the flag) closed by the drain: the
        /// move must not copy while that send is in flight. The move waits
        /// at the drain for the sender's slot (its seam says so); only then
        /// is the sender let go, so with no drain the move would have copied
        /// first and the sender's selector would have gone to the old slot.
        @Test("forced-slow-drain: the move waits for a sender between its sections", .timeLimit(.minutes(1)),
              arguments: [LockDesign.rwlock, .rcu, .seqlock, .percpu, .mutex, .pthreadRWLock])
        func drainWaitsForSenderBetweenSections(design: LockDesign) throws {
            try design.run(DrainWaitsForSender())
        }

        /// A sender that finds the flag up goes to the slow path and waits
        /// on xen_lock, which the move holds: it must not hold up the drain
        /// (it passed a quiescent state before waiting), and its event is
        /// delivered to the new vcpu_info after the move.
        @Test("forced-slow-drain: a sender waiting on the slow path does not hold up the drain",
              .timeLimit(.minutes(1)), arguments: LockDesign.allCases)
        func slowPathSenderDoesNotBlockDrain(design: LockDesign) throws {
            try design.run(SlowPathSenderDuringDrain())
        }
    }
}

private struct DrainWaitsForSender: DesignTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
        defer { readLockHook = nil }
        let domain = try makeDomain(InterleavedLock<Lock>.self, abi: .longMode)
        let stage = Atomic<Int>(0)  // 1: sender between sections; 2: let it go
        nonisolated(unsafe) var calls = 0
        readLockHook = {
            calls += 1
            guard calls == 2 else { return }  // the sender's second section: vcpu_info
            stage.store(1, ordering: .releasing)
            while stage.load(ordering: .acquiring) < 2 { yieldThread() }
        }
        let sender = HostThreadBox {
            var context = domain.makeContext()!
            _ = domain.deliver(port: 66, vcpu: 0, context: &context)
            domain.memory.quiescence.goOffline(context.slot)
        }
        while stage.load(ordering: .acquiring) < 1 { yieldThread() }
        readLockHook = nil
        let drainWaits = Flag()
        let relocated = Flag()
        let vcpu = HostThreadBox {
            let hooks = RelocationHooks(drainWaits: { _ in drainWaits.set() })
            _ = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: .forcedSlowDrain, hooks: hooks)
            relocated.set()
        }
        while !drainWaits.isSet, !relocated.isSet { yieldThread() }
        #expect(!relocated.isSet, "\(design): the move finished with a send in flight")
        stage.store(2, ordering: .releasing)
        sender.join()
        vcpu.join()
        #expect(domain.auditSignals().unsignalled.isEmpty, "\(design)")
        var context = domain.makeContext()!
        _ = domain.injectPendingEvents(vcpu: 0, context: &context)
        #expect(domain.runUpcallHandler(vcpu: 0).handled == 1, "\(design): the copy carried the event")
    }
}

private struct SlowPathSenderDuringDrain: DesignTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
        let domain = try makeDomain(Lock.self, abi: .longMode)
        let sent = Mutex<DeliveryResult?>(nil)
        let senderSlot = Atomic<Int>(-1)
        let box = Mutex<HostThreadBox?>(nil)
        let hooks = RelocationHooks(afterFirstStep: {
            // The flag is up: a sender starts now, would-blocks, and goes
            // offline before it waits on xen_lock (held by the move).
            box.withLock { $0 = HostThreadBox {
                var context = domain.makeContext()!
                senderSlot.store(context.slot, ordering: .releasing)
                let result = domain.deliver(port: 66, vcpu: 0, context: &context)
                sent.withLock { $0 = result }
                domain.memory.quiescence.goOffline(context.slot)
            } }
            while senderSlot.load(ordering: .acquiring) < 0 { yieldThread() }
            let slot = senderSlot.load(ordering: .acquiring)
            // Online since it registered; offline again only to wait.
            while domain.memory.quiescence.snapshot()[slot] & (1 << 63) == 0 { yieldThread() }
        })
        _ = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: .forcedSlowDrain, hooks: hooks)
        box.withLock { $0 }?.join()
        #expect(sent.withLock { $0 } == .delivered, "\(design)")
        var context = domain.makeContext()!
        #expect(domain.auditSignals().unsignalled.isEmpty, "\(design)")
        _ = domain.injectPendingEvents(vcpu: 0, context: &context)
        #expect(domain.runUpcallHandler(vcpu: 0).handled == 1, "\(design)")
        #expect(domain.guestVCPUInfoLocation(vcpu: 0) == (1, 0))
    }
}

/// A sender of port 66 stopped between its selector test-and-set and its
/// upcall store (in vCPU 0's default slot) while vCPU 0 moves its vcpu_info
/// to guest frame 1 with deactivate; `atTheMove` looks at the guest right
/// after the move, before the sender goes on. Returns the domain, what the
/// send returned and the move's outcome.
private func moveWhileSelectorRaised<Lock: ReadMostlyLock & ~Copyable>(
    _ lock: Lock.Type, abi: GuestABI, atTheMove: (EventChannelDomain<InterleavedLock<Lock>>) -> Void
) throws -> (EventChannelDomain<InterleavedLock<Lock>>, DeliveryResult?, RelocationOutcome) {
    defer { selectorHook = nil }
    let domain = try makeDomain(InterleavedLock<Lock>.self, abi: abi)
    let stage = Atomic<Int>(0)  // 1: selector set, upcall not yet stored; 2: go on
    nonisolated(unsafe) var calls = 0
    selectorHook = {
        calls += 1
        guard calls == 1 else { return }
        stage.store(1, ordering: .releasing)
        while stage.load(ordering: .acquiring) < 2 { yieldThread() }
    }
    let sent = Mutex<DeliveryResult?>(nil)
    let sender = HostThreadBox {
        var context = domain.makeContext()!
        let result = domain.deliver(port: 66, vcpu: 0, context: &context)
        sent.withLock { $0 = result }
        domain.memory.quiescence.goOffline(context.slot)
    }
    while stage.load(ordering: .acquiring) < 1 { yieldThread() }
    let outcome = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: .deactivate)
    atTheMove(domain)
    stage.store(2, ordering: .releasing)
    sender.join()
    return (domain, sent.withLock { $0 }, outcome)
}
