import Reports
import TestSupport
import Testing

@Suite("Report schema")
struct RunRecordTests {
    /// The required columns (results/README.md), in this order.
    static let required = """
        utc_time, host, cpu_model, kernel, swift_version, git_sha, numa_nodes, cpus, design, scenario, guest_abi, \
        senders, vcpus, placement, mem_node, page_node, sender_cpus, vcpu_cpus, invalidate_every_us, load_mode, \
        duration_s, rep, sends, delivered, coalesced, masked, would_block, retries, dropped, handled, lost, \
        sends_per_s, delivered_per_s, fairness_min_over_max, gini, send_p50_ns, send_p99_ns, send_p999_ns, \
        send_max_ns, e2e_p50_ns, e2e_p90_ns, e2e_p99_ns, e2e_p999_ns, e2e_max_ns, timer_overhead_ns
        """.split(separator: ",").map { $0.filter { !$0.isWhitespace } }

    /// The first columns beyond the required set, in their order; later
    /// columns went between and after them.
    static let extras = """
        host_cpus, vcpu_mode, ports_per_sender, masked_fraction, rate_per_sender, oversubscribed, migrations, \
        replays, duplicates, stale_bits, spurious_upcalls, shadow_merges, speedup_vs_1_sender, warmup_s, lost_flag
        """.split(separator: ",").map { $0.filter { !$0.isWhitespace } }

    @Test("the required columns come first, in order, and names are unique")
    func columns() {
        #expect(Self.required.count == 45)
        #expect(Array(RunRecord.columns.prefix(Self.required.count)) == Self.required)
        #expect(Set(RunRecord.columns).count == RunRecord.columns.count)
        #expect(RunRecord.columns == Column.allCases.map(\.rawValue))
        // A new column is a schema change: document it in results/README.md
        // and count it here.
        #expect(RunRecord.columns.count == 94)
    }

    @Test("the extra columns follow, in their order")
    func extraColumns() {
        let rest = RunRecord.columns.dropFirst(Self.required.count)
        #expect(rest.filter(Self.extras.contains) == Self.extras)
    }

    @Test("results/README.md documents every column, and only those")
    func documented() throws {
        let readme = try #require(readText(repositoryRoot() + "/results/README.md"))
        // The first cell of each row of the table under "## Columns": one or
        // more `column` names.
        let lines = readme.split(separator: "\n").drop { $0 != "## Columns" }.dropFirst().prefix { !$0.hasPrefix("## ") }
        let cells = lines.filter { $0.hasPrefix("| `") }.map { $0.dropFirst().prefix { $0 != "|" } }
        // In " `a`, `b` " the names are the odd pieces between backquotes.
        let names = cells.flatMap { cell in
            cell.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        #expect(Set(RunRecord.columns).subtracting(names).sorted() == [], "undocumented")
        #expect(Set(names).subtracting(RunRecord.columns).sorted() == [], "documented but not in the report")
    }

    @Test("a record renders every column; unset ones are empty")
    func fields() {
        var record = RunRecord()
        record.set(.design, "seqlock")
        record.set(.sends, 42)
        #expect(record.fields.count == RunRecord.columns.count)
        #expect(record.fields[RunRecord.columns.firstIndex(of: "design")!] == "seqlock")
        #expect(record.fields[RunRecord.columns.firstIndex(of: "sends")!] == "42")
        #expect(record[.gini] == "")
    }

    @Test("numbers have fixed decimals and no exponent")
    func formatting() {
        var record = RunRecord()
        record.set(.sendsPerSecond, rate: 12_345_678.96)
        record.set(.gini, ratio: 0.000012)
        record.set(.durationSeconds, seconds: 1.5)
        record.set(.fairnessMinOverMax, ratio: 1)
        record.set(.oversubscribed, true)
        record.set(.deliveredPerSecond, rate: 150_000_000.04)
        record.set(.maskedFraction, ratio: 1e-9)
        record.set(.warmupSeconds, seconds: 0.0000001)
        #expect(record[.deliveredPerSecond] == "150000000.0")
        #expect(record[.maskedFraction] == "0.0000")
        #expect(record[.warmupSeconds] == "0.000")
        #expect(record[.sendsPerSecond] == "12345679.0")
        #expect(record[.gini] == "0.0000")
        #expect(record[.durationSeconds] == "1.500")
        #expect(record[.fairnessMinOverMax] == "1.0000")
        #expect(record[.oversubscribed] == "true")
    }

    @Test("CPU lists with commas are quoted in the file")
    func cpuListsQuoted() throws {
        var record = RunRecord()
        record.set(.senderCPUs, "0-3,8")
        let line = CSV.line(record.fields)
        #expect(line.contains("\"0-3,8\""))
        let parsed = try CSV.parse(CSV.line(RunRecord.columns) + line)
        #expect(parsed[1][RunRecord.columns.firstIndex(of: "sender_cpus")!] == "0-3,8")
    }

    @Test("lost_flag follows lost: LOST when lost > 0, else empty")
    func lostFlag() {
        var record = RunRecord()
        #expect(record[.lostFlag] == "")
        record.set(.lost, 3)
        #expect(record[.lostFlag] == "LOST")
        record.set(.lost, 0)
        #expect(record[.lostFlag] == "")
        #expect(!record.fields.contains("LOST"))
    }

    @Test("an unknown speedup is an empty field")
    func unknownSpeedup() {
        var record = RunRecord()
        #expect(record[.speedupVsOneSender] == "")
        record.set(.speedupVsOneSender, ratio: 1.75)
        #expect(record[.speedupVsOneSender] == "1.7500")
    }
}
