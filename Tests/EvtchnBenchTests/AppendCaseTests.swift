#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `run --output` onto what is already there (issue 19, appending): a
/// run appends only to a report whose every row reads as a run's row,
/// under its own header; anything else is refused in one line before any
/// benchmark runs, the file untouched. Each case runs the real executable.
@Suite("Appending to hostile reports")
struct AppendCaseTests {
    typealias Sample = HostileFiles.Sample

    typealias Case = HostileFiles.Case
    static let run = HostileFiles.tinyRun("BAD")

    static let refused: [Case] = [
        Case("a garbage row of the right width", run, "line 2: column") {
            $0.file($0.row.replacingOccurrences(of: "[^,]+", with: "x", options: .regularExpression))
        },
        Case("a row of empty cells", run, "line 2: column design") {
            $0.file(String(repeating: ",", count: $0.header.filter { $0 == "," }.count))
        },
        Case("a negative delivered/s", run, "line 3: column delivered_per_s is negative") {
            $0.file($0.row, $0.row(["delivered_per_s": "-1"]))
        },
        Case("nan in a measurement", run, "column e2e_p99_ns is not a finite number: 'nan'") {
            $0.file($0.row(["e2e_p99_ns": "nan"]))
        },
        Case("inf in a measurement", run, "column sends_per_s is not a finite number: 'inf'") {
            $0.file($0.row(["sends_per_s": "inf"]))
        },
        Case("1e400 in a measurement", run, "column gini is not a finite number: '1e400'") { $0.file($0.row(["gini": "1e400"])) },
        Case("a negative sender count", run, "column senders is not a count: '-1'") { $0.file($0.row(["senders": "-1"])) },
        Case("a fractional count", run, "column lost is not a count: '1.5'") { $0.file($0.row(["lost": "1.5"])) },
        Case("a design that is no plain name", run, "column design 'rw lock' is not a plain name") {
            $0.file($0.row(["design": "rw lock"]))
        },
        Case("a last line cut short", run, "line 3: ") { $0.file($0.row) + String($0.row.prefix(40)) },
        Case("a row with fields missing", run, "line 2: 3 fields where the header has") { $0.file("1,2,3") },
        Case("a row with an extra field", run, "fields where the header has") { $0.file($0.row + ",extra") },
        Case("a blank line between rows", run, "line 3: 1 fields where the header has") { $0.file($0.row, "", $0.row) },
        Case("a quoted field never closed", run, "a quoted field is not closed") { $0.file($0.row, "\"open") },
        Case("another tool's header", run, "different header (column 1 is 'a' in the file, 'utc_time' in this run)") {
            _ in "a,b,c\n1,2,3\n"
        },
        Case("a header with an extra column", run, "in the file, none in this run") { "\($0.header),extra\n\($0.row),1\n" },
        Case("a header with two columns swapped", run, "column 1 is 'host' in the file, 'utc_time' in this run") { sample in
            sample.header.replacingOccurrences(of: "utc_time,host,", with: "host,utc_time,") + "\n"
        },
        Case("a header cut short", run, "different header") { String($0.header.prefix(30)) + "\n" },
        Case("a byte-order mark before the header", run, "starts with a byte-order mark (BOM)") { "\u{FEFF}" + $0.file($0.row) },
        Case("a NUL byte in a number", run, "column senders is not a") { $0.file($0.row(["senders": "1\u{0}"])) },
        Case("a field over 1 MiB", run, "a row longer than 1048576 bytes") {
            $0.file($0.row(["kernel": String(repeating: "k", count: 1 << 21)]))
        },
        Case("a read-only report (mode 0444), even for root", run, "read-only (mode 0444)") { folder, sample in
            let path = folder.appendingPathComponent("bad.csv").path
            try Data(sample.file(sample.row).utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
            return path
        },
        Case("a directory", run, "it is a directory, not a regular file") { folder, _ in
            let path = folder.appendingPathComponent("bad.csv").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            return path
        },
        Case("a FIFO", run, "it is a FIFO, not a regular file") { folder, _ in
            #expect(mkfifo(folder.appendingPathComponent("bad.csv").path, 0o644) == 0)
            return folder.appendingPathComponent("bad.csv").path
        },
        Case("/dev/null", run, "it is a character device", at: "/dev/null"),
        Case("a link into a folder that does not exist", run, "No such file or directory") { folder, _ in
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("bad.csv").path,
                                                       withDestinationPath: "missing/r.csv")
            return folder.appendingPathComponent("bad.csv").path
        },
        Case("a file of /proc (the run's own name)", run, "/proc/self", at: "/proc/self/comm"),
    ]

    @Test("refused in one line, before any run, the file untouched", arguments: refused)
    func refusal(_ hostile: Case) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outcome, path, before) = try HostileFiles.run(hostile, in: folder)
        HostileFiles.expectRefusal(outcome, saying: hostile.refusal ?? "", path: path, before: before)
        #expect(!outcome.output.contains("[1/1]"), "a refused run measured: \(outcome.output)")
    }

    static let accepted: [Case] = [
        Case("a report of this build", run, nil) { $0.file($0.row) },
        Case("a header only", run, nil) { $0.file() },
        Case("CRLF line ends (kept)", run, nil) { "\($0.header)\r\n\($0.row)\r\n" },
        Case("no line break after the last row", run, nil) { $0.file() + $0.row },
        Case("-0 in a measurement", run, nil) { $0.file($0.row(["gini": "-0"])) },
        Case("a 0-byte file the user made", run, nil) { _ in "" },
        Case("a link to a report (written through, the link kept)", run, nil) { folder, sample in
            try Data(sample.file(sample.row).utf8).write(to: folder.appendingPathComponent("target.csv"))
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("bad.csv").path,
                                                       withDestinationPath: "target.csv")
            return folder.appendingPathComponent("bad.csv").path
        },
    ]

    @Test("appended after what is there, nothing of it lost", arguments: accepted)
    func append(_ existing: Case) throws {
        let sample = try #require(HostileFiles.sample)
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outcome, path, before) = try HostileFiles.run(existing, in: folder)
        #expect(outcome.status == 0, "\(outcome.errors)")
        let after = String(decoding: try #require(HostileFiles.bytes(path)), as: UTF8.self)
        let kept = String(decoding: try #require(before), as: UTF8.self)
        let ending = kept.contains("\r\n") ? "\r\n" : "\n"
        #expect(after.hasPrefix(kept), "the existing bytes are kept as they were")
        #expect(after.hasSuffix(ending) && after.components(separatedBy: ending).filter { $0.contains(",rwlock,ipi,") }.count
                == kept.components(separatedBy: ending).filter { $0.contains(",rwlock,ipi,") }.count + 1)
        #expect(after.hasPrefix(sample.header), "a header, first")
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
        #expect(link == nil || link == "target.csv", "a link stays a link")
    }

    @Test("under umask 0377 the run creates its report (mode 0400) and writes it")
    func umask() throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = HostileFiles.tinyRun("r.csv").joined(separator: " ")
        let binary = StandardStreamTests.products + "/evtchn-bench"
        let outcome = try StandardStreamTests.shell("umask 0377; '\(binary)' \(run)", in: folder)
        #expect(outcome.status == 0, "\(outcome.errors)")
        let path = folder.appendingPathComponent("r.csv").path
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o400, "the umask's mode, for a new file")
        #expect(try StandardStreamTests.lines(folder, "r.csv").count == 2)
    }

    @Test("a wait for another run's lock is said; a stop signal ends it, writing nothing",
          arguments: ["release", "SIGINT", "SIGTERM"])
    func lockWait(_ end: String) throws {
        let sample = try #require(HostileFiles.sample)
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("r.csv").path
        try Data(sample.file(sample.row).utf8).write(to: URL(fileURLWithPath: path))
        let before = HostileFiles.bytes(path)
        // The lock another run would hold, held by this process.
        let held = open(path, O_RDONLY | O_CLOEXEC)
        try #require(held >= 0 && flock(held, LOCK_EX) == 0)
        defer { close(held) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: StandardStreamTests.products + "/evtchn-bench")
        process.arguments = HostileFiles.tinyRun("r.csv")
        process.currentDirectoryURL = folder
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var said = Self.firstLine(errors)
        #expect(String(decoding: said, as: UTF8.self).hasPrefix("waiting for another run's lock on r.csv…"), "\(said)")
        switch end {
        case "release": #expect(flock(held, LOCK_UN) == 0)
        case "SIGINT": #expect(kill(process.processIdentifier, SIGINT) == 0)
        default: process.terminate()
        }
        said += errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: said, as: UTF8.self).split(separator: "\n")
        #expect(process.terminationReason == .exit, "ended by its own exit, not killed")
        if end == "release" {
            #expect(process.terminationStatus == 0 && lines.count == 1, "\(lines)")
            #expect(try StandardStreamTests.lines(folder, "r.csv").count == 3)
        } else {
            #expect(process.terminationStatus == (end == "SIGINT" ? 130 : 143))
            #expect(lines.count == 2 && lines[1].hasPrefix("Error: stopped while waiting"), "\(lines)")
            #expect(HostileFiles.bytes(path) == before, "nothing written")
        }
    }

    /// The handshake: what the child wrote up to its first line break (the
    /// waiting line), or up to the end of its stderr if it ended instead.
    static func firstLine(_ pipe: Pipe) -> Data {
        var said = Data()
        while !said.contains(UInt8(ascii: "\n")), case let more = pipe.fileHandleForReading.availableData, !more.isEmpty {
            said += more
        }
        return said
    }
}
