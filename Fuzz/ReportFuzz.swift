// libFuzzer entry for the report reader: the CSV parser and the decoder
// that compare, plot and run (appending) read reports with. Built by
// scripts/fuzz.sh with Sources/Reports/{CSV,ReportDecoder,Statistics}.swift.
//
// Checked on every input: nothing traps; reading in two pieces (any split)
// gives what reading it whole gives; what parses survives writing back;
// every cell the decoder takes as a number is finite and is what Double
// reads; the median interval of those numbers lies within them.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReport(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    // Safe: libFuzzer passes `count` readable bytes at `start` (or none).
    let bytes = count > 0 ? Array(UnsafeBufferPointer(start: start, count: count)) : []
    let text = String(decoding: bytes, as: UTF8.self)
    let whole = Result { () throws(CSVError) in try CSV.parse(text) }
    let utf8 = Array(text.utf8)
    let split = utf8.isEmpty ? 0 : Int(utf8[0]) % (utf8.count + 1)
    let pieces = Result { () throws(ReportError) in try decode([Array(utf8[..<split]), Array(utf8[split...])]) }
    // Reading only some columns gives the same rows, those columns blank.
    if case .success(let rows) = pieces, let header = rows.first, let some = try? decode([utf8], reading: [header[0]]) {
        let first = header[0]
        precondition(some.count == rows.count)
        for (full, part) in zip(rows.dropFirst(), some.dropFirst()) {
            for (column, name) in header.enumerated() where header.firstIndex(of: name) == column {
                precondition(part[column] == (name == first ? full[column] : ""), "column selection changed a cell")
            }
        }
    }
    switch (whole, pieces) {
    case (.success(let rows), .success(let decoded)):
        precondition(rows == decoded, "whole and split reads differ")
        let written = rows.map(CSV.line).joined()
        precondition((try? CSV.parse(written)) == rows, "a parsed file does not survive writing back")
        var numbers: [Double] = []
        for row in rows { for cell in row { if let value = ReportNumber.parse(cell) { numbers.append(value) } } }
        for value in numbers { precondition(value.isFinite) }
        if let interval = Statistics.medianInterval(numbers) {
            precondition(interval.lower <= interval.median && interval.median <= interval.upper)
            precondition(numbers.contains(interval.lower) && numbers.contains(interval.upper))
        }
        _ = Statistics.isBimodal(numbers)
        if numbers.count <= 40 { _ = Statistics.mannWhitneyP(numbers, numbers.reversed().map { $0 + 1 }) }
    case (.failure, .failure):
        break
    default:
        preconditionFailure("whole read and split read disagree on whether the input is CSV")
    }
    return 0
}

/// Header and rows as the decoder hands them out, fed in `chunks`.
func decode(_ chunks: [[UInt8]], reading: [String]? = nil) throws(ReportError) -> [[String]] {
    var decoder = ReportDecoder(path: "fuzz.csv", reading: reading)
    var rows: [[String]] = []
    for chunk in chunks {
        try decoder.feed(chunk) { line throws(ReportError) in
            rows.append(line.fields)
            for column in line.fields.prefix(3) {
                _ = try? line.number(column)
                _ = try? line.count(column)
                _ = try? line.name(column)
            }
        }
    }
    do {
        try decoder.finish { line throws(ReportError) in rows.append(line.fields) }
    } catch where error.description.hasSuffix("empty file, no header") {
        return []
    }
    return (decoder.header.map { [$0] } ?? []) + rows
}
