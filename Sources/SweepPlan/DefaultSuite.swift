import Runner
import Topology

/// The default suite, fitted to the machine it runs on: every list the
/// options leave out, and the duration and repetitions that make the whole
/// sweep last about `budgetSeconds`.
enum DefaultSuite {
    /// Wall time a run costs beyond its warm-up and measured window
    /// (guest memory, thread start and join, final drain), measured on the
    /// 2-core VM of results/README.md.
    static let runOverheadSeconds = 0.05
    /// Never measure less than this per run: shorter windows are mostly
    /// start-up and scheduler noise.
    static let minimumDurationSeconds = 0.5
    static let maximumDurationSeconds = 2.0
    static let maximumReps = 5

    static func budgetSeconds(quick: Bool) -> Double { quick ? 60 : 300 }

    static func warmupSeconds(quick: Bool) -> Double { quick ? 0.1 : 0.25 }

    /// 1 vCPU and, on machines with at least 8 usable CPUs, also 4 (not in
    /// the quick suite).
    static func vcpuCounts(on topology: Topology, quick: Bool) -> [Int] {
        topology.allowedCPUs.count >= 8 && !quick ? [1, 4] : [1]
    }

    /// compact and, on machines with two nodes or more (that this process
    /// may use), also split, so that the cost of crossing nodes shows.
    static func placements(on topology: Topology) -> [PlacementPolicy] {
        topology.allowedCPUsByNode().count >= 2 ? [.compact, .split] : [.compact]
    }

    /// 1, 2, 4, ... up to `capacity`, and `capacity` itself; the quick
    /// suite keeps only 1 and `capacity`.
    static func senderCounts(capacity: Int, quick: Bool) -> [Int] {
        guard !quick else { return capacity > 1 ? [1, capacity] : [1] }
        var counts: [Int] = []
        var count = 1
        while count < capacity {
            counts.append(count)
            count *= 2
        }
        return counts + [capacity]
    }

    /// Repetitions and measured seconds for `configurations` configurations:
    /// as many repetitions (up to 5) as fit with runs of at least the
    /// minimum duration, then the longest duration (up to 2 s) that fits.
    /// Two repetitions rather than one when that overruns the budget by at
    /// most a quarter: one gives no interval at all. What the options give
    /// is kept.
    static func timing(configurations: Int, options: SweepOptions, warmup: Double) -> (reps: Int, duration: Double) {
        let budget = budgetSeconds(quick: options.quick)
        let shortest = Double(configurations) * (max(options.durationSeconds ?? 0, minimumDurationSeconds) + warmup + runOverheadSeconds)
        // A duration or warm-up out of range (NaN, huge) is refused later by
        // validation; here it only must not trap.
        let fitting = shortest.isFinite && shortest > 0 ? min(maximumReps, max(1, Int(min(budget / shortest, 1e6)))) : 1
        let reps = options.reps ?? (fitting == 1 && 2 * shortest <= 1.25 * budget ? 2 : fitting)
        let fitted = budget / (Double(configurations) * Double(reps)) - warmup - runOverheadSeconds
        let duration = options.durationSeconds
            ?? min(maximumDurationSeconds, max(minimumDurationSeconds, (fitted * 100).rounded(.down) / 100))
        return (reps, duration)
    }
}
