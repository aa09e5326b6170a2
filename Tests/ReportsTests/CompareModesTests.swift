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
        #expect(comparison.modes.isBimodal)
        // The verdict compares the mode both sides share most (near: 4
        // against 2, far: 2 against 4; a tie goes near): nothing moved.
        let delivered = comparison.entries[0].changes[1]
        #expect(delivered.basis == .mode(0) && delivered.ratio == 1 && delivered.oldCount == 4 && delivered.newCount == 2)
        #expect(comparison.regressions.isEmpty)
        let change = try #require(comparison.modeChanges.first)
        #expect(change.old.map(\.count) == [4, 2] && change.new.map(\.count) == [2, 4])
        #expect(change.old.map(\.median) == [16, 6] && change.new.map(\.median) == [16, 6])
    }

    @Test("all of OLD near, all of NEW far: no shared mode, so no verdict, however far the medians moved")
    func modesDiffer() throws {
        let near = Self.table([32, 31, 33])
        let far = Self.table([158, 161, 163])
        let comparison = try Comparison(old: .table(near), new: .table(far), thresholdPercent: 5, ignoreHost: false)
        let delivered = comparison.entries[0].changes[1]
        #expect(delivered.basis == .modesDiffer && delivered.ratio! < 0.5 && !delivered.regressed)
    }

    @Test("a real 20 % loss within the shared mode is a regression")
    func realLoss() throws {
        let old = Self.table([32, 31, 33, 30, 160, 165])
        let slower = fixtureTable(rows: [32.0, 31, 33, 30].map { _ in ("rwlock", 1, 32 * 0.8, 1000) })
        let new = ReportTable(path: slower.path, header: slower.header + ["c2c_ns"], rows: slower.rows.map { $0 + ["31"] })
        let comparison = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 10, ignoreHost: false)
        #expect(comparison.entries[0].changes[1].basis == .mode(0) && comparison.regressions.count == 1)
    }

    @Test("one mode, or no figures: no mode lines", arguments: [[32.0, 31, 33, 30], []])
    func oneMode(_ figures: [Double]) throws {
        let table = figures.isEmpty ? fixtureTable(rows: [("rwlock", 1, 10, 1000)]) : Self.table(figures)
        let comparison = try Comparison(old: .table(table), new: .table(table), thresholdPercent: 5, ignoreHost: false)
        #expect(!comparison.modes.isBimodal && comparison.modeChanges.isEmpty)
    }
}
