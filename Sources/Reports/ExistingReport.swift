import Platform

/// What an existing report holds, checked before a run appends to it:
/// its rows, line ending, and whether it ends with a line break. Every row
/// must read under the header as a run's row (`checkFilled`, and number
/// cells as every reader checks them), so that rows are never appended
/// after garbage of the right width. Streamed, 1 MiB at a time: memory
/// does not grow with the file.
struct ExistingReport {
    var rows = 0
    var lineEnding = "\n"
    var ended = true

    /// Reads the first `size` bytes of `file`; empty (a new report) for 0.
    init(_ file: FileDescriptor, path: String, columns: [String], size: Int) throws(ReportError) {
        guard size > 0 else { return }
        let name = printable(path)
        var decoder = ReportDecoder(path: path)
        var checker = CellChecker()
        func check(_ line: ReportLine) throws(ReportError) {
            try checker.check(line)
            try line.checkFilled()
        }
        var offset = 0, last: UInt8 = 0
        while offset < size {
            let chunk = try CSVReportWriter.call(path) { () throws(SystemError) in
                try file.read(count: min(1 << 20, size - offset), at: offset)
            }
            guard let final = chunk.last else { break }
            if offset == 0, chunk.starts(with: [0xEF, 0xBB, 0xBF]) {
                throw ReportError("\(name) starts with a byte-order mark (BOM), as spreadsheet programs write; "
                                  + "reports have none: remove it, or choose another --output")
            }
            do { try decoder.feed(chunk, check) } catch {
                // Another header says more than the rows it misreads.
                if let header = decoder.header { try Self.compare(header, columns, name) }
                throw Self.refusal(error, name)
            }
            if let header = decoder.header { try Self.compare(header, columns, name) }
            last = final
            offset += chunk.count
        }
        do { try decoder.finish(check) } catch {
            if let header = decoder.header { try Self.compare(header, columns, name) }
            throw Self.refusal(error, name)
        }
        try Self.compare(decoder.header ?? [], columns, name)
        rows = decoder.rowCount
        lineEnding = decoder.lineEnding ?? "\n"
        ended = last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r")
    }

    /// The decoder's error ("PATH: line N: ..."), as a refusal to append.
    private static func refusal(_ error: ReportError, _ name: String) -> ReportError {
        ReportError("\(name) is not a CSV report (\(error.description.dropFirst(name.count + 2))); choose another --output")
    }

    private static func compare(_ found: [String], _ wanted: [String], _ name: String) throws(ReportError) {
        guard found != wanted else { return }
        throw ReportError("\(name) exists with a different header (\(difference(found, wanted))); choose another --output")
    }

    /// Where two headers part: the first column that differs.
    private static func difference(_ found: [String], _ wanted: [String]) -> String {
        let column = zip(found, wanted).enumerated().first { $1.0 != $1.1 }?.offset ?? min(found.count, wanted.count)
        func name(_ header: [String]) -> String { column < header.count ? "'\(printable(header[column]))'" : "none" }
        return "column \(column + 1) is \(name(found)) in the file, \(name(wanted)) in this run"
    }
}
