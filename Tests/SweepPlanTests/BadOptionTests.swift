import Runner
import SweepPlan
import SysfsFixtures
import Testing
import Topology

/// Bad options fail while planning, in one line naming the range or the
/// reason, and never trap.
@Suite("Bad options")
struct BadOptionTests {
    static func planError(_ change: (inout SweepOptions) -> Void) throws -> String? {
        var options = SweepOptions()
        change(&options)
        let topology = try FixtureMachines.oneNode().discover()
        return #expect(throws: PlanError.self) { try SweepPlan.make(options, topology: topology) }?.description
    }

    @Test("numbers out of range name the range", arguments: [
        ("duration", "duration must be between 0.001 and 86400.0 s (got 1000000000000.0)"),
        ("warmup", "warm-up must be between 0.0 and 3600.0 s (got 9.223372036854776e+18)"),
        ("nan", "warm-up must be between 0.0 and 3600.0 s (got nan)"),
        ("invalidate", "invalidation interval must be 0 (never) or between 1 and 3600000000 us (got 9223372036854775807)"),
        ("rate", "open-loop rate must be between 1.0 and 1000000000.0 sends/s (got 1e-12)"),
        ("ports", "ports per sender must be between 1 and 4096 (got 9223372036854775807)"),
        ("reps", "repetitions must be at least 1 (got 0)"),
        ("runs", "--reps 9223372036854775807 x 63 configurations is too many runs"),
    ])
    func ranges(option: String, message: String) throws {
        let error = try Self.planError { o in
            switch option {
            case "duration": o.durationSeconds = 1e12
            case "warmup": o.warmupSeconds = 9_223_372_036_854_775_808
            case "nan": o.warmupSeconds = .nan
            case "invalidate": o.template.host = .migrate(everyMicroseconds: .max)
            case "rate": o.openLoop = true; o.rate = 1e-12
            case "ports": o.template.portsPerSender = .max
            case "reps": o.reps = 0
            default: o.reps = .max
            }
        }
        #expect(error == message)
    }

    @Test("options that would be ignored are refused with the reason", arguments: [
        ("rate", "--rate only applies with --load open"),
        ("strategy", "--strategy only applies to the relocate scenario"),
        ("relocate-every", "--relocate-every-us only applies to the relocate scenario"),
        ("timer-rate", "--timer-rate only applies to the timer and mixed scenarios"),
        ("no-pin", "--no-pin leaves threads to the scheduler; it cannot go with CPU lists or --placement"),
    ])
    func ignored(option: String, message: String) throws {
        let error = try Self.planError { o in
            switch option {
            case "rate": o.rate = 5
            case "strategy": o.scenarios = [.ipi]; o.strategies = [.quiesce]
            case "relocate-every": o.scenarios = [.ipi]; o.relocateEveryMicroseconds = 5
            case "timer-rate": o.timerRate = 5
            default: o.pin = false; o.senderCPUs = [0]
            }
        }
        #expect(error == message)
    }

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
