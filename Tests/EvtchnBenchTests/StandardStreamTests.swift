import Foundation
import Testing

/// Closed or failing standard streams and stop signals, as a shell or a
/// hostile user hands them to the program: the report stays a report, every
/// finished row is kept, and the exit says what happened.
@Suite("Standard streams and stop signals")
struct StandardStreamTests {
    static let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

    /// A short sweep of `reps` runs writing `report`.
    static func sweep(_ report: String, reps: Int = 2, duration: String = "0.05") -> String {
        "'\(products)/evtchn-bench' run --design rwlock --scenario ipi --senders 1 --vcpus 1 --placement compact "
            + "--reps \(reps) --duration \(duration) --warmup 0 --output \(report)"
    }

    /// Runs `script` with /bin/sh in `folder`; its exit status and stderr.
    static func shell(_ script: String, in folder: URL) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: err, as: UTF8.self))
    }

    /// The report's lines; the first must be its header.
    static func lines(_ folder: URL, _ name: String) throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("a closed stdin, stdout or stderr gets /dev/null: the report holds its header and rows only",
          arguments: ["<&-", ">&-", "2>&-", ">&- 2>&-"])
    func closedDescriptors(redirection: String) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.shell(Self.sweep("r.csv") + " " + redirection, in: folder)
        #expect(outcome.status == 0, "\(outcome.errors)")
        let lines = try Self.lines(folder, "r.csv")
        #expect(lines.count == 3 && lines[0].hasPrefix("utc_time,host,"), "\(lines.prefix(3))")
        #expect(lines.dropFirst().allSatisfy { $0.contains(",rwlock,ipi,") })
    }

    @Test("stdout on a full device stops the run like SIGPIPE (141), keeping every finished row")
    func fullDevice() throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.shell(Self.sweep("r.csv", reps: 4) + " > /dev/full", in: folder)
        #expect(outcome.status == 141, "\(outcome.errors)")
        let lines = try Self.lines(folder, "r.csv")
        #expect(lines.count >= 2 && lines.count < 5 && lines[0].hasPrefix("utc_time,"), "\(lines.count) lines")
        let list = try Self.shell("'\(Self.products)/evtchn-bench' list > /dev/full", in: folder)
        #expect(list.status != 0, "a command whose output is lost does not exit 0")
    }

    @Test("SIGQUIT ends the run like SIGTERM (131): no backtrace, finished rows kept")
    func quit() throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The run starts, the shell waits for its first row, then quits it.
        let script = Self.sweep("r.csv", reps: 40, duration: "0.1") + " & pid=$!; "
            + "i=0; while [ \"$(cat r.csv 2>/dev/null | wc -l)\" -lt 2 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; "
            + "kill -QUIT $pid; wait $pid"
        let outcome = try Self.shell(script, in: folder)
        #expect(outcome.status == 131, "\(outcome.errors)")
        #expect(!outcome.errors.contains("crashed") && !outcome.errors.contains("Backtrace"), "\(outcome.errors)")
        let lines = try Self.lines(folder, "r.csv")
        #expect(lines.count >= 2 && lines.count < 41)
    }

    @Test("a 4 KB path in an error is shortened: one line, its end kept")
    func longPath() throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = "/nonexistent/" + String(repeating: "x", count: 4000) + "/r.csv"
        let outcome = try CommandLineTests.run("evtchn-bench", ["compare", path, path], in: folder)
        #expect(outcome.status != 0 && outcome.errorLines.count == 1, "\(outcome.errors)")
        #expect(outcome.errors.count < 400 && outcome.errors.contains("…") && outcome.errors.contains("/r.csv"))
    }

    @Test("--histograms: a folder that takes no file is refused before any run; two runs on one report keep both sets")
    func histograms() throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let refused = try Self.shell(Self.sweep("r.csv") + " --histograms /proc/self", in: folder)
        #expect(refused.status != 0 && refused.errors.split(separator: "\n").count == 1, "\(refused.errors)")
        #expect(refused.errors.contains("--histograms: cannot write in /proc/self"), "\(refused.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.csv").path), "no row, no report")
        for _ in 0..<2 {
            let outcome = try Self.shell(Self.sweep("r.csv") + " --histograms h", in: folder)
            #expect(outcome.status == 0, "\(outcome.errors)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("h").path)
        #expect(files.filter { $0.hasSuffix(".hgrm") }.count == 2 * 2 * 2, "2 runs x 2 rows x send and e2e: \(files.sorted())")
        #expect(!files.contains { $0.hasSuffix(".tmp") || $0.contains("probe") })
        // Each row's histograms cell: the prefix of its files, h/r-<stamp>-...
        let prefixes = Set(try Self.lines(folder, "r.csv").dropFirst().compactMap { row in
            row.firstMatch(of: /h\/r-[^,"]*/).map { String($0.output) }
        })
        #expect(prefixes.count == 4 && prefixes.allSatisfy { FileManager.default.fileExists(atPath: folder.path + "/" + $0 + ".e2e.hgrm") })
    }
}
