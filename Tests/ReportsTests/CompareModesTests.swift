import Reports
import Testing

/// compare on a machine with two modes: absolute numbers within one mode.
@Suite("compare within machine modes")
struct CompareModesTests {
    /// rwlock rows at `figures` ns of hand-off: near rows run at 16, far at 6.
    static func table(_ figures: [Double]) -> ReportTable {
        let plain = fixtureTable(rows: figures.map { ("rwlock", 1, $0 < 100 ? 32 : 12, 1000) })
        let body = plain.rows.enumerated().map { $0.element + ["\(Int(figures[$0.offset]))"] }
        return ReportTable(path: plain.path, header: plain.header + ["c2c_ns"], rows: body)
    }

    @Test("OLD mostly near, NEW mostly far: the absolute median halves, within each mode nothing moved")
    func withinModes() throws {
        let old = Self.table([32, 31, 33, 30, 160, 165])
        let new = Self.table([158, 161, 163, 160, 33, 31])
        let comparison = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 5, ignoreHost: false)
        #expect(comparison.entries[0].changes[1].ratio! < 0.5, "the absolute median moved with the machine")
        #expect(comparison.modes.isBimodal)
        let change = try #require(comparison.modeChanges.first)
        #expect(change.old.map(\.count) == [4, 2] && change.new.map(\.count) == [2, 4])
        #expect(change.old.map(\.median) == [16, 6] && change.new.map(\.median) == [16, 6])
    }

    @Test("one mode, or no figures: no mode lines", arguments: [[32.0, 31, 33, 30], []])
    func oneMode(_ figures: [Double]) throws {
        let table = figures.isEmpty ? fixtureTable(rows: [("rwlock", 1, 10, 1000)]) : Self.table(figures)
        let comparison = try Comparison(old: .table(table), new: .table(table), thresholdPercent: 5, ignoreHost: false)
        #expect(!comparison.modes.isBimodal && comparison.modeChanges.isEmpty)
    }
}
