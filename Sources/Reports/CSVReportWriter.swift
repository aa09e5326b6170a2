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
    /// same header, continues after its rows (an empty file counts as new,
    /// so `--output "$(mktemp)"` works). Fails, before any benchmark runs,
    /// when the folder is missing or not writable, or the file holds
    /// another header.
    public init(path: String, columns: [String]) throws(ReportError) {
        self.path = path
        self.columns = columns
        let header = CSV.line(columns)
        if let existing = try Self.readFile(path), !existing.isEmpty {
            let rows: [[String]]
            do { rows = try CSV.parse(existing) } catch { throw ReportError("\(path): not a CSV report (\(error))") }
            guard rows.first == columns else {
                throw ReportError("\(path) exists with a different header (\(Self.difference(rows.first ?? [], columns))); "
                                  + "choose another --output")
            }
            // Bytes, not Characters: "\r\n" is one Character, not ending in "\n".
            let ended = existing.utf8.last == UInt8(ascii: "\n") || existing.utf8.last == UInt8(ascii: "\r")
            content = ended ? existing : existing + "\n"
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

    /// Where two headers part: the first column that differs.
    private static func difference(_ found: [String], _ wanted: [String]) -> String {
        let column = zip(found, wanted).enumerated().first { $1.0 != $1.1 }?.offset ?? min(found.count, wanted.count)
        func name(_ header: [String]) -> String { column < header.count ? "'\(header[column])'" : "none" }
        return "column \(column + 1) is \(name(found)) in the file, \(name(wanted)) in this run"
    }

    /// The file's text, or nil if it does not exist.
    private static func readFile(_ path: String) throws(ReportError) -> String? {
        do throws(SystemError) { return try Files.readText(path) } catch { throw ReportError("cannot read \(path): \(error)") }
    }
}

/// Writes `content` to `path` so that the file is never seen half-written:
/// to "<path>.tmp" in the same folder, fsync, rename over <path>, fsync the
/// folder. Errors name `path` and the step and errno that failed; the
/// temporary file is removed on every failure after it was created.
public func writeFileAtomically(_ path: String, _ content: String) throws(ReportError) {
    let temporary = path + ".tmp"
    func failure(_ step: String) -> ReportError {
        ReportError("cannot write \(path): \(step): \(String(cString: strerror(errno))) (errno \(errno))")
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("open \(temporary)") }
    func abandon(_ step: String) -> ReportError {
        let error = failure(step)
        close(fd)
        unlink(temporary)
        return error
    }
    let bytes = Array(content.utf8)
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if count < 0 {
            if errno == EINTR { continue }
            throw abandon("write \(temporary)")
        }
        written += count
    }
    // The data must be on disk before the rename publishes it: otherwise a
    // crash soon after the rename could leave the report empty or short.
    guard fsync(fd) == 0 else { throw abandon("fsync \(temporary)") }
    close(fd)
    guard rename(temporary, path) == 0 else {
        let error = failure("rename \(temporary)")
        unlink(temporary)
        throw error
    }
    try syncFolder(of: path)
}

/// Makes a rename in the folder holding `path` durable. A file system that
/// cannot sync folders (EINVAL) is not an error: there is nothing more to do.
private func syncFolder(of path: String) throws(ReportError) {
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
    func failure(_ step: String) -> ReportError {
        ReportError("cannot write \(path): \(step) \(folder): \(String(cString: strerror(errno))) (errno \(errno))")
    }
    let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw failure("open") }
    defer { close(fd) }
    guard fsync(fd) == 0 || errno == EINVAL else { throw failure("fsync") }
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
