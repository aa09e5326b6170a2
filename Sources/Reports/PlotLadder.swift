import Platform

/// The cost-of-distance ladder: rows placed `ladder-<step>` (one sender and
/// one vCPU at each tier the machine has) drawn as delivered/s and e2e p50
/// per step, closest first, one line per design, with intervals.
extension PlotData {
    static let ladderPrefix = "ladder-"

    static func isLadder(_ key: ConfigurationKey) -> Bool { key[.placement]?.hasPrefix(ladderPrefix) == true }

    /// One ladder picture's steps and designs.
    struct Ladder {
        /// "scenario=ipi host=b"-like: what the panel's rows share that
        /// other ladder panels' do not; empty for the only one.
        let label: String
        /// Step names ("smt", "llc", "node", "remote-21"), closest first.
        let steps: [String]
        /// Per design, the series of each step (nil where it has none).
        let lines: [(design: String, series: [ConfigurationKey?])]
    }

    /// The report's ladders: its ladder rows grouped by every key column
    /// but design and placement.
    func ladders() -> [Ladder] {
        let rungs = series.filter(Self.isLadder)
        let varying = ConfigurationKey.varying(rungs).filter { $0 != .design && $0 != .placement }
        var panels: [ConfigurationKey] = []
        for rung in rungs where !panels.contains(rung.without([.design, .placement])) {
            panels.append(rung.without([.design, .placement]))
        }
        return panels.map { panel in
            let mine = rungs.filter { $0.without([.design, .placement]) == panel }
            let steps = Self.stepOrder(Set(mine.compactMap { $0[.placement].map { String($0.dropFirst(Self.ladderPrefix.count)) } }))
            var designs: [String] = []
            for rung in mine where !designs.contains(rung[.design] ?? "") { designs.append(rung[.design] ?? "") }
            let lines = designs.map { design in
                (design, steps.map { step in mine.first { $0[.design] == design && $0[.placement] == Self.ladderPrefix + step } })
            }
            return Ladder(label: panel.words(varying).joined(separator: " "), steps: steps, lines: lines)
        }
    }

    /// smt, llc, node, then remote steps by distance.
    static func stepOrder(_ steps: Set<String>) -> [String] {
        let rank = { (step: String) -> (Int, Int) in
            let parts = step.split(separator: "-")
            let tier = ["smt", "llc", "node", "remote"].firstIndex(of: String(parts.first ?? "")) ?? 4
            return (tier, parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
        }
        return steps.sorted { a, b in (rank(a).0, rank(a).1, a) < (rank(b).0, rank(b).1, b) }
    }

    /// One ladder picture of `column` (delivered/s in millions, or ns).
    func ladderPlot(_ ladder: Ladder, _ column: Column) -> String {
        let throughput = column == .deliveredPerSecond
        var block = "$ladder << EOD\n# step " + ladder.lines.indices.map { "d\($0) d\($0)_low d\($0)_high" }.joined(separator: " ") + "\n"
        for (index, _) in ladder.steps.enumerated() {
            let row = ladder.lines.map { line in
                line.series[index].map { cells($0, senders: 1, column) { formatFixed(throughput ? $0 / 1e6 : $0, decimals: throughput ? 4 : 0) } }
                    ?? "NaN NaN NaN"
            }
            block += "\(index) " + row.joined(separator: " ") + "\n"
        }
        block += "EOD\n"
        let plots = ladder.lines.enumerated().map { i, line in
            "$ladder using 1:\(3 * i + 2):\(3 * i + 3):\(3 * i + 4) with yerrorlines lw 2 title \(PlotScript.quoted(line.design))"
        }
        let what = throughput ? "Delivered events per second" : "End-to-end latency p50"
        let title = "\(what) by distance: 1 sender, 1 vCPU" + (ladder.label.isEmpty ? "" : " (\(ladder.label))")
        return block + """
            set title \(PlotScript.quoted(title)) noenhanced
            set xlabel "where the vCPU is, from the sender (tier; remote: SLIT distance)"
            set ylabel \(throughput ? "\"delivered events per second (millions)\"" : "\"e2e latency p50 (ns)\"")
            set xrange [-0.5:\(ladder.steps.count) - 0.5]
            set yrange [0:*]
            set xtics (\(ladder.steps.enumerated().map { "\(PlotScript.quoted($1)) \($0)" }.joined(separator: ", ")))
            plot \(plots.joined(separator: ", \\\n     "))
            """
    }
}
