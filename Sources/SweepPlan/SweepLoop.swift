import Platform
import Reports
import Runner

/// What the command line shows while a sweep runs.
public protocol SweepObserver {
    mutating func starting(_ run: ScheduledRun, _ configuration: PlannedConfiguration)
    /// `suspect`: why the run's numbers may not describe the design, judged
    /// once per run (`SuspectReason`); the row says the same.
    mutating func finished(_ run: ScheduledRun, _ configuration: PlannedConfiguration, _ result: RunResult,
                           suspect: [SuspectReason])
}

public enum SweepOutcome: Sendable, Equatable {
    case finished
    /// `shouldStop` turned true: the current run was discarded, every
    /// finished row kept.
    case interrupted
}

extension SweepPlan {
    /// Runs the plan in its schedule's order, each finished row (with
    /// `machine`'s facts) appended to `output` before the next run starts.
    public func run(output: SweepOutput, machine: MachineInfo, observer: inout some SweepObserver,
                    shouldStop: @escaping @Sendable () -> Bool) throws(PlanError) -> SweepOutcome {
        // A row's speedup divides by the latest 1-sender run of its speedup key.
        var oneSenderRates: [ConfigurationKey: Double] = [:]
        for run in schedule() {
            let planned = configurations[run.configuration]
            observer.starting(run, planned)
            let result: RunResult
            do { result = try runConfiguration(planned.configuration, shouldStop: shouldStop) } catch {
                throw PlanError("\(planned.name) rep=\(run.rep): \(error)")
            }
            if result.interrupted { return .interrupted }
            let key = planned.key(host: nil).speedupKey
            if planned.configuration.senders == 1 { oneSenderRates[key] = result.sendsPerSecond }
            let speedup = oneSenderRates[key].flatMap { $0 > 0 ? result.sendsPerSecond / $0 : nil }
            let suspect = result.suspectReasons(oversubscribed: planned.oversubscribed)
            var record = self.record(run, result: result, machine: machine, speedup: speedup, suspect: suspect)
            do throws(ReportError) {
                // A histogram that cannot be written costs its files, never
                // the row: the row goes in (without a prefix), then the
                // sweep stops with the reason.
                var histogramError: ReportError?
                if let folder = output.histogramFolder {
                    do throws(ReportError) {
                        record.set(.histograms, try Self.writeHistograms(result, planned: planned, run: run, folder: folder,
                                                                         output: output))
                    } catch { histogramError = error }
                }
                try output.writer.append(record.fields)
                if let histogramError { throw histogramError }
            } catch { throw PlanError(error.description) }
            observer.finished(run, planned, result, suspect: suspect)
        }
        return .finished
    }

    /// Writes the row's send, end-to-end (and for relocate runs, stall)
    /// histograms as HdrHistogram percentile-distribution text, in ns, to
    /// <folder>/<report>-<stamp>-<run>-<design>-<scenario>[-<strategy>]-<placement>-s<senders>-v<vcpus>-r<rep>.<kind>.hgrm;
    /// returns the common prefix (recorded in the row's `histograms` column).
    /// <report> is the name of the CSV, less `.csv`; <stamp> the sweep's
    /// start and process (`SweepOutput.runStamp`), so no two runs collide.
    private static func writeHistograms(_ result: RunResult, planned: PlannedConfiguration, run: ScheduledRun,
                                        folder: String, output: SweepOutput) throws(ReportError) -> String {
        let c = planned.configuration
        let report = output.path.split(separator: "/").last.map { $0.hasSuffix(".csv") ? String($0.dropLast(4)) : String($0) }
            ?? "report"
        let strategy = c.scenario == .relocate ? "-\(c.relocation)" : ""
        let prefix = "\(folder)/\(report)-\(output.runStamp)-\(run.index + 1)-\(c.design)-\(c.scenario)\(strategy)"
            + "-\(planned.placementLabel)-s\(c.senders)-v\(c.vcpus)-r\(run.rep)"
        try writeFileAtomically(prefix + ".send.hgrm", result.sendLatency.percentileDistribution())
        try writeFileAtomically(prefix + ".e2e.hgrm", result.endToEndLatency.percentileDistribution())
        if c.scenario == .relocate {
            try writeFileAtomically(prefix + ".stall.hgrm", result.senderStall.percentileDistribution())
        }
        return prefix
    }
}
