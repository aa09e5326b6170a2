import Platform
import Reports
import Testing

/// Rows whose `suspect` column names a reason are left out of what
/// `compare` and `plot` compute from medians, and counted.
@Suite("Suspect rows in compare and plot")
struct SuspectReadingTests {
    /// `fixtureTable`'s rows with a `suspect` column: the rows at `suspect`
    /// (indices) say `window-stretched`.
    static func table(_ rows: [(design: String, senders: Int, sends: Double, p99: Double)], suspect: Set<Int>) -> ReportTable {
        let plain = fixtureTable(rows: rows)
        let body = plain.rows.enumerated().map { $0.element + [suspect.contains($0.offset) ? "window-stretched" : ""] }
        return ReportTable(path: plain.path, header: plain.header + ["suspect"], rows: body)
    }

    @Test("compare leaves suspect rows out of the medians and counts them per side")
    func compare() throws {
        // The suspect rows would drag each median far down.
        let old = Self.table([("rwlock", 1, 100, 1000), ("rwlock", 1, 100, 1000), ("rwlock", 1, 1, 1000)], suspect: [2])
        let new = Self.table([("rwlock", 1, 100, 1000), ("rwlock", 1, 1, 1000), ("rwlock", 1, 2, 1000),
                              ("rwlock", 1, 100, 1000)], suspect: [1, 2])
        let comparison = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 5, ignoreHost: false)
        let sends = comparison.entries[0].changes[0]
        #expect(sends.oldMedian == 100 && sends.newMedian == 100 && sends.oldCount == 2 && sends.newCount == 2)
        #expect(comparison.suspectOld == 1 && comparison.suspectNew == 2)
        #expect(comparison.regressions.isEmpty)
    }

    @Test("a configuration whose every row is suspect is one-sided, not compared with nothing")
    func allSuspect() throws {
        let old = Self.table([("rwlock", 1, 100, 1000), ("rcu", 1, 100, 1000)], suspect: [])
        let new = Self.table([("rwlock", 1, 100, 1000), ("rcu", 1, 1, 1000)], suspect: [1])
        let comparison = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 5, ignoreHost: false)
        #expect(comparison.entries.count == 1 && comparison.onlyOld.count == 1 && comparison.suspectNew == 1)
    }

    @Test("plot leaves suspect rows out of its medians and its caption counts them")
    func plot() throws {
        var rows = [PlotConfigurationTests.row(rate: 5), PlotConfigurationTests.row(rate: 5), PlotConfigurationTests.row(rate: 1)]
        let suspect = RunRecord.columns.firstIndex(of: Column.suspect.rawValue)!
        rows[2][suspect] = "thread-starved"
        let script = try PlotScript(source: .table(ReportTable(path: "s.csv", header: RunRecord.columns, rows: rows)),
                                    stem: "/tmp/s").text
        let throughput = PlotConfigurationTests.blocks("throughput", script)
        #expect(throughput.flatMap { $0.flatMap(PlotConfigurationTests.medians) } == [formatFixed(5, decimals: 4)])
        #expect(script.contains("1 suspect row(s) left out"))
    }
}
