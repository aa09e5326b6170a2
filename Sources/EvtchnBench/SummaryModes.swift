import Platform
import Reports
import Runner
import SweepPlan

extension SummaryTable {
    /// When the runs' hand-offs (`c2c_ns`) fall into two modes, says so and
    /// gives each configuration's median delivered/s per mode: an absolute
    /// number means something only with the mode it was measured in.
    /// Suspect runs are left out, as from the table.
    var modeLines: [String] {
        let all = results.values.joined().compactMap(\.handOffMedian)
        let modes = HandOffModes(all)
        guard modes.isBimodal else { return [] }
        let keys = position.keys.sorted { position[$0]! < position[$1]! }
        let varying = ConfigurationKey.varying(keys).filter { $0 != .design }
        var lines = ["machine modes: c2c_ns falls into two groups, \(modes.name(0)) in \(modes.counts[0]) run(s) and "
                     + "\(modes.name(1)) in \(modes.counts[1]); median delivered/s per mode (runs):"]
        for key in keys {
            let runs = results[key]!.filter { $0.handOffMedian != nil }
            let cells = (0...1).map { mode in
                let rates = runs.filter { modes.mode(of: $0.handOffMedian!) == mode }.map(\.deliveredPerSecond)
                let median = Statistics.median(rates).map(compactNumber) ?? "-"
                return "\(mode == 0 ? "near" : "far") \(median) (\(rates.count))"
            }
            lines.append("  " + ([key[.design] ?? ""] + key.words(varying)).joined(separator: " ") + ": "
                         + cells.joined(separator: ", "))
        }
        return lines
    }
}
