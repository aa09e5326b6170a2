import Platform

/// One row of a run report: one configuration x repetition. Values are
/// set by column with typed setters that fix the formatting (no exponents,
/// fixed decimals); a column never set is an empty field.
public struct RunRecord: Sendable, Equatable {
    public static let columns = Column.allCases.map(\.rawValue)

    private var values: [Column: String] = [:]

    public init() {}

    public subscript(column: Column) -> String { values[column] ?? "" }

    public mutating func set(_ column: Column, _ text: String) { values[column] = text }
    public mutating func set(_ column: Column, _ count: Int) {
        values[column] = String(count)
        // lost_flag follows lost, so that the two cannot disagree.
        if column == .lost { values[.lostFlag] = count > 0 ? "LOST" : "" }
    }
    public mutating func set(_ column: Column, _ flag: Bool) { values[column] = flag ? "true" : "false" }

    /// Rates and counts per second: one decimal.
    public mutating func set(_ column: Column, rate: Double) { values[column] = formatFixed(rate, decimals: 1) }
    /// Ratios and fractions: four decimals.
    public mutating func set(_ column: Column, ratio: Double) { values[column] = formatFixed(ratio, decimals: 4) }
    /// Seconds: three decimals.
    public mutating func set(_ column: Column, seconds: Double) { values[column] = formatFixed(seconds, decimals: 3) }

    /// The fields in `columns` order.
    public var fields: [String] { Column.allCases.map { values[$0] ?? "" } }
}
