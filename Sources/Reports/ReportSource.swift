#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Platform

/// A report to read: a file (streamed, 64 KiB at a time, so memory does not
/// grow with it) or a table already in memory.
public enum ReportSource: Sendable {
    case file(String)
    case table(ReportTable)

    public var path: String {
        switch self {
        case .file(let path): path
        case .table(let table): table.path
        }
    }

    /// Hands each data row to `body`, in file order; returns the header.
    /// With `reading`, the lines hold only those columns (and `required`):
    /// the others are not decoded.
    /// A file must be a regular file or a pipe (`<(...)`): anything else
    /// (`checkReadable`) is refused before anything is read.
    @discardableResult
    public func scan(required: [String] = [], reading: [String]? = nil,
                     _ body: (ReportLine) throws(ReportError) -> Void) throws(ReportError) -> [String] {
        var decoder = ReportDecoder(path: path, required: required, reading: reading)
        // Every row's number cells are checked before the reader sees it.
        var checker = CellChecker()
        func checked(_ line: ReportLine) throws(ReportError) {
            try checker.check(line)
            try body(line)
        }
        switch self {
        case .table(let table):
            try decoder.feed(Array(CSV.line(table.header).utf8), checked)
            for (offset, row) in table.rows.enumerated() {
                try checked(ReportLine(path: table.path, line: offset + 2, fields: row, index: table.index))
            }
        case .file(let path):
            try Self.read(path) { chunk throws(ReportError) in try decoder.feed(chunk, checked) }
        }
        try decoder.finish(checked)
        return decoder.header ?? []
    }

    private static func read(_ path: String, _ each: ([UInt8]) throws(ReportError) -> Void) throws(ReportError) {
        let name = printable(path)
        let status = try checkReadable(path)
        do {
            // O_NONBLOCK: nothing that passed the checks can block the open,
            // and a path swapped for a FIFO since cannot either.
            let file = try FileDescriptor.open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
            defer { file.close() }
            // The status again, of what was opened: the path may have changed.
            guard try file.status().isSameFile(as: status) else { throw ReportError("cannot read \(name): it changed while opening") }
            var chunk = [UInt8](repeating: 0, count: 65536)
            while case let count = try readBlocking(file, &chunk), count > 0 {
                try each(Array(chunk[..<count]))
            }
        } catch let error as SystemError {
            throw ReportError("cannot read \(name): \(error)")
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError("cannot read \(name): \(error)")
        }
    }

    /// What is at `path` must be a report to read, told before it is
    /// opened: a regular file on a file system that stores bytes, or an
    /// anonymous pipe (`compare <(ssh box cat r.csv) new.csv`). Refused, in
    /// one line: a named FIFO (its writer may come late or never: read as
    /// empty, the writer then blocks for ever), a device (/dev/zero never
    /// ends, /dev/tty waits for a keyboard), a folder, a socket, a dangling
    /// link, and the kernel's files (/proc, /sys: size 0, may block).
    @discardableResult
    public static func checkReadable(_ path: String) throws(ReportError) -> FileStatus {
        let name = printable(path)
        func call<T>(_ body: () throws(SystemError) -> T) throws(ReportError) -> T {
            do { return try body() } catch { throw ReportError("cannot read \(name): \(error)") }
        }
        guard let status = try call({ () throws(SystemError) in try Files.status(path) }) else {
            guard try call({ () throws(SystemError) in try Files.status(path, followLinks: false) })?.kind == .symbolicLink else {
                throw ReportError("cannot read \(name): no such file")
            }
            let target = try call { () throws(SystemError) in try Files.linkTarget(path) }
            throw ReportError("cannot read \(name): it is a symbolic link to \(printable(target)), which does not exist")
        }
        switch (status.kind, try call { () throws(SystemError) in try Files.fileSystem(of: path) }) {
        case (.regular, .kernel(let kernel)):
            throw ReportError("cannot read \(name): it is a file of \(kernel), a kernel interface, not a report file")
        case (.regular, _), (.fifo, .pipe):
            return status
        case (.fifo, _):
            throw ReportError("cannot read \(name): it is a named pipe (FIFO), whose writer may come late or never; "
                              + "give a regular file (or a pipe: <(command))")
        default:
            throw ReportError("cannot read \(name): it is a \(status.kind.rawValue), not a report file")
        }
    }

    /// A read that waits on an empty pipe (opened with O_NONBLOCK so that a
    /// FIFO without a writer cannot hang the open).
    private static func readBlocking(_ file: FileDescriptor, _ chunk: inout [UInt8]) throws(SystemError) -> Int {
        while true {
            do throws(SystemError) { return try file.read(into: &chunk) } catch where error.code == EAGAIN {
                try file.waitReadable()
            }
        }
    }
}
