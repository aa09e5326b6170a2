import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization
import TestSupport
import Testing

/// The SPIN model's counterexamples (verify/README.md), replayed step by
/// step on the real code, so that the model and the code cannot drift apart
/// silently. Nested in the serialized interleaving suite: the trails use its
/// hooks (`readLockHook`, `sectionProbe`).
extension InterleavingTests {
    @Suite("SPIN counterexample trails")
    struct ProtocolTrailTests {
        /// Trail "both-locks" of every design family (rwlock's own case is
        /// RelocationTests.eventDuringMove): the new vcpu_info is activated,
        /// a send sets pending and then the selector and upcall_pending in
        /// the new vcpu_info, and the copy under both write sides overwrites
        /// them with the old contents. The pending bit is stranded.
        @Test("both-locks loses the event with every design family",
              arguments: LockDesign.allCases.filter { $0 != .rwlock })
        func bothLocks(design: LockDesign) throws {
            try design.run(BothLocksTrail())
        }

        /// Trail "forced-slow" of every design family whose read side waits
        /// (rwlock's own case is InterleavingTests.senderBetweenSections): a
        /// sender leaves its shared_info section before the flag goes up and
        /// enters its vcpu_info section after the new location is active.
        @Test("forced-slow loses the event of a sender between its sections", .timeLimit(.minutes(1)),
              arguments: [LockDesign.rcu, .seqlock, .nolock, .percpu, .mutex, .pthreadRWLock])
        func forcedSlow(design: LockDesign) throws {
            try design.run(ForcedSlowTrail())
        }

        /// Trail "grace-period deactivate, old rule" (rcu): the sender is
        /// inside its vcpu_info section on the default slot; deactivate
        /// clears the cache's flags and waits out its grace period; the
        /// host's invalidate finds the vcpu_info cache already invalid, so
        /// waits for nothing, and the page is copied; the sender then writes
        /// the selector and upcall_pending into the retired frame. The
        /// pending bit reached the live page; nothing tells the guest.
        ///
        /// The old GfnPfnCache.invalidate (the old rule) lost the event.
        /// With the new rule (an invalidation waits while a grace period
        /// that could leave a reader on the old mapping runs) the host waits
        /// for the sender, so the bounded wait below ends without a
        /// migration and the event is delivered. Setting
        /// `invalidateWaitsForGracePeriods` to false documents what the old
        /// rule did (and fails on today's code, as it should).
        @Test("rcu, deactivate: the trail of the old invalidate rule no longer loses", .timeLimit(.minutes(1)))
        func graceDeactivateOldRule() throws {
            let invalidateWaitsForGracePeriods = true
            defer { sectionProbe = nil }
            let domain = try makeDomain(InterleavedLock<EpochRCU>.self, abi: .longMode)
            let port = 66
            let stage = Atomic<Int>(0)  // 1: sender inside its vcpu_info section; 2: let it go
            let migrated = Atomic<Bool>(false)
            // Section 1 is the sender's shared_info section, 2 its vcpu_info
            // section (the cache check passed: the default slot, frame 0).
            probe(atSection: 2) {
                stage.store(1, ordering: .releasing)
                while stage.load(ordering: .acquiring) < 2 { yieldThread() }
            }
            let sender = HostThreadBox {
                var context = domain.makeContext()!
                _ = domain.deliver(port: port, vcpu: 0, context: &context)
            }
            while stage.load(ordering: .acquiring) < 1 { yieldThread() }
            // The vCPU's hypercall: deactivate, then wait out the grace
            // period (the sender is inside), copy, activate frame 1.
            let vcpu = HostThreadBox {
                _ = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: .deactivate)
            }
            while domain.vcpuInfoIsValid(vcpu: 0) { yieldThread() }
            // The host moves the shared_info page meanwhile.
            let host = HostThreadBox {
                domain.memory.migrate(guestFrame: 0)
                migrated.store(true, ordering: .releasing)
            }
            // Today the migration needs nothing from the sender: wait for it.
            // A bound, not a timing: with the new rule it cannot finish
            // before the sender goes on.
            var spins = 0
            while !migrated.load(ordering: .acquiring), spins < 20_000 {
                yieldThread()
                spins += 1
            }
            let migratedWhileInside = migrated.load(ordering: .acquiring)
            stage.store(2, ordering: .releasing)
            sender.join()
            vcpu.join()
            host.join()
            var context = domain.makeContext()!
            _ = domain.injectPendingEvents(vcpu: 0, context: &context)
            let handled = domain.runUpcallHandler(vcpu: 0).handled
            domain.memory.auditQuarantine()
            let staleVCPUInfoBits = domain.memory.staleBits(guestFrame: 0, bytes: 0..<64)
            #expect(domain.guestVCPUInfoLocation(vcpu: 0) == (1, 0))
            if invalidateWaitsForGracePeriods {
                #expect(!migratedWhileInside)
                #expect(handled == 1)
                #expect(staleVCPUInfoBits == 0)
            } else {
                #expect(migratedWhileInside, "the page moved while the sender was inside its section")
                #expect(staleVCPUInfoBits > 0, "selector and upcall_pending went to the retired frame")
                #expect(handled == 0, "the event is lost")
                #expect(domain.guestPending(port: port), "its pending bit is stranded")
            }
        }
    }
}

/// Trail "both-locks", on one thread: the send runs at the move's first step
/// (after the activation of the new location, before the copy).
private struct BothLocksTrail: DesignTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
        let domain = try makeDomain(Lock.self, abi: .longMode)
        var context = domain.makeContext()!
        let port = 66
        var sent: DeliveryResult?
        let hooks = RelocationHooks(afterFirstStep: { sent = domain.deliver(port: port, vcpu: 0, context: &context) })
        let outcome = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: .bothLocks, hooks: hooks)
        #expect(sent == .delivered, "\(design)")
        #expect(outcome.vanishedSelectorBits == 1, "\(design): the copy overwrote the new selector bit")
        _ = domain.injectPendingEvents(vcpu: 0, context: &context)
        #expect(domain.runUpcallHandler(vcpu: 0).handled == 0, "\(design): the event is lost")
        #expect(domain.guestPending(port: port), "\(design): its pending bit is stranded")
    }
}

/// Trail "forced-slow": two threads, the sender stopped between sections.
private struct ForcedSlowTrail: DesignTest {
    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
        let (outcome, handled) = try moveWithSenderBetweenSections(Lock.self, strategy: .forcedSlow)
        #expect(outcome.vanishedSelectorBits == 1, "\(design): the copy overwrote the new selector bit")
        #expect(handled == 0, "\(design): the event is lost")
    }
}
