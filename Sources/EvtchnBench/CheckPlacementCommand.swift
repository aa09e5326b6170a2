import ArgumentParser
import Platform
import Reports

struct CheckPlacementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-placement",
        abstract: "Check that every row of a report ran where the plan said (make numa-check uses it).",
        discussion: """
            PLAN is what `run --plan` printed for the same options on the same machine. Each report row is \
            matched to the plan line of its configuration (every key column but host); its sender, vCPU and \
            host CPUs and nodes must be the plan's, its page_node the plan's mem_node, its pair_tier, \
            pair_distance and smt_shared the plan line's where it has them, and every planned \
            configuration must have a row. Prints one line per problem and a count; exits 1 on any problem.
            """)

    @Option(help: "The output of `run --plan`.")
    var plan: String

    @Argument(help: "The report (CSV).")
    var report: String

    func run() throws {
        let check: PlacementCheck
        do {
            // The plan is read as a report is: no FIFO, device or /proc file.
            try ReportSource.checkReadable(plan)
            guard let text = try Files.readText(plan) else { throw CommandError("cannot read \(printable(plan)): no such file") }
            check = try PlacementCheck(plan: text.split(separator: "\n").map(String.init), report: .file(report))
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
        for problem in check.problems { print("check-placement: \(printable(problem))") }
        print("check-placement: \(check.planLines) plan lines, \(check.rows) rows checked, \(check.problems.count) problems")
        if !check.problems.isEmpty { throw ExitCode(1) }
    }
}
