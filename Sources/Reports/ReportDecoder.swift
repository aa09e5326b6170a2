/// Reading reports row by row: every command that reads a report (compare,
/// plot, run appending) decodes it here, so they accept and refuse the same
/// cells. Pure byte handling (no files), so that a fuzzer can drive it.

public struct ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The numbers a report holds: decimal, optionally signed, with an optional
/// fraction and exponent ("12", "-0.5", "1.5e+07"), and finite. Not "nan",
/// "inf", hexadecimal, or surrounding spaces, which Double(_:) would take.
public enum ReportNumber {
    public static func parse(_ text: String) -> Double? {
        var bytes = Substring(text).utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let whole = bytes.prefix(while: isDigit)
        bytes = bytes.dropFirst(whole.count)
        var fraction = bytes.prefix(0)
        if bytes.first == UInt8(ascii: ".") {
            fraction = bytes.dropFirst().prefix(while: isDigit)
            bytes = bytes.dropFirst(1 + fraction.count)
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return nil }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            let exponent = bytes.prefix(while: isDigit)
            guard !exponent.isEmpty else { return nil }
            bytes = bytes.dropFirst(exponent.count)
        }
        guard bytes.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }
}

/// One data row, with typed access by column name. Errors name the file,
/// the line and the column.
public struct ReportLine {
    public let path: String
    /// The line the row begins on (the header is line 1).
    public let line: Int
    public let fields: [String]
    let index: [String: Int]

    public func has(_ column: String) -> Bool { index[column] != nil }

    /// The cell's text; "" for a column the report does not have.
    public func text(_ column: String) -> String { index[column].map { fields[$0] } ?? "" }

    /// A cell that must hold a number.
    public func number(_ column: String) throws(ReportError) -> Double {
        guard let value = try optionalNumber(column) else { throw failure(column, "is empty; a number is needed") }
        return value
    }

    /// A cell that holds a number or nothing.
    public func optionalNumber(_ column: String) throws(ReportError) -> Double? {
        let text = text(column)
        if text.isEmpty { return nil }
        guard let value = ReportNumber.parse(text) else { throw failure(column, "is not a finite number: '\(printable(text))'") }
        return value
    }

    /// A cell that must hold a measurement: a finite number from 0 up (no
    /// rate, latency or ratio is negative).
    public func measurement(_ column: String) throws(ReportError) -> Double {
        let value = try number(column)
        guard value >= 0 else { throw failure(column, "is negative: '\(printable(text(column)))'; a measurement is 0 or more") }
        return value
    }

    /// A cell that must hold a count: a whole number from 0 up.
    public func count(_ column: String) throws(ReportError) -> Int {
        let value = try number(column)
        guard value >= 0, value <= 1e15, value.rounded() == value else {
            throw failure(column, "is not a count: '\(printable(text(column)))'")
        }
        return Int(value)
    }

    /// A cell that must be a plain name (design, scenario, strategy): what
    /// goes into a gnuplot datablock or a file name unquoted.
    public func name(_ column: String) throws(ReportError) -> String {
        let text = text(column)
        guard isPlainName(text) else {
            throw failure(column, "'\(printable(text))' is not a plain name (letters, digits, '.', '_', '+', '-')")
        }
        return text
    }

    private func failure(_ column: String, _ problem: String) -> ReportError {
        ReportError("\(printable(path)): line \(line): column \(column) \(problem)")
    }
}

/// Letters, digits, '.', '_', '+', '-' (ASCII), not empty.
public func isPlainName(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy { byte in
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "._+-".utf8.contains(byte)
    }
}

/// `text` with control characters (line breaks, escape sequences) shown as
/// "?", so that a message stays one line and cannot drive a terminal.
/// Text longer than `printableLimit` characters (a 4 KB path, a runaway
/// cell) keeps its start and its end, which names the file, around "…".
public func printable(_ text: String) -> String {
    let scalars = text.unicodeScalars.map { $0.value < 0x20 || ($0.value >= 0x7f && $0.value < 0xa0) ? "?" : $0 }
    guard scalars.count > printableLimit else { return String(String.UnicodeScalarView(scalars)) }
    let head = scalars.prefix(printableLimit * 2 / 3), tail = scalars.suffix(printableLimit / 3 - 1)
    return String(String.UnicodeScalarView(head)) + "…" + String(String.UnicodeScalarView(tail))
}

/// The most characters `printable` keeps.
public let printableLimit = 180

/// Turns bytes into rows: the header first (it must hold `required`), then
/// each data row handed to `body` as a ReportLine. Rows are not kept.
/// With `reading`, only those columns (and `required`) are decoded: the
/// lines have no others.
public struct ReportDecoder {
    public let path: String
    public let required: [String]
    public let reading: [String]?
    public private(set) var header: [String]?
    public private(set) var rowCount = 0
    private var index: [String: Int] = [:]
    private var parser = CSVParser()

    public init(path: String, required: [String] = [], reading: [String]? = nil) {
        self.path = path
        self.required = required
        self.reading = reading
        parser.wanted = reading.map { Set($0 + required) }
    }

    /// The line break of the header ("\n", "\r\n" or "\r"), once read.
    public var lineEnding: String? { parser.firstLineEnding }

    public mutating func feed(_ bytes: [UInt8], _ body: (ReportLine) throws(ReportError) -> Void) throws(ReportError) {
        let error = parser.consume(bytes)
        try deliver(body)
        if let error { throw ReportError("\(printable(path)): \(error)") }
    }

    /// Ends the input; an input without a header is an error.
    public mutating func finish(_ body: (ReportLine) throws(ReportError) -> Void) throws(ReportError) {
        let error = parser.finish()
        try deliver(body)
        if let error { throw ReportError("\(printable(path)): \(error)") }
        guard header != nil else { throw ReportError("\(printable(path)): empty file, no header") }
    }

    private mutating func deliver(_ body: (ReportLine) throws(ReportError) -> Void) throws(ReportError) {
        for (line, row) in parser.takeRows() {
            guard header != nil else {
                try accept(header: row)
                continue
            }
            rowCount += 1
            try body(ReportLine(path: path, line: line, fields: row, index: index))
        }
    }

    private mutating func accept(header fields: [String]) throws(ReportError) {
        // A byte-order mark, as spreadsheet programs write, is no part of
        // the first column's name (run refuses to append after one).
        var row = fields
        if let first = row.first, first.unicodeScalars.first == "\u{FEFF}" { row[0] = String(first.unicodeScalars.dropFirst()) }
        header = row
        let wanted = reading.map { Set($0 + required) }
        index = Dictionary(row.enumerated().filter { wanted?.contains($1) ?? true }.map { ($1, $0) },
                           uniquingKeysWith: { first, _ in first })
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ReportError("\(printable(path)): missing column(s) \(missing.joined(separator: ", ")); "
                              + "is this an evtchn-bench report?")
        }
    }
}
