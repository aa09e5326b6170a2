import Foundation
import Testing

/// The two executables as their users meet them, run as child processes:
/// `evtchn-bench` (the CLI only parses, calls and prints, so what is left
/// to test here is that contract: one-line errors with a non-zero exit
/// before anything runs, nothing of the user's overwritten, and the
/// listings) and `evtchn-probe` (what `make instructions` runs).
@Suite("Command line")
struct CommandLineTests {
    /// What one run of an executable printed, and how it ended.
    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
        var errorLines: [Substring] { errors.split(whereSeparator: \.isNewline) }
    }

    /// Runs `name` from the build's products folder, where `swift test`
    /// runs this bundle from and where SwiftPM builds the executables this
    /// target depends on; in `folder` when given.
    static func run(_ name: String, _ arguments: [String], in folder: URL? = nil) throws -> Outcome {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let process = Process()
        process.executableURL = products.appendingPathComponent(name)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
                       errors: String(decoding: err, as: UTF8.self))
    }

    /// A fresh folder for files a run may write.
    static func scratchFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evtchn-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("bad input: one line, a non-zero exit, nothing written", arguments: [
        ["run", "--senders", "0"],
        ["run", "--design", "no-such-design"],
        ["run", "--duration", "-1"],
        ["run", "--budget", "0"],
        ["run", "--budget", "nan"],
        ["run", "--design", "rcu,seqlock", "--baseline", "rwlock"],
        ["run", "--no-such-option"],
        ["compare", "/no/such/report.csv", "/no/such/other.csv"],
        ["validate", "--design", "no-such-design"],
        ["run", "--topology", "synthetic:pack:2 core:2 pu:1"],
        ["run", "--plan", "--topology", "/no/such/machine"],
        ["topology", "--topology", "/no/such/machine"],
        ["topology", "--topology", "synthetic:pack:x"],
    ])
    func badInput(arguments: [String]) throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.csv").path
        let withOutput = arguments.first == "run" ? arguments + ["--output", report] : arguments
        let outcome = try Self.run("evtchn-bench", withOutput)
        #expect(outcome.status != 0)
        #expect(outcome.errorLines.count == 1, "\(outcome.errors)")
        #expect(outcome.errors.hasPrefix("Error: "), "\(outcome.errors)")
        #expect(!FileManager.default.fileExists(atPath: report), "a rejected run wrote its report")
    }

    @Test("a file that is not a report is refused and left as it was")
    func foreignOutput() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("notes.csv").path
        let mine = "my own notes, not a report\n"
        try mine.write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try Self.run("evtchn-bench", ["run", "--quick", "--duration", "0.5", "--reps", "1", "--output", path])
        #expect(outcome.status != 0)
        #expect(outcome.errorLines.count == 1, "\(outcome.errors)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == mine)
    }

    @Test("run --plan prints the plan and writes nothing")
    func plan() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.csv").path
        let outcome = try Self.run("evtchn-bench", ["run", "--plan", "--quick", "--output", report])
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.contains("design=rwlock"))
        #expect(outcome.output.contains("estimated time: ") && outcome.output.contains("(budget 1m00s)"))
        #expect(outcome.output.contains("x 6 repetitions"))
        #expect(outcome.output.contains("\nleft out: relocate for "), "the quick suite keeps relocate for rwlock only")
        #expect(!FileManager.default.fileExists(atPath: report))
    }

    @Test("--topology: topology --json and run --plan describe another machine")
    func otherMachine() throws {
        let machine = "synthetic:pack:2 numa:1 l3:1 core:4 pu:2"
        let json = try Self.run("evtchn-bench", ["topology", "--json", "--topology", machine])
        #expect(json.status == 0, "\(json.errors)")
        for key in ["packages", "numa_nodes", "llc_domains", "cores", "pus"] { #expect(json.output.contains("\"\(key)\": ["), "\(key)") }
        #expect(json.output.contains("{\"id\": 15, \"core\": 7, \"llc\": 1, \"package\": 1, \"node\": 1, \"allowed\": true}"))
        let plain = try Self.run("evtchn-bench", ["topology", "--topology", machine])
        #expect(plain.output.contains("packages: 2, cores: 8, LLC domains: 2 (L3), PUs: 16"), "\(plain.output)")
        let plan = try Self.run("evtchn-bench", ["run", "--plan", "--quick", "--topology", machine])
        #expect(plan.status == 0, "\(plan.errors)")
        #expect(plan.output.contains("2 NUMA node(s), 16 usable CPU(s)"), "\(plan.output)")
    }

    @Test("--plan needs no output folder: it creates none and does not refuse a missing one")
    func planNeedsNoFolder() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try Self.run("evtchn-bench", ["run", "--plan", "--quick"], in: folder)
        #expect(plan.status == 0, "\(plan.errors)")
        #expect(plan.output.contains("rows would go to results/"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("results").path))
        let elsewhere = try Self.run("evtchn-bench", ["run", "--plan", "--quick", "--output", "/no/such/folder/r.csv"], in: folder)
        #expect(elsewhere.status == 0, "\(elsewhere.errors)")
    }

    /// A sweep of one short run.
    static let oneRun = ["run", "--design", "rwlock", "--scenario", "ipi", "--senders", "1", "--vcpus", "1",
                         "--placement", "compact", "--reps", "1", "--duration", "0.01", "--warmup", "0"]

    /// This process's umask, read without changing it (umask(2) would, for
    /// every thread of the test run).
    static func umask() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
        return try #require(Int(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8))
    }

    @Test("a run creates the missing default folder results/ (0755 less the umask), never a given one")
    func defaultFolder() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.run("evtchn-bench", Self.oneRun, in: folder)
        #expect(outcome.status == 0, "\(outcome.errors)")
        let results = folder.appendingPathComponent("results").path
        let mode = try FileManager.default.attributesOfItem(atPath: results)[.posixPermissions] as? Int
        #expect(mode == 0o755 & ~(try Self.umask()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: results).contains { $0.hasSuffix(".csv") })
        let given = try Self.run("evtchn-bench", Self.oneRun + ["--output", "missing/r.csv"], in: folder)
        #expect(given.status != 0 && given.errorLines.count == 1, "\(given.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("missing").path))
    }

    @Test("the summary and compare lead with paired ratios over --baseline; a baseline not in the reports is refused")
    func pairedRatios() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("r.csv").path
        var sweep = Self.oneRun
        sweep[sweep.firstIndex(of: "rwlock")!] = "rcu,rwlock"
        sweep[sweep.firstIndex(of: "--reps")! + 1] = "2"
        let run = try Self.run("evtchn-bench", sweep + ["--output", report])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("paired with rwlock in each pass") && run.output.contains("delivered/s ratio"))
        let paired = try #require(run.output.range(of: "paired with rwlock")).lowerBound
        #expect(paired < (try #require(run.output.range(of: "common to every configuration")).lowerBound), "paired first")
        let compare = try Self.run("evtchn-bench", ["compare", report, report, "--baseline", "rcu"])
        #expect(compare.status == 0 && compare.output.hasPrefix("paired with rcu in each pass"), "\(compare.errors)")
        #expect(compare.output.contains("design=rwlock"))
        let refused = try Self.run("evtchn-bench", ["compare", report, report, "--baseline", "mutex"])
        #expect(refused.status != 0 && refused.errorLines.count == 1, "\(refused.errors)")
    }

    @Test("a default folder that cannot be made fails in one line before anything runs")
    func defaultFolderRefused() throws {
        let folder = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "not a folder\n".write(to: folder.appendingPathComponent("results"), atomically: true, encoding: .utf8)
        let file = try Self.run("evtchn-bench", Self.oneRun, in: folder)
        #expect(file.status != 0 && file.errorLines.count == 1, "\(file.errors)")
        #expect(file.errors.contains("the default output folder: results is not a folder"), "\(file.errors)")
        guard getuid() != 0 else { return }  // root may create folders anywhere
        let locked = try Self.scratchFolder()
        defer { try? FileManager.default.removeItem(at: locked) }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        let refused = try Self.run("evtchn-bench", Self.oneRun, in: locked)
        #expect(refused.status != 0 && refused.errorLines.count == 1, "\(refused.errors)")
        #expect(refused.errors.contains("cannot create results"), "\(refused.errors)")
    }

    @Test("the poll and shinfo-move scenarios are selectable and appear in --plan")
    func pollAndMovePlan() throws {
        let outcome = try Self.run("evtchn-bench", ["run", "--plan", "--scenario", "poll,shinfo-move", "--design", "rwlock",
                                                    "--senders", "1", "--vcpus", "1", "--placement", "compact"])
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.contains("design=rwlock scenario=poll guest_abi=64 senders=1"))
        #expect(outcome.output.contains("design=rwlock scenario=shinfo-move guest_abi=64 senders=1"))
        #expect(outcome.output.contains("2 configurations"))
        let none = try Self.run("evtchn-bench", ["run", "--plan", "--scenario", "shinfo-move", "--invalidate-every-us", "0"])
        #expect(none.status != 0 && none.errorLines.count == 1, "\(none.errors)")
    }

    @Test("list names every design; the probe lists the same ones")
    func listings() throws {
        let probe = try Self.run("evtchn-probe", ["list", "designs"])
        #expect(probe.status == 0)
        let designs = probe.output.split(whereSeparator: \.isWhitespace)
        #expect(designs.count == 9)
        let list = try Self.run("evtchn-bench", ["list"])
        #expect(list.status == 0)
        for design in designs { #expect(list.output.contains(String(design)), "\(design)") }
    }

    @Test("the probe: bad usage is one line and exit 2; a run checks every iteration")
    func probe() throws {
        let bad = try Self.run("evtchn-probe", ["no-such-design", "coalesce", "10"])
        #expect(bad.status == 2)
        #expect(bad.errorLines.count == 1)
        let good = try Self.run("evtchn-probe", ["rwlock", "deliver_consume", "640"])
        #expect(good.status == 0, "\(good.errors)")
        #expect(good.errors.isEmpty)
    }
}
