import Reports
import Runner
import SweepPlan
import SysfsFixtures
import Testing
import Topology

@Suite("Report rows")
struct ReportRowTests {
    @Test("a row carries the plan's order, placement and the build's provenance")
    func planColumns() throws {
        var options = SweepOptions()
        options.seed = 99
        options.reps = 2
        options.scenarios = [.ipi]
        options.senders = [1]
        let topology = try FixtureMachines.oneNode().discover(allowed: [0, 1])
        let plan = try SweepPlan.make(options, topology: topology)
        let run = try #require(Array(plan.schedule()).dropFirst().first)
        var result = RunResult(configuration: plan.configurations[run.configuration].configuration)
        result.senderCPUsSeen = [0]
        result.vcpuCPUsSeen = [1]
        result.hostCPUSeen = 0
        result.pageNode = 0
        let machine = MachineInfo(host: "h", cpuModel: "c", kernel: "k", swiftVersion: "6.3",
                                  build: BuildInfo(commit: "0123456789ab", treeState: "dirty", configuration: "release"))
        let row = ReportRow(plan: plan, machine: machine, run: run, result: result, speedup: nil).record
        #expect(row[.orderSeed] == "99" && row[.runOrder] == "2" && row[.rep] == "1")
        #expect(row[.gitSHA] == "0123456789ab" && row[.gitDirty] == "true" && row[.buildConfiguration] == "release")
        #expect(row[.placement] == "compact" && row[.hostCPUs] == "0" && row[.hostNodes] == "0")
        #expect(row[.hostSharesCPU] == "true" && row[.oversubscribed] == "false")
        #expect(row[.senderCPUs] == "0" && row[.vcpuCPUs] == "1" && row[.pageNode] == "0" && row[.memNode] == "0")
    }

    @Test("blocks leave order_seed empty")
    func blocks() throws {
        var options = SweepOptions()
        options.interleave = false
        options.scenarios = [.ipi]
        let plan = try SweepPlan.make(options, topology: try FixtureMachines.oneNode().discover())
        let run = try #require(Array(plan.schedule()).first)
        let result = RunResult(configuration: plan.configurations[run.configuration].configuration)
        let row = ReportRow(plan: plan, machine: .current(), run: run, result: result, speedup: nil).record
        #expect(row[.orderSeed] == "" && row[.runOrder] == "1")
    }
}
