import Delivery
import GuestMemory
import LockDesigns
import Runner
import Testing

/// Bounded tortures: senders, guest handler and a host that keeps
/// invalidating and migrating the shared_info page. Each run stops after
/// 0.25 s or 200k sends per sender, whichever comes first.
@Suite("Torture", .serialized)
struct TortureTests {
    static let safe = LockDesign.allCases.filter(\.isSafe)

    static func configuration(_ design: LockDesign, abi: GuestABI = .longMode) -> TortureConfiguration {
        var c = TortureConfiguration(design: design)
        c.abi = abi
        c.maxSeconds = 0.25
        c.sendsPerSender = 200_000
        return c
    }

    @Test("safe designs lose nothing while the host migrates shared_info",
          arguments: safe.flatMap { d in GuestABI.allCases.map { (d, $0) } })
    func safeDesignsLoseNothing(design: LockDesign, abi: GuestABI) throws {
        let report = try runTorture(Self.configuration(design, abi: abi))
        #expect(report.lost == 0, "\(report)")
        #expect(report.stranded == 0, "\(report)")
        #expect(report.counters.sends > 0 && report.handled > 0)
        #expect(report.hostRounds > 0)
        #expect(report.counters.masked > 0, "masked ports are exercised and redelivered by unmask")
        if design != .seqlock {
            #expect(report.staleBits == 0, "no write may land in a retired frame: \(report)")
            #expect(report.ledger.duplicates == 0)
            #expect(report.handled == report.counters.newlySet)
        }
        if design == .rwlockTrydrop {
            #expect(report.counters.sends == report.counters.newlySet + report.counters.coalesced + report.counters.dropped)
        } else {
            #expect(report.counters.dropped == 0)
        }
    }

    @Test("vcpu_info on its own page", arguments: [LockDesign.rwlock, .seqlock, .rcu, .percpu])
    func separateVCPUInfoPage(design: LockDesign) throws {
        var c = Self.configuration(design)
        c.vcpuInfoInSharedInfo = false
        let report = try runTorture(c)
        #expect(report.lost == 0, "\(report)")
    }

    @Test("selftest race stage: shared_info (de)activated while sending; no hang, events delivered",
          arguments: safe)
    func activationRace(design: LockDesign) throws {
        var c = Self.configuration(design)
        c.hostAction = .toggleActivation
        let report = try runTorture(c)
        #expect(report.handled > 0)
        #expect(report.lost == 0, "\(report)")
        #expect(report.counters.sends == report.counters.newlySet + report.counters.coalesced
            + report.counters.inactive + report.counters.dropped)
    }

    @Test("nolock: the ledger catches stale writes (intermittent on a 2-core machine)")
    func nolockLoses() throws {
        var c = Self.configuration(.nolock)
        c.senders = 3
        var reports: [TortureReport] = []
        for _ in 0..<4 {
            let report = try runTorture(c)
            reports.append(report)
            // The count is exact without replay: every loss is a stale bit.
            #expect(report.lost == report.counters.newlySet - report.handled)
            if report.lost > 0 { break }
        }
        // The deterministic test in DeliveryTests forces this loss; here we
        // only show it also happens under real scheduling, which is likely
        // but not certain in a quarter of a second.
        withKnownIssue("stale writes need a preemption at the wrong moment", isIntermittent: true) {
            #expect(reports.contains { $0.lost > 0 }, "\(reports)")
        }
    }

    @Test("bad configurations are rejected with a reason")
    func rejectsBadConfigurations() {
        var c = Self.configuration(.rwlock)
        c.senders = 0
        #expect(throws: TortureError.self) { try runTorture(c) }
        c = Self.configuration(.rwlock)
        c.vcpus = 33
        #expect(throws: TortureError.self) { try runTorture(c) }
        c = Self.configuration(.rwlock, abi: .compat)
        c.ports = 1025
        do {
            _ = try runTorture(c)
            Issue.record("accepted 1025 ports for a 32-bit guest")
        } catch {
            #expect(error.description.contains("1024"))
        }
    }
}
