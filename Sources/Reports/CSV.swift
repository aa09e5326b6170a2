/// RFC 4180 CSV, as pandas and gnuplot read it: a field is quoted only when
/// it must be (a comma, a quote, CR or LF, or leading/trailing spaces);
/// quotes inside are doubled. Lines end with "\n" (RFC 4180 says CRLF, but
/// both readers accept LF and Unix tools prefer it).
public enum CSV {
    public static func field(_ value: String) -> String {
        let needsQuotes = value.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || value.first == " " || value.last == " "
        guard needsQuotes else { return value }
        return "\"" + value.replacingAll("\"", with: "\"\"") + "\""
    }

    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }

    /// Parses a whole file: quoted fields may hold commas, doubled quotes
    /// and line breaks. Every row must have as many fields as the first.
    public static func parse(_ text: String) throws(CSVError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var line = 1
        var rowLine = 1
        var quoted = false
        var fieldWasQuoted = false
        var characters = Array(text).makeIterator()
        var pending: Character? = nil

        func finishRow() throws(CSVError) {
            row.append(field)
            if let width = rows.first?.count, row.count != width {
                throw CSVError(line: rowLine, message: "\(row.count) fields where the header has \(width)")
            }
            rows.append(row)
            row = []
            field = ""
            fieldWasQuoted = false
        }

        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case ",":
                row.append(field)
                field = ""
                fieldWasQuoted = false
            case "\n", "\r\n":
                try finishRow()
                line += 1
                rowLine = line
            case "\"":
                guard field.isEmpty, !fieldWasQuoted else {
                    throw CSVError(line: line, message: "a quote inside an unquoted field")
                }
                quoted = true
                fieldWasQuoted = true
            default:
                if fieldWasQuoted {
                    throw CSVError(line: line, message: "text after a closing quote")
                }
                field.append(character)
            }
        }
        if quoted { throw CSVError(line: rowLine, message: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty || fieldWasQuoted { try finishRow() }
        return rows
    }
}

public struct CSVError: Error, Equatable, CustomStringConvertible, Sendable {
    public let line: Int
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
