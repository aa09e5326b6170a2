import Runner

public struct ListSyntaxError: Error, CustomStringConvertible, Equatable {
    public let option: String
    public let text: String
    public let reason: String
    public var description: String { "\(option): '\(text)' \(reason)" }
}

/// Parses a list of positive counts: "1,2,4", "1-4", "1-2,8", none above
/// `maximum` (`what` says why there is one). Duplicates are dropped; order
/// is ascending.
public func parseCountList(_ text: String, option: String, maximum: Int = RunConfiguration.Limits.threads.upperBound,
                           what: String = "threads of a role") throws(ListSyntaxError) -> [Int] {
    func fail(_ reason: String) -> ListSyntaxError { ListSyntaxError(option: option, text: text, reason: reason) }
    guard !text.isEmpty else { throw fail("is empty; give counts like 1,2,4 or 1-4") }
    var counts = Set<Int>()
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last!) else {
            throw fail("is not a list of counts like 1,2,4 or 1-4")
        }
        guard low >= 1 else { throw fail("contains \(low); counts must be at least 1") }
        guard low <= high else { throw fail("contains the empty range \(low)-\(high)") }
        guard high <= maximum else { throw fail("contains \(high); at most \(maximum) (\(what))") }
        counts.formUnion(low...high)
    }
    return counts.sorted()
}
