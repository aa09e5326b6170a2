import Foundation
import Testing

/// `run --plot` checks where the pictures' script will go before the first
/// run, so a sweep's end never finds it unwritable.
@Suite("run --plot checks its outputs first")
struct PlotOutputTests {
    @Test("a folder or a leftover .tmp where the script goes: one line, nothing run, no report created",
          arguments: ["mkdir r.gp", "touch r.gp.tmp", "mkdir r.gp.tmp"])
    func refusedBeforeTheRun(setUp: String) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try StandardStreamTests.shell(setUp + "; " + StandardStreamTests.sweep("r.csv") + " --plot", in: folder)
        #expect(outcome.status != 0)
        #expect(outcome.errors.split(separator: "\n").count == 1 && outcome.errors.contains("r.gp"), "\(outcome.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.csv").path))
    }
}
