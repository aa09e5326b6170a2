import Platform
import Reports
import Testing

@Suite("Plot never merges two configurations")
struct PlotConfigurationTests {
    /// One row with what plot reads: delivered/s at `rate` M/s, latencies
    /// `rate` x 100 ns.
    static func row(host: String = "box", design: String = "rwlock", placement: String = "compact", vcpus: Int = 1,
                    senders: Int = 1, rate: Double, pass: Int? = nil) -> [String] {
        var r = RunRecord()
        if let pass {
            r.set(.rep, pass)
            r.set(.orderSeed, "7")
        }
        r.set(.host, host)
        r.set(.design, design)
        r.set(.scenario, "ipi")
        r.set(.placement, placement)
        r.set(.vcpus, vcpus)
        r.set(.senders, senders)
        r.set(.deliveredPerSecond, rate: rate * 1e6)
        r.set(.fairnessMinOverMax, ratio: 1)
        for column in [Column.e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax] { r.set(column, Int(rate) * 100) }
        return r.fields
    }

    /// Two hosts x two placements x two vCPU counts x two sender counts,
    /// each configuration with its own delivered/s, so that a merge shows.
    static func mixedReport() -> ReportTable {
        var rows: [[String]] = []
        var rate = 1.0
        for host in ["alpha", "beta"] {
            for placement in ["compact", "split"] {
                for vcpus in [1, 4] {
                    for senders in [1, 2] {
                        rows.append(Self.row(host: host, placement: placement, vcpus: vcpus, senders: senders, rate: rate))
                        rate += 1
                    }
                }
            }
        }
        return ReportTable(path: "mixed.csv", header: RunRecord.columns, rows: rows)
    }

    /// The data lines of every datablock `name` in `script`, in order.
    static func blocks(_ name: String, _ script: String) -> [[String]] {
        let lines = script.split(separator: "\n").map(String.init)
        return lines.indices.filter { lines[$0] == "$\(name) << EOD" }.map { start in
            Array(lines[(start + 1)...].prefix { $0 != "EOD" }.filter { !$0.hasPrefix("#") })
        }
    }

    /// The medians of a datablock line (after the x value: median, low, high per series).
    static func medians(_ line: String) -> [String] {
        let fields = line.split(separator: " ").map(String.init)
        return stride(from: 1, to: fields.count, by: 3).map { fields[$0] }
    }

    @Test("two vCPU counts, two placements and two hosts: eight pictures, none merged, each titled with its configuration")
    func separatePictures() throws {
        let script = try PlotScript(source: .table(Self.mixedReport()), stem: "/tmp/mixed")
        let throughput = Self.blocks("throughput", script.text)
        #expect(throughput.count == 8, "one picture per host, placement and vCPU count")
        // Each picture: senders 1 and 2 of one configuration; rates in the
        // order the report has them, none pooled.
        let found: [[String]] = throughput.map { $0.flatMap(Self.medians) }
        let wanted: [[String]] = (0..<8).map { (index: Int) -> [String] in
            [formatFixed(Double(2 * index + 1), decimals: 4), formatFixed(Double(2 * index + 2), decimals: 4)]
        }
        #expect(found == wanted)
        for host in ["alpha", "beta"] {
            for placement in ["compact", "split"] {
                for vcpus in [1, 4] {
                    #expect(script.text.contains("Throughput vs senders (ipi; host=\(host) vcpus=\(vcpus) placement=\(placement))"),
                            "\(host) \(placement) \(vcpus)")
                }
            }
        }
        #expect(script.outputs.contains("/tmp/mixed-throughput-ipi-8.svg") && !script.outputs.contains("/tmp/mixed-throughput-ipi-9.svg"))
        let captions = script.text.split(separator: "\n").filter { $0.hasPrefix("set label 99 ") }
        #expect(captions.filter { $0.hasPrefix("set label 99 'alpha: ") }.count == 12, "each picture's caption names its machine")
        #expect(captions.filter { $0.hasPrefix("set label 99 'beta: ") }.count == 12)
        let latency = Self.blocks("latency", script.text)
        #expect(latency.count == 8 && latency.allSatisfy { $0.count == 2 }, "a header and one bar group per picture")
    }

    @Test("--ignore-host pools rows only across hosts, and no title names a host")
    func ignoringHost() throws {
        let script = try PlotScript(source: .table(Self.mixedReport()), stem: "/tmp/mixed", ignoreHost: true).text
        let throughput = Self.blocks("throughput", script)
        #expect(throughput.count == 4 && !script.contains("host="))
        #expect(script.contains("Throughput vs senders (ipi; vcpus=4 placement=split)"))
    }

    @Test("designs in one configuration share a picture, one line each, labelled by design")
    func designsShareAPicture() throws {
        var rows = Self.mixedReport().rows.prefix(2).map { $0 }
        let design = RunRecord.columns.firstIndex(of: Column.design.rawValue)!
        rows += rows.map { row in var row = row; row[design] = "rcu"; return row }
        let script = try PlotScript(source: .table(ReportTable(path: "d.csv", header: RunRecord.columns, rows: rows)),
                                    stem: "/tmp/d").text
        #expect(Self.blocks("throughput", script).count == 1)
        #expect(script.contains("title 'rwlock'") && script.contains("title 'rcu'"))
        #expect(script.contains("Throughput vs senders (ipi)"))
    }

    @Test("ladder rows get pictures of their own, steps closest first, one line per design; the senders pictures leave them out")
    func ladder() throws {
        var rows: [[String]] = []
        for design in ["rwlock", "rcu"] {
            for (placement, rate) in [("compact", 9.0), ("ladder-remote-21", 1.0), ("ladder-smt", 3.0), ("ladder-llc", 2.0)] {
                rows.append(Self.row(design: design, placement: placement, rate: rate))
            }
        }
        let script = try PlotScript(source: .table(ReportTable(path: "l.csv", header: RunRecord.columns, rows: rows)),
                                    stem: "/tmp/l")
        #expect(script.outputs.contains("/tmp/l-ladder-throughput.svg") && script.outputs.contains("/tmp/l-ladder-latency.svg"))
        #expect(script.text.contains("set xtics ('smt' 0, 'llc' 1, 'remote-21' 2)"))
        let ladder = Self.blocks("ladder", script.text)
        #expect(ladder.count == 2 && ladder[0].map(Self.medians) == [["3.0000", "3.0000"], ["2.0000", "2.0000"], ["1.0000", "1.0000"]])
        #expect(script.text.contains("title 'rwlock'") && script.text.contains("title 'rcu'"))
        let throughput = Self.blocks("throughput", script.text)
        #expect(throughput.count == 1 && throughput[0].map(Self.medians) == [["9.0000", "9.0000"]], "compact only")
    }

    @Test("--pairs rows draw as heatmaps, senders up the side, vCPUs along the bottom; the diagonal is blank")
    func pairs() throws {
        var rows: [[String]] = []
        for (sender, vcpu, rate) in [(0, 1, 1.0), (1, 0, 2.0), (0, 2, 3.0), (2, 0, 4.0), (1, 2, 5.0), (2, 1, 6.0)] {
            rows.append(Self.row(placement: "pair-\(sender)-\(vcpu)", rate: rate))
        }
        let script = try PlotScript(source: .table(ReportTable(path: "p.csv", header: RunRecord.columns, rows: rows)),
                                    stem: "/tmp/p")
        #expect(script.outputs.contains("/tmp/p-pairs-throughput.svg") && script.outputs.contains("/tmp/p-pairs-latency.svg"))
        let cells = Self.blocks("pairs", script.text)
        #expect(cells.count == 2 && cells[0].count == 9)
        #expect(cells[0].contains("1 0 1.0000") && cells[0].contains("0 1 2.0000") && cells[0].contains("2 1 5.0000"),
                "x is the vCPU's index, y the sender's")
        #expect(cells[0].contains("0 0 NaN") && cells[0].contains("2 2 NaN"))
        #expect(Self.blocks("throughput", script.text).isEmpty, "no senders picture for pair rows")
    }

    /// rwlock at 1, 2, 3 M/s in passes 1 to 3 (a machine changing speed),
    /// rcu at twice that in each pass, at each of `senders`.
    static func pairedReport(senders: [Int]) -> ReportTable {
        let rows = senders.flatMap { count in
            (1...3).flatMap { pass in
                [Self.row(design: "rwlock", senders: count, rate: Double(pass), pass: pass),
                 Self.row(design: "rcu", senders: count, rate: Double(2 * pass), pass: pass)]
            }
        }
        return ReportTable(path: "paired.csv", header: RunRecord.columns, rows: rows)
    }

    @Test("paired ratios: each design over rwlock in the same pass, a line per design against senders; the baseline has none")
    func pairedLines() throws {
        let script = try PlotScript(source: .table(Self.pairedReport(senders: [1, 2])), stem: "/tmp/r")
        #expect(script.outputs.contains("/tmp/r-paired-throughput-ipi.svg") && script.outputs.contains("/tmp/r-paired-latency.svg"))
        let lines = Self.blocks("paired", script.text)
        #expect(lines == [["1 2.0000 2.0000 2.0000", "2 2.0000 2.0000 2.0000"]], "the passes' speeds cancel")
        let picture = try #require(script.text.split(separator: "reset session").first { $0.contains("$paired << EOD") })
        #expect(picture.contains("with yerrorlines lw 2 title 'rcu'") && !picture.contains("title 'rwlock'"))
        #expect(picture.contains("Delivered/s relative to rwlock, paired per pass (ipi)"))
        #expect(Self.blocks("pairedlatency", script.text) == [["0 2.0000 2.0000 2.0000 2.0000 2.0000 2.0000"]])
    }

    @Test("paired ratios with one sender count: a bar chart with error bars; a report without passes has no paired picture")
    func pairedBars() throws {
        let script = try PlotScript(source: .table(Self.pairedReport(senders: [1])), stem: "/tmp/b").text
        let picture = try #require(script.split(separator: "reset session").first { $0.contains("$paired << EOD") })
        #expect(Self.blocks("paired", script) == [["0 2.0000 2.0000 2.0000"]])
        #expect(picture.contains("set style histogram errorbars") && picture.contains("set xtics rotate by -30 ('rcu' 0)"))
        #expect(!picture.contains("yerrorlines"))
        let plain = try PlotScript(source: .table(Self.mixedReport()), stem: "/tmp/m")
        #expect(!plain.outputs.contains { $0.contains("paired") })
    }
}
