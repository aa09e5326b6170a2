import Reports
import Testing

@Suite("CSV quoting and parsing")
struct CSVTests {
    @Test("fields are quoted only when they must be", arguments: [
        ("plain", "plain"), ("", ""), ("0-3,8", "\"0-3,8\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""), ("cr\r", "\"cr\r\""), ("crlf\r\n", "\"crlf\r\n\""),
        (" lead", "\" lead\""), ("trail ", "\"trail \""), ("a b", "a b"), ("µs", "µs"),
        // A combining mark fuses with the comma or quote before it into one
        // Character; byte-oriented readers still see the comma or quote.
        (",\u{301}", "\",\u{301}\""), ("\"\u{301}", "\"\"\"\u{301}\""),
    ])
    func quoting(value: String, expected: String) {
        #expect(CSV.field(value) == expected)
    }

    @Test("a line joins fields with commas and ends with a newline")
    func line() {
        #expect(CSV.line(["a", "b,c", ""]) == "a,\"b,c\",\n")
    }

    @Test("tricky rows survive a round trip")
    func roundTrip() throws {
        let rows = [
            ["h1", "h2", "h3"], ["0-3,8-11", "quote \" inside", "multi\nline"], ["", " ", "x"],
            ["\"\"", "crlf\r\ninside", "cr\r"], [",", "\u{301}after a comma", "é, \"ü\""],
        ]
        let text = rows.map(CSV.line).joined()
        #expect(try CSV.parse(text) == rows)
    }

    @Test("CRLF and CR line ends are read as well as LF")
    func lineEnds() throws {
        let expected = [["a", "b"], ["1", "2"], ["3", "4"]]
        #expect(try CSV.parse("a,b\r\n1,2\r\n3,4\r\n") == expected)
        #expect(try CSV.parse("a,b\r1,2\r3,4") == expected)
        #expect(try CSV.parse("a,b\n\"1\",\"\"\n3,\n") == [["a", "b"], ["1", ""], ["3", ""]])
        #expect(try CSV.parse("") == [])
    }

    @Test("a file without a final newline parses")
    func noFinalNewline() throws {
        #expect(try CSV.parse("a,b\n1,2") == [["a", "b"], ["1", "2"]])
    }

    @Test("errors name the line", arguments: [
        ("a,b\n1,\"2\n", 2, "not closed"),
        ("a,b\n1,2\n3\n", 3, "fields"),
        ("a,b\n1,x\"y\n", 2, "quote"),
        ("a,b\n\"1\"x,2\n", 2, "after a closing quote"),
        ("a,b\n\"x\ny\",1\n1,2,3\n", 4, "3 fields where the header has 2"),
        ("a,b\r\n1,2\r\n3,\"4\r\n5\r\n", 3, "not closed"),
        ("a,b\n\"x\ny\",\"z\n", 3, "not closed"),
    ])
    func errors(text: String, line: Int, fragment: String) {
        let error = #expect(throws: CSVError.self) { try CSV.parse(text) }
        #expect(error?.line == line)
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }
}
