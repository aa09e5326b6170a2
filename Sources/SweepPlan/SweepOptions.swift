import Delivery
import LockDesigns
import Runner
import Topology

/// What `run` was asked for, as typed values. A nil list or number means
/// "not given": the plan then fits it to the machine (the default suite).
public struct SweepOptions: Sendable {
    public var designs: [LockDesign] = LockDesign.allCases
    /// nil: the default suite's scenarios, ipi over the whole grid plus one
    /// relocate configuration (the smallest) with every strategy.
    public var scenarios: [Scenario]?
    /// Relocate scenario: nil, every strategy.
    public var strategies: [RelocationStrategy]?
    /// Relocate scenario: nil, the template's period.
    public var relocateEveryMicroseconds: Int?
    /// Each sender at `rate` sends per second (nil: 100000) instead of as
    /// fast as it can.
    public var openLoop = false
    public var rate: Double?
    /// Timer and mixed scenarios: nil, the template's rate.
    public var timerRate: Double?
    /// nil: 1, 2, 4, ... up to the CPUs left for senders, and that maximum
    /// (as many as the budget allows).
    public var senders: [Int]?
    /// nil: 1, and also 4 on machines with at least 8 usable CPUs (budget
    /// allowing).
    public var vcpus: [Int]?
    /// nil: compact, and also split on machines with two nodes or more
    /// (budget allowing).
    public var placements: [PlacementPolicy]?
    /// `--pairs`: one design's sender x vCPU matrix instead of placements.
    public var pairs: PairSelection?
    public var durationSeconds: Double?
    public var warmupSeconds: Double?
    /// nil: 6, more only when 2-second runs leave the budget room.
    public var reps: Int?
    /// The sweep's time in minutes; nil: 5 (`quick`: 1). What is not given
    /// is fitted to it (`DefaultSuite`).
    public var budgetMinutes: Double?
    /// A suite of about one minute instead of five, with shorter warm-ups.
    public var quick = false
    /// nil: 16, fewer where a configuration's senders x 16 exceed the
    /// guest ABI's ports.
    public var portsPerSender: Int?
    /// Every knob a sweep does not vary and no option above sets: ABI,
    /// masking, host action, vCPU mode.
    public var template = RunConfiguration(design: .rwlock)
    public var senderCPUs: [Int]?
    public var vcpuCPUs: [Int]?
    public var hostCPU: Int?
    public var memory: MemoryChoice = .local
    public var pin = true
    /// Seed of the shuffled order; nil: a fresh one.
    public var seed: UInt64?
    /// Run passes of every configuration in shuffled order (true), or each
    /// configuration's repetitions back to back (false).
    public var interleave = true

    public init() {}

    /// Any explicit CPU list given.
    var hasExplicitCPUs: Bool { senderCPUs != nil || vcpuCPUs != nil || hostCPU != nil }
}
