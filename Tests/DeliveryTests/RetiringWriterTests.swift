import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization
import TestSupport
import Testing

/// Where a writer of `design` waits for a reader inside its section: in
/// `writeLock` (the exclusion family), in `synchronize` (rcu), or nowhere
/// (seqlock replays, nolock is broken).
enum ReaderWait {
    case inWriteLock, inSynchronize, never

    init(_ design: LockDesign) {
        switch design {
        case .rcu: self = .inSynchronize
        case .seqlock, .nolock: self = .never
        default: self = .inWriteLock
        }
    }

    var step: WriterStep? {
        switch self {
        case .inWriteLock: .writeLock
        case .inSynchronize: .synchronize
        case .never: nil
        }
    }
}

/// Counts writers reaching `writeLock` / `synchronize` of one lock.
final class WriterSteps: Sendable {
    private let counts = Mutex<[WriterStep: Int]>([:])
    let lockID: Int
    init(lockID: Int) { self.lockID = lockID }
    func record(_ step: WriterStep, _ id: Int) {
        guard id == lockID else { return }
        counts.withLock { $0[step, default: 0] += 1 }
    }
    func count(_ step: WriterStep?) -> Int { step.map { s in counts.withLock { $0[s, default: 0] } } ?? 0 }
}

extension InterleavingTests {
    /// The grace-period hole, step by step on the real code, with
    /// handshakes only: a sender has passed the vcpu_info cache's check
    /// (default slot, frame 0) and stops before setting the selector; the
    /// vCPU relocates; the host migrates frame 0. Each of those two threads
    /// goes on until it has finished or reached the one place where its
    /// design makes it wait for the stopped sender (known per design
    /// family, announced by `InterleavedLock`'s writer hook, or by the
    /// drain's seam): so if the protocol lets the host copy the page under
    /// the sender, the copy happens, every time. An invalidation that
    /// skipped the grace period because the cache already looked invalid
    /// (the old rule) let the sender's selector go into the retired frame.
    @Suite("Deterministic interleavings: retiring writers and invalidation")
    struct RetiringWriterTests {
        static let strategies: [RelocationStrategy] = [.deactivate, .bothLocks, .forcedSlow, .xenMarkAll, .forcedSlowDrain]

        @Test("a relocation's grace period holds off the host's copy", .timeLimit(.minutes(1)),
              arguments: LockDesign.allCases.flatMap { d in strategies.map { (d, $0) } })
        func relocationThenMigration(design: LockDesign, strategy: RelocationStrategy) throws {
            try design.run(RelocationThenMigration(strategy: strategy))
        }
    }
}

private struct RelocationThenMigration: DesignTest {
    let strategy: RelocationStrategy

    func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
        defer {
            sectionProbe = nil
            writerHook = nil
        }
        let firstLock = interleavedLockIDs.load(ordering: .relaxed)
        let domain = try makeDomain(InterleavedLock<Lock>.self, abi: .longMode)
        // Locks are made in order: shared_info's, then vCPU 0's vcpu_info's.
        let steps = WriterSteps(lockID: firstLock + 1)
        writerHook = { step, id in steps.record(step, id) }
        let wait = ReaderWait(design)
        let stage = Atomic<Int>(0)  // 1: sender inside its vcpu_info section; 2: let it go
        probe(atSection: 2) {
            stage.store(1, ordering: .releasing)
            while stage.load(ordering: .acquiring) < 2 { yieldThread() }
        }
        let sender = HostThreadBox {
            var context = domain.makeContext()!
            _ = domain.deliver(port: 66, vcpu: 0, context: &context)
        }
        while stage.load(ordering: .acquiring) < 1 { yieldThread() }

        // The vCPU moves its vcpu_info: until done, or waiting for the sender.
        let relocated = Flag()
        let drainWaits = Flag()
        let vcpu = HostThreadBox {
            let hooks = RelocationHooks(drainWaits: { _ in drainWaits.set() })
            _ = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: strategy, hooks: hooks)
            relocated.set()
        }
        while !relocated.isSet, !drainWaits.isSet, steps.count(wait.step) == 0 { yieldThread() }
        let reachedByRelocation = steps.count(wait.step)

        // The host migrates frame 0: until done, or waiting for the sender.
        let migrated = Flag()
        let host = HostThreadBox {
            domain.memory.migrate(guestFrame: 0)
            migrated.set()
        }
        while !migrated.isSet, steps.count(wait.step) == reachedByRelocation { yieldThread() }

        stage.store(2, ordering: .releasing)
        sender.join()
        vcpu.join()
        host.join()
        let audit = domain.auditSignals()
        var context = domain.makeContext()!
        _ = domain.injectPendingEvents(vcpu: 0, context: &context)
        let handled = domain.runUpcallHandler(vcpu: 0).handled
        domain.memory.auditQuarantine()
        if design.isSafe {
            #expect(audit.unsignalled.isEmpty, "\(design) \(strategy): the event was not signalled")
            #expect(handled == 1, "\(design) \(strategy): the event was lost")
            if !design.replaysStaleWrites {
                #expect(domain.memory.staleBits == 0, "\(design) \(strategy): a write reached a retired frame")
            }
        }
    }
}
