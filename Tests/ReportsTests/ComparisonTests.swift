#if canImport(Glibc)
import Glibc
#endif
import Platform
import Reports
import TestSupport
import Testing

/// A small report: one row per (design, senders, value) with the columns
/// compare needs.
func fixtureTable(_ path: String = "fixture.csv", host: String = "box",
                  rows: [(design: String, senders: Int, sends: Double, p99: Double)]) -> ReportTable {
    let header = ["host", "design", "scenario", "senders", "vcpus", "sends_per_s", "delivered_per_s", "e2e_p99_ns"]
    let body = rows.map { [host, $0.design, "ipi", "\($0.senders)", "1", "\($0.sends)", "\($0.sends / 2)", "\($0.p99)"] }
    return ReportTable(path: path, header: header, rows: body)
}

@Suite("Statistics")
struct StatisticsTests {
    @Test("medians")
    func medians() {
        #expect(Statistics.median([3, 1, 2]) == 2)
        #expect(Statistics.median([4, 1, 2, 3]) == 2.5)
        #expect(Statistics.median([]) == nil)
    }

    @Test("Mann-Whitney exact p-values of fully separated samples")
    func separated() {
        // All of one side below the other: p = 2 / C(n1+n2, n1).
        #expect(abs(Statistics.mannWhitneyP([1, 2, 3], [4, 5, 6])! - 0.1) < 1e-12)
        #expect(abs(Statistics.mannWhitneyP([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])! - 2.0 / 252) < 1e-12)
        #expect(Statistics.mannWhitneyP([1, 2, 3], [4, 5, 6]) == Statistics.mannWhitneyP([4, 5, 6], [1, 2, 3]))
    }

    @Test("interleaved samples are not significant; ties use the normal approximation")
    func overlapping() {
        #expect(Statistics.mannWhitneyP([1, 3, 5], [2, 4, 6])! > 0.5)
        let tied = Statistics.mannWhitneyP([1, 1, 2, 2, 3], [1, 2, 2, 3, 3])!
        #expect(tied > 0.3 && tied <= 1)
        #expect(Statistics.mannWhitneyP([], [1]) == nil)
    }
}

@Suite("Compare")
struct ComparisonTests {
    @Test("matches configurations, medians and ratios, and lists one-sided rows")
    func matching() throws {
        let old = fixtureTable(rows: [("rwlock", 1, 100, 1000), ("rwlock", 1, 110, 1100), ("rwlock", 1, 90, 900),
                                      ("seqlock", 1, 200, 500)])
        let new = fixtureTable(rows: [("rwlock", 1, 50, 2000), ("rwlock", 1, 55, 2100), ("rwlock", 1, 45, 1900),
                                      ("rcu", 1, 300, 400)])
        let comparison = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 10, ignoreHost: false)
        #expect(comparison.entries.count == 1)
        let entry = comparison.entries[0]
        #expect(entry.key.contains("design=rwlock"))
        let sends = entry.changes[0]
        #expect(sends.oldMedian == 100 && sends.newMedian == 50 && sends.ratio == 0.5)
        #expect(sends.regressed)
        #expect(abs(sends.p! - 0.1) < 1e-12, "3 against 3, fully separated")
        #expect(!sends.significant, "3 repetitions a side can never reach p < 0.05")
        #expect(entry.changes[2].regressed, "p99 doubled")
        #expect(comparison.onlyOld.map { $0.contains("design=seqlock") } == [true])
        #expect(comparison.onlyNew.map { $0.contains("design=rcu") } == [true])
    }

    @Test("the threshold decides what is a regression")
    func threshold() throws {
        let old = fixtureTable(rows: [("mutex", 2, 100, 1000)])
        let new = fixtureTable(rows: [("mutex", 2, 92, 1050)])
        #expect(try Comparison(old: .table(old), new: .table(new), thresholdPercent: 10, ignoreHost: false).regressions.isEmpty)
        #expect(try Comparison(old: .table(old), new: .table(new), thresholdPercent: 5, ignoreHost: false).regressions.count == 1)
        let better = fixtureTable(rows: [("mutex", 2, 150, 500)])
        #expect(try Comparison(old: .table(old), new: .table(better), thresholdPercent: 0, ignoreHost: false).regressions.isEmpty)
    }

    @Test("significance with enough repetitions")
    func significance() throws {
        let old = fixtureTable(rows: (0..<6).map { ("rcu", 1, 100 + Double($0), 1000) })
        let new = fixtureTable(rows: (0..<6).map { ("rcu", 1, 80 + Double($0), 1000) })
        let change = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 5, ignoreHost: false).entries[0].changes[0]
        #expect(change.significant && change.regressed)
    }

    @Test("hosts are part of the key unless ignored")
    func hosts() throws {
        let old = fixtureTable(host: "a", rows: [("rwlock", 1, 100, 1000)])
        let new = fixtureTable(host: "b", rows: [("rwlock", 1, 100, 1000)])
        #expect(try Comparison(old: .table(old), new: .table(new), thresholdPercent: 0, ignoreHost: false).entries.isEmpty)
        #expect(try Comparison(old: .table(old), new: .table(new), thresholdPercent: 0, ignoreHost: true).entries.count == 1)
        // A report without a host column is of no known host: it does not
        // pool with a named one unless hosts are ignored.
        let hostless = ReportTable(path: "h.csv", header: Array(old.header.dropFirst()), rows: old.rows.map { Array($0.dropFirst()) })
        #expect(try Comparison(old: .table(hostless), new: .table(new), thresholdPercent: 0, ignoreHost: false).entries.isEmpty)
        #expect(try Comparison(old: .table(hostless), new: .table(new), thresholdPercent: 0, ignoreHost: true).entries.count == 1)
    }

    @Test("negative measurements and thread counts are refused in one line naming line and column")
    func negatives() throws {
        let good = fixtureTable(rows: [("rwlock", 1, 100, 1000)])
        var rows = good.rows
        rows[0][3] = "-1"
        let senders = #expect(throws: ReportError.self) {
            try Comparison(old: .table(good), new: .table(ReportTable(path: "n.csv", header: good.header, rows: rows)),
                           thresholdPercent: 0, ignoreHost: false)
        }
        #expect(senders?.description == "n.csv: line 2: column senders is not a count: '-1'")
        rows = good.rows
        rows[0][5] = "-100"
        let rate = #expect(throws: ReportError.self) {
            try Comparison(old: .table(good), new: .table(ReportTable(path: "n.csv", header: good.header, rows: rows)),
                           thresholdPercent: 0, ignoreHost: false)
        }
        #expect(rate?.description.hasPrefix("n.csv: line 2: column sends_per_s is negative") == true, "\(String(describing: rate))")
    }

    @Test("a report older than a key column reads it as the value every run then had")
    func olderReport() throws {
        let old = fixtureTable(rows: [("rwlock", 1, 100, 1000)])
        let header = old.header + ["guest_abi", "vcpu_mode", "strategy"]
        let new = ReportTable(path: "n.csv", header: header, rows: [old.rows[0] + ["64", "poll", ""], old.rows[0] + ["32", "poll", ""]])
        let comparison = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 0, ignoreHost: false)
        #expect(comparison.entries.count == 1 && comparison.entries[0].key.contains("guest_abi=64"))
        #expect(comparison.onlyNew.count == 1 && comparison.onlyNew[0].contains("guest_abi=32"))
    }

    @Test("bad input: missing columns, non-numbers and malformed CSV name the file and line")
    func badInput() throws {
        let incomplete = ReportTable(path: "x.csv", header: ["design"], rows: [["rwlock"]])
        let good = fixtureTable(rows: [("rwlock", 1, 100, 1000)])
        let missing = #expect(throws: ReportError.self) {
            try Comparison(old: .table(incomplete), new: .table(good), thresholdPercent: 0, ignoreHost: false)
        }
        #expect(missing?.description.contains("x.csv: missing column(s)") == true)
        var rows = good.rows
        rows[0][5] = "fast"
        let garbled = ReportTable(path: "g.csv", header: good.header, rows: rows)
        let notNumber = #expect(throws: ReportError.self) {
            try Comparison(old: .table(good), new: .table(garbled), thresholdPercent: 0, ignoreHost: false)
        }
        #expect(notNumber?.description.contains("g.csv: line 2") == true)
        let folder = TemporaryFolder()
        let path = folder.path + "/broken.csv"
        try writeFileAtomically(path, "design,senders\nrwlock,1\nseqlock,\"2\n")
        let malformed = #expect(throws: ReportError.self) { try ReportTable.load(path) }
        #expect(malformed?.description.contains("line 3") == true, "\(String(describing: malformed))")
    }
}

@Suite("Plot scripts")
struct PlotScriptTests {
    static let gnuplot = Programs.find("gnuplot")

    func report(in folder: TemporaryFolder) throws -> String {
        var record = RunRecord()
        var lines = CSV.line(RunRecord.columns)
        for (design, senders, rate) in [("rwlock", 1, 5e6), ("rwlock", 2, 3e6), ("rcu", 1, 7e6), ("rcu", 2, 6e6)] {
            record.set(.host, "box")
            record.set(.cpuModel, "Test CPU \"quoted\"")
            record.set(.design, design)
            record.set(.scenario, "ipi")
            record.set(.senders, senders)
            record.set(.deliveredPerSecond, rate: rate)
            record.set(.fairnessMinOverMax, ratio: 0.9)
            for (column, value) in [(Column.e2eP50, 300), (.e2eP90, 500), (.e2eP99, 900), (.e2eP999, 2000), (.e2eMax, 9000)] {
                record.set(column, value)
            }
            lines += CSV.line(record.fields)
        }
        let path = folder.path + "/run.csv"
        try writeFileAtomically(path, lines)
        return path
    }

    @Test("the script has every picture, titles, axis labels with units and the machine")
    func script() throws {
        let folder = TemporaryFolder()
        let script = try PlotScript(source: .file(report(in: folder)), stem: folder.path + "/run")
        #expect(script.outputs.count == 6)
        #expect(script.text.contains("set output '\(folder.path)/run-throughput-ipi.svg'"))
        #expect(script.text.contains("set output '\(folder.path)/run-latency.png'"))
        #expect(script.text.contains("set ylabel \"delivered events per second (millions)\""))
        #expect(script.text.contains("latency (ns, log scale)"))
        #expect(script.text.contains("'box: Test CPU \"quoted\", "), "the caption names the machine, in a single-quoted string")
        #expect(script.text.contains("1 5.0000 5.0000 5.0000 7.0000 7.0000 7.0000"), "medians and intervals in M/s")
        #expect(script.text.contains("2 3.0000 3.0000 3.0000 6.0000 6.0000 6.0000"))
    }

    @Test("gnuplot accepts the script and draws every picture", .enabled(if: gnuplot != nil, "gnuplot is not installed"))
    func drawn() throws {
        let folder = TemporaryFolder()
        let script = try PlotScript(source: .file(report(in: folder)), stem: folder.path + "/run")
        try writeFileAtomically(folder.path + "/run.gp", script.text)
        #expect(try Programs.run(Self.gnuplot!, [folder.path + "/run.gp"]) == 0)
        for output in script.outputs { #expect(access(output, F_OK) == 0, "\(output)") }
    }

    @Test("a report without the needed columns is refused")
    func refused() {
        let table = ReportTable(path: "t.csv", header: ["design"], rows: [["x"]])
        #expect(throws: ReportError.self) { try PlotScript(source: .table(table), stem: "/tmp/t") }
    }
}
