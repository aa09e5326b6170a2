/// RFC 4180 CSV, as pandas and gnuplot read it: a field is quoted only when
/// it must be (a comma, a quote, CR or LF, or leading/trailing spaces);
/// quotes inside are doubled. Lines end with "\n" (RFC 4180 says CRLF, but
/// both readers accept LF and Unix tools prefer it).
///
/// Both directions work on UTF-8 bytes, not Characters: the delimiters are
/// ASCII, and a combining mark after a comma or a quote would otherwise fuse
/// with it into one Character that no longer compares equal to "," or "\"",
/// so a field that every byte-oriented reader splits would go unquoted.
public enum CSV {
    public static func field(_ value: String) -> String {
        let bytes = value.utf8
        let needsQuotes = bytes.contains { $0 == Byte.comma || $0 == Byte.quote || $0 == Byte.lf || $0 == Byte.cr }
            || bytes.first == Byte.space || bytes.last == Byte.space
        guard needsQuotes else { return value }
        var quoted: [UInt8] = [Byte.quote]
        for byte in bytes {
            if byte == Byte.quote { quoted.append(Byte.quote) }
            quoted.append(byte)
        }
        quoted.append(Byte.quote)
        return String(decoding: quoted, as: UTF8.self)
    }

    /// One row, ended by "\n".
    public static func line(_ fields: [String]) -> String { line(fields, ending: "\n") }

    /// One row ended by `ending` (a file's own line break, e.g. "\r\n").
    public static func line(_ fields: [String], ending: String) -> String {
        fields.map(field).joined(separator: ",") + ending
    }

    /// Parses a whole text: quoted fields may hold commas, doubled quotes
    /// and line breaks (LF, CRLF or CR). Every row must have as many fields
    /// as the first. Errors carry the 1-based line they were found on.
    public static func parse(_ text: String) throws(CSVError) -> [[String]] {
        var parser = CSVParser()
        if let error = parser.consume(Array(text.utf8)) { throw error }
        let error = parser.finish()
        if let error { throw error }
        return parser.takeRows().map(\.fields)
    }
}

public struct CSVError: Error, Equatable, CustomStringConvertible, Sendable {
    public let line: Int
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

private enum Byte {
    static let comma = UInt8(ascii: ",")
    static let quote = UInt8(ascii: "\"")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
}

/// The RFC 4180 state machine, one byte at a time, with a fast path for
/// runs of plain bytes. Completed rows collect until `takeRows`.
struct CSVParser {
    private enum State {
        /// Nothing of the current field read yet.
        case fieldStart
        /// Inside a field that did not start with a quote.
        case unquoted
        /// Inside a quoted field.
        case quoted
        /// Just read a quote inside a quoted field: a second quote makes it
        /// a literal quote, anything else means the field has ended.
        case quoteInQuoted
    }

    /// A row longer than this is an error: a file that is not CSV (or a
    /// device full of zeros) must not fill memory.
    static let maximumRowBytes = 1 << 20

    private var state = State.fieldStart
    private var row: [String] = []
    private var rowBytes = 0
    /// Fields per row, from the first row.
    private(set) var width: Int?
    /// The line break that ended the first row: "\n", "\r\n" or "\r".
    private(set) var firstLineEnding: String?
    private var rowsCompleted = 0
    /// Rows completed and not yet taken, with the line each began on.
    private var completed: [(line: Int, fields: [String])] = []
    /// The columns to decode, by header name (set before reading); the
    /// others read as "" in every row after the header. nil: all.
    var wanted: Set<String>?
    private var keep: [Bool]?
    private var keepingField = true
    private var field: [UInt8] = []
    /// The line the byte being read is on, the line the current row began
    /// on, and the line of the current field's opening quote.
    private var line = 1
    private var rowLine = 1
    private var quoteLine = 1
    private var previous: UInt8 = 0

    /// `width`: fields per row when known (rows appended after a header
    /// read elsewhere); otherwise the first row sets it.
    init(width: Int? = nil) { self.width = width }

    /// The rows completed since the last call.
    mutating func takeRows() -> [(line: Int, fields: [String])] {
        defer { completed.removeAll(keepingCapacity: true) }
        return completed
    }

    /// Reads `bytes`. On an error, the rows completed before it are still
    /// there to take, so that a reader sees the same rows, and the same
    /// first error, however the input was cut into pieces.
    mutating func consume(_ bytes: [UInt8]) -> CSVError? {
        var index = 0
        while index < bytes.count {
            if state == .unquoted || state == .fieldStart, !Self.isSpecial(bytes[index]) {
                // A run of plain bytes: no line break, so no line counting.
                var end = index + 1
                while end < bytes.count && !Self.isSpecial(bytes[end]) { end += 1 }
                rowBytes += end - index
                guard rowBytes <= Self.maximumRowBytes else { return tooLong() }
                if keepingField { field.append(contentsOf: bytes[index..<end]) }
                state = .unquoted
                previous = bytes[end - 1]
                index = end
                continue
            }
            do { try consume(bytes[index]) } catch { return error }
            index += 1
        }
        return nil
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == Byte.comma || byte == Byte.quote || byte == Byte.lf || byte == Byte.cr
    }

    private func tooLong() -> CSVError {
        CSVError(line: rowLine, message: "a row longer than \(Self.maximumRowBytes) bytes: not a CSV report")
    }

    private mutating func consume(_ byte: UInt8) throws(CSVError) {
        let byteLine = line
        // CR, LF and CR LF each end one line, inside quotes or not.
        if byte == Byte.cr || (byte == Byte.lf && previous != Byte.cr) { line += 1 }
        if byte == Byte.lf && previous == Byte.cr && firstLineEnding == "\r" && rowsCompleted == 1 {
            firstLineEnding = "\r\n"
        }
        defer { previous = byte }
        rowBytes += 1
        guard rowBytes <= Self.maximumRowBytes else { throw tooLong() }
        switch state {
        case .quoted:
            if byte == Byte.quote { state = .quoteInQuoted } else if keepingField { field.append(byte) }
        case .quoteInQuoted:
            if byte == Byte.quote {
                if keepingField { field.append(byte) }
                state = .quoted
            } else if !(try separator(byte)) {
                throw CSVError(line: byteLine, message: "text after a closing quote")
            }
        case .fieldStart:
            if byte == Byte.quote {
                state = .quoted
                quoteLine = byteLine
            } else if !(try separator(byte)) {
                if keepingField { field.append(byte) }
                state = .unquoted
            }
        case .unquoted:
            if byte == Byte.quote { throw CSVError(line: byteLine, message: "a quote inside an unquoted field") }
            if !(try separator(byte)), keepingField { field.append(byte) }
        }
    }

    /// Ends the field (comma) or the row (line break) if `byte` is one;
    /// false for any other byte.
    private mutating func separator(_ byte: UInt8) throws(CSVError) -> Bool {
        switch byte {
        case Byte.comma:
            endField()
        case Byte.cr:
            try endRow(ending: "\r")
        case Byte.lf:
            // The LF of a CR LF: the CR already ended the row.
            if previous != Byte.cr { try endRow(ending: "\n") }
        default:
            return false
        }
        return true
    }

    private mutating func endField() {
        row.append(keepingField ? String(decoding: field, as: UTF8.self) : "")
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
        keepingField = keep.map { row.count >= $0.count || $0[row.count] } ?? true
    }

    private mutating func endRow(ending: String?) throws(CSVError) {
        endField()
        if let width, row.count != width {
            throw CSVError(line: rowLine, message: "\(row.count) fields where the header has \(width)")
        }
        if width == nil {
            width = row.count
            firstLineEnding = ending
            keep = wanted.map { wanted in row.map(wanted.contains) }
        }
        rowsCompleted += 1
        completed.append((rowLine, row))
        row.removeAll(keepingCapacity: true)
        keepingField = keep.map { $0.first ?? true } ?? true
        rowBytes = 0
        rowLine = line
    }

    /// Ends the input: completes the last row, if it had no final line break.
    mutating func finish() -> CSVError? {
        if state == .quoted { return CSVError(line: quoteLine, message: "a quoted field is not closed") }
        guard state != .fieldStart || !row.isEmpty else { return nil }
        do { try endRow(ending: nil) } catch { return error }
        return nil
    }
}
