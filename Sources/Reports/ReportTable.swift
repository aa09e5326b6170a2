#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// A run report read back: header and rows, with typed access by column.
public struct ReportTable: Sendable {
    public let path: String
    public let header: [String]
    public let rows: [[String]]
    private let index: [String: Int]

    public init(path: String, header: [String], rows: [[String]]) {
        self.path = path
        self.header = header
        self.rows = rows
        index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads and parses `path`; errors name the file and the line.
    public static func load(_ path: String) throws(ReportError) -> ReportTable {
        let found: String?
        do throws(SystemError) { found = try Files.readText(path) } catch { throw ReportError("cannot read \(path): \(error)") }
        guard let text = found else { throw ReportError("cannot read \(path): no such file") }
        let parsed: [[String]]
        do { parsed = try CSV.parse(text) } catch { throw ReportError("\(path): \(error)") }
        guard let header = parsed.first, !header.isEmpty else { throw ReportError("\(path): empty file, no header") }
        return ReportTable(path: path, header: header, rows: Array(parsed.dropFirst()))
    }

    public func has(_ column: String) -> Bool { index[column] != nil }

    /// Checks that every column in `required` is present.
    public func require(_ required: [String]) throws(ReportError) {
        let missing = required.filter { !has($0) }
        guard missing.isEmpty else {
            throw ReportError("\(path): missing column(s) \(missing.joined(separator: ", ")); is this an evtchn-bench report?")
        }
    }

    public func value(_ row: [String], _ column: String) -> String { index[column].map { row[$0] } ?? "" }

    /// A numeric field; errors name the line (header is line 1).
    public func number(_ rowIndex: Int, _ column: String) throws(ReportError) -> Double? {
        let text = value(rows[rowIndex], column)
        if text.isEmpty { return nil }
        guard let number = Double(text) else {
            throw ReportError("\(path): line \(rowIndex + 2): column \(column) is not a number: '\(text)'")
        }
        return number
    }
}
