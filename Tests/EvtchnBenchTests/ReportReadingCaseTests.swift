#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Commands that read a report path (compare, plot, check-placement) given
/// what is not one (issue 19, reading reports): refused fast, in one line
/// naming the file (and the line and column of a bad cell), never a hang
/// on a FIFO or a device; the file as it was. Each case runs the real
/// executable; "BAD" in a command is the hostile path, "GOOD" a report.
@Suite("Reading hostile reports")
struct ReportReadingCaseTests {
    typealias Sample = HostileFiles.Sample

    typealias Case = HostileFiles.Case

    static let compare = ["compare", "BAD", "GOOD"], plot = ["plot", "BAD"]
    static let placement = ["check-placement", "--plan", "GOOD", "BAD"], planned = ["check-placement", "--plan", "BAD", "GOOD"]

    static func fifo(_ folder: URL, _: Sample) -> String {
        let path = folder.appendingPathComponent("fifo.csv").path
        #expect(mkfifo(path, 0o644) == 0)
        return path
    }

    static let refused: [Case] = [
        Case("compare: a FIFO whose writer comes late", compare, "it is a named pipe (FIFO)", make: fifo),
        Case("plot: a FIFO", plot, "it is a named pipe (FIFO)", make: fifo),
        Case("check-placement: a FIFO as the plan", planned, "it is a named pipe (FIFO)", make: fifo),
        Case("compare: /dev/zero", compare, "it is a character device", at: "/dev/zero"),
        Case("plot: /dev/null", plot, "it is a character device", at: "/dev/null"),
        Case("compare: /dev/tty", compare, "it is a character device", at: "/dev/tty"),
        Case("compare: /dev/urandom", compare, "it is a character device", at: "/dev/urandom"),
        Case("check-placement: /dev/zero as the report", placement, "it is a character device", at: "/dev/zero"),
        Case("compare: a directory", compare, "it is a directory, not a report file") { folder, _ in folder.path },
        Case("compare: a socket", compare, "it is a socket, not a report file", make: socketFile),
        Case("compare: a dangling link", compare, "a symbolic link to missing.csv, which does not exist") { folder, _ in
            let path = folder.appendingPathComponent("link.csv").path
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "missing.csv")
            return path
        },
        Case("compare: a /proc file", compare, "it is a file of /proc (procfs), a kernel interface", at: "/proc/self/status"),
        Case("plot: a /proc file that blocks", plot, "it is a file of /proc (procfs)", at: "/proc/self/environ"),
        Case("compare: a /sys file", compare, "it is a file of /sys (sysfs)", at: "/sys/kernel/uevent_seqnum"),
        Case("compare: NUL bytes only", compare, "missing column(s)") { _ in String(repeating: "\u{0}", count: 4096) },
        Case("compare: a NUL byte in a number", compare, "line 2: column delivered_per_s is not a finite number") {
            $0.file($0.row(["delivered_per_s": "5\u{0}"]))
        },
        Case("compare: nan", compare, "bad.csv: line 3: column delivered_per_s is not a finite number: 'nan'") {
            $0.file($0.row, $0.row(["delivered_per_s": "nan"]))
        },
        Case("compare: inf", compare, "line 2: column e2e_p99_ns is not a finite number: 'inf'") {
            $0.file($0.row(["e2e_p99_ns": "inf"]))
        },
        Case("compare: -inf", compare, "line 2: column sends_per_s is not a finite number: '-inf'") {
            $0.file($0.row(["sends_per_s": "-inf"]))
        },
        Case("compare: 1e400", compare, "line 2: column sends_per_s is not a finite number: '1e400'") {
            $0.file($0.row(["sends_per_s": "1e400"]))
        },
        Case("compare: a negative count in the key", compare, "line 2: column ports_per_sender is not a count: '-3'") {
            $0.file($0.row(["ports_per_sender": "-3"]))
        },
        Case("plot: a negative latency", plot, "line 2: column e2e_p50_ns is negative") { $0.file($0.row(["e2e_p50_ns": "-1"])) },
        Case("plot: senders -1", plot, "line 2: column senders is not a count: '-1'") { $0.file($0.row(["senders": "-1"])) },
        Case("plot: lost -1", plot, "line 2: column lost is not a count: '-1'") { $0.file($0.row(["lost": "-1"])) },
        Case("plot: nan fairness", plot, "line 2: column fairness_min_over_max is not a finite number") {
            $0.file($0.row(["fairness_min_over_max": "NaN"]))
        },
        Case("check-placement: a negative vCPU count", placement, "line 2: column vcpus is not a count") {
            $0.file($0.row(["vcpus": "-2"]))
        },
        Case("compare: a field over 1 MiB", compare, "a row longer than 1048576 bytes") {
            $0.file($0.row(["kernel": String(repeating: "k", count: 1 << 21)]))
        },
        Case("compare: an empty file", compare, "empty file, no header") { _ in "" },
        Case("compare: a quoted field never closed", compare, "a quoted field is not closed") { $0.file("\"" + $0.row) },
        Case("compare: another tool's file", compare, "missing column(s) design") { _ in "a,b\n1,2\n" },
    ]

    @Test("refused in one line, the file untouched", arguments: refused)
    func refusal(_ hostile: Case) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outcome, bad, before) = try HostileFiles.run(hostile, in: folder)
        // Only the case's own files are compared: /proc/self is another process's each time.
        let own = bad.hasPrefix(folder.path)
        HostileFiles.expectRefusal(outcome, saying: hostile.refusal ?? "", path: own ? bad : nil, before: before)
    }

    static let accepted: [Case] = [
        Case("compare: a report against itself", compare, nil) { $0.file($0.row, $0.row) },
        Case("compare: -0 in a measurement", compare, nil) { $0.file($0.row(["e2e_p99_ns": "-0"])) },
        Case("compare: a byte-order mark", compare, nil) { "\u{FEFF}" + $0.file($0.row) },
        Case("compare: CRLF line ends", compare, nil) { "\($0.header)\r\n\($0.row)\r\n" },
        Case("compare: an older report, without guest_abi, vcpu_mode and ports_per_sender", compare, nil) {
            $0.without(["guest_abi", "vcpu_mode", "ports_per_sender"])
        },
    ]

    @Test("read as the report it is", arguments: accepted)
    func reading(_ report: Case) throws {
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outcome, bad, before) = try HostileFiles.run(report, in: folder)
        #expect(outcome.status == 0 && outcome.errors.isEmpty, "\(outcome.errors)")
        // What compare prints of it is its own tests' business (a 20 ms row may be left out as suspect).
        #expect(!outcome.output.isEmpty)
        #expect(HostileFiles.bytes(bad) == before)
    }

    @Test("a pipe is read: compare /dev/stdin, as `a | compare` gives it")
    func pipe() throws {
        let sample = try #require(HostileFiles.sample)
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(sample.file(sample.row).utf8).write(to: folder.appendingPathComponent("good.csv"))
        let outcome = try StandardStreamTests.shell(
            "cat good.csv | '\(StandardStreamTests.products)/evtchn-bench' compare /dev/stdin good.csv", in: folder)
        #expect(outcome.status == 0 && outcome.errors.isEmpty, "\(outcome.errors)")
    }

    /// A Unix socket bound at "socket.csv" (the file stays after close).
    static func socketFile(_ folder: URL, _: Sample) -> String {
        let path = folder.appendingPathComponent("socket.csv").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // Safe: the path is shorter than sun_path (108 bytes), which stays NUL-ended.
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8.prefix($0.count - 1)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        return path
    }
}
