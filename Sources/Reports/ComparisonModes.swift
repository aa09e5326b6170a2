/// One configuration's delivered/s on each side, within each of the
/// machine's two modes: on a machine whose cache-line hand-off jumps
/// (`HandOffModes`), absolute numbers compare only within one mode.
public struct ModeChange: Sendable {
    public struct Side: Sendable {
        public let median: Double?
        public let count: Int
    }

    /// The configuration, as "column=value" pairs.
    public let key: [String]
    /// Per mode (near, far): OLD's and NEW's rows in it.
    public let old: [Side]
    public let new: [Side]
}

extension Comparison {
    /// Each compared configuration's delivered/s within each mode, when
    /// the two reports' hand-offs fall into two; none otherwise.
    static func modeChanges(entries: [[String]], old: Groups, new: Groups, modes: HandOffModes) -> [ModeChange] {
        guard modes.isBimodal else { return [] }
        let delivered = metrics.firstIndex { $0.column == .deliveredPerSecond }!
        func sides(_ group: Groups, _ key: ConfigurationKey) -> [ModeChange.Side] {
            let values = group.samples(key)?[delivered] ?? []
            let figures = group.handOffs[key] ?? []
            return (0...1).map { mode in
                let inMode = modes.values(values, figures: figures, in: mode)
                return ModeChange.Side(median: Statistics.median(inMode), count: inMode.count)
            }
        }
        return old.ordered.map(\.key).filter { entries.contains($0.words) }.map { key in
            ModeChange(key: key.words, old: sides(old, key), new: sides(new, key))
        }
    }
}

extension Comparison {
    /// Which rows a configuration's absolute medians take. On a machine
    /// with one mode (or rows without `c2c_ns`), all of them. On one with
    /// two, those of the mode in which both sides have the most rows (the
    /// larger of the two sides' smaller counts; near on a tie): absolute
    /// numbers measured in two modes describe two machines. When the sides
    /// share no mode, all rows, and no verdict.
    public enum Basis: Sendable, Equatable {
        case allRows
        case mode(Int)
        case modesDiffer
    }

    static func basis(old: [Double?], new: [Double?], modes: HandOffModes) -> Basis {
        guard modes.isBimodal else { return .allRows }
        let counts = { (figures: [Double?], mode: Int) in figures.compactMap { $0 }.filter { modes.mode(of: $0) == mode }.count }
        let shared = (0...1).map { min(counts(old, $0), counts(new, $0)) }
        let best = shared[1] > shared[0] ? 1 : 0
        guard shared[best] > 0 else { return .modesDiffer }
        return .mode(best)
    }
}

extension HandOffModes {
    /// The values (parallel to `figures`) that `basis` takes.
    func select(_ values: [Double], _ figures: [Double?], _ basis: Comparison.Basis) -> [Double] {
        guard case .mode(let wanted) = basis else { return values }
        return self.values(values, figures: figures, in: wanted)
    }
}
