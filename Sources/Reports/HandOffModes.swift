import Platform

/// The modes of a machine whose cache-line hand-off jumps (`c2c_ns`): a VM
/// whose vCPUs the hypervisor moves between near and far cores shows two
/// groups of figures, and each row's rates belong to one of them.
///
/// The groups are found as `Statistics.isBimodal` finds repetitions that
/// disagree: the widest gap between sorted figures, with at least two on
/// each side, wider than 25 % of the median and than twice the spread of
/// either side. The boundary is the middle of that gap.
public struct HandOffModes: Sendable, Equatable {
    /// Figures below are the near mode, above the far one; nil when the
    /// figures form one group.
    public let boundary: Double?
    /// The median figure of each mode (near, far), or of the one group.
    public let medians: [Double]
    /// How many figures each mode holds.
    public let counts: [Int]

    public init(_ figures: [Double]) {
        let sorted = figures.sorted()
        guard Statistics.isBimodal(sorted) else {
            boundary = nil
            medians = Statistics.median(sorted).map { [$0] } ?? []
            counts = sorted.isEmpty ? [] : [sorted.count]
            return
        }
        let widths: [Double] = (1..<sorted.count).map { sorted[$0] - sorted[$0 - 1] }
        let gap = widths.indices.max { widths[$0] < widths[$1] }! + 1
        boundary = (sorted[gap - 1] + sorted[gap]) / 2
        let sides = [Array(sorted[..<gap]), Array(sorted[gap...])]
        medians = sides.map { Statistics.median($0)! }
        counts = sides.map(\.count)
    }

    public var isBimodal: Bool { boundary != nil }

    /// 0 for the near mode (or the one group), 1 for the far one.
    public func mode(of figure: Double) -> Int {
        guard let boundary else { return 0 }
        return figure < boundary ? 0 : 1
    }

    /// "near (~55 ns)", "far (~240 ns)".
    public func name(_ mode: Int) -> String {
        "\(mode == 0 ? "near" : "far") (~\(formatFixed(medians[mode], decimals: 0)) ns)"
    }
}
