import Reports
import Testing

@Suite("Report schema")
struct RunRecordTests {
    /// The columns the runner issue requires, in this order.
    static let required = """
        utc_time, host, cpu_model, kernel, swift_version, git_sha, numa_nodes, cpus, design, scenario, guest_abi, \
        senders, vcpus, placement, mem_node, page_node, sender_cpus, vcpu_cpus, invalidate_every_us, load_mode, \
        duration_s, rep, sends, delivered, coalesced, masked, would_block, retries, dropped, handled, lost, \
        sends_per_s, delivered_per_s, fairness_min_over_max, gini, send_p50_ns, send_p99_ns, send_p999_ns, \
        send_max_ns, e2e_p50_ns, e2e_p90_ns, e2e_p99_ns, e2e_p999_ns, e2e_max_ns, timer_overhead_ns
        """.split(separator: ",").map { $0.filter { !$0.isWhitespace } }

    @Test("the required columns come first, in order, and names are unique")
    func columns() {
        #expect(Array(RunRecord.columns.prefix(Self.required.count)) == Self.required)
        #expect(Set(RunRecord.columns).count == RunRecord.columns.count)
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
}
