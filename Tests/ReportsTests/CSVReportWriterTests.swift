#if canImport(Glibc)
import Glibc
#endif
import Reports
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
        try again.append(["3", "4"])
        #expect(folder.contents("r.csv") == "a,b\n1,2\n3,4\n")
    }

    @Test("an existing file with another header is refused, untouched")
    func otherHeader() throws {
        let folder = TemporaryFolder()
        try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "b"]).append(["1", "2"])
        let error = #expect(throws: ReportError.self) { try CSVReportWriter(path: folder.path + "/r.csv", columns: ["a", "c"]) }
        #expect(error?.description.contains("different header") == true)
        #expect(folder.contents("r.csv") == "a,b\n1,2\n")
    }

    @Test("a missing folder is an error naming the path")
    func missingFolder() {
        let error = #expect(throws: ReportError.self) {
            try CSVReportWriter(path: "/nonexistent-evtchn/r.csv", columns: ["a"])
        }
        #expect(error?.description.contains("/nonexistent-evtchn/r.csv") == true)
        #expect(error?.description.contains("No such file") == true)
    }

    @Test("default report path: UTC timestamp and a sanitised host")
    func defaultPath() {
        #expect(defaultReportPath(secondsSinceEpoch: 1_795_537_800, host: "box.lab") == "results/20261124T163000Z-box.lab.csv")
        #expect(defaultReportPath(directory: "out", secondsSinceEpoch: 0, host: "a b/c") == "out/19700101T000000Z-a_b_c.csv")
        #expect(utcTimestamp(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
    }
}
