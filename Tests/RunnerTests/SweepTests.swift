import Delivery
import LockDesigns
import Runner
import Testing

@Suite("Sweeps and list syntax")
struct SweepTests {
    @Test("count lists: items, ranges, duplicates, order", arguments: [
        ("1,2,4", [1, 2, 4]), ("1-4", [1, 2, 3, 4]), ("4,1-2,2", [1, 2, 4]), ("8", [8]),
    ])
    func counts(text: String, expected: [Int]) throws {
        #expect(try parseCountList(text, option: "--senders") == expected)
    }

    @Test("bad count lists are rejected with the option and the text", arguments: [
        "", "0", "1,,2", "-1", "2-1", "a", "1-", "1.5", "5000",
    ])
    func badCounts(text: String) {
        let error = #expect(throws: ListSyntaxError.self) { try parseCountList(text, option: "--vcpus") }
        #expect(error?.description.hasPrefix("--vcpus: '\(text)'") == true, "\(String(describing: error))")
    }

    @Test("name lists for scenarios and strategies")
    func names() throws {
        let scenarios: [Scenario] = try parseNameList("ipi, relocate", option: "--scenario")
        #expect(scenarios == [.ipi, .relocate])
        let all: [RelocationStrategy] = try parseNameList("all", option: "--strategy")
        #expect(all == RelocationStrategy.allCases)
        #expect(throws: NameListError.self) { let _: [Scenario] = try parseNameList("ipi,", option: "--scenario") }
    }

    @Test("a sweep expands designs x scenarios (x strategies for relocate) x vCPUs x senders x reps")
    func expansion() {
        let request = SweepRequest(designs: [.rwlock, .rcu], scenarios: [.ipi, .relocate], senders: [4, 1],
                                   vcpus: [2], reps: 3, strategies: [.quiesce, .deactivate],
                                   template: RunConfiguration(design: .mutex))
        let points = request.points()
        // ipi: 2 senders x 3 reps; relocate: 2 strategies x 2 senders x 3 reps; for each design.
        #expect(points.count == 2 * (6 + 12))
        #expect(points.first?.configuration.design == .rwlock)
        #expect(points.first?.configuration.senders == 1, "senders ascend, so the 1-sender base comes first")
        #expect(points.map(\.rep).prefix(3) == [1, 2, 3])
        let relocate = points.filter { $0.configuration.scenario == .relocate }
        #expect(Set(relocate.map(\.configuration.relocation)) == [.quiesce, .deactivate])
        #expect(points.allSatisfy { $0.configuration.vcpus == 2 })
    }

    @Test("fairness: min/max and Gini")
    func fairness() {
        #expect(Fairness.minOverMax([10, 10, 10]) == 1)
        #expect(Fairness.minOverMax([5, 10]) == 0.5)
        #expect(Fairness.gini([10, 10, 10, 10]) == 0)
        #expect(abs(Fairness.gini([0, 0, 0, 12]) - 0.75) < 1e-9)
        #expect(Fairness.gini([7]) == 0)
    }
}

@Suite("A short real run", .serialized)
struct ShortRunTests {
    @Test("the counters of a row add up", arguments: [Scenario.ipi, .pirq, .timer, .mixed, .relocate])
    func countersAddUp(scenario: Scenario) throws {
        var c = RunConfiguration(design: .rwlock)
        c.scenario = scenario
        c.senders = 2
        c.vcpus = 2
        c.maskedFraction = 0.25
        c.host = .migrate(everyMicroseconds: 500)
        c.warmupSeconds = 0.05
        c.durationSeconds = 0.15
        c.relocateEveryMicroseconds = 300
        let result = try runConfiguration(c)
        let m = result.measured
        #expect(m.sends > 0 && result.measuredSeconds > 0)
        let categorised = m.delivered + m.coalesced + m.masked + m.dropped + m.inactive + m.invalid
        if scenario == .timer || scenario == .mixed {
            // A timer event deferred on would-block is a send without a
            // category until its vCPU delivers it (maybe after the window).
            #expect(categorised <= m.sends + m.wouldBlock, "\(result.summaryLine)")
        } else {
            #expect(m.sends == categorised, "\(result.summaryLine)")
        }
        #expect(result.total.sends >= m.sends)
        #expect(result.lost == 0, "\(result.summaryLine)")
        #expect(result.perSenderSends.count == 2 && result.perSenderSends.reduce(0, +) == m.sends)
        #expect(result.sendLatency.summary.count > 0)
        #expect((0...1).contains(result.fairnessMinOverMax) && (0...1).contains(result.gini))
        #expect(result.timerOverheadNanoseconds >= 0)
        if scenario == .relocate { #expect(result.relocations > 0) }
    }
}
