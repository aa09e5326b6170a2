import Delivery
import GuestMemory
import LockDesigns
import Platform
import Topology

/// CPUs to pin each thread to (one per thread of each role).
public struct ThreadCPUs: Sendable, Equatable {
    public var senders: [Int]
    public var vcpus: [Int]
    public var host: [Int]

    public init(senders: [Int], vcpus: [Int], host: [Int]) {
        self.senders = senders
        self.vcpus = vcpus
        self.host = host
    }
}

/// One measured configuration: what runs, how long, where.
public struct RunConfiguration: Sendable {
    public var design: LockDesign
    public var scenario: Scenario = .ipi
    public var abi: GuestABI = .longMode
    public var senders = 1
    public var vcpus = 1
    public var portsPerSender = 16
    /// Fraction of each sender's ports the guest masks (0...1).
    public var maskedFraction = 0.0
    public var load: LoadMode = .closed
    /// Timer senders' rate (events per second).
    public var timerRate = 10_000.0
    public var vcpuMode: VCPUMode = .poll
    public var host: HostAction = .idle
    public var warmupSeconds = 0.5
    public var durationSeconds = 2.0
    /// Stop each sender after this many sends (validation runs); nil: none.
    public var sendLimitPerSender: Int?
    /// vcpu_info in its default slot inside shared_info, or on its own page.
    public var vcpuInfoInSharedInfo = true
    /// Where guest memory goes.
    public var memory: NUMA.Placement = .local
    /// Pin threads here; nil: leave them to the scheduler.
    public var pinning: ThreadCPUs?
    /// Relocate scenario: how vcpu_info moves, and how often each vCPU
    /// moves it (a random moment in [0.5, 1.5) times this period).
    public var relocation: RelocationStrategy = .deactivate
    public var relocateEveryMicroseconds = 2_000
    /// Validation: stretch some read sections of every design alike
    /// (`TortureLock`, rcutorture's read-side delays); never for measuring.
    public var readSectionDelays = false
    /// Every sender uses the same ports (validation: senders race on bits).
    public var sharedPorts = false
    /// Closed loop: one send in this many is timed (the others run the
    /// untimed hot loop), keeping timing overhead small.
    public var sampleEvery = 64

    public init(design: LockDesign) { self.design = design }

    /// The senders' plans for this configuration.
    public var plans: [SenderPlan] {
        senderPlans(scenario: scenario, senders: senders, vcpus: vcpus, portsPerSender: portsPerSender,
                    abi: abi, load: load, timerRate: timerRate, sharedPorts: sharedPorts)
    }

    /// Threads the run starts.
    public var threadCount: Int { senders + vcpus + 1 }

    /// The ranges numbers must be in: wide enough for any real use, narrow
    /// enough that no product in the run (seconds or microseconds to
    /// nanoseconds, senders x ports, one over a rate) can overflow.
    public enum Limits {
        public static let seconds = 0.001...86_400.0
        public static let warmupSeconds = 0.0...3_600.0
        public static let microseconds = 1...3_600_000_000
        public static let rate = 1.0...1e9
        public static let ports = 1...4096
        public static let threads = 1...4096
    }

    /// Checks everything that can be checked before any thread starts.
    public func validate() throws(RunError) {
        func invalid(_ why: String) -> RunError { .invalidConfiguration(why) }
        func check<T: Comparable>(_ what: String, _ value: T, _ range: ClosedRange<T>, _ unit: String = "") throws(RunError) {
            guard range.contains(value) else {
                throw invalid("\(what) must be between \(range.lowerBound) and \(range.upperBound)\(unit) (got \(value))")
            }
        }
        try check("senders", senders, Limits.threads)
        try check("vcpus", vcpus, Limits.threads)
        if vcpuInfoInSharedInfo, vcpus > abi.sharedInfo.legacyVCPUSlots {
            throw invalid("at most \(abi.sharedInfo.legacyVCPUSlots) vCPUs have a vcpu_info slot in shared_info (got \(vcpus))")
        }
        try check("ports per sender", portsPerSender, Limits.ports)
        let needed = sharedPorts ? portsPerSender : senders * portsPerSender
        guard needed <= abi.portCount else {
            throw invalid("\(senders) senders x \(portsPerSender) ports exceed the \(abi.portCount) ports of a \(abi)-bit guest")
        }
        try check("masked fraction", maskedFraction, 0...1)
        if let rate = load.ratePerSender { try check("open-loop rate", rate, Limits.rate, " sends/s") }
        try check("timer rate", timerRate, Limits.rate, " events/s")
        try check("warm-up", warmupSeconds, Limits.warmupSeconds, " s")
        try check("duration", durationSeconds, Limits.seconds, " s")
        if let limit = sendLimitPerSender, limit < 1 { throw invalid("send limit must be at least 1") }
        if case .migrate(let every) = host, every != 0, !Limits.microseconds.contains(every) {
            throw invalid("invalidation interval must be 0 (never) or between 1 and \(Limits.microseconds.upperBound) us (got \(every))")
        }
        if scenario == .relocate {
            guard vcpuInfoInSharedInfo else { throw invalid("the relocate scenario starts with vcpu_info in shared_info") }
            try check("relocation period", relocateEveryMicroseconds, Limits.microseconds, " us")
        }
        try validateScenarioRules()
        guard sampleEvery >= 1 else { throw invalid("sampleEvery must be at least 1") }
        if let pinning {
            guard pinning.senders.count == senders, pinning.vcpus.count == vcpus, pinning.host.count == 1 else {
                throw invalid("pinning lists must have one CPU per thread")
            }
        }
    }
}

public enum RunError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)
    case system(SystemError)
    case threadFailed(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why), .threadFailed(let why): why
        case .system(let error): error.description
        }
    }
}
