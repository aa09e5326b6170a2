import Foundation
import Testing

/// `--histograms` and `--output` name what is wrong with a path that is not
/// a usable folder, in one line, before anything runs.
@Suite("Histogram and report folders that are not folders")
struct HistogramFolderTests {
    static let cases: [(setUp: String, option: String, said: String)] = [
        ("ln -s loop loop", "--histograms loop", "loop of symbolic links"),
        ("ln -s nowhere dangling", "--histograms dangling", "dangling link"),
        ("ln -s loop loop", "--histograms loop/x", "loop of symbolic links"),
        ("ln -s nowhere dangling", "--histograms dangling/x", "dangling link"),
        ("touch file", "--histograms file", "is not a folder"),
        ("touch file", "--histograms file/x", "Not a directory"),
        (":", "--histograms nowhere/x", "does not exist"),
        ("ln -s loop loop", "--output loop/r.csv", "loop of symbolic links"),
        ("ln -s nowhere dangling", "--output dangling/r.csv", "dangling link"),
    ]

    @Test("one line naming the problem, nothing run, no report", arguments: cases)
    func refused(_ c: (setUp: String, option: String, said: String)) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = StandardStreamTests.sweep("r.csv").replacingOccurrences(of: "--output r.csv", with: "")
        let outcome = try StandardStreamTests.shell(c.setUp + "; " + run + " " + (c.option.hasPrefix("--output") ? c.option
            : c.option + " --output r.csv"), in: folder)
        #expect(outcome.status != 0)
        #expect(outcome.errors.split(separator: "\n").count == 1 && outcome.errors.contains(c.said), "\(outcome.errors)")
        #expect(!outcome.errors.contains("File exists"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.csv").path))
    }
}
