import Delivery
import GuestMemory
import LockDesigns
import Runner
import TestSupport
import Testing

/// The poll and shinfo-move scenarios, short and bounded (0.2 s or 200k
/// sends per sender). Serialized, so each run has the machine.
@Suite("Poll and shinfo-move scenarios", .serialized)
struct PollAndMoveScenarioTests {
    static func configuration(_ scenario: Scenario, _ design: LockDesign, abi: GuestABI = .longMode) -> RunConfiguration {
        var c = RunConfiguration(design: design)
        c.abi = abi
        (c.senders, c.vcpus, c.portsPerSender) = (2, 2, 16)
        c.host = .migrate(everyMicroseconds: 200)
        (c.warmupSeconds, c.durationSeconds, c.sendLimitPerSender) = (0.02, 0.2, 200_000)
        return c.adapted(to: scenario)
    }

    @Test("poll: halted pollers are woken by masked sends; masked events are handled by the pollers, none lost",
          arguments: LockDesign.safe)
    func pollersWoken(design: LockDesign) throws {
        var c = Self.configuration(.poll, design)
        c.host = .idle
        let result = try runConfiguration(c)
        #expect(result.pollWakeups > 0, "\(result.summaryLine)")
        let t = result.total
        #expect(t.delivered == 0 && t.masked > 0, "every port is masked: \(result.summaryLine)")
        #expect(result.lost == 0 && result.stranded == 0, "\(result.summaryLine)")
        if !design.replaysStaleWrites { #expect(result.handled == t.newlySet, "\(result.summaryLine)") }
    }

    @Test("poll while the host migrates shared_info: no safe design loses an event", arguments: safeDesignABICases)
    func pollUnderMigration(design: LockDesign, abi: GuestABI) throws {
        let result = try runConfiguration(Self.configuration(.poll, design, abi: abi))
        #expect(result.migrations > 0 && result.total.masked > 0)
        #expect(result.lost == 0, "\(result.summaryLine)")
    }

    @Test("shinfo-move: no safe design loses an event; the ledger is exact for every design",
          arguments: LockDesign.allCases.flatMap { d in GuestABI.allCases.map { (d, $0) } })
    func sharedInfoMoves(design: LockDesign, abi: GuestABI) throws {
        let result = try runConfiguration(Self.configuration(.shinfoMove, design, abi: abi))
        let moves = result.sharedInfoMoves
        #expect(moves.moves > 0 && result.migrations == 0, "\(result.summaryLine)")
        #expect(result.total.delivered > 0 && result.handled > 0)
        if design.isSafe {
            #expect(result.lost == 0 && result.stranded == 0, "\(result.summaryLine)")
        }
        if !design.replaysStaleWrites {
            // Exact: every event set is handled once or merged with another;
            // the rest are lost, every late bit among them.
            #expect(result.lost == result.total.newlySet - moves.merged - result.handled, "\(result.summaryLine)")
            #expect(result.lost >= moves.lateBits, "\(result.summaryLine)")
            if design.isSafe { #expect(moves.lateBits == 0, "\(result.summaryLine)") }
        }
    }

    @Test("the scenarios' rules: shinfo-move needs moves and vcpu_info off the page; nothing else moves shared_info")
    func rules() {
        var c = Self.configuration(.shinfoMove, .rwlock)
        #expect(c.host == .moveSharedInfo(everyMicroseconds: 200) && !c.vcpuInfoInSharedInfo)
        c.host = .idle
        let idle = #expect(throws: RunError.self) { try c.validate() }
        #expect(idle?.description == "the shinfo-move scenario needs a host that moves shared_info (an interval above 0)")
        c = Self.configuration(.shinfoMove, .rwlock)
        c.vcpuInfoInSharedInfo = true
        #expect(throws: RunError.self) { try c.validate() }
        c = Self.configuration(.ipi, .rwlock)
        c.host = .moveSharedInfo(everyMicroseconds: 100)
        let other = #expect(throws: RunError.self) { try c.validate() }
        #expect(other?.description == "only the shinfo-move scenario moves shared_info")
        #expect(Self.configuration(.poll, .rwlock).maskedFractionInEffect == 1)
    }
}
