import Delivery
import LockDesigns
import Runner
import Topology

/// One (placement, vCPUs, senders) point of the grid the scenarios run at.
struct GridPoint: Hashable {
    let policy: PlacementPolicy
    let vcpus: Int
    let senders: Int
    /// The pair's PUs and placement label, for a ladder step or a cell of
    /// the `--pairs` matrix.
    var pair: (PinnedPair, label: String)? = nil

    static func == (a: GridPoint, b: GridPoint) -> Bool {
        (a.policy, a.vcpus, a.senders, a.pair?.0, a.pair?.label) == (b.policy, b.vcpus, b.senders, b.pair?.0, b.pair?.label)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(policy)
        hasher.combine(vcpus)
        hasher.combine(senders)
        hasher.combine(pair?.label)
    }
}

/// One configuration before it is placed: a design and scenario at a point.
struct SuiteEntry {
    let design: LockDesign
    let scenario: Scenario
    let strategy: RelocationStrategy
    let point: GridPoint
}

/// The ways the budget cuts the default suite, in the order it cuts them
/// (`DefaultSuite` says which comes first and why). Each has levels from
/// 0, cut as far as it goes, up to `SuiteFit.tops`, all of it.
enum Cut: Int, CaseIterable {
    case middleSenders, relocation, vcpus, placements, largestSenders
}

/// The level each cut is at.
struct CutLevels: Equatable {
    private var levels = [Int](repeating: 0, count: Cut.allCases.count)
    subscript(cut: Cut) -> Int {
        get { levels[cut.rawValue] }
        set { levels[cut.rawValue] = newValue }
    }
}

/// The default suite's lists and their fitting to the budget: every cut is
/// first made as deep as it goes, then each, the last-cut first, grows
/// back as far as the budget allows, so that a cut is made only where the
/// ones before it were not enough. A list the user gave is never cut.
struct SuiteFit {
    let options: SweepOptions
    let topology: Topology
    let budgetSeconds: Double
    /// One configuration's repetitions at the shortest (or given) duration.
    let secondsPerConfiguration: Double
    let placements: [PlacementPolicy]
    let vcpuCounts: [Int]
    /// The relocate block's designs in the order they are kept; none when
    /// scenarios are given (they run at every point instead).
    let relocationDesigns: [LockDesign]
    let strategies: [RelocationStrategy]
    private(set) var tops = CutLevels()

    init(options: SweepOptions, topology: Topology, warmup: Double) {
        self.options = options
        self.topology = topology
        budgetSeconds = 60 * (options.budgetMinutes ?? DefaultSuite.budgetMinutes(quick: options.quick))
        let run = (options.durationSeconds ?? DefaultSuite.minimumDurationSeconds) + warmup + DefaultSuite.runOverheadSeconds
        secondsPerConfiguration = Double(options.reps ?? DefaultSuite.minimumReps) * run
        // The ladder is 1 sender + 1 vCPU: part of the default only when
        // the sender and vCPU counts are fitted too.
        let fitted = DefaultSuite.placements(on: topology).filter {
            $0 != .ladder || (options.senders == nil && options.vcpus == nil)
        }
        placements = options.pin ? options.placements ?? fitted : [.compact]
        vcpuCounts = options.vcpus ?? DefaultSuite.vcpuCounts(on: topology)
        relocationDesigns = options.scenarios == nil && options.pairs == nil
            ? DefaultSuite.relocationDesigns(of: options.designs) : []
        strategies = options.strategies ?? RelocationStrategy.allCases
        let fullLists = placements.flatMap { p in vcpuCounts.map { fullSenders(p, vcpus: $0) } }
        if options.senders == nil {
            tops[.middleSenders] = fullLists.map { max(0, $0.count - 2) }.max() ?? 0
            tops[.largestSenders] = fullLists.contains { $0.count > 1 } ? 1 : 0
        }
        tops[.relocation] = relocationDesigns.count
        if options.vcpus == nil { tops[.vcpus] = vcpuCounts.count - 1 }
        if options.placements == nil && options.pin { tops[.placements] = placements.count - 1 }
    }

    /// Something here is fitted to the budget (or the duration or
    /// repetitions are): else `--budget` would change nothing.
    var usesBudget: Bool {
        options.reps == nil || options.durationSeconds == nil || Cut.allCases.contains { tops[$0] > 0 }
    }

    /// The levels that fit the budget: each cut, the last-cut first, as
    /// high as fits with the ones after it already grown. The counts
    /// between 1 and the largest come back only with the largest.
    func fitted() -> CutLevels {
        var levels = CutLevels()
        for cut in Cut.allCases.reversed() {
            if cut == .middleSenders && levels[.largestSenders] < tops[.largestSenders] { continue }
            while levels[cut] < tops[cut] {
                var next = levels
                next[cut] += 1
                guard seconds(next) <= budgetSeconds * DefaultSuite.budgetSlack else { break }
                levels = next
            }
        }
        return levels
    }

    /// The sweep's wall time at `levels`, at the shortest (or given) runs.
    func seconds(_ levels: CutLevels) -> Double {
        Double(entries(levels).count) * secondsPerConfiguration
    }

    /// Every configuration at `levels`, design by design: the scenarios at
    /// every grid point, then the relocate block at the first point.
    func entries(_ levels: CutLevels) -> [SuiteEntry] {
        let grid = grid(levels)
        let relocating = Set(relocationDesigns.prefix(levels[.relocation]))
        var entries: [SuiteEntry] = []
        for design in options.designs {
            for scenario in options.scenarios ?? [.ipi] {
                for strategy in scenario == .relocate ? strategies : [options.template.relocation] {
                    entries += grid.map { SuiteEntry(design: design, scenario: scenario, strategy: strategy, point: $0) }
                }
            }
            guard relocating.contains(design), let first = grid.first else { continue }
            entries += strategies.map { SuiteEntry(design: design, scenario: .relocate, strategy: $0, point: first) }
        }
        return entries
    }

    /// The (placement, vCPUs, senders) points at `levels`.
    func grid(_ levels: CutLevels) -> [GridPoint] {
        let keptPlacements = placements.prefix(placements.count - tops[.placements] + levels[.placements])
        let keptVCPUs = vcpuCounts.prefix(vcpuCounts.count - tops[.vcpus] + levels[.vcpus])
        if let selection = options.pairs {
            return topology.pairMatrix(selection).map { GridPoint(policy: .compact, vcpus: 1, senders: 1, pair: ($0, $0.label)) }
        }
        return keptPlacements.flatMap { policy in
            // The ladder is one sender and one vCPU, once per step.
            guard policy != .ladder else {
                return topology.ladder().map {
                    GridPoint(policy: .ladder, vcpus: 1, senders: 1,
                              pair: (PinnedPair(sender: $0.sender, vcpu: $0.vcpu), "ladder-\($0.name)"))
                }
            }
            return keptVCPUs.flatMap { vcpus in
                let senders = options.senders ?? DefaultSuite.thinned(
                    fullSenders(policy, vcpus: vcpus), middle: levels[.middleSenders], largest: levels[.largestSenders] > 0)
                return senders.map { GridPoint(policy: policy, vcpus: vcpus, senders: $0) }
            }
        }
    }

    /// 1, 2, 4, ... up to the CPUs this placement leaves for senders.
    func fullSenders(_ policy: PlacementPolicy, vcpus: Int) -> [Int] {
        DefaultSuite.senderCounts(capacity: options.senderCPUs?.count ?? senderCapacity(policy, vcpus: vcpus, on: topology))
    }
}
