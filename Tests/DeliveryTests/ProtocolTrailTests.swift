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

        // Trail "grace-period deactivate, old rule" (rcu): replayed step by
        // step, for every design and with deactivate, both-locks and
        // forced-slow, by RetiringWriterTests ("a relocation's grace period
        // holds off the host's copy"), which fails for rcu with the old rule.
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
