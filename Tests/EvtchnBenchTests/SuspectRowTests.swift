import Foundation
import Testing

/// A window the machine stretched is written, and flagged, not passed off
/// as an ordinary row.
@Suite("Suspect rows")
struct SuspectRowTests {
    /// The sample: a 1.5 s SIGSTOP inside a 1 s window. The shell
    /// waits for the first row (the second run starts right after it is
    /// written), lets the second window run 0.3 s, then stops the process.
    @Test("a SIGSTOP inside the window flags the row window-stretched and thread-starved")
    func stoppedWindow() throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = StandardStreamTests.sweep("r.csv", reps: 3, duration: "1") + " & pid=$!; "
            + "while [ \"$(cat r.csv 2>/dev/null | wc -l)\" -lt 2 ]; do sleep 0.02; done; "
            + "sleep 0.3; kill -STOP $pid; sleep 1.5; kill -CONT $pid; wait $pid"
        let outcome = try StandardStreamTests.shell(script, in: folder)
        #expect(outcome.status == 0, "\(outcome.errors)")
        let lines = try StandardStreamTests.lines(folder, "r.csv")
        try #require(lines.count == 4)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let suspect = try #require(header.firstIndex(of: "suspect"))
        let duration = try #require(header.firstIndex(of: "duration_s"))
        let second = lines[2].split(separator: ",", omittingEmptySubsequences: false)
        #expect(Double(second[duration])! > 1.25, "the window lasted the stop: \(second[duration])")
        // The hand-off may have moved too (c2c-changed): the stop is not
        // the only thing the machine did meanwhile.
        #expect(second[suspect].hasPrefix("window-stretched;thread-starved"), "\(lines[2])")
    }
}
