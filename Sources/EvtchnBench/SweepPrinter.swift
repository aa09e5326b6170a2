import ArgumentParser
import Platform
import Runner
import SweepPlan

/// What `run` prints: the plan, the preamble, progress and the summary.
struct SweepPrinter {
    let plan: SweepPlan
    let machine: MachineInfo
    let path: String
    /// The design the summary's paired ratios divide by.
    let baseline: String

    func printPlan() {
        printHeader()
        plan.describe().forEach { print($0) }
        print("rows would go to \(path)")
    }

    func run(output: SweepOutput) throws {
        printHeader()
        printNotes()
        let order = plan.orderSeed.map { "interleaved passes, order_seed=\($0) (repeat with --seed \($0))" }
            ?? "repetitions in blocks"
        print("\(plan.configurations.count) configurations x \(plan.reps) repetitions = \(plan.runCount) runs of "
              + "\(formatFixed(plan.durationSeconds, decimals: 2)) s; \(order)")
        print("estimated time: \(formatDuration(plan.estimatedSeconds)) (budget \(formatDuration(plan.budgetSeconds))); "
              + "rows go to \(path)")
        plan.fitNotes.forEach { print($0) }
        for note in output.writer.notes { print("note: \(note)") }
        var observer = ProgressObserver(progress: Progress(total: plan.runCount),
                                        summary: SummaryTable(baseline: baseline, orderSeed: plan.orderSeed))
        let outcome: SweepOutcome
        do {
            outcome = try plan.run(output: output, machine: machine, observer: &observer,
                                   shouldStop: { Interruption.requested })
        } catch { throw CommandError(error.description) }
        if outcome == .interrupted {
            print("\ninterrupted: \(output.writer.appendedCount) finished rows kept in \(path)")
            throw ExitCode(Interruption.exitStatus)
        }
        print("")
        print(observer.summary.render())
        print("\n\(output.writer.appendedCount) rows appended to \(path) (\(output.writer.rowCount) in all)")
    }

    private func printHeader() {
        let m = machine
        let b = m.build
        let t = plan.topology
        print("evtchn-bench run on \(m.host): \(m.cpuModel), kernel \(m.kernel), Swift \(m.swiftVersion), "
              + "commit \(b.commit) (\(b.treeState)), \(b.configuration) build")
        print("topology: \(t.nodeCount) NUMA node(s), \(t.allowedCPUs.count) usable CPU(s) (\(t.source))"
              + (t.libnumaAvailable ? "" : "; libnuma unavailable: memory placement falls back to the default"))
        if plan.isDefaultSuite { print("default suite, fitted to this machine") }
    }

    private func printNotes() {
        var notes = Set<String>()
        for planned in plan.configurations { notes.formUnion(planned.placement.notes) }
        for note in notes.sorted() { print("note: \(note)") }
        if plan.configurations.contains(where: \.oversubscribed) {
            print("WARNING: some configurations run busy threads on a shared CPU; oversubscription distorts results "
                  + "(rows say so in the oversubscribed column)")
        }
    }
}

/// Progress lines as runs start and finish, and the summary's results.
struct ProgressObserver: SweepObserver {
    let progress: Progress
    var summary: SummaryTable

    mutating func starting(_ run: ScheduledRun, _ configuration: PlannedConfiguration) {
        progress.starting(run.index, "\(configuration.name) rep=\(run.rep)")
    }

    mutating func finished(_ run: ScheduledRun, _ configuration: PlannedConfiguration, _ result: RunResult,
                           suspect: [SuspectReason]) {
        summary.add(result, suspect: suspect, key: configuration.key(host: nil), planIndex: run.configuration,
                    rep: run.rep)
        progress.finished(run.index, "\(configuration.name) rep=\(run.rep)", outcome(result, suspect: suspect))
    }

    private func outcome(_ result: RunResult, suspect: [SuspectReason]) -> String {
        let lost = result.lost > 0 ? "  LOST \(result.lost)" : ""
        let doubt = suspect.isEmpty ? "" : "  suspect: " + suspect.map(\.rawValue).joined(separator: ";")
        return "\(formatFixed(result.sendsPerSecond / 1e6, decimals: 3)) M sends/s, "
            + "e2e p99 \(result.endToEndLatency.summary.p99) ns\(lost)\(doubt)"
    }
}
