import Delivery
import LockDesigns
import Platform
import Runner
import Topology

/// One configuration of a sweep, placed: its threads' CPUs and its guest
/// memory's node are decided here, before anything runs.
public struct PlannedConfiguration: Sendable {
    /// Pinned (unless unpinned) and with its memory placement set.
    public var configuration: RunConfiguration
    public var placement: Placement
    /// `compact`, `scatter`, `split`; `explicit` when every role's CPUs
    /// were listed, `<policy>+explicit` when some were; `unpinned`.
    public var placementLabel: String
    /// Busy threads share a CPU, or a host thread that does not mostly
    /// sleep shares one with them.
    public var oversubscribed: Bool
    /// The host thread shares a CPU with a sender or vCPU.
    public var hostSharesCPU: Bool
}

/// Why the options cannot become a sweep: one line naming what is wrong.
public struct PlanError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Everything a sweep will run, checked against the machine before the
/// first run: every configuration placed and validated, the timing and the
/// order fixed. `--plan` prints it; `run` runs it.
public struct SweepPlan: Sendable {
    public let configurations: [PlannedConfiguration]
    /// Repetitions of each configuration (interleaved: passes).
    public let reps: Int
    public let durationSeconds: Double
    public let warmupSeconds: Double
    /// The seed of the shuffled order; nil when repetitions run in blocks.
    public let orderSeed: UInt64?
    public let topology: Topology
    /// No sweep list was given: the lists were fitted to the machine.
    public let isDefaultSuite: Bool

    /// configurations x reps (checked not to overflow when planned).
    public var runCount: Int { configurations.count * reps }

    /// The wall time the sweep should take.
    public var estimatedSeconds: Double {
        Double(runCount) * (durationSeconds + warmupSeconds + DefaultSuite.runOverheadSeconds)
    }

    /// The runs in the order they happen, made lazily.
    public func schedule() -> RunSchedule {
        RunSchedule(configurations: configurations.count, passes: reps, seed: orderSeed)
    }

    public static func make(_ options: SweepOptions, topology: Topology) throws(PlanError) -> SweepPlan {
        try Planner(options: options, topology: topology).plan()
    }
}

/// Options → configurations → placements → CPU maps.
private struct Planner {
    let options: SweepOptions
    let topology: Topology

    func plan() throws(PlanError) -> SweepPlan {
        try refuseIgnoredOptions()
        if let reps = options.reps, reps < 1 { throw PlanError("repetitions must be at least 1 (got \(reps))") }
        let warmup = options.warmupSeconds ?? DefaultSuite.warmupSeconds(quick: options.quick)
        var configurations: [PlannedConfiguration] = []
        for design in options.designs {
            for (scenario, grid) in scenarioGrids() {
                for strategy in scenario == .relocate ? strategies : [options.template.relocation] {
                    for point in grid {
                        var c = template.adapted(to: scenario)
                        c.design = design
                        c.relocation = strategy
                        c.senders = point.senders
                        c.vcpus = point.vcpus
                        c.warmupSeconds = warmup
                        configurations.append(try placed(c, policy: point.policy))
                    }
                }
            }
        }
        guard !configurations.isEmpty else { throw PlanError("nothing to run") }
        let timing = DefaultSuite.timing(configurations: configurations.count, options: options, warmup: warmup)
        guard configurations.count.multipliedReportingOverflow(by: timing.reps).overflow == false else {
            throw PlanError("--reps \(timing.reps) x \(configurations.count) configurations is too many runs")
        }
        for index in configurations.indices {
            configurations[index].configuration.durationSeconds = timing.duration
            do { try configurations[index].configuration.validate() } catch { throw PlanError(error.description) }
        }
        let seed = options.interleave ? options.seed ?? UInt64.random(in: 0...UInt64.max) : nil
        return SweepPlan(configurations: configurations, reps: timing.reps, durationSeconds: timing.duration,
                         warmupSeconds: warmup, orderSeed: seed, topology: topology,
                         isDefaultSuite: options.senders == nil && options.vcpus == nil && options.scenarios == nil)
    }

    var strategies: [RelocationStrategy] { options.strategies ?? RelocationStrategy.allCases }

    /// The template with the options that apply to some scenarios only.
    var template: RunConfiguration {
        var c = options.template
        if options.openLoop { c.load = .open(ratePerSender: options.rate ?? 100_000) }
        c.timerRate = options.timerRate ?? c.timerRate
        c.relocateEveryMicroseconds = options.relocateEveryMicroseconds ?? c.relocateEveryMicroseconds
        return c
    }

    /// An option that would change nothing is an error, so that a slip in a
    /// command line does not silently measure something else.
    func refuseIgnoredOptions() throws(PlanError) {
        let o = options
        let scenarios = o.scenarios ?? [.ipi, .relocate]
        if o.rate != nil && !o.openLoop { throw PlanError("--rate only applies with --load open") }
        if o.strategies != nil || o.relocateEveryMicroseconds != nil, !scenarios.contains(.relocate) {
            throw PlanError("--\(o.strategies != nil ? "strategy" : "relocate-every-us") only applies to the relocate scenario")
        }
        if o.template.maskedFraction != 0, scenarios.allSatisfy(\.masksEveryPort) {
            throw PlanError("--masked-fraction does not apply to the poll scenario (it masks every port)")
        }
        if o.timerRate != nil, !scenarios.contains(.timer) && !scenarios.contains(.mixed) {
            throw PlanError("--timer-rate only applies to the timer and mixed scenarios")
        }
        if !o.pin, o.hasExplicitCPUs || o.placements != nil {
            throw PlanError("--no-pin leaves threads to the scheduler; it cannot go with CPU lists or --placement")
        }
    }

    struct GridPoint {
        let policy: PlacementPolicy
        let vcpus: Int
        let senders: Int
    }

    /// Each scenario with the (placement, vCPUs, senders) points it runs
    /// at. Given scenarios run at every point; the default suite runs ipi at
    /// every point and relocate at the first (the smallest) only.
    func scenarioGrids() -> [(Scenario, [GridPoint])] {
        let placements = options.pin ? options.placements ?? DefaultSuite.placements(on: topology) : [.compact]
        let vcpuCounts = options.vcpus ?? DefaultSuite.vcpuCounts(on: topology, quick: options.quick)
        var grid: [GridPoint] = []
        for policy in placements {
            for vcpus in vcpuCounts {
                let senders = options.senders ?? DefaultSuite.senderCounts(
                    capacity: options.senderCPUs?.count ?? senderCapacity(policy, vcpus: vcpus, on: topology),
                    quick: options.quick)
                grid += senders.map { GridPoint(policy: policy, vcpus: vcpus, senders: $0) }
            }
        }
        guard let scenarios = options.scenarios else { return [(.ipi, grid), (.relocate, [grid[0]])] }
        return scenarios.map { ($0, grid) }
    }

    func placed(_ configuration: RunConfiguration, policy: PlacementPolicy) throws(PlanError) -> PlannedConfiguration {
        var request = PlacementRequest(senders: configuration.senders, vcpus: configuration.vcpus)
        request.policy = policy
        request.senderCPUs = options.senderCPUs
        request.vcpuCPUs = options.vcpuCPUs
        request.hostCPUs = options.hostCPU.map { [$0] }
        request.memory = options.memory
        let placement: Placement
        do { placement = try place(request, on: topology) } catch { throw PlanError(error.description) }
        var c = configuration
        c.memory = placement.numaPlacement
        let label: String
        if options.pin {
            c.pinning = ThreadCPUs(senders: placement.senderCPUs, vcpus: placement.vcpuCPUs,
                                   host: Array(placement.hostCPUs.prefix(1)))
            let allExplicit = options.senderCPUs != nil && options.vcpuCPUs != nil && options.hostCPU != nil
            label = allExplicit ? "explicit" : policy.rawValue + (options.hasExplicitCPUs ? "+explicit" : "")
        } else {
            label = "unpinned"
        }
        // Unpinned, the scheduler may put any two threads together once
        // there are more than CPUs.
        let cpus = topology.allowedCPUs.count
        let busyShare = options.pin ? placement.oversubscribed : c.senders + c.vcpus > cpus
        let hostShares = options.pin ? placement.hostSharesCPU : c.threadCount > cpus
        return PlannedConfiguration(configuration: c, placement: placement, placementLabel: label,
                                    oversubscribed: busyShare || (hostShares && !c.host.mostlySleeps),
                                    hostSharesCPU: hostShares)
    }
}

extension HostAction {
    /// A host thread that migrates no more often than every 100 us sleeps
    /// for nearly all of its time (a migration takes a few microseconds),
    /// so sharing a CPU with it does not take a busy thread's turn away.
    var mostlySleeps: Bool {
        switch self {
        case .idle: true
        case .migrate(let every), .moveSharedInfo(let every): every >= 100
        case .toggleActivation: false
        }
    }
}
