import Platform

/// The gnuplot commands of each picture, with its data as a datablock.
extension PlotData {
    func throughputPlot(scenario: String) -> String {
        var block = "$throughput << EOD\nsenders " + designs.map { "\($0) \($0)_low \($0)_high" }.joined(separator: " ") + "\n"
        for count in senders(in: scenario) {
            let row = designs.map { design in
                cells(Key(scenario: scenario, design: design, senders: count), .deliveredPerSecond) { formatFixed($0 / 1e6, decimals: 4) }
            }
            block += "\(count) " + row.joined(separator: " ") + "\n"
        }
        block += "EOD\n"
        return block + """
            set title \(PlotScript.quoted("Throughput vs senders (\(scenario))")) noenhanced
            set xlabel "sender threads"
            set ylabel "delivered events per second (millions)"
            set xtics 1
            set yrange [0:*]
            plot for [i=1:\(designs.count)] $throughput using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \\
                with yerrorlines lw 2 title columnheader(3*i-1)
            """
    }

    func latencyPlot(scenario: String) -> String {
        let count = senders(in: scenario).first ?? 1
        let columns: [Column] = [.e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax]
        let names = ["p50", "p90", "p99", "p99.9", "max"]
        var block = "$latency << EOD\ndesign " + names.map { "\($0) \($0)_low \($0)_high" }.joined(separator: " ") + "\n"
        for design in designs {
            let key = Key(scenario: scenario, design: design, senders: count)
            block += design + " " + columns.map { cells(key, $0) { formatFixed(max($0, 1), decimals: 0) } }.joined(separator: " ") + "\n"
        }
        block += "EOD\n"
        return block + """
            set title \(PlotScript.quoted("End-to-end latency, send to guest handler (\(scenario), \(count) sender(s))")) noenhanced
            set ylabel "latency (ns, log scale)"
            set logscale y
            set style data histograms
            set style histogram errorbars gap 1 lw 1
            set style fill solid 0.8 border -1
            set xtics rotate by -30
            plot for [i=0:4] $latency using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) title columnheader(2+3*i)
            """
    }

    func fairnessPlot(scenario: String) -> String {
        let count = senders(in: scenario).last ?? 1
        var block = "$fairness << EOD\ndesign min/max low high\n"
        for design in designs {
            let key = Key(scenario: scenario, design: design, senders: count)
            block += "\(design) \(cells(key, .fairnessMinOverMax) { formatFixed($0, decimals: 4) })\n"
        }
        block += "EOD\n"
        return block + """
            set title \(PlotScript.quoted("Fairness between senders (\(scenario), \(count) sender(s))")) noenhanced
            set ylabel "fewest / most sends of any sender (1 = even)"
            set yrange [0:1.05]
            set style data histograms
            set style histogram errorbars gap 1 lw 1
            set style fill solid 0.8 border -1
            set xtics rotate by -30
            plot $fairness using 2:3:4:xtic(1) title "min/max"
            """
    }

    func relocationPlot() -> String {
        var block = "$relocation << EOD\nstrategy stall_p50 stall_max lost\n"
        for strategy in orderedStrategies {
            let entry = stall[strategy]!
            let p50 = Statistics.median(entry.p50) ?? 0
            let worst = Statistics.median(entry.max) ?? 0
            block += "\(strategy) \(formatFixed(max(p50, 1), decimals: 0)) \(formatFixed(max(worst, 1), decimals: 0)) \(entry.lost)\n"
        }
        block += "EOD\n"
        return block + """
            set title "Moving vcpu_info: sender stall and lost events per strategy" noenhanced
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
            set xtics rotate by -30
            plot $relocation using 2:xtic(1) title "stall p50", '' using 3 title "stall max", \\
                 '' using 4 axes x1y2 title "lost (right axis)"
            """
    }
}
