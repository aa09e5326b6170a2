import Platform

/// gnuplot scripts for a run report: self-contained (the data goes in as
/// datablocks of medians over repetitions, with the 95 % interval of each
/// median as error bars), writing each picture as SVG and PNG next to the
/// report.
///
/// - throughput vs senders, per scenario and panel (`PlotData`: a panel is
///   one value of every varying key column but the design, numbered -1,
///   -2, ... when there are several), one line per design;
/// - end-to-end latency percentiles (p50 ... max, log scale) per design, at
///   the smallest sender count of the first scenario, per panel;
/// - fairness (fewest over most sends per sender) per design, at the
///   largest sender count, per panel;
/// - paired ratios (`PlotPaired.swift`): per panel, each design's
///   delivered/s over the baseline's in the same pass against senders (a
///   bar chart with one sender count), and its e2e p50 and p99 likewise;
/// - for relocate rows: sender stall (log scale) and lost events per
///   strategy, designs pooled.
///
/// Every picture has a title, axis labels with units, and the machine in a
/// caption.
///
/// Nothing from the report or its file name can run as a command when
/// gnuplot loads the script: free text (host, CPU model) goes only into
/// single-quoted strings, where gnuplot substitutes neither backquotes nor
/// macros, with quotes doubled and control characters replaced (legends and
/// bar labels, which may hold a host name, too); names that go into the
/// script unquoted (design, scenario, strategy) must be plain names or the
/// report is refused; a file name with a control character
/// (a line break would end a string) is refused.
public struct PlotScript: Sendable {
    /// The gnuplot script.
    public let text: String
    /// The pictures it writes (SVG and PNG of each).
    public let outputs: [String]

    /// - Parameters:
    ///   - stem: output path without extension, e.g. "results/run".
    ///   - ignoreHost: pool the rows of different hosts (`host` out of the key).
    ///   - baseline: the design the paired pictures divide by (default:
    ///     rwlock, else the first design).
    public init(source: ReportSource, stem: String, ignoreHost: Bool = false, baseline: String? = nil) throws(ReportError) {
        guard !stem.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw ReportError("\(printable(source.path)): the file name holds a line break or another control character, "
                              + "which a gnuplot script cannot name safely; rename the file")
        }
        let data = try PlotData(source, ignoreHost: ignoreHost)
        var builder = PlotScriptBuilder(data: data, stem: stem, ratios: try data.pairedRatios(baseline: baseline).map(PlotData.RatioIndex.init))
        builder.addScenarioPictures()
        builder.addLadders()
        builder.addMatrices()
        builder.addRelocation()
        text = builder.script
        outputs = builder.outputs
    }

    static let pairedNote = "each design's value over the baseline's in the same pass, median of passes; error bars: 95 % "
        + "order-statistic interval (full range under 6 passes)"

    /// "-2" for the second of several panels; "" for the only one.
    static func number<T>(_ index: Int, of panels: [T]) -> String { panels.count > 1 ? "-\(index + 1)" : "" }

    /// One picture: common settings and the caption, the plot drawn as
    /// SVG, then redrawn as PNG.
    static func picture(_ name: String, caption: String, body: String, errorBars: Bool = true, note: String? = nil) -> String {
        let note = note ?? (errorBars
            ? "error bars: 95 % order-statistic interval of the median (the full range with fewer than 6 repetitions)"
            : "no error bars: stall medians of runs, lost events summed")
        return """
        reset session
        set terminal svg size 960,560 dynamic noenhanced font "sans,11"
        set output \(quoted(name + ".svg"))
        set datafile separator whitespace
        set grid ytics
        set key outside right top
        set bmargin 6
        set label 99 \(quoted(caption)) at screen 0.01, screen 0.04 font ",8" noenhanced
        set label 98 \(quoted(note)) at screen 0.01, screen 0.015 font ",8" noenhanced
        \(body)
        set terminal pngcairo size 960,560 noenhanced font "sans,10"
        set output \(quoted(name + ".png"))
        replot
        unset output

        """
    }

    /// A gnuplot string expression for `text`: single-quoted strings, in
    /// which gnuplot substitutes no backquote, macro or backslash, joined
    /// by "." to a double-quoted "'" for each quote (gnuplot 5.4 misreads
    /// the doubled-quote escape when two follow each other); control
    /// characters (a line break would end the command) become spaces.
    public static func quoted(_ text: String) -> String {
        var pieces: [String] = []
        var run = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard scalar != "'" else {
                if !run.isEmpty { pieces.append("'" + String(run) + "'") }
                run = String.UnicodeScalarView()
                pieces.append("\"'\"")
                continue
            }
            run.append(scalar.value < 0x20 || scalar.value == 0x7f ? " " : scalar)
        }
        if !run.isEmpty || pieces.isEmpty { pieces.append("'" + String(run) + "'") }
        return pieces.joined(separator: ".")
    }
}
