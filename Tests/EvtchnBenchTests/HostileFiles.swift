import Foundation
import Reports
import Testing

/// What the hostile-file cases share: a real report row to build files
/// from, the one tiny run they append with, and the checks of a refusal
/// (one line, a non-zero exit, no backtrace, the user's file unchanged).
enum HostileFiles {
    /// A report's header and one of its rows, as this build writes them.
    struct Sample: Sendable {
        let header: String
        let row: String

        var names: [String] { header.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }

        /// The row's fields, as the reports' own CSV reader reads them.
        var fields: [String] { (try? CSV.parse(row))?.first ?? [] }

        /// `row` with some cells replaced, by column name (written raw: a
        /// hostile cell goes in as given).
        func row(_ changes: [String: String]) -> String {
            zip(names, fields).map { changes[$0] ?? CSV.field($1) }.joined(separator: ",")
        }

        /// Header and row without some columns: a report of an older version.
        func without(_ dropped: Set<String>) -> String {
            let kept = names.indices.filter { !dropped.contains(names[$0]) }
            return CSV.line(kept.map { names[$0] }) + CSV.line(kept.map { fields[$0] })
        }

        /// Header and rows, each ended by "\n".
        func file(_ rows: String...) -> String { ([header] + rows).map { $0 + "\n" }.joined() }
    }

    /// One tiny sweep's report, made once for every case; nil if the run failed.
    static let sample: Sample? = {
        guard let folder = try? CommandLineTests.scratchFolder() else { return nil }
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sample.csv").path
        guard let outcome = try? CommandLineTests.run("evtchn-bench", tinyRun(path)), outcome.status == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        return lines.count == 2 ? Sample(header: lines[0], row: lines[1]) : nil
    }()

    /// The smallest run: one design, one configuration, one 20 ms repetition.
    static func tinyRun(_ output: String) -> [String] {
        ["run", "--design", "rwlock", "--scenario", "ipi", "--senders", "1", "--vcpus", "1", "--placement", "compact",
         "--reps", "1", "--duration", "0.02", "--warmup", "0", "--output", output]
    }

    /// The bytes at `path` (through links), nil if nothing can be read
    /// there as a regular file.
    static func bytes(_ path: String) -> Data? {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard (try? FileManager.default.attributesOfItem(atPath: target)[.type] as? FileAttributeType) == .typeRegular
        else { return nil }
        return FileManager.default.contents(atPath: target)
    }

    /// A refusal as the standard asks: a non-zero exit, one line on
    /// stderr that says `expected`, no trap or backtrace, and the file at
    /// `path` as it was (`before`).
    static func expectRefusal(_ outcome: CommandLineTests.Outcome, saying expected: String, path: String? = nil,
                              before: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status != 0 && outcome.status < 128, "exit \(outcome.status)", sourceLocation: sourceLocation)
        #expect(outcome.errorLines.count == 1, "\(outcome.errors)", sourceLocation: sourceLocation)
        #expect(outcome.errors.hasPrefix("Error: ") && outcome.errors.contains(expected),
                "wanted '\(expected)' in: \(outcome.errors)", sourceLocation: sourceLocation)
        #expect(!outcome.errors.contains("Backtrace") && !outcome.errors.contains("Fatal error"),
                "\(outcome.errors)", sourceLocation: sourceLocation)
        if let path { #expect(bytes(path) == before, "\(path) changed", sourceLocation: sourceLocation) }
    }

    /// One hostile thing at a path, and a command to give it to: "BAD" in
    /// the command is its path, "GOOD" a report of this build.
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let command: [String]
        /// Words of the refusal; nil: the command succeeds.
        let refusal: String?
        /// Makes the thing in the folder; returns its path.
        let make: @Sendable (URL, Sample) throws -> String

        init(_ name: String, _ command: [String], _ refusal: String?, make: @escaping @Sendable (URL, Sample) throws -> String) {
            testDescription = name
            self.command = command
            self.refusal = refusal
            self.make = make
        }

        /// A file "bad.csv" holding `text`.
        init(_ name: String, _ command: [String], _ refusal: String?, _ text: @escaping @Sendable (Sample) -> String) {
            self.init(name, command, refusal) { folder, sample in
                let path = folder.appendingPathComponent("bad.csv").path
                try Data(text(sample).utf8).write(to: URL(fileURLWithPath: path))
                return path
            }
        }

        /// Something that is already there, such as a device.
        init(_ name: String, _ command: [String], _ refusal: String, at path: String) {
            self.init(name, command, refusal) { _, _ in path }
        }
    }

    /// Makes the case's thing and a good report in `folder`, runs the
    /// command there; what it did, the hostile path and its bytes before.
    static func run(_ hostile: Case, in folder: URL) throws -> (outcome: CommandLineTests.Outcome, path: String, before: Data?) {
        let sample = try #require(Self.sample)
        let good = folder.appendingPathComponent("good.csv").path
        try Data(sample.file(sample.row).utf8).write(to: URL(fileURLWithPath: good))
        let bad = try hostile.make(folder, sample)
        let before = bytes(bad)
        let arguments = hostile.command.map { $0 == "BAD" ? bad : $0 == "GOOD" ? good : $0 }
        return (try CommandLineTests.run("evtchn-bench", arguments, in: folder), bad, before)
    }
}
