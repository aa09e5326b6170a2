/// Reports read their own columns by `Column`, never by spelling the
/// name; the String forms stay for what is not ours (a fuzzer's columns).
extension Column: CustomStringConvertible {
    public var description: String { rawValue }
}

extension ReportLine {
    public func has(_ column: Column) -> Bool { has(column.rawValue) }
    public func text(_ column: Column) -> String { text(column.rawValue) }
    public func number(_ column: Column) throws(ReportError) -> Double { try number(column.rawValue) }
    public func optionalNumber(_ column: Column) throws(ReportError) -> Double? { try optionalNumber(column.rawValue) }
    public func count(_ column: Column) throws(ReportError) -> Int { try count(column.rawValue) }
    public func measurement(_ column: Column) throws(ReportError) -> Double { try measurement(column.rawValue) }
    public func name(_ column: Column) throws(ReportError) -> String { try name(column.rawValue) }
}

extension ReportSource {
    /// `scan(required:reading:_:)` by `Column`.
    @discardableResult
    public func scan(required: [Column], reading: [Column]? = nil,
                     _ body: (ReportLine) throws(ReportError) -> Void) throws(ReportError) -> [String] {
        try scan(required: required.map(\.rawValue), reading: reading.map { $0.map(\.rawValue) }, body)
    }
}
