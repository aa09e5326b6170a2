import Foundation
import Testing

/// Regressions found by scripts/hostile-cases.sh: help whose output is lost
/// must fail, and an error naming a huge path or name, from any part of the
/// code, stays one short line.
@Suite("Error lines and lost help")
struct ErrorLineTests {
    @Test("help written to a full device or a closed pipe fails (141), as every other command's output does",
          arguments: ["--help", "run --help", "help compare"])
    func helpLost(arguments: String) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bench = "'\(StandardStreamTests.products)/evtchn-bench' \(arguments)"
        let full = try StandardStreamTests.shell(bench + " > /dev/full", in: folder)
        #expect(full.status == 141, "\(full.errors)")
        let shown = try StandardStreamTests.shell(bench + " > help.txt", in: folder)
        #expect(shown.status == 0 && shown.errors.isEmpty, "\(shown.errors)")
        let help = try String(contentsOf: folder.appendingPathComponent("help.txt"), encoding: .utf8)
        #expect(help.contains("USAGE:"), "\(help.prefix(200))")
    }

    /// Paths and names the messages put in whole (the --output folder check,
    /// --topology, a histogram file's name twice, a design name).
    @Test("a 4 KB path or name in an error: one short line (240 characters; 400 with the designs listed), its ends kept",
          arguments: [
        ["run", "--output", "/nonexistent/" + String(repeating: "d", count: 4000) + "/r.csv"],
        ["run", "--histograms", "/nonexistent/" + String(repeating: "d", count: 4000) + "/h"],
        ["run", "--plan", "--topology", "/nonexistent/" + String(repeating: "d", count: 4000) + ".xml"],
        ["run", "--design", String(repeating: "x", count: 4000)],
    ])
    func longWords(arguments: [String]) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try CommandLineTests.run("evtchn-bench", arguments, in: folder)
        #expect(outcome.status != 0 && outcome.errorLines.count == 1, "\(outcome.errors.prefix(300))")
        let limit = arguments.contains("--design") ? 400 : 240
        #expect(outcome.errors.count <= limit, "\(outcome.errors.count) characters")
        #expect(outcome.errors.contains("…"), "\(outcome.errors.prefix(300))")
        if arguments[1] == "--output" { #expect(outcome.errors.contains("does not exist"), "\(outcome.errors)") }
    }

    @Test("a histogram file name over NAME_MAX: the row is kept, the error is one short line")
    func histogramNameTooLong() throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = String(repeating: "r", count: 220) + ".csv"
        let outcome = try StandardStreamTests.shell(StandardStreamTests.sweep(report) + " --histograms h", in: folder)
        #expect(outcome.status != 0, "\(outcome.errors)")
        let lines = outcome.errors.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].count <= 240, "\(outcome.errors)")
        #expect(try StandardStreamTests.lines(folder, report).count == 2, "the row whose histograms failed is kept")
    }
}
