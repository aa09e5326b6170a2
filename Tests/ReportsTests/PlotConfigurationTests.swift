import Platform
import Reports
import Testing

@Suite("Plot never merges two configurations")
struct PlotConfigurationTests {
    /// Two hosts x two placements x two vCPU counts x two sender counts,
    /// each configuration with its own delivered/s, so that a merge shows.
    static func mixedReport() -> ReportTable {
        var rows: [[String]] = []
        var rate = 1.0
        for host in ["alpha", "beta"] {
            for placement in ["compact", "split"] {
                for vcpus in [1, 4] {
                    for senders in [1, 2] {
                        var r = RunRecord()
                        r.set(.host, host)
                        r.set(.design, "rwlock")
                        r.set(.scenario, "ipi")
                        r.set(.placement, placement)
                        r.set(.vcpus, vcpus)
                        r.set(.senders, senders)
                        r.set(.deliveredPerSecond, rate: rate * 1e6)
                        r.set(.fairnessMinOverMax, ratio: 1)
                        for column in [Column.e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax] { r.set(column, Int(rate) * 100) }
                        rows.append(r.fields)
                        rate += 1
                    }
                }
            }
        }
        return ReportTable(path: "mixed.csv", header: RunRecord.columns, rows: rows)
    }

    /// The lines of the datablock `name` in `script`, header first.
    static func block(_ name: String, _ script: String) -> [String] {
        let lines = script.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(of: "$\(name) << EOD") else { return [] }
        return Array(lines[(start + 1)...].prefix { $0 != "EOD" })
    }

    @Test("two vCPU counts, two placements and two hosts: eight lines, each labelled with what differs")
    func separateLines() throws {
        let script = try PlotScript(source: .table(Self.mixedReport()), stem: "/tmp/mixed").text
        let throughput = Self.block("throughput", script)
        #expect(throughput.count == 3, "a header and the two sender counts")
        let one = throughput[1].split(separator: " ").map(String.init)
        let two = throughput[2].split(separator: " ").map(String.init)
        #expect(one.count == 1 + 8 * 3 && two.count == 1 + 8 * 3, "eight series, median and interval each")
        // Medians, in M/s: odd rates at 1 sender, even at 2, none pooled.
        let medians: ([String]) -> [String] = { row in stride(from: 1, to: row.count, by: 3).map { row[$0] } }
        let odd: [String] = (0..<8).map { formatFixed(Double(2 * $0 + 1), decimals: 4) }
        let even: [String] = (0..<8).map { formatFixed(Double(2 * $0 + 2), decimals: 4) }
        #expect(medians(one) == odd)
        #expect(medians(two) == even)
        for host in ["alpha", "beta"] {
            for placement in ["compact", "split"] {
                for vcpus in [1, 4] {
                    #expect(script.contains("title 'rwlock host=\(host) vcpus=\(vcpus) placement=\(placement)'"),
                            "\(host) \(placement) \(vcpus)")
                }
            }
        }
        let latency = Self.block("latency", script)
        #expect(latency.count == 1 + 8, "one bar group per configuration at one sender")
        #expect(script.contains("'rwlock host=alpha vcpus=1 placement=compact' 0"), "bars labelled too")
    }

    @Test("--ignore-host merges rows only across hosts, and says nothing of the host")
    func ignoringHost() throws {
        let script = try PlotScript(source: .table(Self.mixedReport()), stem: "/tmp/mixed", ignoreHost: true).text
        let one = Self.block("throughput", script)[1].split(separator: " ")
        #expect(one.count == 1 + 4 * 3)
        #expect(script.contains("title 'rwlock vcpus=4 placement=split'") && !script.contains("host="))
    }

    @Test("a report of one configuration per design labels its lines with the design alone")
    func designsOnly() throws {
        let rows = ["rwlock", "rcu"].map { design in
            var r = RunRecord()
            r.set(.host, "box")
            r.set(.design, design)
            r.set(.scenario, "ipi")
            r.set(.senders, 1)
            r.set(.vcpus, 1)
            r.set(.deliveredPerSecond, rate: 1e6)
            r.set(.fairnessMinOverMax, ratio: 1)
            for column in [Column.e2eP50, .e2eP90, .e2eP99, .e2eP999, .e2eMax] { r.set(column, 100) }
            return r.fields
        }
        let script = try PlotScript(source: .table(ReportTable(path: "d.csv", header: RunRecord.columns, rows: rows)),
                                    stem: "/tmp/d").text
        #expect(script.contains("title 'rwlock'") && script.contains("title 'rcu'"))
    }
}
