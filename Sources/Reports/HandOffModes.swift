import Platform

/// The modes of a machine whose cache-line hand-off jumps (`c2c_ns`): a VM
/// whose vCPUs the hypervisor moves between near and far cores shows two
/// groups of figures, and each row's rates belong to one of them.
///
/// The groups are found as `Statistics.isBimodal` finds repetitions that
/// disagree, but robust to a few stray figures, since a report holds
/// hundreds: the widest gap between sorted figures, with at least two on
/// each side, wider than 25 % of the median and than twice either side's
/// spread between its 10th and 90th percentiles. The boundary is the
/// middle of that gap.
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
        guard let gap = Self.modeGap(sorted) else {
            boundary = nil
            medians = Statistics.median(sorted).map { [$0] } ?? []
            counts = sorted.isEmpty ? [] : [sorted.count]
            return
        }
        boundary = (sorted[gap - 1] + sorted[gap]) / 2
        let sides = [Array(sorted[..<gap]), Array(sorted[gap...])]
        medians = sides.map { Statistics.median($0)! }
        counts = sides.map(\.count)
    }

    /// The index of the first figure above the gap between two modes; nil
    /// for one group.
    static func modeGap(_ sorted: [Double]) -> Int? {
        guard sorted.count >= 4, let median = Statistics.median(sorted) else { return nil }
        let widths: [Double] = (1..<sorted.count).map { sorted[$0] - sorted[$0 - 1] }
        let gap = widths.indices.max { widths[$0] < widths[$1] }! + 1
        guard gap >= 2, sorted.count - gap >= 2 else { return nil }
        let spread = { (side: ArraySlice<Double>) -> Double in
            let values = Array(side)
            let at = { (q: Double) in values[Int((q * Double(values.count - 1)).rounded())] }
            return at(0.9) - at(0.1)
        }
        let width = sorted[gap] - sorted[gap - 1]
        return width > 0.25 * abs(median) && width > 2 * max(spread(sorted[..<gap]), spread(sorted[gap...])) ? gap : nil
    }

    public var isBimodal: Bool { boundary != nil }

    /// Two hand-offs this many times apart were measured on two different
    /// machines, as far as the designs can tell (the VM's near and far
    /// modes); noise within one mode (47 against 64 ns) stays below it.
    /// A row whose own figures moved this much is suspect (`c2c-changed`,
    /// SweepPlan's Suspicion.swift), and a pass whose design and baseline
    /// rows are this far apart does not pair (`PairedRatios`).
    public static let changeFactor = 1.5

    /// Whether two figures are `changeFactor` or more apart; false when
    /// either is missing or not positive.
    public static func apart(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b, a > 0, b > 0 else { return false }
        return max(a, b) >= changeFactor * min(a, b)
    }

    /// 0 for the near mode (or the one group), 1 for the far one.
    public func mode(of figure: Double) -> Int {
        guard let boundary else { return 0 }
        return figure < boundary ? 0 : 1
    }

    /// The values (parallel to `figures`) whose figure falls in `mode`;
    /// all of them when `mode` is nil. A value without a figure is in no
    /// mode.
    public func values(_ values: [Double], figures: [Double?], in mode: Int?) -> [Double] {
        guard let mode else { return values }
        return values.indices.filter { $0 < figures.count && figures[$0].map { self.mode(of: $0) == mode } == true }
            .map { values[$0] }
    }

    /// "near (~55 ns)", "far (~240 ns)".
    public func name(_ mode: Int) -> String {
        "\(mode == 0 ? "near" : "far") (~\(formatFixed(medians[mode], decimals: 0)) ns)"
    }
}
