import Reports
import Runner
import SweepPlan
import TopologyFixtures
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
        let row = plan.record(run, result: result, machine: machine, speedup: nil, suspect: [])
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
        let row = plan.record(run, result: result, machine: .current(), speedup: nil, suspect: [])
        #expect(row[.orderSeed] == "" && row[.runOrder] == "1")
    }
}

@Suite("The configuration key, planned and read back")
struct PlannedKeyTests {
    @Test("a planned configuration's key is the key of its row read back from the report, for every scenario")
    func roundTrip() throws {
        var options = SweepOptions()
        options.scenarios = [.ipi, .relocate, .poll, .timer]
        options.senders = [1, 2]
        let plan = try SweepPlan.make(options, topology: try FixtureMachines.oneNode().discover())
        let machine = MachineInfo(host: "h", cpuModel: "c", kernel: "k", swiftVersion: "6.3",
                                  build: BuildInfo(commit: "0", treeState: "clean", configuration: "release"))
        var keys = Set<ConfigurationKey>()
        for run in plan.schedule() where run.rep == 1 {
            let planned = plan.configurations[run.configuration]
            let record = plan.record(run, result: RunResult(configuration: planned.configuration), machine: machine, speedup: nil, suspect: [])
            let table = ReportTable(path: "r.csv", header: RunRecord.columns, rows: [record.fields])
            try ReportSource.table(table).scan { line throws(ReportError) in
                #expect(ConfigurationKey(line) == planned.key(host: "h"), "\(planned.name)")
                #expect(ConfigurationKey(line, ignoringHost: true) == planned.key(host: nil))
            }
            keys.insert(planned.key(host: nil))
        }
        #expect(keys.count == plan.configurations.count, "no two planned configurations share a key")
    }

    @Test("check-placement: a report run where planned passes; a misplaced row, a row of another tier, distance or SMT sharing, a missing row and a stray row are named")
    func placementCheck() throws {
        var options = SweepOptions()
        options.scenarios = [.ipi]
        options.senders = [1, 2]
        options.reps = 1
        let plan = try SweepPlan.make(options, topology: try FixtureMachines.oneNode().discover(allowed: [0, 1, 2, 3]))
        let lines = plan.describe()
        let machine = MachineInfo.current()
        var rows: [[String]] = []
        for run in plan.schedule() {
            let planned = plan.configurations[run.configuration]
            let p = planned.placement
            var result = RunResult(configuration: planned.configuration)
            result.senderCPUsSeen = p.senderCPUs
            result.vcpuCPUsSeen = p.vcpuCPUs
            result.hostCPUSeen = p.hostCPUs.first
            result.pageNode = p.memoryNode
            rows.append(plan.record(run, result: result, machine: machine, speedup: nil, suspect: []).fields)
        }
        let good = try PlacementCheck(plan: lines, report: .table(ReportTable(path: "r.csv", header: RunRecord.columns, rows: rows)))
        #expect(good.problems.isEmpty && good.rows == rows.count && good.planLines == plan.configurations.count, "\(good.problems)")

        var moved = rows
        let vcpuColumn = RunRecord.columns.firstIndex(of: Column.vcpuCPUs.rawValue)!
        moved[0][vcpuColumn] = "3"
        let bad = try PlacementCheck(plan: lines, report: .table(ReportTable(path: "r.csv", header: RunRecord.columns, rows: moved)))
        #expect(bad.problems.count == 1 && bad.problems[0].contains("row 2") && bad.problems[0].contains("vcpu_cpus planned"))

        // The tier, distance and SMT sharing a row reports must be its plan line's.
        #expect(lines.filter { $0.hasPrefix("design=") }.allSatisfy { $0.contains(" pair_tier=") && $0.contains(" pair_distance=10 ") })
        var shaped = rows
        shaped[1][RunRecord.columns.firstIndex(of: Column.pairTier.rawValue)!] = "remote"
        shaped[1][RunRecord.columns.firstIndex(of: Column.smtShared.rawValue)!] = "maybe"
        shaped[2][RunRecord.columns.firstIndex(of: Column.pairDistance.rawValue)!] = "21"
        let shape = try PlacementCheck(plan: lines, report: .table(ReportTable(path: "r.csv", header: RunRecord.columns, rows: shaped)))
        #expect(shape.problems.count == 2 && shape.problems[0].contains("row 3") && shape.problems[0].contains("pair_tier planned")
                && shape.problems[0].contains("ran remote") && shape.problems[0].contains("smt_shared planned")
                && shape.problems[1].contains("row 4") && shape.problems[1].contains("pair_distance planned 10, ran 21"),
                "\(shape.problems)")

        let missing = try PlacementCheck(plan: lines,
                                         report: .table(ReportTable(path: "r.csv", header: RunRecord.columns, rows: [rows[0]])))
        #expect(missing.problems.count == rows.count - 1 && missing.problems.allSatisfy { $0.hasPrefix("no row for") },
                "\(missing.problems)")

        var stray = rows
        stray[0][RunRecord.columns.firstIndex(of: Column.vcpus.rawValue)!] = "7"
        let strayCheck = try PlacementCheck(plan: lines, report: .table(ReportTable(path: "r.csv", header: RunRecord.columns, rows: stray)))
        #expect(strayCheck.problems.contains { $0.contains("no plan line for") && $0.contains("vcpus=7") })
    }
}

@Suite("What a row says about memory is what happened")
struct MemoryPlacementTests {
    @Test("mem_placement: as-asked when the page is on the node asked for, failed when it is not, unknown unread")
    func memoryPlacement() throws {
        var c = RunConfiguration(design: .rwlock)
        c.memory = .node(1)
        var result = RunResult(configuration: c)
        result.pageNode = 1
        #expect(result.memoryPlacement == "as-asked")
        result.pageNode = 0
        #expect(result.memoryPlacement == "failed")
        result.pageNode = nil
        #expect(result.memoryPlacement == "unknown")
        c.memory = .interleave
        #expect(RunResult(configuration: c).memoryPlacement == "interleave")
    }
}

