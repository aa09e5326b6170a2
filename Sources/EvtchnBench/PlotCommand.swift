import ArgumentParser
import Platform
import Reports

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a report's results with gnuplot (SVG and PNG next to the CSV).",
        discussion: """
            For each FILE.csv it writes FILE.gp, a self-contained gnuplot script (the medians and their 95 % \
            intervals go in as datablocks; error bars show the intervals), and runs it: throughput vs senders per scenario, end-to-end latency percentiles, \
            fairness, and for relocate runs sender stall and lost events per strategy. No two configurations are \
            merged: each scenario gets one picture per value of every key column but the design and strategy that \
            varies (vcpus, placement, host, ...; numbered -1, -2, ... and named in the title), one line or bar \
            group per design; rows of different hosts stay apart unless --ignore-host. Without gnuplot it \
            still writes the script and says how to install gnuplot (Debian: apt-get install gnuplot-nox).
            """)

    @Argument(help: "Run reports (CSV).")
    var files: [String] = []

    @Flag(help: "Pool rows from different hosts (drop host from the configuration).")
    var ignoreHost = false

    @Option(help: "The design the paired-ratio pictures divide by (default: rwlock, else the first design in the report).")
    var baseline: String?

    func run() throws {
        guard !files.isEmpty else { throw CommandError("plot: give at least one report CSV") }
        for file in files { try Self.draw(file, ignoreHost: ignoreHost, baseline: baseline) }
    }

    /// Writes FILE.gp for the report at `file` and runs gnuplot on it
    /// (`run --plot` draws its report the same way).
    /// Where `draw` will write the pictures of `file`: "<stem>.gp" and
    /// "<stem>-<picture>.svg".
    static func stem(of file: String) -> String { file.hasSuffix(".csv") ? String(file.dropLast(4)) : file }

    /// `run --plot` checks, before its first run, that the script can be
    /// written where `draw` will write it (a folder or a read-only file
    /// there, or a leftover "<stem>.gp.tmp", would otherwise be found only
    /// once the sweep is over). The pictures are named only once the
    /// report is read; gnuplot's own errors then name them.
    static func checkOutputs(of file: String) throws {
        let script = stem(of: file) + ".gp"
        do { try checkOutputPath(script) } catch { throw CommandError(error.description) }
        if (try? Files.status(script + ".tmp", followLinks: false)) ?? nil != nil {
            throw CommandError("cannot write \(printable(script)) after the run: \(printable(script + ".tmp")) exists, "
                               + "left by a write that was killed (or one still running); remove it")
        }
    }

    static func draw(_ file: String, ignoreHost: Bool, baseline: String? = nil) throws {
        let stem = stem(of: file)
        let script: PlotScript
        do {
            script = try PlotScript(source: .file(file), stem: stem, ignoreHost: ignoreHost, baseline: baseline)
            // gnuplot writes the pictures itself: check them first.
            for output in script.outputs { try checkOutputPath(output) }
            try writeFileAtomically(stem + ".gp", script.text)
        } catch {
            throw CommandError(error.description)
        }
        let name = printable(stem)
        guard let gnuplot = Programs.find("gnuplot") else {
            print("wrote \(name).gp; gnuplot is not installed, so no pictures were drawn.")
            print("Install it (Debian: sudo apt-get install gnuplot-nox) and run: gnuplot \(name).gp")
            return
        }
        // A name starting with "-" would be read as an option.
        let argument = stem.hasPrefix("/") ? stem + ".gp" : "./" + stem + ".gp"
        let status: Int32
        do { status = try Programs.run(gnuplot, [argument]) } catch { throw CommandError(error.description) }
        guard status == 0 else { throw CommandError("gnuplot failed on \(name).gp (exit \(status))") }
        print("wrote \(name).gp and " + script.outputs.map(printable).joined(separator: ", "))
    }
}
