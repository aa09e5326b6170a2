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
    /// A file must be a regular file or a pipe (`<(...)`): a device, such
    /// as /dev/zero, is refused before anything is read.
    @discardableResult
    public func scan(required: [String] = [], reading: [String]? = nil,
                     _ body: (ReportLine) throws(ReportError) -> Void) throws(ReportError) -> [String] {
        var decoder = ReportDecoder(path: path, required: required, reading: reading)
        switch self {
        case .table(let table):
            try decoder.feed(Array(CSV.line(table.header).utf8), body)
            for (offset, row) in table.rows.enumerated() {
                try body(ReportLine(path: table.path, line: offset + 2, fields: row, index: table.index))
            }
        case .file(let path):
            try Self.read(path) { chunk throws(ReportError) in try decoder.feed(chunk, body) }
        }
        try decoder.finish(body)
        return decoder.header ?? []
    }

    private static func read(_ path: String, _ each: ([UInt8]) throws(ReportError) -> Void) throws(ReportError) {
        let name = printable(path)
        do {
            guard let status = try Files.status(path) else { throw ReportError("cannot read \(name): no such file") }
            guard status.kind == .regular || status.kind == .fifo else {
                throw ReportError("cannot read \(name): it is a \(status.kind.rawValue), not a report file")
            }
            let file = try FileDescriptor.open(path, O_RDONLY | O_NONBLOCK)
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
