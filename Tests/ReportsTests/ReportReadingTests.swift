#if canImport(Glibc)
import Glibc
#endif
import Platform
import Reports
import TestSupport
import Testing

/// compare and plot read reports through one decoder: the same cells are
/// accepted and refused, inputs are bounded, numeric options are checked.
@Suite("Reading reports")
struct ReportReadingTests {
    @Test("report numbers: finite decimals only", arguments: [
        ("12", 12.0), ("-0.5", -0.5), ("+3", 3), ("1.5e+07", 1.5e7), ("2E3", 2000), (".5", 0.5), ("7.", 7),
        ("nan", nil), ("NaN", nil), ("inf", nil), ("-infinity", nil), ("0x10", nil), (" 1", nil), ("1 ", nil),
        ("", nil), ("1e", nil), ("e5", nil), (".", nil), ("1e999", nil), ("1,5", nil), ("--1", nil),
    ] as [(String, Double?)])
    func numbers(text: String, value: Double?) {
        #expect(ReportNumber.parse(text) == value)
    }

    /// A report compare and plot both accept, with one cell replaced.
    func report(_ cell: String, in folder: TemporaryFolder) throws -> String {
        var record = RunRecord()
        var text = CSV.line(RunRecord.columns)
        for rep in 1...2 {
            record.set(.host, "box")
            record.set(.design, "rwlock")
            record.set(.scenario, "ipi")
            record.set(.senders, 1)
            record.set(.vcpus, 1)
            record.set(.rep, rep)
            for column in [Column.sendsPerSecond, .deliveredPerSecond] { record.set(column, rate: 1e6) }
            record.set(.fairnessMinOverMax, ratio: 1)
            for column in [Column.e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax] { record.set(column, 500) }
            if rep == 2 { record.set(.deliveredPerSecond, cell) }
            text += CSV.line(record.fields)
        }
        let path = folder.path + "/r.csv"
        try writeFileAtomically(path, text)
        return path
    }

    @Test("compare and plot refuse the same bad cells, naming file, line and column",
          arguments: ["nan", "", "inf", "0x10", "fast", " 1", "-1", "-0.5", "-1e9"])
    func sameCells(cell: String) throws {
        let folder = TemporaryFolder()
        let path = try report(cell, in: folder)
        let compare = #expect(throws: ReportError.self) {
            try Comparison(old: .file(path), new: .file(path), thresholdPercent: 0, ignoreHost: false)
        }
        let plot = #expect(throws: ReportError.self) { try PlotScript(source: .file(path), stem: folder.path + "/r") }
        for error in [compare, plot] {
            #expect(error?.description.hasPrefix("\(path): line 3: column delivered_per_s ") == true, "\(String(describing: error))")
        }
        #expect(compare == plot)
    }

    @Test("a good report passes both")
    func goodCells() throws {
        let folder = TemporaryFolder()
        let path = try report("2000000.0", in: folder)
        #expect(try Comparison(old: .file(path), new: .file(path), thresholdPercent: 0, ignoreHost: false).entries.count == 1)
        #expect(try PlotScript(source: .file(path), stem: folder.path + "/r").outputs.count == 6)
    }

    @Test("thresholds outside 0...1000 percent are refused; huge numbers print without a trap")
    func thresholds() throws {
        let folder = TemporaryFolder()
        let path = try report("1e300", in: folder)
        for threshold in [1e308, -1, 1000.5, .nan, .infinity] {
            let error = #expect(throws: ReportError.self) {
                try Comparison(old: .file(path), new: .file(path), thresholdPercent: threshold, ignoreHost: false)
            }
            #expect(error?.description == "the threshold must be between 0 and 1000 percent")
        }
        let comparison = try Comparison(old: .file(path), new: .file(path), thresholdPercent: 1000, ignoreHost: false)
        #expect(comparison.regressions.isEmpty)
        #expect(compactNumber(1e300).hasSuffix("M"))
        #expect(formatFixed(1e308, decimals: 1) == "1e+308")
        #expect(formatFixed(-9.5e18, decimals: 0) == "-9.5e+18")
    }

    @Test("devices and folders are refused before reading; a row without end is bounded",
          arguments: ["/dev/zero", "/dev/full", "/tmp"])
    func bounded(path: String) {
        let error = #expect(throws: ReportError.self) { try ReportTable.load(path) }
        #expect(error?.description.contains("not a report file") == true, "\(String(describing: error))")
    }

    @Test("a file that is one endless line fails after 1 MiB, not at the end of memory")
    func endlessLine() throws {
        let folder = TemporaryFolder()
        try writeFileAtomically(folder.path + "/zeros.csv", String(repeating: "0", count: 3 << 20))
        let error = #expect(throws: ReportError.self) { try ReportTable.load(folder.path + "/zeros.csv") }
        #expect(error?.description.contains("a row longer than 1048576 bytes") == true, "\(String(describing: error))")
    }

    @Test("a pipe is read, as compare <(...) gives it")
    func pipe() throws {
        var ends: [Int32] = [0, 0]
        #expect(Glibc.pipe(&ends) == 0)
        defer { close(ends[0]) }
        _ = "a,b\n1,2\n".withCString { write(ends[1], $0, 8) }
        close(ends[1])
        let table = try ReportTable.load("/dev/fd/\(ends[0])")
        #expect(table.rows == [["1", "2"]])
    }

    @Test("streaming and in-memory comparisons agree; many rows of few configurations")
    func streaming() throws {
        let folder = TemporaryFolder()
        var text = "host,design,scenario,senders,vcpus,sends_per_s,delivered_per_s,e2e_p99_ns\n"
        for row in 0..<3000 { text += "box,d\(row % 3),ipi,1,1,\(100 + row % 7),\(50 + row % 5),\(900 + row % 11)\n" }
        try writeFileAtomically(folder.path + "/big.csv", text)
        let streamed = try Comparison(old: .file(folder.path + "/big.csv"), new: .file(folder.path + "/big.csv"),
                                      thresholdPercent: 0, ignoreHost: false)
        let table = try ReportTable.load(folder.path + "/big.csv")
        let loaded = try Comparison(old: .table(table), new: .table(table), thresholdPercent: 0, ignoreHost: false)
        #expect(streamed.entries.count == 3)
        #expect(streamed.entries.map(\.key) == loaded.entries.map(\.key))
        #expect(streamed.entries.flatMap { $0.changes.map(\.newMedian) } == loaded.entries.flatMap { $0.changes.map(\.newMedian) })
        #expect(streamed.entries[0].changes[0].oldCount == 1000)
        #expect(streamed.entries[0].changes[0].intervalsOverlap == true)
    }
}

@Suite("Messages stay readable")
struct PrintableTests {
    @Test("control characters and NUL become ?, and a long text keeps its start and its end around …")
    func printableText() {
        #expect(printable("a\u{0}b\u{1B}[2J\nc") == "a?b?[2J?c")
        let path = "/" + String(repeating: "deep/", count: 800) + "report.csv"
        let shown = printable(path)
        #expect(shown.count <= printableLimit && shown.contains("…") && shown.hasSuffix("/report.csv") && shown.hasPrefix("/deep/"))
        #expect(printable("short") == "short")
    }
}
