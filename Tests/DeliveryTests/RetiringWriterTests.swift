import Delivery
import GuestMemory
import LockDesigns
import PageCache
import Platform
import Synchronization
import TestSupport
import Testing

/// The grace-period hole, step by step on the real code:
/// a sender has passed the vcpu_info cache's check (default slot, frame 0)
/// and stops before setting the selector; the vCPU relocates, whose first
/// step (deactivate, or activate of the new address) makes the cache look
/// invalid and starts its own grace period; the host migrates frame 0. An
/// invalidation that skipped the grace period because the cache already
/// looked invalid let the copy run while the sender still held the old
/// address: its selector bit went into the retired frame and the event was
/// lost. Every safe design must now keep it.
@Suite("Deterministic interleavings: retiring writers and invalidation", .serialized)
struct RetiringWriterTests {
    static let strategies: [RelocationStrategy] = [.deactivate, .bothLocks, .forcedSlow]

    @Test("a relocation's grace period holds off the host's copy", .timeLimit(.minutes(1)),
          arguments: LockDesign.allCases.flatMap { d in strategies.map { (d, $0) } })
    func relocationThenMigration(design: LockDesign, strategy: RelocationStrategy) throws {
        struct Body: DesignTest {
            let strategy: RelocationStrategy
            func run<Lock: ReadMostlyLock & ~Copyable>(_ lock: Lock.Type, design: LockDesign) throws {
                defer { sectionProbe = nil }
                let domain = try makeDomain(InterleavedLock<Lock>.self, abi: .longMode)
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
                let relocated = Atomic<Bool>(false)
                let vcpu = HostThreadBox {
                    _ = domain.relocateVCPUInfo(vcpu: 0, toFrame: 1, offset: 0, strategy: strategy)
                    relocated.store(true, ordering: .releasing)
                }
                // The relocation's first step: the vcpu_info cache stops
                // looking valid (designs whose write side waits for readers
                // stay blocked before it; they are bounded by the loop).
                var rounds = 0
                while domain.vcpuInfoIsValid(vcpu: 0), domain.guestVCPUInfoLocation(vcpu: 0).frame == 0,
                      rounds < 20_000, !relocated.load(ordering: .acquiring) {
                    rounds += 1
                    yieldThread()
                }
                let migrated = Atomic<Bool>(false)
                let host = HostThreadBox {
                    domain.memory.migrate(guestFrame: 0)
                    migrated.store(true, ordering: .releasing)
                }
                // Give the host every chance to finish the copy under the
                // stopped sender (the old rule did, at once).
                rounds = 0
                while !migrated.load(ordering: .acquiring), rounds < 20_000 {
                    rounds += 1
                    yieldThread()
                }
                stage.store(2, ordering: .releasing)
                sender.join()
                vcpu.join()
                host.join()
                var context = domain.makeContext()!
                _ = domain.injectPendingEvents(vcpu: 0, context: &context)
                let handled = domain.runUpcallHandler(vcpu: 0).handled
                domain.memory.auditQuarantine()
                if design.isSafe {
                    #expect(handled == 1, "\(design) \(strategy): the event was lost")
                    if !design.replaysStaleWrites {
                        #expect(domain.memory.staleBits == 0, "\(design) \(strategy): a write reached a retired frame")
                    }
                }
            }
        }
        try design.run(Body(strategy: strategy))
    }
}
