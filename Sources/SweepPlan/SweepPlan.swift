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
    /// `compact`, `smt`, `scatter`, `split`; `explicit` when every role's CPUs
    /// were listed, `<policy>+explicit` when some were; `unpinned`.
    public var placementLabel: String
    /// Busy threads share a CPU, or a host thread that does not mostly
    /// sleep shares one with them.
    public var oversubscribed: Bool
    /// The host thread shares a CPU with a sender or vCPU.
    public var hostSharesCPU: Bool
    /// Where senders and vCPUs sit relative to each other; nil unpinned.
    public var pairs: PairFacts?
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
    /// What the sweep was fitted to (`--budget`).
    public let budgetSeconds: Double
    /// What the budget cut from the lists not given.
    public let leftOut: [LeftOut]
    /// Ports per sender were not given: 16, fewer where the ABI needs it.
    public let fittedPorts: Bool

    /// configurations x reps (checked not to overflow when planned).
    public var runCount: Int { configurations.count * reps }

    /// The wall time the sweep should take.
    public var estimatedSeconds: Double {
        Double(runCount) * (durationSeconds + warmupSeconds + DefaultSuite.runOverheadSeconds)
    }

    /// The runs in the order they happen, made lazily; within a pass, the
    /// designs of one pairing key run as a block.
    public func schedule() -> RunSchedule {
        RunSchedule(groups: configurations.map { $0.key(host: nil).pairingKey }, passes: reps, seed: orderSeed)
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
        let warmup = options.warmupSeconds ?? DefaultSuite.warmupSeconds(quick: options.quick)
        let fit = SuiteFit(options: options, topology: topology, warmup: warmup)
        try refuseBadCounts(fit)
        let levels = fit.fitted()
        var configurations: [PlannedConfiguration] = []
        for entry in fit.entries(levels) { configurations.append(try placed(entry, warmup: warmup)) }
        guard !configurations.isEmpty else { throw PlanError("nothing to run") }
        let timing = DefaultSuite.timing(configurations: configurations.count, options: options, warmup: warmup,
                                         budget: fit.budgetSeconds)
        guard configurations.count.multipliedReportingOverflow(by: timing.reps).overflow == false else {
            throw PlanError("--reps \(timing.reps) x \(configurations.count) configurations is too many runs")
        }
        for index in configurations.indices {
            configurations[index].configuration.durationSeconds = timing.duration
            do { try configurations[index].configuration.validate() } catch { throw PlanError(error.description) }
            // Once valid: the senders' plans say which vCPU each sends to.
            if options.pin { configurations[index].pairs = pairFacts(configurations[index]) }
        }
        let seed = options.interleave ? options.seed ?? UInt64.random(in: 0...UInt64.max) : nil
        return SweepPlan(configurations: configurations, reps: timing.reps, durationSeconds: timing.duration,
                         warmupSeconds: warmup, orderSeed: seed, topology: topology,
                         isDefaultSuite: options.senders == nil && options.vcpus == nil && options.scenarios == nil,
                         budgetSeconds: fit.budgetSeconds, leftOut: fit.leftOut(levels),
                         fittedPorts: options.portsPerSender == nil)
    }

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
        if !o.pin, o.hasExplicitCPUs || o.placements != nil || o.pairs != nil {
            throw PlanError("--no-pin leaves threads to the scheduler; it cannot go with CPU lists, --placement or --pairs")
        }
        try refusePairsWithOthers()
    }

    /// `--pairs` places one sender and one vCPU of one design per cell.
    func refusePairsWithOthers() throws(PlanError) {
        let o = options
        guard o.pairs != nil else { return }
        guard o.designs.count == 1 else { throw PlanError("--pairs measures one design: give --design NAME") }
        if o.placements != nil || o.hasExplicitCPUs {
            throw PlanError("--pairs chooses every thread's CPU; it cannot go with --placement or CPU lists")
        }
        if (o.senders.map { $0 != [1] } ?? false) || (o.vcpus.map { $0 != [1] } ?? false) {
            throw PlanError("--pairs places one sender and one vCPU per cell: leave out --senders and --vcpus")
        }
    }

    /// Repetitions below 1, a budget out of range, or one with nothing to fit.
    func refuseBadCounts(_ fit: SuiteFit) throws(PlanError) {
        if let reps = options.reps, reps < 1 { throw PlanError("repetitions must be at least 1 (got \(reps))") }
        guard let budget = options.budgetMinutes else { return }
        guard budget > 0 && budget <= DefaultSuite.maximumBudgetMinutes else {
            throw PlanError("--budget must be more than 0 and at most \(Int(DefaultSuite.maximumBudgetMinutes)) minutes (got \(budget))")
        }
        guard fit.usesBudget else { throw PlanError("--budget changes nothing when --reps, --duration and every list are given") }
    }

    /// The configuration of `entry`, from the template, placed.
    func placed(_ entry: SuiteEntry, warmup: Double) throws(PlanError) -> PlannedConfiguration {
        var c = template.adapted(to: entry.scenario)
        c.design = entry.design
        c.relocation = entry.strategy
        c.senders = entry.point.senders
        c.vcpus = entry.point.vcpus
        c.portsPerSender = options.portsPerSender ?? DefaultSuite.portsPerSender(senders: c.senders, abi: c.abi)
        c.warmupSeconds = warmup
        return try placed(c, policy: entry.point.policy, pair: entry.point.pair)
    }

    func placed(_ configuration: RunConfiguration, policy: PlacementPolicy, pair: (PinnedPair, label: String)? = nil)
        throws(PlanError) -> PlannedConfiguration {
        let step = pair?.0
        var request = PlacementRequest(senders: configuration.senders, vcpus: configuration.vcpus)
        request.policy = policy
        request.senderCPUs = step.map { [$0.sender] } ?? options.senderCPUs
        request.vcpuCPUs = step.map { [$0.vcpu] } ?? options.vcpuCPUs
        request.hostCPUs = step.map { [topology.pairHost($0)] } ?? options.hostCPU.map { [$0] }
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
            label = pair?.label
                ?? (allExplicit ? "explicit" : policy.rawValue + (options.hasExplicitCPUs ? "+explicit" : ""))
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
                                    hostSharesCPU: hostShares, pairs: nil)
    }

    /// Each sender with each vCPU its ports are bound to.
    private func pairFacts(_ planned: PlannedConfiguration) -> PairFacts {
        let p = planned.placement
        let pairs = planned.configuration.plans.enumerated().flatMap { sender, plan in
            Set(plan.targets.map { Int($0.vcpu) }).sorted().map { (sender: p.senderCPUs[sender], vcpu: p.vcpuCPUs[$0]) }
        }
        return topology.pairFacts(pairs, busy: p.senderCPUs + p.vcpuCPUs)
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
