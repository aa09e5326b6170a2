import Reports
import Testing

/// Rows of one report for pairing: (design, senders, seed, rep, delivered/s,
/// e2e p50, e2e p99), with the columns pairing reads.
func pairingTable(_ rows: [(design: String, senders: Int, seed: String, rep: Int, delivered: Double, p50: Double, p99: Double)],
                  suspect: Set<Int> = []) -> ReportTable {
    let header = ["host", "design", "scenario", "senders", "vcpus", "rep", "sends_per_s", "delivered_per_s", "e2e_p50_ns", "e2e_p99_ns",
                  "order_seed", "suspect"]
    let body = rows.enumerated().map { index, row in
        ["box", row.design, "ipi", "\(row.senders)", "1", "\(row.rep)", "\(row.delivered)", "\(row.delivered)", "\(row.p50)", "\(row.p99)",
         row.seed, suspect.contains(index) ? "c2c" : ""]
    }
    return ReportTable(path: "pairs.csv", header: header, rows: body)
}

/// A machine that is fast or slow pass by pass (`speed`), each design at
/// its own level times a little noise of its own, and e2e latency the
/// inverse of speed.
func machineTable(seed: String, speed: [Double], designs: [(name: String, level: Double, noise: [Double])]) -> ReportTable {
    var rows: [(design: String, senders: Int, seed: String, rep: Int, delivered: Double, p50: Double, p99: Double)] = []
    for (pass, factor) in speed.enumerated() {
        for design in designs {
            let value = design.level * factor * design.noise[pass % design.noise.count]
            rows.append((design.name, 1, seed, pass + 1, value, 1e9 / value, 4e9 / value))
        }
    }
    return pairingTable(rows)
}

/// A report's rows by pass, as compare reads them.
func pairedSamples(_ table: ReportTable) throws -> PairedSamples {
    try Comparison(old: .table(table), new: .table(table), thresholdPercent: 0, ignoreHost: false).oldPairs
}

@Suite("Paired ratios")
struct PairedRatiosTests {
    @Test("the baseline: asked, else rwlock, else the first design; an asked one that is absent is nil")
    func baseline() {
        #expect(PairedRatios.baseline(among: ["rcu", "rwlock"], asked: nil) == "rwlock")
        #expect(PairedRatios.baseline(among: ["rcu", "seqlock"], asked: nil) == "rcu")
        #expect(PairedRatios.baseline(among: ["rcu", "rwlock"], asked: "rcu") == "rcu")
        #expect(PairedRatios.baseline(among: ["rcu", "rwlock"], asked: "mutex") == nil)
        #expect(PairedRatios.baseline(among: [], asked: nil) == nil)
    }

    @Test("ratios per pass; a pass missing the design or the baseline, or with a suspect row, is left out, never paired across")
    func pairing() throws {
        let table = pairingTable([
            ("rwlock", 1, "7", 1, 100, 10, 40), ("rcu", 1, "7", 1, 200, 5, 80),
            ("rwlock", 1, "7", 2, 50, 20, 40), ("rcu", 1, "7", 2, 100, 10, 40),
            ("rcu", 1, "7", 3, 300, 10, 40),
            ("rwlock", 1, "7", 4, 100, 10, 40), ("rcu", 1, "7", 4, 100, 10, 40),
            ("rwlock", 1, "9", 3, 100, 10, 40),
            ("rcu", 2, "7", 1, 100, 10, 40),
        ], suspect: [5])
        let paired = PairedRatios(try pairedSamples(table), baseline: "rwlock")
        let delivered = try #require(paired.ratios.first { $0.metric == .deliveredPerSecond })
        #expect(delivered.design == "rcu" && delivered.pairingKey[.senders] == "1")
        #expect(delivered.ratios == [2, 2], "passes 1 and 2; pass 3 of seed 7 has no rwlock, seed 9's is another run")
        #expect(delivered.leftOut == 3, "seed 7 rep 3, seed 7 rep 4 (suspect baseline), seed 9 rep 3")
        #expect(delivered.interval?.median == 2 && !delivered.weak)
        let p99 = try #require(paired.ratios.first { $0.metric == .e2eP99 })
        #expect(p99.ratios == [2, 1])
        #expect(paired.withoutBaseline.map { $0[.senders] } == ["2"])
    }

    @Test("blocked rows (no order_seed) pair by repetition index and are weak")
    func weak() throws {
        let table = pairingTable([("mutex", 1, "", 1, 100, 10, 40), ("rcu", 1, "", 1, 150, 10, 40),
                                  ("mutex", 1, "", 2, 100, 10, 40), ("rcu", 1, "", 2, 250, 10, 40)])
        let samples = try pairedSamples(table)
        let baseline = try #require(PairedRatios.baseline(among: samples.designs, asked: nil))
        let paired = PairedRatios(samples, baseline: baseline)
        #expect(paired.baseline == "mutex")
        #expect(paired.ratios[0].ratios == [1.5, 2.5] && paired.ratios[0].weak)
    }

    @Test("the shift interval: Hodges-Lehmann with the exact Mann-Whitney bounds")
    func shift() throws {
        let a: [Double] = [1, 2, 3, 4, 5, 6]
        let interval = try #require(Statistics.shiftInterval(a, a.map { $0 + 10 }))
        // Differences 10 + (j - i): d(6) = 7, d(31) = 13; P(U <= 5) = 19/924.
        #expect(interval.median == 10 && interval.lower == 7 && interval.upper == 13)
        #expect(abs(interval.coverage - (1 - 38.0 / 924)) < 1e-12 && interval.method == .orderStatistics)
        let few = try #require(Statistics.shiftInterval([1, 2], [3]))
        #expect(few.method == .fullRange && few.lower == 1 && few.upper == 2)
        #expect(Statistics.shiftInterval([1], [2])?.method == .undefined)
        let many = try #require(Statistics.shiftInterval((0..<30).map(Double.init), (0..<30).map { Double($0) + 5 }))
        #expect(many.lower < 5 && many.upper > 5 && many.method == .orderStatistics, "normal approximation beyond 20")
    }
}

@Suite("Compare paired ratios")
struct PairedComparisonTests {
    static let noiseA: [Double] = [1.00, 1.02, 0.99, 1.01, 0.98, 1.03, 0.97, 1.015]
    static let noiseB: [Double] = [0.995, 1.01, 1.025, 0.985, 1.0, 0.975, 1.02, 0.99]

    static func compare(_ old: ReportTable, _ new: ReportTable) throws -> PairedComparison {
        try PairedComparison(old: try pairedSamples(old), new: try pairedSamples(new), baseline: nil)
    }

    @Test("a bimodal machine: absolute medians move 2x between the runs, the ratio of ratios stays near 1, not significant")
    func bimodal() throws {
        let old = machineTable(seed: "1", speed: [2, 2, 1, 2, 2, 1, 2, 2],
                               designs: [("rwlock", 10e6, Self.noiseA), ("rcu", 8e6, Self.noiseB)])
        let new = machineTable(seed: "2", speed: [1, 1, 2, 1, 1, 1, 2, 1],
                               designs: [("rwlock", 10e6, Self.noiseB), ("rcu", 8e6, Self.noiseA)])
        let absolute = try Comparison(old: .table(old), new: .table(new), thresholdPercent: 10, ignoreHost: false)
        let rcuAbsolute = try #require(absolute.entries.first { $0.key.contains("design=rcu") })
        #expect(rcuAbsolute.changes[1].ratio! < 0.6, "the absolute median halves")
        let comparison = try Self.compare(old, new)
        #expect(comparison.baseline == "rwlock" && comparison.changes.count == 3)
        for change in comparison.changes {
            #expect(abs(change.change! - 1) < 0.05 && !change.significant, "\(change.new.metric)")
            #expect(change.interval!.lower < 1 && change.interval!.upper > 1)
        }
    }

    @Test("a real 20 % change in one design is found, with an interval that excludes 1")
    func realChange() throws {
        let speed: [Double] = [2, 1, 2, 2, 1, 2, 1, 2]
        let old = machineTable(seed: "1", speed: speed, designs: [("rwlock", 10e6, Self.noiseA), ("rcu", 8e6, Self.noiseB)])
        let new = machineTable(seed: "2", speed: speed.reversed(),
                               designs: [("rwlock", 10e6, Self.noiseB), ("rcu", 9.6e6, Self.noiseA)])
        let delivered = try #require(try Self.compare(old, new).changes.first { $0.new.metric == .deliveredPerSecond })
        #expect(abs(delivered.change! - 1.2) < 0.03 && delivered.significant)
        #expect(delivered.interval!.lower > 1.1 && delivered.interval!.upper < 1.3)
    }

    @Test("an asked baseline in neither report is refused")
    func unknownBaseline() {
        let table = machineTable(seed: "1", speed: [1], designs: [("rwlock", 1, [1])])
        #expect(throws: ReportError.self) {
            try PairedComparison(old: try pairedSamples(table), new: try pairedSamples(table), baseline: "mutex")
        }
    }
}

/// A design and its baseline whose rows in a pass measured different paths
/// (the VM changed modes between them) do not pair.
@Suite("Paired ratios across machine modes")
struct PairedModesTests {
    static func samples(_ figures: [(rwlock: Double?, rcu: Double?)]) -> PairedSamples {
        var samples = PairedSamples()
        for (index, pass) in figures.enumerated() {
            for (design, figure, rate) in [("rwlock", pass.rwlock, 10.0), ("rcu", pass.rcu, 11.0)] {
                var record = RunRecord()
                record.set(.design, design)
                record.set(.scenario, "ipi")
                // A far row runs at 40 % of a near one.
                let speed = (figure ?? 30) > 100 ? 0.4 : 1
                samples.add(key: ConfigurationKey(record), pass: PassID(orderSeed: "7", rep: index + 1),
                            values: [rate * speed, 100, 200], handOff: figure)
            }
        }
        return samples
    }

    @Test("a pass whose two rows sit in different modes is left out; within a mode it pairs")
    func crossModeLeftOut() throws {
        let samples = Self.samples([(32, 31), (160, 165), (32, 160), (158, 33), (30, 44), (nil, 160)])
        let ratio = try #require(PairedRatios(samples, baseline: "rwlock").ratios.first { $0.metric == .deliveredPerSecond })
        // Passes 3 and 4 pair a near row with a far one: out. Pass 5 (30
        // against 44 ns) is noise within one mode; pass 6 has no figure
        // for the baseline, so nothing says the rows differ.
        #expect(ratio.passes.map(\.rep) == [1, 2, 5, 6] && ratio.leftOut == 2, "\(ratio.passes.map(\.rep)) \(ratio.ratios)")
        #expect(ratio.ratios.prefix(3).allSatisfy { abs($0 - 1.1) < 1e-9 })
    }

    @Test("1.5 times apart is apart; a missing figure is not")
    func sameFactor() {
        #expect(HandOffModes.changeFactor == 1.5)
        #expect(HandOffModes.apart(100, 150) && !HandOffModes.apart(100, 149) && !HandOffModes.apart(nil, 150))
    }
}
