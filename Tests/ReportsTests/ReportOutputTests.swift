#if canImport(Glibc)
import Glibc
#endif
import Platform
import Reports
import TestSupport
import Testing

/// What `run --output` (CSVReportWriter) and the generated files
/// (writeFileAtomically) do with what is already at the path.
@Suite("Report outputs: special files, links, modes, other writers")
struct ReportOutputTests {
    static let columns = ["a", "b"]

    func mode(_ path: String) -> UInt32? { (try? Files.status(path))??.permissions }

    @Test("devices, FIFOs and folders are refused, untouched", arguments: ["/dev/null", "/dev/full", "fifo", "folder"])
    func special(name: String) throws {
        let folder = TemporaryFolder()
        #expect(mkfifo(folder.path + "/fifo", 0o644) == 0)
        #expect(mkdir(folder.path + "/folder", 0o755) == 0)
        let path = name.hasPrefix("/") ? name : folder.path + "/" + name
        let before = try #require(try Files.status(path))
        let writer = #expect(throws: ReportError.self) { try CSVReportWriter(path: path, columns: Self.columns) }
        #expect(writer?.description.contains("not a regular file") == true, "\(String(describing: writer))")
        #expect(writer?.description.contains("\n") == false)
        let atomic = #expect(throws: ReportError.self) { try writeFileAtomically(path, "x\n") }
        #expect(atomic?.description.contains("not a regular file") == true, "\(String(describing: atomic))")
        #expect(throws: ReportError.self, "a picture gnuplot would write there") { try checkOutputPath(path) }
        #expect(try Files.status(path) == before, "still the same \(before.kind.rawValue)")
        #expect((try? Files.status(path + ".tmp")) == .some(nil), "no temporary file")
    }

    @Test("a link is written through: rows go to its target, the link and the target's mode stay")
    func link() throws {
        let folder = TemporaryFolder()
        #expect(symlink("target.csv", folder.path + "/link.csv") == 0)
        let writer = try CSVReportWriter(path: folder.path + "/link.csv", columns: Self.columns)
        #expect(writer.notes.contains { $0.contains("symbolic link: writing through it to") })
        try writer.append(["1", "2"])
        #expect(try Files.status(folder.path + "/link.csv", followLinks: false)?.kind == .symbolicLink)
        #expect(folder.contents("target.csv") == "a,b\n1,2\n")
        #expect(chmod(folder.path + "/target.csv", 0o640) == 0)
        try writeFileAtomically(folder.path + "/link.csv", "a,b\n")
        #expect(try Files.status(folder.path + "/link.csv", followLinks: false)?.kind == .symbolicLink, "the link stays")
        #expect(folder.contents("target.csv") == "a,b\n")
        #expect(mode(folder.path + "/target.csv") == 0o640, "the target keeps its mode")
    }

    @Test("a read-only report is refused, even for root; a replaced file keeps its mode")
    func modes() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/r.csv"
        try CSVReportWriter(path: path, columns: Self.columns).append(["1", "2"])
        #expect(chmod(path, 0o444) == 0)
        let error = #expect(throws: ReportError.self) { try CSVReportWriter(path: path, columns: Self.columns) }
        #expect(error?.description.contains("read-only (mode 0444)") == true, "\(String(describing: error))")
        #expect(#expect(throws: ReportError.self) { try writeFileAtomically(path, "x\n") } != nil)
        #expect(mode(path) == 0o444 && folder.contents("r.csv") == "a,b\n1,2\n")
        #expect(chmod(path, 0o600) == 0)
        try writeFileAtomically(path, "a,b\n")
        #expect(mode(path) == 0o600)
        let writer = try CSVReportWriter(path: path, columns: Self.columns)
        try writer.append(["3", "4"])
        #expect(mode(path) == 0o600)
    }

    @Test("a leftover temporary file is reported and never overwritten")
    func leftover() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/r.csv"
        try writeFileAtomically(path + ".tmp", "half a row")
        let writer = try CSVReportWriter(path: path, columns: Self.columns)
        #expect(writer.notes.contains { $0.contains("r.csv.tmp exists: a temporary file left by a write that was killed") })
        try writer.append(["1", "2"])
        let error = #expect(throws: ReportError.self) { try writeFileAtomically(path, "new\n") }
        #expect(error?.description.contains("r.csv.tmp exists, left by a write that was killed") == true, "\(String(describing: error))")
        #expect(folder.contents("r.csv.tmp") == "half a row")
        #expect(folder.contents("r.csv") == "a,b\n1,2\n")
    }

    @Test("two writers on one report at once keep every row of both")
    func concurrentWriters() async throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/r.csv"
        let perWriter = 40
        let counts = await withTaskGroup(of: (Int, Int).self) { group in
            for writer in 0..<2 {
                group.addTask {
                    guard let report = try? CSVReportWriter(path: path, columns: Self.columns) else { return (-1, -1) }
                    for row in 0..<perWriter { try? report.append(["\(writer)", "\(row)"]) }
                    return (report.appendedCount, report.rowCount)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts.map(\.0) == [perWriter, perWriter])
        #expect(counts.map(\.1).max() == 2 * perWriter, "the writer that finished last counts the other's rows")
        let rows = try CSV.parse(#require(folder.contents("r.csv")))
        #expect(rows.first == Self.columns)
        #expect(rows.count == 1 + 2 * perWriter, "one header, every row, nothing twice")
        for writer in 0..<2 {
            #expect(rows.dropFirst().filter { $0[0] == "\(writer)" }.map { $0[1] } == (0..<perWriter).map { "\($0)" })
        }
    }

    @Test("a report replaced while being written stops the writer")
    func replaced() throws {
        let folder = TemporaryFolder()
        let path = folder.path + "/r.csv"
        let writer = try CSVReportWriter(path: path, columns: Self.columns)
        try writeFileAtomically(folder.path + "/other.csv", "a,b\n")
        try Files.move(folder.path + "/other.csv", to: path)
        let error = #expect(throws: ReportError.self) { try writer.append(["1", "2"]) }
        #expect(error?.description.contains("was replaced or removed") == true, "\(String(describing: error))")
    }

    @Test("a partial last row (a cut append) is refused, naming the line")
    func partialRow() throws {
        let folder = TemporaryFolder()
        try writeFileAtomically(folder.path + "/r.csv", "a,b\n1,2\n3")
        let error = #expect(throws: ReportError.self) { try CSVReportWriter(path: folder.path + "/r.csv", columns: Self.columns) }
        #expect(error?.description.contains("not a CSV report (line 3: 1 fields where the header has 2)") == true,
                "\(String(describing: error))")
    }
}

@Suite("Signals")
struct SignalTests {
    @Test("SIGINT exits 130, SIGTERM 143")
    func exitStatus() throws {
        #expect(Interruption.exitStatus(after: SIGINT) == 130)
        #expect(Interruption.exitStatus(after: SIGTERM) == 143)
        try Interruption.install()
        #expect(!Interruption.requested)
        // raise() signals this thread; the test runner's threads may block it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        #expect(pthread_sigmask(SIG_UNBLOCK, &set, nil) == 0)
        #expect(raise(SIGTERM) == 0)
        #expect(Interruption.signal == SIGTERM)
        #expect(Interruption.exitStatus == 143)
        // The handler already put the default action back, as for a second signal.
    }
}
