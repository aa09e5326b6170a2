/// Which configuration a row belongs to: its values in the key columns
/// (those whose role is `.key`), in file order. Rows with equal keys are
/// repetitions of one configuration. The summary table, the speedup,
/// `compare`, `plot` and `check-placement` all group by it, so a new run
/// parameter is a new key column and nothing else.
///
/// A report written before a key column existed is read with that
/// column's `absentValue`, so reports of every age stay comparable.
/// Duration and warm-up are not key: suites scaled to different budgets
/// still match. `host` is key unless the key is made `ignoringHost`.
public struct ConfigurationKey: Hashable, Sendable {
    /// The key columns, in file order.
    public static let columns: [Column] = Column.allCases.filter { $0.role == .key }

    /// The columns this key holds (`columns`, less any dropped).
    public let columns: [Column]
    /// Their values, in the same order.
    public let values: [String]

    /// The key of a report row.
    public init(_ line: ReportLine, ignoringHost: Bool = false) {
        self.init(ignoringHost ? Self.columns.filter { $0 != .host } : Self.columns) { column in
            line.has(column) ? line.text(column) : column.info.absentValue
        }
    }

    /// The key of a row about to be written (a planned configuration's
    /// key columns set in a record).
    public init(_ record: RunRecord, ignoringHost: Bool = false) {
        self.init(ignoringHost ? Self.columns.filter { $0 != .host } : Self.columns) { record[$0] }
    }

    /// The key of `column=value` words (a `run --plan` line); a column
    /// the words lack takes its absent value.
    public init(words: [String: String], ignoringHost: Bool = false) {
        self.init(ignoringHost ? Self.columns.filter { $0 != .host } : Self.columns) { column in
            words[column.rawValue] ?? column.info.absentValue
        }
    }

    private init(_ columns: [Column], value: (Column) -> String) {
        self.columns = columns
        values = columns.map(value)
    }

    public subscript(column: Column) -> String? { columns.firstIndex(of: column).map { values[$0] } }

    /// The same key without `dropped`.
    public func without(_ dropped: Set<Column>) -> ConfigurationKey {
        let kept = columns.indices.filter { !dropped.contains(columns[$0]) }
        return ConfigurationKey(kept.map { columns[$0] }) { column in values[columns.firstIndex(of: column)!] }
    }

    /// The configurations a row's speedup compares: all but the sender count.
    public var speedupKey: ConfigurationKey { without([.senders]) }

    /// The configurations paired within one pass: all but the design.
    public var pairingKey: ConfigurationKey { without([.design]) }

    /// `column=value` for each column.
    public var words: [String] { zip(columns, values).map { "\($0)=\($1)" } }

    /// `column=value` for the columns in `shown` only, in key order.
    public func words(_ shown: [Column]) -> [String] {
        zip(columns, values).filter { shown.contains($0.0) }.map { "\($0)=\($1)" }
    }

    /// The key columns whose value is not the same in every one of `keys`.
    public static func varying(_ keys: some Collection<ConfigurationKey>) -> [Column] {
        guard let first = keys.first else { return [] }
        return first.columns.filter { column in keys.contains { $0[column] != first[column] } }
    }
}
