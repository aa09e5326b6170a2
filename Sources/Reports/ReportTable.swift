/// A report held in memory: header and rows (test fixtures, small files).
/// Large reports are streamed instead (`ReportSource.file`).
public struct ReportTable: Sendable {
    public let path: String
    public let header: [String]
    public let rows: [[String]]
    let index: [String: Int]

    public init(path: String, header: [String], rows: [[String]]) {
        self.path = path
        self.header = header
        self.rows = rows
        index = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads and parses `path` whole; errors name the file and the line.
    public static func load(_ path: String) throws(ReportError) -> ReportTable {
        var rows: [[String]] = []
        let header = try ReportSource.file(path).scan { line throws(ReportError) in rows.append(line.fields) }
        return ReportTable(path: path, header: header, rows: rows)
    }

    public func has(_ column: String) -> Bool { index[column] != nil }
}
