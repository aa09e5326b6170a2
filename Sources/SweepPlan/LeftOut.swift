import Runner
import Topology

/// Part of the default suite the budget left out, and the options that
/// bring it back: what `run --plan` says, so that no cut is silent.
public struct LeftOut: Sendable, Equatable, CustomStringConvertible {
    /// "senders 2,4,8", "vCPUs 4", "placement split", "relocate for mutex".
    public let what: String
    /// "--senders 1,2,4,8,14 or --budget 12", "--budget 2".
    public let restoredBy: String

    public var description: String { "left out: \(what) (give \(restoredBy))" }
}

extension SuiteFit {
    /// What `levels` leave out, in the order of the cuts.
    func leftOut(_ levels: CutLevels) -> [LeftOut] {
        var result = leftOutSenders(levels)
        if levels[.relocation] < tops[.relocation] {
            let missing = relocationDesigns.dropFirst(levels[.relocation]).map(\.rawValue)
            let what = levels[.relocation] == 0 ? "the relocate scenario" : "relocate for " + missing.joined(separator: ",")
            result.append(LeftOut(what: what, restoredBy: budget(restoring: .relocation)))
        }
        if levels[.vcpus] < tops[.vcpus] {
            let kept = vcpuCounts.count - tops[.vcpus] + levels[.vcpus]
            result.append(LeftOut(what: "vCPUs " + list(vcpuCounts.dropFirst(kept)),
                                  restoredBy: "--vcpus \(list(vcpuCounts)) or \(budget(restoring: .vcpus))"))
        }
        if levels[.placements] < tops[.placements] {
            let kept = placements.count - tops[.placements] + levels[.placements]
            result.append(LeftOut(what: "placement " + names(placements.dropFirst(kept)),
                                  restoredBy: "--placement \(names(placements)) or \(budget(restoring: .placements))"))
        }
        return result
    }

    /// The sender counts cut from the placements and vCPU counts kept:
    /// those between 1 and the largest, then the largest (each restored
    /// by its own budget). `--senders` is offered only where one list
    /// would fit every placement and vCPU count kept.
    private func leftOutSenders(_ levels: CutLevels) -> [LeftOut] {
        var withLargest = levels
        withLargest[.largestSenders] = tops[.largestSenders]
        var whole = withLargest
        whole[.middleSenders] = tops[.middleSenders]
        let lists = Dictionary(grouping: grid(whole)) { "\($0.policy) \($0.vcpus)" }.values.map { $0.map(\.senders) }
        let option = Set(lists).count == 1 ? "--senders \(list(lists[0])) or " : ""
        let steps = [(withLargest, whole, Cut.middleSenders), (levels, withLargest, Cut.largestSenders)]
        return steps.compactMap { from, to, cut in
            let kept = Set(grid(from))
            let missing = Set(grid(to).filter { !kept.contains($0) }.map(\.senders)).sorted()
            return missing.isEmpty ? nil : LeftOut(what: "senders " + list(missing), restoredBy: option + budget(restoring: cut))
        }
    }

    /// `--budget N`: whole minutes that keep `cut` and every cut made after
    /// it whole (the ones made before it may still be made).
    private func budget(restoring cut: Cut) -> String {
        var levels = CutLevels()
        for later in Cut.allCases where later.rawValue >= cut.rawValue { levels[later] = tops[later] }
        let minutes = seconds(levels) / 60
        return "--budget " + (minutes.isFinite ? "\(Int(min(minutes, 1e6).rounded(.up)))" : "larger")
    }
}

private func list(_ values: some Sequence<Int>) -> String { values.map(String.init).joined(separator: ",") }

private func names(_ policies: some Sequence<PlacementPolicy>) -> String { policies.map(\.rawValue).joined(separator: ",") }
