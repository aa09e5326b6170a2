import Reports
import Testing

@Suite("CSV quoting and parsing")
struct CSVTests {
    @Test("fields are quoted only when they must be", arguments: [
        ("plain", "plain"), ("", ""), ("0-3,8", "\"0-3,8\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""), (" lead", "\" lead\""), ("trail ", "\"trail \""), ("a b", "a b"),
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
        let rows = [["h1", "h2", "h3"], ["0-3,8-11", "quote \" inside", "multi\nline"], ["", " ", "x"]]
        let text = rows.map(CSV.line).joined()
        #expect(try CSV.parse(text) == rows)
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
    ])
    func errors(text: String, line: Int, fragment: String) {
        let error = #expect(throws: CSVError.self) { try CSV.parse(text) }
        #expect(error?.line == line)
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }
}
