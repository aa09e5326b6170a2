import GuestMemory
import LockDesigns
import Runner
import Topology

/// The default suite, fitted to the machine it runs on and to a time
/// budget (`--budget`: 5 minutes, `--quick` 1). Every configuration keeps
/// at least `minimumReps` interleaved repetitions of at least
/// `minimumDurationSeconds` on any machine; the budget cuts configurations
/// instead (`SuiteFit`), first: the sender counts between 1 and the
/// largest (a geometric subset stays), then the relocate block's designs
/// (rwlock, seqlock and rcu stay longest), then the 4-vCPU count, then the
/// split placement, then the largest sender count. Every design at 1
/// sender, 1 vCPU, compact is never cut. Lists the user gives are kept.
enum DefaultSuite {
    /// Wall time a run costs beyond its warm-up and measured window
    /// (guest memory, thread start and join, final drain), measured on the
    /// 2-core VM of results/README.md.
    static let runOverheadSeconds = 0.05
    /// Never measure less than this per run: shorter windows are mostly
    /// start-up and scheduler noise.
    static let minimumDurationSeconds = 0.5
    static let maximumDurationSeconds = 2.0
    /// The fewest repetitions whose order-statistic interval of the median
    /// reaches 95 % (`Statistics.medianInterval`): fewer give none.
    static let minimumReps = 6
    /// Repetitions grow past the minimum only once runs are at the
    /// longest duration and the budget still has room.
    static let maximumReps = 30
    /// A plan this much over its budget still fits: 5 % is not worth a cut.
    static let budgetSlack = 1.05
    /// `--budget` above this (a day) is a slip, not a plan.
    static let maximumBudgetMinutes = 1440.0
    /// Ports per sender unless `--ports-per-sender` says otherwise.
    static let portsPerSender = 16

    static func budgetMinutes(quick: Bool) -> Double { quick ? 1 : 5 }

    static func warmupSeconds(quick: Bool) -> Double { quick ? 0.1 : 0.25 }

    /// 1 vCPU and, on machines with at least 8 usable CPUs, also 4.
    static func vcpuCounts(on topology: Topology) -> [Int] {
        topology.allowedCPUs.count >= 8 ? [1, 4] : [1]
    }

    /// compact and, on machines with two nodes or more (that this process
    /// may use), also split, so that the cost of crossing nodes shows.
    static func placements(on topology: Topology) -> [PlacementPolicy] {
        let ladder: [PlacementPolicy] = topology.ladder().count > 1 ? [.ladder] : []
        return [.compact] + ladder + (topology.allowedCPUsByNode().count >= 2 ? [.split] : [])
    }

    /// The relocate block's designs, kept longest first: KVM's rwlock, then
    /// the optimistic and grace-period families, then the catalogue's order.
    static func relocationDesigns(of designs: [LockDesign]) -> [LockDesign] {
        let first: [LockDesign] = [.rwlock, .seqlock, .rcu]
        return first.filter(designs.contains) + designs.filter { !first.contains($0) }
    }

    /// 1, 2, 4, ... up to `capacity`, and `capacity` itself.
    static func senderCounts(capacity: Int) -> [Int] {
        var counts: [Int] = []
        var count = 1
        while count < capacity {
            counts.append(count)
            count *= 2
        }
        return counts + [capacity]
    }

    /// `counts` (from `senderCounts`) cut down: 1, and with `largest` the
    /// largest and `middle` of the counts between, spread evenly over
    /// them (a geometric subset, the counts being powers of two).
    static func thinned(_ counts: [Int], middle: Int, largest: Bool) -> [Int] {
        guard counts.count > 1, largest else { return Array(counts.prefix(1)) }
        let between = Array(counts.dropFirst().dropLast())
        guard middle < between.count else { return counts }
        let step = Double(between.count + 1) / Double(middle + 1)
        let kept = (0..<middle).map { between[Int((Double($0 + 1) * step).rounded()) - 1] }
        return [counts[0]] + kept + [counts[counts.count - 1]]
    }

    /// Repetitions and measured seconds for `configurations`, what the
    /// options give kept: at least `minimumReps` runs of the longest
    /// duration (0.5 to 2 s) that fits `budget`; more repetitions (up to
    /// 30) only once runs are 2 s long and the budget has room left.
    static func timing(configurations: Int, options: SweepOptions, warmup: Double,
                       budget: Double) -> (reps: Int, duration: Double) {
        let overhead = warmup + runOverheadSeconds
        let count = Double(max(1, configurations))
        let fitted = budget / (count * Double(options.reps ?? minimumReps)) - overhead
        let duration = options.durationSeconds
            ?? min(maximumDurationSeconds, max(minimumDurationSeconds, (fitted * 100).rounded(.down) / 100))
        if let reps = options.reps { return (reps, duration) }
        if options.durationSeconds == nil && duration < maximumDurationSeconds { return (minimumReps, duration) }
        // A duration or warm-up out of range (NaN, huge) is refused later by
        // validation; here it only must not trap.
        let fitting = budget / (count * (duration + overhead))
        guard fitting.isFinite else { return (minimumReps, duration) }
        return (Int(min(max(fitting, Double(minimumReps)), Double(maximumReps))), duration)
    }

    /// 16, or fewer where `senders` x 16 exceed the ABI's ports.
    static func portsPerSender(senders: Int, abi: GuestABI) -> Int {
        max(1, min(portsPerSender, abi.portCount / max(1, senders)))
    }
}
