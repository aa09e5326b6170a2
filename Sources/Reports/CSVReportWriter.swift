#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// Appends rows to a CSV report durably and safely for other writers.
///
/// - Only a regular file is written. A symbolic link is followed: rows go
///   to its target, the link stays. A device, FIFO, socket or directory is
///   refused, and so is a read-only file (no owner write bit), even for
///   root: a report someone protected is finished.
/// - Each row is appended in place (O_APPEND), in one write, under an
///   exclusive flock(2) on the report, then fsync'ed: every row appended is
///   on disk when `append` returns, the file keeps its inode, mode, owner
///   and links, and two runs writing the same report at once keep both
///   runs' rows (each waits for the other's row to be written).
/// - An existing report is continued if its header is the same (the notes
///   say "appending to ..."), in its own line ending (LF, CRLF or CR), and
///   every row there reads as a run's row (`ExistingReport`); another
///   header, a byte-order mark or a row that is no run's is refused,
///   naming the column or line. An empty file counts as new.
/// - A lock held by another writer for over a second is said on stderr;
///   a stop signal while opening ends the wait, writing nothing.
/// - A file this writer creates gets mode 0644 less the umask, and is
///   never refused as read-only (under umask 0377 it is 0400, and this run
///   writes it through its open descriptor); an existing file keeps its mode.
/// - A power cut in the middle of an append can leave a partial last row:
///   the next run refuses the file, naming the line, instead of appending
///   after it.
public final class CSVReportWriter {
    /// The path given; rows go to `target` (the same unless it is a link).
    public let path: String
    public let target: String
    public let columns: [String]
    /// Rows in the file after this writer's last append, other writers' included.
    public private(set) var rowCount: Int
    /// Rows this writer appended.
    public private(set) var appendedCount = 0
    /// What the command line should tell the user before the run: that it
    /// appends, writes through a link, or found a leftover temporary file.
    public private(set) var notes: [String] = []
    private let file: FileDescriptor
    private let identity: FileStatus
    private let lineEnding: String
    /// The file's size after this writer's last append.
    private var end: Int
    /// Where a long wait for the lock is said.
    private let say: (String) -> Void

    /// Opens `path`, creating it with the header, or checks the header of
    /// the report there. Fails, before any benchmark runs, when the folder
    /// is missing or not writable, the path is not a regular file, or the
    /// file holds another header or is not CSV.
    /// A wait for another writer's lock is said through `say` (stderr).
    public init(path: String, columns: [String],
                say: @escaping (String) -> Void = ReportLock.printToStandardError) throws(ReportError) {
        let output = try OutputTarget(path)
        let opened = try Self.open(output, columns: columns, say: say)
        self.say = say
        self.path = path
        self.columns = columns
        target = output.target
        file = opened.file
        identity = opened.identity
        lineEnding = opened.lineEnding
        rowCount = opened.rows
        end = opened.end
        notes = output.notes + opened.notes
    }

    private struct Opened {
        let file: FileDescriptor
        let identity: FileStatus
        let rows: Int
        let lineEnding: String
        let end: Int
        let notes: [String]
    }

    /// Opens the report and, holding its lock, writes the header of a new
    /// one or reads an existing one through.
    private static func open(_ output: OutputTarget, columns: [String], say: (String) -> Void) throws(ReportError) -> Opened {
        let path = output.path
        let (file, created) = try openFile(output)
        var done = false
        defer { if !done { file.close() } }
        let identity = try call(path) { () throws(SystemError) in try file.status() }
        try output.checkOpened(identity, created: created)
        try ReportLock.take(file, path: path, why: "Ctrl-C gives up, writing nothing", interruptible: true, say: say)
        defer { _ = try? file.unlock() }
        // The size under the lock: another run may have just written the header.
        let size = try call(path) { () throws(SystemError) in try file.status().size }
        let existing = try ExistingReport(file, path: path, columns: columns, size: size)
        var notes: [String] = []
        var end = size
        if size == 0 {
            end += try append(Array(CSV.line(columns).utf8), to: file, path)
            try call(path) { () throws(SystemError) in try Files.syncFolder(of: output.target) }
        } else {
            if !existing.ended { end += try append(Array(existing.lineEnding.utf8), to: file, path) }
            let kept = ["\n": "", "\r\n": ", keeping its CRLF line ends", "\r": ", keeping its CR line ends"]
            notes.append("appending to \(printable(path)) (\(existing.rows) row(s) there already\(kept[existing.lineEnding] ?? ""))")
        }
        done = true
        return Opened(file: file, identity: identity, rows: existing.rows, lineEnding: existing.lineEnding, end: end, notes: notes)
    }

    /// Opens the target for appending, and whether this call created it:
    /// exclusively when nothing was there, so that a file made by this run
    /// is known as such (its mode is the umask's, not the user's word).
    private static func openFile(_ output: OutputTarget) throws(ReportError) -> (FileDescriptor, created: Bool) {
        let flags = O_RDWR | O_APPEND | O_NOCTTY | O_NONBLOCK
        return try call(output.path) { () throws(SystemError) in
            if output.existing == nil {
                do throws(SystemError) { return (try FileDescriptor.open(output.target, flags | O_CREAT | O_EXCL), true) }
                catch where error.code == EEXIST {}
            }
            // There already (or since: another run, a link to a new file).
            return (try FileDescriptor.open(output.target, flags | O_CREAT), false)
        }
    }

    deinit { file.close() }

    /// Appends one row; on disk when this returns.
    public func append(_ fields: [String]) throws(ReportError) {
        precondition(fields.count == columns.count, "a row needs \(columns.count) fields, got \(fields.count)")
        try ReportLock.take(file, path: path, why: "to append a finished row", interruptible: false, say: say)
        defer { _ = try? file.unlock() }
        // The file at the path must still be the one opened: a row written
        // to a file that was replaced or removed would be seen by nobody.
        let now = try Self.call(path) { () throws(SystemError) in try Files.status(target) }
        guard let now, now.isSameFile(as: identity) else {
            throw ReportError("\(printable(path)) was replaced or removed while this run was writing to it; "
                              + "\(appendedCount) row(s) of this run went to the file that was there")
        }
        let size = try Self.call(path) { () throws(SystemError) in try file.status().size }
        guard size >= end else { throw ReportError("\(printable(path)) shrank while this run was writing to it; stopping") }
        if size > end { rowCount += try rowsAppendedByOthers(upTo: size) }
        end += try Self.append(Array(CSV.line(fields, ending: lineEnding).utf8), to: file, path)
        rowCount += 1
        appendedCount += 1
    }

    /// Counts the rows another writer appended since this one's last row.
    private func rowsAppendedByOthers(upTo size: Int) throws(ReportError) -> Int {
        var decoder = ReportDecoder(path: path, reading: [])
        try decoder.feed(Array(CSV.line(columns).utf8)) { _ throws(ReportError) in }
        var offset = end
        while offset < size {
            let chunk = try Self.call(path) { () throws(SystemError) in try file.read(count: min(1 << 20, size - offset), at: offset) }
            guard !chunk.isEmpty else { break }
            try decoder.feed(chunk) { _ throws(ReportError) in }
            offset += chunk.count
        }
        try decoder.finish { _ throws(ReportError) in }
        end = size
        return decoder.rowCount
    }

    /// Writes `bytes` at the end of the file and syncs them; their count.
    private static func append(_ bytes: [UInt8], to file: FileDescriptor, _ path: String) throws(ReportError) -> Int {
        try call(path) { () throws(SystemError) in
            try file.write(bytes)
            try file.sync()
        }
        return bytes.count
    }

    /// Runs a system call wrapper, naming the report in its error.
    static func call<T>(_ path: String, _ body: () throws(SystemError) -> T) throws(ReportError) -> T {
        do { return try body() } catch { throw ReportError("cannot write \(printable(path)): \(error)") }
    }
}
