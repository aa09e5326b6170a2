#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

public struct ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Appends rows to a CSV report durably. Each `append` writes the whole
/// file anew with `writeFileAtomically`: a reader (or a crash, or Ctrl-C)
/// sees the old file or the new one, never half a row, and every row
/// appended is on disk before `append` returns. Reports are small, so
/// rewriting is cheap.
public final class CSVReportWriter {
    public let path: String
    public let columns: [String]
    private var content: String
    public private(set) var rowCount: Int

    /// Opens `path`: creates it with the header, or, if it exists with the
    /// same header, continues after its rows. Fails, before any benchmark
    /// runs, when the folder is missing or not writable, or the file holds
    /// another header.
    public init(path: String, columns: [String]) throws(ReportError) {
        self.path = path
        self.columns = columns
        let header = CSV.line(columns)
        if let existing = try Self.readFile(path) {
            let rows: [[String]]
            do { rows = try CSV.parse(existing) } catch { throw ReportError("\(path): not a CSV report (\(error))") }
            guard rows.first == columns else {
                throw ReportError("\(path) exists with a different header; choose another --output")
            }
            content = existing.hasSuffix("\n") || existing.isEmpty ? existing : existing + "\n"
            rowCount = rows.count - 1
        } else {
            content = header
            rowCount = 0
        }
        try commit()
    }

    /// Appends one row; on disk when this returns.
    public func append(_ fields: [String]) throws(ReportError) {
        precondition(fields.count == columns.count, "a row needs \(columns.count) fields, got \(fields.count)")
        let before = content
        content += CSV.line(fields)
        do {
            try commit()
        } catch {
            content = before
            throw error
        }
        rowCount += 1
    }

    private func commit() throws(ReportError) {
        try writeFileAtomically(path, content)
    }

    /// The file's text, or nil if it does not exist.
    private static func readFile(_ path: String) throws(ReportError) -> String? {
        if let text = readWholeFile(path) { return text }
        if errno == ENOENT { return nil }
        throw ReportError("cannot read \(path): \(String(cString: strerror(errno))) (errno \(errno))")
    }
}

/// Writes `content` to `path` so that the file is never seen half-written:
/// to "<path>.tmp" in the same folder, fsync, rename over <path>, fsync the
/// folder.
public func writeFileAtomically(_ path: String, _ content: String) throws(ReportError) {
    func failure(_ what: String) -> ReportError {
        ReportError("\(what): \(String(cString: strerror(errno))) (errno \(errno))")
    }
    let temporary = path + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("cannot write \(temporary)") }
    let bytes = Array(content.utf8)
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if count < 0 {
            if errno == EINTR { continue }
            let error = failure("cannot write \(temporary)")
            close(fd)
            unlink(temporary)
            throw error
        }
        written += count
    }
    guard fsync(fd) == 0 else {
        let error = failure("cannot sync \(temporary)")
        close(fd)
        throw error
    }
    close(fd)
    guard rename(temporary, path) == 0 else { throw failure("cannot rename \(temporary) to \(path)") }
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
    let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folder >= 0 {
        // Makes the rename itself durable; a failure here loses no data a
        // reader could see, so it is not an error.
        _ = fsync(folder)
        close(folder)
    }
}

/// results/<utc-timestamp>-<host>.csv, e.g. results/20261124T163000Z-box.csv;
/// the host name is reduced to [A-Za-z0-9._-].
public func defaultReportPath(directory: String = "results", secondsSinceEpoch: Int, host: String) -> String {
    let f = utcFields(secondsSinceEpoch)
    let safeHost = String(host.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "_" })
    return "\(directory)/\(f[0])\(f[1])\(f[2])T\(f[3])\(f[4])\(f[5])Z-\(safeHost.isEmpty ? "host" : safeHost).csv"
}

/// ISO 8601 UTC time for the utc_time column, e.g. 2026-11-24T16:30:00Z.
public func utcTimestamp(secondsSinceEpoch: Int) -> String {
    let f = utcFields(secondsSinceEpoch)
    return "\(f[0])-\(f[1])-\(f[2])T\(f[3]):\(f[4]):\(f[5])Z"
}

/// Year, month, day, hour, minute, second in UTC, zero-padded.
private func utcFields(_ secondsSinceEpoch: Int) -> [String] {
    var time = time_t(secondsSinceEpoch)
    var parts = tm()
    gmtime_r(&time, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return ["\(parts.tm_year + 1900)", two(parts.tm_mon + 1), two(parts.tm_mday),
            two(parts.tm_hour), two(parts.tm_min), two(parts.tm_sec)]
}

/// Seconds since the Unix epoch, now.
public func secondsSinceEpoch() -> Int {
    var ts = timespec()
    _ = clock_gettime(CLOCK_REALTIME, &ts)
    return Int(ts.tv_sec)
}
