/// A name in a comma list that names nothing known.
public struct NameListError: Error, CustomStringConvertible, Equatable, Sendable {
    public let option: String
    public let name: String
    public let known: [String]

    /// Why, without the option.
    public var reason: String {
        name == "all"
            ? "'all' cannot be combined with other names"
            : "unknown '\(name)'; known: \(known.joined(separator: ", ")), or all"
    }

    public var description: String { "\(option): \(reason)" }
}

/// Parses a comma list of the raw names of `T` (designs, scenarios,
/// strategies), or `all` for every case. Spaces around a name are ignored;
/// duplicates are dropped; the order given is kept.
public func parseNameList<T: CaseIterable & RawRepresentable>(_ text: String, option: String) throws(NameListError) -> [T]
where T.RawValue == String {
    if text.trimmingSpaces() == "all" { return Array(T.allCases) }
    var values: [T] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        let name = item.trimmingSpaces()
        guard let value = T(rawValue: name) else {
            throw NameListError(option: option, name: name, known: T.allCases.map(\.rawValue))
        }
        if !values.contains(where: { $0.rawValue == value.rawValue }) { values.append(value) }
    }
    return values
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
