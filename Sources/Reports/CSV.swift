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

    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }

    /// Parses a whole file: quoted fields may hold commas, doubled quotes
    /// and line breaks (LF, CRLF or CR). Every row must have as many fields
    /// as the first. Errors carry the 1-based line they were found on.
    public static func parse(_ text: String) throws(CSVError) -> [[String]] {
        var parser = CSVParser()
        for byte in text.utf8 { try parser.consume(byte) }
        return try parser.finish()
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

/// The RFC 4180 state machine, one byte at a time.
private struct CSVParser {
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

    private var state = State.fieldStart
    private var rows: [[String]] = []
    private var row: [String] = []
    private var field: [UInt8] = []
    /// The line the byte being read is on, the line the current row began
    /// on, and the line of the current field's opening quote.
    private var line = 1
    private var rowLine = 1
    private var quoteLine = 1
    private var previous: UInt8 = 0

    mutating func consume(_ byte: UInt8) throws(CSVError) {
        let byteLine = line
        // CR, LF and CR LF each end one line, inside quotes or not.
        if byte == Byte.cr || (byte == Byte.lf && previous != Byte.cr) { line += 1 }
        defer { previous = byte }
        switch state {
        case .quoted:
            if byte == Byte.quote { state = .quoteInQuoted } else { field.append(byte) }
        case .quoteInQuoted:
            if byte == Byte.quote {
                field.append(byte)
                state = .quoted
            } else if !(try separator(byte)) {
                throw CSVError(line: byteLine, message: "text after a closing quote")
            }
        case .fieldStart:
            if byte == Byte.quote {
                state = .quoted
                quoteLine = byteLine
            } else if !(try separator(byte)) {
                field.append(byte)
                state = .unquoted
            }
        case .unquoted:
            if byte == Byte.quote { throw CSVError(line: byteLine, message: "a quote inside an unquoted field") }
            if !(try separator(byte)) { field.append(byte) }
        }
    }

    /// Ends the field (comma) or the row (line break) if `byte` is one;
    /// false for any other byte.
    private mutating func separator(_ byte: UInt8) throws(CSVError) -> Bool {
        switch byte {
        case Byte.comma:
            endField()
        case Byte.cr:
            try endRow()
        case Byte.lf:
            // The LF of a CR LF: the CR already ended the row.
            if previous != Byte.cr { try endRow() }
        default:
            return false
        }
        return true
    }

    private mutating func endField() {
        row.append(String(decoding: field, as: UTF8.self))
        field = []
        state = .fieldStart
    }

    private mutating func endRow() throws(CSVError) {
        endField()
        if let width = rows.first?.count, row.count != width {
            throw CSVError(line: rowLine, message: "\(row.count) fields where the header has \(width)")
        }
        rows.append(row)
        row = []
        rowLine = line
    }

    /// The rows read; a last row without a final line break counts.
    mutating func finish() throws(CSVError) -> [[String]] {
        if state == .quoted { throw CSVError(line: quoteLine, message: "a quoted field is not closed") }
        if state != .fieldStart || !row.isEmpty { try endRow() }
        return rows
    }
}
