import Delivery
import GuestMemory
import LockDesigns

/// One configuration of a sweep and its repetition number (1-based).
public struct SweepPoint: Sendable {
    public var configuration: RunConfiguration
    public var rep: Int
}

/// What a sweep varies; every other knob comes from `template`.
public struct SweepRequest: Sendable {
    public var designs: [LockDesign]
    public var scenarios: [Scenario]
    public var senders: [Int]
    public var vcpus: [Int]
    public var reps: Int
    /// Strategies the relocate scenario sweeps over (others ignore them).
    public var strategies: [RelocationStrategy]
    public var template: RunConfiguration

    public init(designs: [LockDesign], scenarios: [Scenario], senders: [Int], vcpus: [Int], reps: Int,
                strategies: [RelocationStrategy] = [.deactivate], template: RunConfiguration) {
        self.designs = designs
        self.scenarios = scenarios
        self.strategies = strategies
        self.senders = senders
        self.vcpus = vcpus
        self.reps = reps
        self.template = template
    }

    /// The points in run order: design, scenario (and strategy, for
    /// relocate), vCPUs, senders (ascending, so the 1-sender run that
    /// speedups divide by comes first), repetition.
    public func points() -> [SweepPoint] {
        var points: [SweepPoint] = []
        for design in designs {
            for scenario in scenarios {
                for strategy in scenario == .relocate ? strategies : [template.relocation] {
                for vcpus in vcpus.sorted() {
                    for senders in senders.sorted() {
                        for rep in 1...max(reps, 1) {
                            var configuration = template
                            configuration.design = design
                            configuration.scenario = scenario
                            configuration.vcpus = vcpus
                            configuration.senders = senders
                            configuration.relocation = strategy
                            points.append(SweepPoint(configuration: configuration, rep: rep))
                        }
                    }
                }
                }
            }
        }
        return points
    }
}

public struct ListSyntaxError: Error, CustomStringConvertible, Equatable {
    public let option: String
    public let text: String
    public let reason: String
    public var description: String { "\(option): '\(text)' \(reason)" }
}

/// Parses a list of positive counts: "1,2,4", "1-4", "1-2,8". Duplicates
/// are dropped; order is ascending.
public func parseCountList(_ text: String, option: String) throws(ListSyntaxError) -> [Int] {
    func fail(_ reason: String) -> ListSyntaxError { ListSyntaxError(option: option, text: text, reason: reason) }
    guard !text.isEmpty else { throw fail("is empty; give counts like 1,2,4 or 1-4") }
    var counts = Set<Int>()
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last!) else {
            throw fail("is not a list of counts like 1,2,4 or 1-4")
        }
        guard low >= 1 else { throw fail("contains \(low); counts must be at least 1") }
        guard low <= high else { throw fail("contains the empty range \(low)-\(high)") }
        guard high <= 4096 else { throw fail("contains \(high); at most 4096") }
        counts.formUnion(low...high)
    }
    return counts.sorted()
}
