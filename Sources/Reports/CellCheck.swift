/// What the cells of a report's own columns must hold, so that every
/// reader (compare, plot, check-placement, run appending) refuses the same
/// cells, in one line naming the file, the line and the column.

/// The form a known column's cells take, from its unit in the schema
/// (`Column.info`): a count (a whole number from 0 up), a quantity (a
/// finite number from 0 up: no rate, time or ratio is negative), or text.
enum CellForm {
    case count, quantity, text

    init(_ column: Column) {
        switch column.info.unit {
        case "count": self = .count
        case "ns", "1/s", "ratio", "s", "µs": self = .quantity
        default: self = .text
        }
    }

}

/// Checks each row's number cells before handing it on; the columns to
/// check are found once, from the first row's decoded columns.
struct CellChecker {
    private var checked: [(name: String, form: CellForm)]?

    mutating func check(_ line: ReportLine) throws(ReportError) {
        if checked == nil {
            checked = line.index.keys.sorted { line.index[$0]! < line.index[$1]! }.compactMap { name in
                Column(rawValue: name).map { (name, CellForm($0)) }
            }.filter { $0.form != .text }
        }
        try line.checkCells(checked ?? [])
    }
}

extension ReportLine {
    /// Checks the number cells that are not empty: a count must be a
    /// count, a quantity finite and not negative ("nan", "inf", "1e400"
    /// and "-1" are refused; "-0" is 0). Empty cells are left to the
    /// reader, which knows whether it needs the value.
    func checkCells(_ checked: [(name: String, form: CellForm)]) throws(ReportError) {
        for (name, form) in checked where !text(name).isEmpty {
            switch form {
            case .count: _ = try count(name)
            case .quantity: _ = try measurement(name)
            case .text: break
            }
        }
    }

    /// Checks the cells every row a run writes has filled: the names and
    /// counts that make its configuration and the measurements that
    /// compare and plot read. A row of the right width made of anything
    /// else (empty cells, a spreadsheet's leftovers) is no run's row.
    /// Columns the header lacks are not checked.
    func checkFilled() throws(ReportError) {
        for column in [Column.design, .scenario] where has(column) { _ = try name(column) }
        for column in [Column.senders, .vcpus, .rep] where has(column) { _ = try count(column) }
        for column in [Column.sendsPerSecond, .deliveredPerSecond, .e2eP99] where has(column) { _ = try measurement(column) }
    }
}
