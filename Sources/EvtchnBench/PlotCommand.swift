import ArgumentParser
import Platform
import Reports

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a report's results with gnuplot (SVG and PNG next to the CSV).",
        discussion: """
            For each FILE.csv it writes FILE.gp, a self-contained gnuplot script (the medians go in as \
            datablocks), and runs it: throughput vs senders per scenario, end-to-end latency percentiles, \
            fairness, and for relocate runs sender stall and lost events per strategy. Without gnuplot it \
            still writes the script and says how to install gnuplot (Debian: apt-get install gnuplot-nox).
            """)

    @Argument(help: "Run reports (CSV).")
    var files: [String]

    func run() throws {
        guard !files.isEmpty else { throw CommandError("plot: give at least one report CSV") }
        let gnuplot = Programs.find("gnuplot")
        for file in files {
            let stem = file.hasSuffix(".csv") ? String(file.dropLast(4)) : file
            let script: PlotScript
            do {
                script = try PlotScript(table: ReportTable.load(file), stem: stem)
                try writeFileAtomically(stem + ".gp", script.text)
            } catch {
                throw CommandError(error.description)
            }
            guard let gnuplot else {
                print("wrote \(stem).gp; gnuplot is not installed, so no pictures were drawn.")
                print("Install it (Debian: sudo apt-get install gnuplot-nox) and run: gnuplot \(stem).gp")
                continue
            }
            let status: Int32
            do { status = try Programs.run(gnuplot, [stem + ".gp"]) } catch { throw CommandError(error.description) }
            guard status == 0 else { throw CommandError("gnuplot failed on \(stem).gp (exit \(status))") }
            print("wrote \(stem).gp and " + script.outputs.joined(separator: ", "))
        }
    }
}
