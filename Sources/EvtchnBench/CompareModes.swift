import Platform
import Reports

extension CompareCommand {
    /// When the two reports' hand-offs (`c2c_ns`) fall into two modes, the
    /// absolute delivered/s of each configuration within each mode, OLD ->
    /// NEW: the only absolute numbers that compare on such a machine.
    static func modeLines(_ comparison: Comparison, brief: ([String]) -> String) -> [String] {
        let modes = comparison.modes
        guard modes.isBimodal else { return [] }
        let side = { (s: ModeChange.Side) in s.median.map { "\(compactNumber($0)) (\(s.count))" } ?? "- (0)" }
        var lines = ["machine modes: c2c_ns falls into \(modes.name(0)) and \(modes.name(1)) over both reports; "
                     + "delivered/s within one mode, OLD -> NEW (rows):"]
        for change in comparison.modeChanges {
            let cells = (0...1).map { mode in
                let ratio = change.old[mode].median.flatMap { old in change.new[mode].median.map { old > 0 ? $0 / old : 0 } }
                return "\(mode == 0 ? "near" : "far") \(side(change.old[mode])) -> \(side(change.new[mode]))"
                    + (ratio.map { " (\(formatFixed($0, decimals: 3)))" } ?? "")
            }
            let key = brief(change.key)
            lines.append("  \(key.isEmpty ? "(all)" : key): " + cells.joined(separator: ", "))
        }
        return lines
    }
}
