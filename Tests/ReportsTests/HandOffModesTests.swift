import Platform
import Reports
import Testing

/// The modes of a machine's cache-line hand-off.
@Suite("Hand-off modes")
struct HandOffModesTests {
    /// The 2-core VM's twelve probes, 2 s apart (ns, one way).
    static let probes: [Double] = [61, 47, 58, 240, 241, 53, 48, 64, 60, 62, 61, 224]

    @Test("the VM's probes fall into a near and a far mode")
    func twoModes() {
        let modes = HandOffModes(Self.probes)
        #expect(modes.isBimodal && modes.counts == [9, 3])
        #expect(modes.medians == [60, 240])
        #expect(modes.mode(of: 64) == 0 && modes.mode(of: 224) == 1)
        #expect(modes.name(1) == "far (~240 ns)")
    }

    @Test("noise within one mode is one group", arguments: [[47.0, 64, 58, 61, 53, 60], [240, 241, 224, 230], [55], []])
    func oneMode(_ figures: [Double]) {
        let modes = HandOffModes(figures)
        #expect(!modes.isBimodal && modes.mode(of: 1000) == 0)
        #expect(modes.counts == (figures.isEmpty ? [] : [figures.count]))
    }

    /// The default suite on the 2-core VM: 219 figures near 30 ns, 135
    /// near 160 ns, and a few strays (17, 19, 45, 217) that widen either
    /// side's full range past half the gap; the modes are still two.
    @Test("hundreds of figures with a few strays still make two modes")
    func strays() {
        let figures = Array(repeating: 30.0, count: 215) + [17, 19, 45, 44] + Array(repeating: 160.0, count: 130)
            + [150, 152, 185, 186, 217]
        let modes = HandOffModes(figures)
        #expect(modes.isBimodal && modes.counts == [219, 135] && modes.medians == [30, 160])
        #expect(!Statistics.isBimodal(figures), "the repetitions' rule, on full ranges, would not see them")
    }

    @Test("a lone far figure is not a mode: two a side at least")
    func loneOutlier() {
        #expect(!HandOffModes([50, 52, 55, 51, 240]).isBimodal)
        #expect(HandOffModes([50, 52, 55, 51, 240, 238]).isBimodal)
    }
}

/// A report from a machine with two modes: each design's throughput line
/// is drawn once per mode.
@Suite("Plot splits lines by machine mode")
struct PlotModesTests {
    static func report(figures: [Double]) -> ReportTable {
        let c2c = RunRecord.columns.firstIndex(of: Column.c2cNanoseconds.rawValue)!
        let rows = figures.map { figure in
            var row = PlotConfigurationTests.row(rate: figure < 100 ? 14 : 5)
            row[c2c] = "\(Int(figure))"
            return row
        }
        return ReportTable(path: "m.csv", header: RunRecord.columns, rows: rows)
    }

    @Test("near and far rows: two lines, each the median of its own mode")
    func twoModes() throws {
        let script = try PlotScript(source: .table(Self.report(figures: [61, 58, 240, 62, 224, 60])), stem: "/tmp/m").text
        let block = PlotConfigurationTests.blocks("throughput", script)
        #expect(block.count == 1)
        #expect(block[0].flatMap(PlotConfigurationTests.medians) == [formatFixed(14, decimals: 4), formatFixed(5, decimals: 4)])
        let titles = script.split(separator: "\n").filter { $0.contains("yerrorlines") }.joined(separator: "\n")
        #expect(titles.contains("title 'rwlock, near (~") && titles.contains("title 'rwlock, far (~232 ns)'"), "\(titles)")
    }

    @Test("one mode: one line, as before")
    func oneMode() throws {
        let script = try PlotScript(source: .table(Self.report(figures: [61, 58, 62, 60])), stem: "/tmp/m").text
        #expect(PlotConfigurationTests.blocks("throughput", script)[0].flatMap(PlotConfigurationTests.medians).count == 1)
        #expect(!script.contains("near ("))
    }
}
