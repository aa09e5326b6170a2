#if canImport(Glibc)
import Glibc
#endif
import Reports
import TestSupport
import Testing

@Suite("Durable report writer")
struct CSVReportWriterTests {
    @Test("creates the file with its header, and every append is on disk at once")
    func appends() throws {
        let folder = TemporaryFolder()
        let writer = try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "b"])
        #expect(folder.contents("r.csv") == "a,b\n")
        try writer.append(["1", "x,y"])
        #expect(folder.contents("r.csv") == "a,b\n1,\"x,y\"\n")
        try writer.append(["2", ""])
        #expect(folder.contents("r.csv") == "a,b\n1,\"x,y\"\n2,\n")
        #expect(writer.rowCount == 2)
        #expect(!folder.exists("r.csv.tmp"), "no temporary file is left behind")
    }

    @Test("an existing report with the same header is continued")
    func continues() throws {
        let folder = TemporaryFolder()
        try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "b"]).append(["1", "2"])
        let again = try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "b"])
        #expect(again.rowCount == 1)
        #expect(again.notes == ["appending to \(folder.path)/r.csv (1 row(s) there already)"], "appending is said")
        try again.append(["3", "4"])
        #expect(folder.contents("r.csv") == "a,b\n1,2\n3,4\n")
    }

    @Test("an existing file with another header is refused, untouched")
    func otherHeader() throws {
        let folder = TemporaryFolder()
        try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "b"]).append(["1", "2"])
        let error = #expect(throws: ReportError.self) { try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "c"]) }
        #expect(error?.description.contains("different header (column 2 is 'b' in the file, 'c' in this run)") == true,
                "\(String(describing: error))")
        #expect(folder.contents("r.csv") == "a,b\n1,2\n")
    }

    @Test("an empty file counts as new; a file with CRLF line ends is continued")
    func emptyAndCRLF() throws {
        let folder = TemporaryFolder()
        try writeFileAtomically(folder.path + "/empty.csv", "")
        let empty = try CSVReportWriter(path: folder.path + "/empty.csv", columns: ["a", "b"])
        #expect(empty.rowCount == 0)
        #expect(folder.contents("empty.csv") == "a,b\n")
        try writeFileAtomically(folder.path + "/crlf.csv", "a,b\r\n1,2\r\n")
        let crlf = try CSVReportWriter(path: folder.path + "/crlf.csv", columns: ["a", "b"])
        #expect(crlf.notes == ["appending to \(folder.path)/crlf.csv (1 row(s) there already, keeping its CRLF line ends)"])
        try crlf.append(["3", "4"])
        #expect(crlf.rowCount == 2)
        #expect(folder.contents("crlf.csv") == "a,b\r\n1,2\r\n3,4\r\n", "the file's own line ending, not mixed")
        try writeFileAtomically(folder.path + "/unended.csv", "a,b\r\n1,2")
        try CSVReportWriter(path: folder.path + "/unended.csv", columns: ["a", "b"]).append(["3", "4"])
        #expect(folder.contents("unended.csv") == "a,b\r\n1,2\r\n3,4\r\n", "a last row without a line break is ended first")
    }

    @Test("a file that is not CSV is refused, untouched")
    func notCSV() throws {
        let folder = TemporaryFolder()
        try writeFileAtomically(folder.path + "/r.csv", "a,b\n1,\"2\n")
        let error = #expect(throws: ReportError.self) { try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "b"]) }
        #expect(error?.description.contains("not a CSV report (line 2") == true, "\(String(describing: error))")
        #expect(folder.contents("r.csv") == "a,b\n1,\"2\n")
    }

    @Test("a failed write names the step and leaves no temporary file")
    func failedWrite() throws {
        let folder = TemporaryFolder()
        #expect(mkdir(folder.path + "/full", 0o755) == 0)
        let error = #expect(throws: ReportError.self) { try writeFileAtomically(folder.path + "/full/sub/f", "data\n") }
        #expect(error?.description.hasPrefix("cannot write \(folder.path)/full/sub/f: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("No such file") == true)
        #expect(!folder.exists("full/sub/f.tmp"))
        rmdir(folder.path + "/full")
    }

    @Test("a missing folder is an error naming the path")
    func missingFolder() {
        let error = #expect(throws: ReportError.self) {
            try CSVReportWriter(path: "/nonexistent-evtchn/r.csv", columns: ["a"])
        }
        #expect(error?.description.hasPrefix("cannot write /nonexistent-evtchn/r.csv: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false, "one line")
        #expect(error?.description.contains("No such file") == true)
    }

    @Test("default report path: UTC timestamp and a sanitised host")
    func defaultPath() {
        #expect(defaultReportPath(secondsSinceEpoch: 1_795_537_800, host: "box.lab") == "results/20261124T163000Z-box.lab.csv")
        #expect(defaultReportPath(directory: "out", secondsSinceEpoch: 0, host: "a b/c") == "out/19700101T000000Z-a_b_c.csv")
        #expect(defaultReportPath(secondsSinceEpoch: 0, host: "hôst:1") == "results/19700101T000000Z-h_st_1.csv")
        #expect(defaultReportPath(secondsSinceEpoch: 0, host: "") == "results/19700101T000000Z-host.csv")
        #expect(utcTimestamp(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(utcTimestamp(secondsSinceEpoch: 1_795_537_800) == "2026-11-24T16:30:00Z")
    }
}
