import Runner
import SweepPlan
import TopologyFixtures
import Testing
import Topology

/// Bad options fail while planning, in one line naming the range or the
/// reason, and never trap.
@Suite("Bad options")
struct BadOptionTests {
    /// One bad option: what it changes and the line the plan must fail with.
    struct BadOption: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let message: String
        let change: @Sendable (inout SweepOptions) -> Void

        init(_ name: String, _ message: String, _ change: @escaping @Sendable (inout SweepOptions) -> Void) {
            testDescription = name
            self.message = message
            self.change = change
        }

        func expectPlanError() throws {
            var options = SweepOptions()
            change(&options)
            let topology = try FixtureMachines.oneNode().discover()
            let error = #expect(throws: PlanError.self) { try SweepPlan.make(options, topology: topology) }
            #expect(error?.description == message)
        }
    }

    static let outOfRangeNumbers = [
        BadOption("duration", "duration must be between 0.001 and 86400.0 s (got 1000000000000.0)") { $0.durationSeconds = 1e12 },
        BadOption("warmup", "warm-up must be between 0.0 and 3600.0 s (got 9.223372036854776e+18)") {
            $0.warmupSeconds = 9_223_372_036_854_775_808
        },
        BadOption("nan", "warm-up must be between 0.0 and 3600.0 s (got nan)") { $0.warmupSeconds = .nan },
        BadOption("invalidate", "invalidation interval must be 0 (never) or between 1 and 3600000000 us (got 9223372036854775807)") {
            $0.template.host = .migrate(everyMicroseconds: .max)
        },
        BadOption("rate", "open-loop rate must be between 1.0 and 1000000000.0 sends/s (got 1e-12)") {
            $0.openLoop = true
            $0.rate = 1e-12
        },
        BadOption("ports", "ports per sender must be between 1 and 4096 (got 9223372036854775807)") { $0.portsPerSender = .max },
        BadOption("senders x ports", "300 senders x 16 ports exceed the 4096 ports of a 64-bit guest") {
            ($0.senders, $0.portsPerSender) = ([300], 16)
        },
        BadOption("budget 0", "--budget must be more than 0 and at most 1440 minutes (got 0.0)") { $0.budgetMinutes = 0 },
        BadOption("budget nan", "--budget must be more than 0 and at most 1440 minutes (got nan)") { $0.budgetMinutes = .nan },
        BadOption("budget inf", "--budget must be more than 0 and at most 1440 minutes (got inf)") { $0.budgetMinutes = .infinity },
        BadOption("budget huge", "--budget must be more than 0 and at most 1440 minutes (got 1441.0)") { $0.budgetMinutes = 1441 },
        BadOption("reps", "repetitions must be at least 1 (got 0)") { $0.reps = 0 },
        BadOption("runs", "--reps 9223372036854775807 x 9 configurations is too many runs") { $0.reps = .max },
    ]

    static let ignoredOptions = [
        BadOption("rate", "--rate only applies with --load open") { $0.rate = 5 },
        BadOption("strategy", "--strategy only applies to the relocate scenario") {
            $0.scenarios = [.ipi]
            $0.strategies = [.quiesce]
        },
        BadOption("relocate-every", "--relocate-every-us only applies to the relocate scenario") {
            $0.scenarios = [.ipi]
            $0.relocateEveryMicroseconds = 5
        },
        BadOption("timer-rate", "--timer-rate only applies to the timer and mixed scenarios") { $0.timerRate = 5 },
        BadOption("masked-fraction", "--masked-fraction does not apply to the poll scenario (it masks every port)") {
            $0.scenarios = [.poll]
            $0.template.maskedFraction = 0.5
        },
        BadOption("shinfo-move without moves", "the shinfo-move scenario needs a host that moves shared_info (an interval above 0)") {
            $0.scenarios = [.shinfoMove]
            $0.template.host = .idle
        },
        BadOption("budget", "--budget changes nothing when --reps, --duration and every list are given") {
            ($0.senders, $0.vcpus, $0.placements, $0.scenarios) = ([1], [1], [.compact], [.ipi])
            ($0.reps, $0.durationSeconds, $0.budgetMinutes) = (6, 0.5, 3)
        },
        BadOption("no-pin", "--no-pin leaves threads to the scheduler; it cannot go with CPU lists, --placement or --pairs") {
            $0.pin = false
            $0.senderCPUs = [0]
        },
    ]

    @Test("numbers out of range name the range", arguments: outOfRangeNumbers)
    func ranges(_ bad: BadOption) throws { try bad.expectPlanError() }

    @Test("options that would be ignored are refused with the reason", arguments: ignoredOptions)
    func ignored(_ bad: BadOption) throws { try bad.expectPlanError() }

    @Test("vCPU lists name the vcpu_info slot limit, not a thread limit")
    func vcpuLimit() {
        let error = #expect(throws: ListSyntaxError.self) {
            try parseCountList("1-100000", option: "--vcpus", maximum: 32, what: "the vcpu_info slots in shared_info")
        }
        #expect(error?.description == "--vcpus: '1-100000' contains 100000; at most 32 (the vcpu_info slots in shared_info)")
    }

    @Test("a validation run's seconds are range-checked like a run's duration")
    func validationSeconds() {
        let error = #expect(throws: RunError.self) { try RunConfiguration.validation(design: .rwlock, seconds: 1e12).validate() }
        #expect(error?.description == "duration must be between 0.001 and 86400.0 s (got 1000000000000.0)")
    }
}
