/// A pass of a sweep: its `order_seed` and `rep`. Interleaved runs write
/// the seed, so runs appended to one report (each with a fresh seed) never
/// pair across runs. Blocked runs (`--no-interleave`) have no seed and no
/// passes: their rows pair by repetition index only, which is `weak`: the
/// two rows of a pair may be minutes apart.
public struct PassID: Hashable, Sendable {
    /// nil when the row has none (blocked).
    public let orderSeed: String?
    public let rep: Int

    public init(orderSeed: String?, rep: Int) {
        self.orderSeed = orderSeed.flatMap { $0.isEmpty ? nil : $0 }
        self.rep = rep
    }

    public var weak: Bool { orderSeed == nil }
}

/// What a paired ratio divides.
public enum PairedMetric: Int, CaseIterable, Sendable {
    case deliveredPerSecond, e2eP50, e2eP99

    public var column: Column {
        switch self {
        case .deliveredPerSecond: .deliveredPerSecond
        case .e2eP50: .e2eP50
        case .e2eP99: .e2eP99
        }
    }

    public var higherIsBetter: Bool { self == .deliveredPerSecond }

    /// As tables show it.
    public var label: String {
        switch self {
        case .deliveredPerSecond: "delivered/s"
        case .e2eP50: "e2e p50"
        case .e2eP99: "e2e p99"
        }
    }
}

/// One design's values of one metric divided by the baseline design's in
/// the same pass and configuration group (`pairingKey`), one ratio a pass
/// where both ran.
public struct PairedRatio: Sendable {
    /// Every key column but the design.
    public let pairingKey: ConfigurationKey
    public let design: String
    public let metric: PairedMetric
    /// The passes paired, and their ratios, in first-seen order.
    public let passes: [PassID]
    public let ratios: [Double]
    /// Passes of the group in which this design or the baseline has no
    /// usable row (missing, suspect, or a baseline of 0), or in which the
    /// two rows measured different paths (`c2c_ns` 1.5 × apart).
    public let leftOut: Int

    /// The median of the ratios and its 95 % order-statistic interval
    /// (fewer than 6 passes: the full range); nil with no pass paired.
    public var interval: MedianInterval? { Statistics.medianInterval(ratios) }
    /// Some pair is by repetition index only (blocked runs).
    public var weak: Bool { passes.contains(where: \.weak) }
}

/// The paired ratios of a set of rows against one baseline design, for
/// every configuration group, design and metric (`PairedMetric`).
///
/// A machine whose speed jumps between phases moves every design's
/// absolute median; a design's value over the baseline's, taken within one
/// pass (whose designs ran seconds apart), moves far less, so the median of
/// those per-pass ratios is what the summary and `compare` lead with.
public struct PairedRatios: Sendable {
    public let baseline: String
    /// By group (first seen), design (first seen, the baseline left out), metric.
    public let ratios: [PairedRatio]
    /// Groups in which the baseline design has no row at all.
    public let withoutBaseline: [ConfigurationKey]

    /// The baseline of `designs` (in the order given, or first seen):
    /// `asked` if given, else rwlock, the kernel's choice, else the first.
    /// nil when `asked` is not among them, or there are none.
    public static func baseline(among designs: [String], asked: String?) -> String? {
        if let asked { return designs.contains(asked) ? asked : nil }
        return designs.contains("rwlock") ? "rwlock" : designs.first
    }

    public init(_ samples: PairedSamples, baseline: String) {
        self.baseline = baseline
        var ratios: [PairedRatio] = []
        var withoutBaseline: [ConfigurationKey] = []
        for group in samples.groups {
            guard group.designs.contains(baseline) else { withoutBaseline.append(group.key); continue }
            for design in group.designs where design != baseline {
                for metric in PairedMetric.allCases {
                    ratios.append(Self.ratio(group, design: design, baseline: baseline, metric: metric))
                }
            }
        }
        self.ratios = ratios
        self.withoutBaseline = withoutBaseline
    }

    private static func ratio(_ group: PairedSamples.Group, design: String, baseline: String, metric: PairedMetric) -> PairedRatio {
        var passes: [PassID] = []
        var ratios: [Double] = []
        for pass in group.passes {
            guard let base = group.value(baseline, pass, metric), base > 0,
                  let value = group.value(design, pass, metric),
                  !HandOffModes.apart(group.handOff(design, pass), group.handOff(baseline, pass)) else { continue }
            passes.append(pass)
            ratios.append(value / base)
        }
        return PairedRatio(pairingKey: group.key, design: design, metric: metric, passes: passes, ratios: ratios,
                           leftOut: group.passes.count - passes.count)
    }
}

/// Rows gathered for pairing, by configuration group, design and pass;
/// memory grows with passes, not rows.
public struct PairedSamples: Sendable {
    struct Group: Sendable {
        let key: ConfigurationKey
        /// Every pass with a row of the group, suspect rows' included.
        var passes: [PassID] = []
        /// Every design with a row, in first-seen order.
        var designs: [String] = []
        /// design -> pass -> the usable rows' values (by PairedMetric).
        var values: [String: [PassID: [[Double]]]] = [:]
        /// design -> pass -> the rows' `c2c_ns` (the path they measured).
        var handOffs: [String: [PassID: [Double]]] = [:]

        /// The design's hand-off in that pass (median of its rows); nil
        /// when none was probed.
        func handOff(_ design: String, _ pass: PassID) -> Double? {
            handOffs[design]?[pass].flatMap { Statistics.median($0) }
        }

        /// The metric in that pass; the median when the pass has several
        /// rows of the design (one seed run twice into one report).
        func value(_ design: String, _ pass: PassID, _ metric: PairedMetric) -> Double? {
            values[design]?[pass].flatMap { rows in Statistics.median(rows.map { $0[metric.rawValue] }) }
        }
    }

    private(set) var groups: [Group] = []
    private var slots: [ConfigurationKey: Int] = [:]
    private var seenPasses: [Set<PassID>] = []
    /// Every design with a row, in first-seen order.
    public private(set) var designs: [String] = []

    public init() {}

    /// One row: `key` is its full configuration key (the design is taken
    /// from it), `values` its metrics in `PairedMetric` order. A suspect
    /// row counts its pass but pairs with nothing.
    /// `handOff` is the row's `c2c_ns`: a design and the baseline whose
    /// figures in a pass are `HandOffModes.changeFactor` apart ran on two
    /// machines (the VM changed modes between them) and do not pair.
    public mutating func add(key: ConfigurationKey, pass: PassID, values: [Double], suspect: Bool = false,
                             handOff: Double? = nil) {
        precondition(values.count == PairedMetric.allCases.count, "one value per PairedMetric")
        let design = key[.design] ?? ""
        let pairingKey = key.pairingKey
        let slot = slots[pairingKey] ?? groups.count
        if slot == groups.count {
            slots[pairingKey] = slot
            groups.append(Group(key: pairingKey))
            seenPasses.append([])
        }
        if !designs.contains(design) { designs.append(design) }
        if !groups[slot].designs.contains(design) { groups[slot].designs.append(design) }
        if seenPasses[slot].insert(pass).inserted { groups[slot].passes.append(pass) }
        if !suspect { groups[slot].values[design, default: [:]][pass, default: []].append(values) }
        if !suspect, let handOff { groups[slot].handOffs[design, default: [:]][pass, default: []].append(handOff) }
    }
}
