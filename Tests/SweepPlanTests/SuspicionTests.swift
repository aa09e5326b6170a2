import Delivery
import LockDesigns
import Runner
import SweepPlan
import Testing

/// When a row's window cannot be trusted: the judgement on hand-made
/// results (every rule, each side of each limit), then real runs.
@Suite("Suspect windows")
struct SuspicionTests {
    /// A hand-made result: a window asked for and lasted, the CPU time of
    /// its busy threads, what it delivered.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        var scenario: Scenario = .ipi
        var asked = 0.4
        var lasted = 0.4
        var cpu: [Double] = [0.4, 0.4]
        var delivered = 1000
        var masked = 0.0
        var open = false
        var oversubscribed = false
        var handOff: (before: [UInt64?], after: [UInt64?]) = ([], [])
        let expected: [SuspectReason]

        var testDescription: String { name }

        var result: RunResult {
            var c = RunConfiguration(design: .rwlock)
            c.durationSeconds = asked
            c.maskedFraction = masked
            if open { c.load = .open(ratePerSender: 1000) }
            c = c.adapted(to: scenario)
            var r = RunResult(configuration: c)
            r.measuredSeconds = lasted
            r.windowCPUNanoseconds = cpu.map { UInt64($0 * 1e9) }
            r.measured.delivered = delivered
            (r.handOffBefore, r.handOffAfter) = handOff
            return r
        }
    }

    static let cases: [Case] = [
        Case(name: "a clean window", expected: []),
        Case(name: "1.5 s stop inside 0.4 s (the issue's sample)", lasted: 1.7, cpu: [0.2, 0.2],
             expected: [.windowStretched, .threadStarved]),
        Case(name: "stretched exactly 1.25x is not stretched", lasted: 0.5, expected: []),
        Case(name: "stretched just past 1.25x", lasted: 0.5001, cpu: [0.5, 0.5], expected: [.windowStretched]),
        Case(name: "shorter than asked (senders hit their limit)", lasted: 0.1, cpu: [0.1, 0.1], expected: []),
        Case(name: "one thread at exactly half the window", cpu: [0.4, 0.2], expected: []),
        Case(name: "one thread just under half", cpu: [0.4, 0.1999], expected: [.threadStarved]),
        Case(name: "a thread that never saw the window", cpu: [0.4, 0], expected: [.threadStarved]),
        Case(name: "starved but oversubscribed: its own column says so", cpu: [0.1, 0.1], oversubscribed: true,
             expected: []),
        Case(name: "stretched and oversubscribed: still stretched", lasted: 1.0, cpu: [0.1], oversubscribed: true,
             expected: [.windowStretched]),
        Case(name: "no busy thread (all sleep by design)", cpu: [], expected: []),
        Case(name: "sends=0 delivered=0 (the issue's 0.05 s sample)", asked: 0.05, lasted: 0.05, cpu: [0, 0], delivered: 0,
             expected: [.threadStarved, .nothingDelivered]),
        Case(name: "nothing delivered, threads busy", delivered: 0, expected: [.nothingDelivered]),
        Case(name: "nothing delivered, every port masked", delivered: 0, masked: 1, expected: []),
        Case(name: "nothing delivered, most ports masked", delivered: 0, masked: 0.75, expected: [.nothingDelivered]),
        Case(name: "nothing delivered, open loop", delivered: 0, open: true, expected: []),
        Case(name: "nothing delivered, timer senders", scenario: .timer, delivered: 0, expected: []),
        Case(name: "nothing delivered, poll scenario (masked)", scenario: .poll, delivered: 0, expected: []),
        Case(name: "nothing delivered, relocate", scenario: .relocate, delivered: 0, expected: [.nothingDelivered]),
        Case(name: "nothing delivered, mixed (ipi and pirq senders)", scenario: .mixed, delivered: 0,
             expected: [.nothingDelivered]),
        Case(name: "every reason at once", lasted: 2, cpu: [0.1], delivered: 0,
             expected: [.windowStretched, .threadStarved, .nothingDelivered]),
        Case(name: "a 10 ms window stretched by a 20 ms stall", asked: 0.01, lasted: 0.03, cpu: [0.01, 0.01],
             expected: [.windowStretched, .threadStarved]),
        Case(name: "a long window, many threads, one starved", asked: 10, lasted: 10, cpu: [10, 10, 10, 4.9],
             expected: [.threadStarved]),
        Case(name: "hand-off from the near mode to the far one (61 -> 240 ns)", handOff: ([61], [240]), expected: [.c2cChanged]),
        Case(name: "hand-off from far to near", handOff: ([224], [58]), expected: [.c2cChanged]),
        Case(name: "noise within one mode (47 -> 64 ns)", handOff: ([47], [64]), expected: []),
        Case(name: "exactly 1.5x apart", handOff: ([100], [150]), expected: [.c2cChanged]),
        Case(name: "just under 1.5x", handOff: ([100], [149]), expected: []),
        Case(name: "medians over pairs: one far pair does not move the median", handOff: ([50, 52, 240], [51, 240, 53]),
             expected: []),
        Case(name: "medians over pairs: most pairs moved", handOff: ([50, 52, 55], [240, 230, 55]), expected: [.c2cChanged]),
        Case(name: "an abandoned probe has no figure to judge", handOff: ([nil], [240]), expected: []),
        Case(name: "abandoned pairs are left out of the median", handOff: ([60, nil], [nil, 240]), expected: [.c2cChanged]),
        Case(name: "oversubscribed: the hand-off times the scheduler", oversubscribed: true, handOff: ([60], [9000]),
             expected: []),
    ]

    @Test("the judgement of a window", arguments: cases)
    func judgement(_ c: Case) {
        #expect(c.result.suspectReasons(oversubscribed: c.oversubscribed) == c.expected)
    }

    /// The least CPU time is what the column shows.
    @Test("the least CPU time of the busy threads")
    func leastCPU() {
        var r = RunResult(configuration: RunConfiguration(design: .rwlock))
        #expect(r.leastWindowCPUSeconds == nil)
        r.windowCPUNanoseconds = [300_000_000, 200_000_000]
        #expect(r.leastWindowCPUSeconds == 0.2)
    }

    /// A real run records the CPU time of exactly the threads meant to
    /// run the whole window, and each got some of it.
    @Test("a real run judges its busy threads", arguments: [(Scenario.ipi, 3), (.timer, 1), (.poll, 2), (.mixed, 1)])
    func realRun(scenario: Scenario, judged: Int) throws {
        var c = RunConfiguration(design: .rwlock)
        c.senders = 2
        c.vcpus = 1
        c.warmupSeconds = 0.01
        c.durationSeconds = 0.05
        c = c.adapted(to: scenario)
        let result = try runConfiguration(c)
        // ipi: 2 closed senders + 1 poll-mode vCPU; timer: the vCPU only;
        // poll: the senders only (the vCPU halts in SCHEDOP_poll); mixed:
        // the vCPU only (its senders take turns as timers).
        #expect(result.windowCPUNanoseconds.count == judged)
        #expect(result.windowCPUNanoseconds.allSatisfy { $0 > 0 })
    }
}
