/// SplitMix64 (Steele, Lea and Flood, 2014): a small generator whose
/// sequence for a given seed is the same on every platform and Swift
/// version, which the standard library's generators do not promise. A
/// recorded `order_seed` must replay the same order for years.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<count; the modulo bias is below 2^-40 for any count a sweep has.
    mutating func index(below count: Int) -> Int { Int(next() % UInt64(count)) }

    /// A Fisher-Yates shuffle of 0..<count.
    mutating func permutation(of count: Int) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, index(below: i + 1))
            i -= 1
        }
        return order
    }
}

/// One run of a sweep: its position, which configuration, which repetition.
public struct ScheduledRun: Sendable, Equatable {
    /// 0-based position in the sweep (the row's `run_order` is this + 1).
    public let index: Int
    /// Index into `SweepPlan.configurations`.
    public let configuration: Int
    /// Repetition, from 1; interleaved, also the pass the run belongs to.
    public let rep: Int
}

/// The runs of a sweep in the order they happen, made one at a time, so a
/// sweep of a million repetitions starts at once and never holds more than
/// one pass.
///
/// Interleaved, every pass runs each configuration once, in an order
/// shuffled per pass by one SplitMix64 stream from the seed: a slow phase of
/// the machine (another job, a frequency or placement change of the VM)
/// then hits every design alike instead of the one whose block it fell in.
/// Within a pass the configurations run in blocks: those of one group (the
/// designs of one pairing key) back to back, so the rows a paired ratio
/// divides are seconds apart, not a pass apart. Each pass draws the order
/// of the groups, then, group by group in that order, the order of its
/// members. Blocked (no seed), each configuration's repetitions run back to
/// back.
public struct RunSchedule: Sequence, IteratorProtocol, Sendable {
    let configurations: Int
    let passes: Int
    /// Each group's configurations, in plan order; groups in first-seen order.
    private let members: [[Int]]
    private var generator: SplitMix64?
    private var order: [Int] = []
    private var index = 0

    /// `groups[c]` is configuration c's group: any value, equal for the
    /// configurations run back to back within a pass.
    init<Group: Hashable>(groups: [Group], passes: Int, seed: UInt64?) {
        configurations = groups.count
        self.passes = passes
        var slots: [Group: Int] = [:]
        var members: [[Int]] = []
        for (configuration, group) in groups.enumerated() {
            let slot = slots[group] ?? members.count
            if slot == members.count { members.append([]); slots[group] = slot }
            members[slot].append(configuration)
        }
        self.members = members
        generator = seed.map(SplitMix64.init(seed:))
    }

    public mutating func next() -> ScheduledRun? {
        guard configurations > 0, index / configurations < passes else { return nil }
        defer { index += 1 }
        let position = index % configurations
        guard var generator else {
            return ScheduledRun(index: index, configuration: index / passes, rep: index % passes + 1)
        }
        if position == 0 {
            order = generator.permutation(of: members.count).flatMap { group in
                generator.permutation(of: members[group].count).map { members[group][$0] }
            }
            self.generator = generator
        }
        return ScheduledRun(index: index, configuration: order[position], rep: index / configurations + 1)
    }
}
