import Delivery
import LockDesigns
@testable import Runner
import Platform
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

/// The ping-pong on real threads: a figure, and no hang without a partner.
@Suite("Cache-line hand-off probe", .serialized)
struct CacheLineProbeTests {
    @Test("two threads ping-pong: each pair has a positive figure")
    func figure() throws {
        let probe = CacheLineProbe(senders: 2, vcpus: 1)
        #expect(probe.pairs == [.init(sender: 0, vcpu: 0), .init(sender: 1, vcpu: 0)])
        probe.start(budget: 10_000_000_000)
        let threads = try [HostThread.spawn { probe.takePart(sender: 0) }, HostThread.spawn { probe.takePart(sender: 1) },
                           HostThread.spawn { probe.takePart(vcpu: 0) }]
        threads.forEach { $0.join() }
        let figures = probe.oneWayNanoseconds
        #expect(figures.count == 2 && figures.allSatisfy { ($0 ?? 0) > 0 }, "\(figures)")
        #expect(probe.finished)
    }

    @Test("a partner that never comes: the probe is abandoned at its deadline, with no figure")
    func noPartner() throws {
        let probe = CacheLineProbe(senders: 1, vcpus: 1)
        probe.start(budget: 20_000_000)
        let sender = try HostThread.spawn { probe.takePart(sender: 0) }
        sender.join()
        #expect(probe.oneWayNanoseconds == [nil] && probe.finished)
    }

    @Test("a probe never started is abandoned at once; an abandoned one ends its waits")
    func neverStarted() throws {
        let probe = CacheLineProbe(senders: 1, vcpus: 1)
        probe.takePart(vcpu: 0)
        #expect(probe.oneWayNanoseconds == [nil] && probe.finished)
        let other = CacheLineProbe(senders: 1, vcpus: 1)
        other.start(budget: 10_000_000_000)
        other.abandon()
        other.takePart(sender: 0)
        #expect(other.oneWayNanoseconds == [nil])
    }

    @Test("pairs: every thread up to eight a side, each sender with a vCPU it sends to")
    func pairs() {
        #expect(CacheLineProbe(senders: 1, vcpus: 4).pairs.map(\.vcpu) == [0, 1, 2, 3])
        #expect(CacheLineProbe(senders: 3, vcpus: 2).pairs.map { [$0.sender, $0.vcpu] } == [[0, 0], [1, 1], [2, 0]])
        #expect(CacheLineProbe(senders: 32, vcpus: 32).pairs.count == CacheLineProbe.maximumPairs)
    }

    /// A real run carries its figures: one per pair, before and after.
    @Test("a real run records the hand-off before and after its window")
    func realRun() throws {
        var c = RunConfiguration(design: .rwlock)
        c.warmupSeconds = 0.01
        c.durationSeconds = 0.05
        let result = try runConfiguration(c)
        #expect(result.handOffBefore.count == 1 && result.handOffAfter.count == 1)
    }
}
