import Foundation
import Platform
import Reports
import Testing

@Suite("One configuration key")
struct ConfigurationKeyTests {
    @Test("the key columns are those whose role is key; duration, warm-up and repetition are not among them")
    func keyColumns() {
        #expect(ConfigurationKey.columns == [
            .host, .design, .scenario, .guestABI, .senders, .vcpus, .placement, .memNode, .invalidateEveryMicroseconds,
            .loadMode, .vcpuMode, .portsPerSender, .maskedFraction, .ratePerSender, .strategy,
        ])
        #expect(Column.durationSeconds.role == .run && Column.warmupSeconds.role == .run && Column.rep.role == .run)
        #expect(Column.gitSHA.role == .provenance && Column.deliveredPerSecond.role == .measurement)
    }

    @Test("every column has a unit and a meaning, on one line")
    func described() {
        for column in Column.allCases {
            #expect(!column.info.unit.isEmpty && !column.info.meaning.isEmpty, "\(column)")
            #expect(!(column.info.unit + column.info.meaning).contains("\n") && !column.info.meaning.contains(" | "), "\(column)")
        }
    }

    @Test("a report without a key column is read with its absent value")
    func absent() throws {
        let old = ReportTable(path: "old.csv", header: ["host", "design", "scenario", "senders", "vcpus"],
                              rows: [["box", "rwlock", "ipi", "1", "1"]])
        var keys: [ConfigurationKey] = []
        try ReportSource.table(old).scan { line throws(ReportError) in keys.append(ConfigurationKey(line)) }
        let key = try #require(keys.first)
        #expect(key[.guestABI] == "64" && key[.vcpuMode] == "poll" && key[.strategy] == "" && key[.loadMode] == "closed")
        #expect(key[.host] == "box" && key[.design] == "rwlock")
        let words = ConfigurationKey(words: ["host": "box", "design": "rwlock", "scenario": "ipi", "senders": "1", "vcpus": "1"])
        #expect(words == key, "a plan line's words and a report line give the same key")
    }

    @Test("sub-keys: ignoring the host, the speedup's (no senders) and the pass pairing's (no design)")
    func subKeys() {
        let key = ConfigurationKey(words: ["host": "a", "design": "rwlock", "senders": "2"])
        let other = ConfigurationKey(words: ["host": "b", "design": "rwlock", "senders": "2"])
        #expect(key != other)
        #expect(ConfigurationKey(words: ["host": "a", "design": "rwlock"], ignoringHost: true)
            == ConfigurationKey(words: ["host": "b", "design": "rwlock"], ignoringHost: true))
        #expect(key.speedupKey[.senders] == nil && key.speedupKey[.design] == "rwlock")
        #expect(key.speedupKey == ConfigurationKey(words: ["host": "a", "design": "rwlock", "senders": "1"]).speedupKey)
        #expect(key.pairingKey[.design] == nil
            && key.pairingKey == ConfigurationKey(words: ["host": "a", "design": "rcu", "senders": "2"]).pairingKey)
        #expect(ConfigurationKey.varying([key, other]) == [.host])
    }

    @Test("results/README.md holds the schema that evtchn-bench schema prints")
    func schemaDocumented() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("results/README.md").path
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: Column.markdownTable[0]) else {
            Issue.record("results/README.md has no schema table (header \(Column.markdownTable[0]))")
            return
        }
        let table = Array(lines[start...].prefix { $0.hasPrefix("|") })
        let differing = zip(table, Column.markdownTable).first { $0 != $1 }
        #expect(table.count == Column.markdownTable.count && differing == nil,
                "results/README.md differs from evtchn-bench schema: \(String(describing: differing))")
    }
}
