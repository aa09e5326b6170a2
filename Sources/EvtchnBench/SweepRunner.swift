import ArgumentParser
import Platform
import Reports
import Runner

/// Runs a checked SweepPlan: one run per point, each finished row on disk
/// before the next run starts, progress as it goes, a summary at the end.
struct SweepRunner {
    let plan: SweepPlan
    let pin: Bool

    func run() throws {
        do { try Interruption.install() } catch { throw CommandError(error.description) }
        printPreamble()
        let progress = Progress(total: plan.points.count)
        var summary = SummaryTable()
        var oneSenderRates: [SpeedupKey: Double] = [:]
        for (index, point) in plan.points.enumerated() {
            let configuration = placed(point.configuration)
            let what = describe(point)
            progress.starting(index, what)
            let result: RunResult
            do {
                result = try runConfiguration(configuration, shouldStop: { Interruption.requested })
            } catch {
                throw CommandError("\(what): \(error)")
            }
            if result.interrupted {
                print("\ninterrupted: \(plan.writer.appendedCount) finished rows kept in \(plan.outputPath)")
                throw ExitCode(Interruption.exitStatus)
            }
            let key = SpeedupKey(point)
            if configuration.senders == 1 { oneSenderRates[key] = result.sendsPerSecond }
            let speedup = oneSenderRates[key].flatMap { $0 > 0 ? result.sendsPerSecond / $0 : nil }
            var record = ReportRow(plan: plan, point: point, configuration: configuration, result: result,
                                   speedup: speedup).record
            do {
                if let folder = plan.histogramFolder {
                    record.set(.histograms, try writeHistograms(result, point: point, index: index, folder: folder))
                }
                try plan.writer.append(record.fields)
            } catch { throw CommandError(error.description) }
            summary.add(result)
            progress.finished(index, what, outcome(result))
        }
        print("")
        print(summary.render())
        print("\n\(plan.writer.appendedCount) rows appended to \(plan.outputPath) (\(plan.writer.rowCount) in all)")
    }

    /// Writes the row's send, end-to-end (and for relocate runs, stall)
    /// histograms as HdrHistogram percentile-distribution text, in ns, to
    /// <folder>/<report>-<row>-<design>-<scenario>-s<senders>-v<vcpus>-r<rep>.<kind>.hgrm;
    /// returns the common prefix (recorded in the row's `histograms` column).
    private func writeHistograms(_ result: RunResult, point: SweepPoint, index: Int, folder: String) throws(ReportError) -> String {
        let c = point.configuration
        let report = plan.outputPath.split(separator: "/").last.map { $0.hasSuffix(".csv") ? String($0.dropLast(4)) : String($0) } ?? "report"
        let strategy = c.scenario == .relocate ? "-\(c.relocation)" : ""
        let prefix = "\(folder)/\(report)-\(index + 1)-\(c.design)-\(c.scenario)\(strategy)-s\(c.senders)-v\(c.vcpus)-r\(point.rep)"
        try writeFileAtomically(prefix + ".send.hgrm", result.sendLatency.percentileDistribution())
        try writeFileAtomically(prefix + ".e2e.hgrm", result.endToEndLatency.percentileDistribution())
        if c.scenario == .relocate {
            try writeFileAtomically(prefix + ".stall.hgrm", result.senderStall.percentileDistribution())
        }
        return prefix
    }

    /// Pins threads where the placement says, and puts guest memory there.
    private func placed(_ configuration: RunConfiguration) -> RunConfiguration {
        var c = configuration
        let placement = plan.placements[PlacementKey(senders: c.senders, vcpus: c.vcpus)]!
        c.memory = placement.numaPlacement
        if pin {
            c.pinning = ThreadCPUs(senders: placement.senderCPUs, vcpus: placement.vcpuCPUs,
                                   host: Array(placement.hostCPUs.prefix(1)))
        }
        return c
    }

    private func printPreamble() {
        let m = plan.machine
        let t = plan.topology
        print("evtchn-bench run on \(m.host): \(m.cpuModel), kernel \(m.kernel), Swift \(m.swiftVersion), commit \(m.gitSHA)")
        print("topology: \(t.nodeCount) NUMA node(s), \(t.allowedCPUs.count) usable CPU(s) (\(t.source))"
              + (t.libnumaAvailable ? "" : "; libnuma unavailable: memory placement falls back to the default"))
        var notes = Set<String>()
        for placement in plan.placements.values { notes.formUnion(placement.notes) }
        for note in notes.sorted() { print("note: \(note)") }
        if plan.placements.values.contains(where: \.oversubscribed) {
            print("WARNING: some configurations run more threads than CPUs; oversubscription distorts results "
                  + "(rows say so in the oversubscribed column)")
        }
        for note in plan.writer.notes { print("note: \(note)") }
        print("\(plan.points.count) runs; rows go to \(plan.outputPath)")
    }

    private func describe(_ point: SweepPoint) -> String {
        let c = point.configuration
        let strategy = c.scenario == .relocate ? "/\(c.relocation)" : ""
        return "\(c.design) \(c.scenario)\(strategy) senders=\(c.senders) vcpus=\(c.vcpus) rep=\(point.rep)"
    }

    private func outcome(_ result: RunResult) -> String {
        let lost = result.lost > 0 ? "  LOST \(result.lost)" : ""
        return "\(formatFixed(result.sendsPerSecond / 1e6, decimals: 3)) M sends/s, "
            + "e2e p99 \(result.endToEndLatency.summary.p99) ns\(lost)"
    }
}

/// Runs that share everything but the sender count (and so a speedup base).
struct SpeedupKey: Hashable {
    let design: String
    let scenario: String
    let strategy: String
    let vcpus: Int
    let rep: Int

    init(_ point: SweepPoint) {
        design = point.configuration.design.rawValue
        scenario = point.configuration.scenario.rawValue
        strategy = point.configuration.relocation.rawValue
        vcpus = point.configuration.vcpus
        rep = point.rep
    }
}
