import Reports
import Testing

/// `plot --baseline` chooses what the paired pictures divide by.
@Suite("plot --baseline")
struct PlotBaselineTests {
    /// Four passes of rwlock and rcu, as plot reads them.
    static let table: ReportTable = {
        let rep = RunRecord.columns.firstIndex(of: Column.rep.rawValue)!
        let seed = RunRecord.columns.firstIndex(of: Column.orderSeed.rawValue)!
        var rows: [[String]] = []
        for pass in 1...4 {
            for (design, rate) in [("rwlock", 10.0), ("rcu", 11.0)] {
                var row = PlotConfigurationTests.row(design: design, rate: rate * (pass % 2 == 0 ? 0.4 : 1))
                row[rep] = "\(pass)"
                row[seed] = "5"
                rows.append(row)
            }
        }
        return ReportTable(path: "b.csv", header: RunRecord.columns, rows: rows)
    }()

    @Test("the default baseline is rwlock; --baseline rcu divides by rcu")
    func chosen() throws {
        let byDefault = try PlotScript(source: .table(Self.table), stem: "/tmp/b").text
        #expect(byDefault.contains("relative to rwlock") && !byDefault.contains("relative to rcu"))
        let byRCU = try PlotScript(source: .table(Self.table), stem: "/tmp/b", baseline: "rcu").text
        #expect(byRCU.contains("relative to rcu") && !byRCU.contains("relative to rwlock"))
    }

    @Test("a baseline the report does not hold is refused in one line naming the designs it has")
    func refused() {
        #expect(throws: ReportError.self) { try PlotScript(source: .table(Self.table), stem: "/tmp/b", baseline: "seqlock") }
        do { _ = try PlotScript(source: .table(Self.table), stem: "/tmp/b", baseline: "seqlock") } catch {
            #expect(error.description == "--baseline seqlock: no such design in the report (it has rwlock, rcu)")
        }
    }

    @Test("one sender count gets an x range of its own (gnuplot warns on an empty one)")
    func senderRange() throws {
        let text = try PlotScript(source: .table(Self.table), stem: "/tmp/b").text
        #expect(text.contains("set xrange [0:2]"))
    }
}
