import Platform

/// The gnuplot commands of each picture, with its data as a datablock.
extension PlotData {
    /// One line per series, or per series and machine mode (PlotModes.swift).
    func throughputPlot(_ panel: Panel) -> String {
        let lines = panel.series.flatMap { series in throughputModes.map { (series, $0) } }
        let labels = Self.labels(panel.series, lead: .design, hidden: [.scenario])
        let titles = lines.map { line in labels[panel.series.firstIndex(of: line.0)!] + modeSuffix(line.1) }
        var block = "$throughput << EOD\n# senders " + lines.indices.map { "s\($0) s\($0)_low s\($0)_high" }.joined(separator: " ") + "\n"
        for count in senders(of: panel.series) {
            let row = lines.map { cells($0.0, senders: count, .deliveredPerSecond, mode: $0.1) { formatFixed($0 / 1e6, decimals: 4) } }
            block += "\(count) " + row.joined(separator: " ") + "\n"
        }
        block += "EOD\n"
        let plots = lines.indices.map { i in
            "$throughput using 1:\(3 * i + 2):\(3 * i + 3):\(3 * i + 4) with yerrorlines lw 2 title \(PlotScript.quoted(titles[i]))"
        }
        return block + """
            set title \(PlotScript.quoted("Throughput vs senders (\(panel.title))")) noenhanced
            set xlabel "sender threads"
            set ylabel "delivered events per second (millions)"
            set xtics 1
            \(Self.senderRange(senders(of: panel.series)))
            set yrange [0:*]
            plot \(plots.joined(separator: ", \\\n     "))
            """
    }

    /// One sender count gives gnuplot an empty x range, which it widens
    /// with a warning on stderr; one step either side says the same quietly.
    static func senderRange(_ counts: [Int]) -> String {
        guard counts.count == 1, let count = counts.first else { return "" }
        return "set xrange [\(count - 1):\(count + 1)]"
    }

    func latencyPlot(_ panel: Panel) -> String {
        let bars = panel.series
        let count = senders(of: bars).first ?? 1
        let columns: [Column] = [.e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax]
        let names = ["p50", "p90", "p99", "p99.9", "max"]
        var block = "$latency << EOD\nseries " + names.map { "\($0) \($0)_low \($0)_high" }.joined(separator: " ") + "\n"
        for (index, series) in bars.enumerated() {
            block += "\(index) " + columns.map { cells(series, senders: count, $0) { formatFixed(max($0, 1), decimals: 0) } }
                .joined(separator: " ") + "\n"
        }
        block += "EOD\n"
        return block + """
            set title \(PlotScript.quoted("End-to-end latency, send to guest handler (\(panel.title); \(count) sender(s))")) noenhanced
            set ylabel "latency (ns, log scale)"
            set logscale y
            set style data histograms
            set style histogram errorbars gap 1 lw 1
            set style fill solid 0.8 border -1
            \(Self.xtics(Self.labels(bars, lead: .design, hidden: [.scenario])))
            plot for [i=0:4] $latency using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)) title columnheader(2+3*i)
            """
    }

    func fairnessPlot(_ panel: Panel) -> String {
        let bars = panel.series
        let count = senders(of: bars).last ?? 1
        var block = "$fairness << EOD\n# series min/max low high\n"
        for (index, series) in bars.enumerated() {
            block += "\(index) \(cells(series, senders: count, .fairnessMinOverMax) { formatFixed($0, decimals: 4) })\n"
        }
        block += "EOD\n"
        return block + """
            set title \(PlotScript.quoted("Fairness between senders (\(panel.title); \(count) sender(s))")) noenhanced
            set ylabel "fewest / most sends of any sender (1 = even)"
            set yrange [0:1.05]
            set style data histograms
            set style histogram errorbars gap 1 lw 1
            set style fill solid 0.8 border -1
            \(Self.xtics(Self.labels(bars, lead: .design, hidden: [.scenario])))
            plot $fairness using 2:3:4 title "min/max"
            """
    }

    /// Bar labels at 0, 1, ..., as quoted strings (they may hold a host
    /// name or other free text), rotated, with a bottom margin that keeps
    /// the longest clear of the caption.
    static func xtics(_ labels: [String]) -> String {
        let longest = labels.map(\.count).max() ?? 0
        return "set bmargin \(5 + longest / 4)\n"
            + "set xtics rotate by -30 (" + labels.enumerated().map { "\(PlotScript.quoted($1)) \($0)" }.joined(separator: ", ") + ")"
    }

    func relocationPlot() -> String {
        let groups = orderedStrategies
        var block = "$relocation << EOD\n# row stall_p50 stall_max lost\n"
        for (index, group) in groups.enumerated() {
            let entry = stall[group]!
            let p50 = Statistics.median(entry.p50) ?? 0
            let worst = Statistics.median(entry.max) ?? 0
            block += "\(index) \(formatFixed(max(p50, 1), decimals: 0)) \(formatFixed(max(worst, 1), decimals: 0)) \(entry.lost)\n"
        }
        block += "EOD\n"
        return block + """
            set title "Moving vcpu_info: sender stall and lost events per strategy (designs pooled)" noenhanced
            set ylabel "sender stall (ns, log scale; median of runs)"
            set y2label "lost events, safe designs (sum over runs)"
            set logscale y
            set y2range [0:*]
            set y2tics
            set ytics nomirror
            set style data histograms
            set style histogram clustered gap 1
            set style fill solid 0.8 border -1
            set boxwidth 0.9
            \(Self.xtics(Self.labels(groups, lead: .strategy, hidden: [.scenario])))
            plot $relocation using 2 title "stall p50", '' using 3 title "stall max", \\
                 '' using 4 axes x1y2 title "lost (right axis)"
            """
    }
}
