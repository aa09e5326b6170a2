import Platform

/// The paired-ratio pictures: each design's delivered/s, and its e2e p50
/// and p99, over the baseline design's in the same pass (`PairedRatios`),
/// the median of the passes with its 95 % interval. On a machine whose
/// speed jumps between phases these hold still where the absolute
/// pictures do not.
extension PlotData {
    /// The report's paired ratios over `baseline`, or the default one
    /// (rwlock, else the first design seen); nil with no design to pair.
    /// A baseline the report does not hold is refused in one line.
    func pairedRatios(baseline asked: String? = nil) throws(ReportError) -> PairedRatios? {
        guard let baseline = PairedRatios.baseline(among: paired.designs, asked: asked) else {
            guard let asked else { return nil }
            throw ReportError("--baseline \(printable(asked)): no such design in the report (it has "
                              + "\(paired.designs.map(printable).joined(separator: ", ")))")
        }
        return PairedRatios(paired, baseline: baseline)
    }

    /// Finds a panel's ratios by series (a key less senders) and sender count.
    struct RatioIndex {
        struct Point: Hashable {
            let group: ConfigurationKey
            let design: String
            let senders: Int
            let metric: PairedMetric
        }

        let baseline: String
        /// Some pair is by repetition only (blocked runs).
        let weak: Bool
        private var ratios: [Point: PairedRatio] = [:]

        init(_ paired: PairedRatios) {
            baseline = paired.baseline
            weak = paired.ratios.contains(where: \.weak)
            for ratio in paired.ratios where !ratio.ratios.isEmpty {
                guard let senders = ratio.pairingKey[.senders].flatMap({ Int($0) }) else { continue }
                ratios[Point(group: ratio.pairingKey.speedupKey, design: ratio.design, senders: senders, metric: ratio.metric)] = ratio
            }
        }

        func ratio(_ series: ConfigurationKey, senders: Int, _ metric: PairedMetric) -> PairedRatio? {
            ratios[Point(group: series.pairingKey, design: series[.design] ?? "", senders: senders, metric: metric)]
        }

        /// A panel's series with some ratio paired: the baseline has none.
        func lines(_ panel: Panel) -> [ConfigurationKey] {
            panel.series.filter { series in
                ratios.keys.contains { $0.group == series.pairingKey && $0.design == series[.design] }
            }
        }
    }

    /// "median lower upper" of a ratio, "NaN NaN NaN" where none is paired.
    static func ratioCells(_ ratio: PairedRatio?) -> String {
        guard let interval = ratio?.interval else { return "NaN NaN NaN" }
        return [interval.median, interval.lower, interval.upper].map { formatFixed($0, decimals: 4) }.joined(separator: " ")
    }

    /// delivered/s over the baseline's: against senders, one line per
    /// design; with one sender count, one bar per design.
    func pairedThroughputPlot(_ panel: Panel, _ index: RatioIndex) -> String {
        let lines = index.lines(panel)
        let titles = Self.labels(lines, lead: .design, hidden: [.scenario])
        let counts = senders(of: lines)
        let title = "Delivered/s relative to \(index.baseline), paired per pass (\(panel.title))"
        let one = "1 with lines dt 2 lc rgb 'black' title \(PlotScript.quoted("\(index.baseline) = 1"))"
        guard counts.count > 1 else {
            let rows = lines.enumerated().map { "\($0) \(Self.ratioCells(index.ratio($1, senders: counts[0], .deliveredPerSecond)))" }
            return Self.datablock("paired", rows) + Self.barSettings(title: title + "; \(counts[0]) sender(s)", titles) + """
                plot $paired using 2:3:4 title "delivered/s ratio", \(one)
                """
        }
        let rows = counts.map { count in
            "\(count) " + lines.map { Self.ratioCells(index.ratio($0, senders: count, .deliveredPerSecond)) }.joined(separator: " ")
        }
        let plots = lines.indices.map { i in
            "$paired using 1:\(3 * i + 2):\(3 * i + 3):\(3 * i + 4) with yerrorlines lw 2 title \(PlotScript.quoted(titles[i]))"
        }
        return Self.datablock("paired", rows) + """
            set title \(PlotScript.quoted(title)) noenhanced
            set xlabel "sender threads"
            set ylabel \(PlotScript.quoted("delivered/s relative to \(index.baseline) (median of passes)"))
            set xtics 1
            set yrange [0:*]
            plot \(plots.joined(separator: ", \\\n     ")), \(one)
            """
    }

    /// e2e p50 and p99 over the baseline's, one bar pair per design, at the
    /// panel's smallest sender count (as the latency picture).
    func pairedLatencyPlot(_ panel: Panel, _ index: RatioIndex) -> String {
        let lines = index.lines(panel)
        let count = senders(of: lines).first ?? 1
        let rows = lines.enumerated().map { i, series in
            "\(i) " + [PairedMetric.e2eP50, .e2eP99].map { Self.ratioCells(index.ratio(series, senders: count, $0)) }.joined(separator: " ")
        }
        let title = "End-to-end latency relative to \(index.baseline), paired per pass (\(panel.title); \(count) sender(s))"
        return Self.datablock("pairedlatency", rows) + Self.barSettings(title: title, Self.labels(lines, lead: .design, hidden: [.scenario]))
            + """
            plot $pairedlatency using 2:3:4 title "e2e p50 ratio", '' using 5:6:7 title "e2e p99 ratio", \\
                 1 with lines dt 2 lc rgb 'black' title \(PlotScript.quoted("\(index.baseline) = 1"))
            """
    }

    static func datablock(_ name: String, _ rows: [String]) -> String {
        "$\(name) << EOD\n" + rows.map { $0 + "\n" }.joined() + "EOD\n"
    }

    /// A bar chart of ratios with error bars, one bar (group) per label.
    static func barSettings(title: String, _ labels: [String]) -> String {
        """
        set title \(PlotScript.quoted(title)) noenhanced
        set ylabel "ratio to the baseline (median of passes)"
        set yrange [0:*]
        set style data histograms
        set style histogram errorbars gap 1 lw 1
        set style fill solid 0.8 border -1
        \(xtics(labels))

        """
    }
}
