import Delivery
import LockDesigns
import Runner
import Testing

@Suite("Fairness")
struct FairnessTests {
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
    /// Every sleep of every thread ends with the run: a host period of an
    /// hour, and open-loop senders at one send a second, must not keep a
    /// 50 ms run alive (they did: the host slept its whole period).
    @Test("long periods end with the run", .timeLimit(.minutes(1)))
    func longPeriodsEndWithTheRun() throws {
        var c = RunConfiguration(design: .rwlock)
        c.host = .migrate(everyMicroseconds: RunConfiguration.Limits.microseconds.upperBound)
        c.load = .open(ratePerSender: RunConfiguration.Limits.rate.lowerBound)
        c.warmupSeconds = 0
        c.durationSeconds = 0.05
        let result = try runConfiguration(c)
        #expect(result.migrations == 0, "the host's first migration was an hour away")
        #expect(result.hostRounds == 0)
    }

    @Test("the counters of a row add up", arguments: Scenario.allCases)
    func countersAddUp(scenario: Scenario) throws {
        var c = RunConfiguration(design: .rwlock)
        c.senders = 2
        c.vcpus = 2
        c.maskedFraction = 0.25
        c.host = .migrate(everyMicroseconds: 500)
        c.warmupSeconds = 0.05
        c.durationSeconds = 0.15
        c.relocateEveryMicroseconds = 300
        c = c.adapted(to: scenario)
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
