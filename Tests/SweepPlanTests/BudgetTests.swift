import GuestMemory
import Runner
import SweepPlan
import TopologyFixtures
import Testing
import Topology

/// The default suite on machines of every size keeps its repetitions and
/// fits its budget by leaving configurations out, and says so; what the
/// user lists is kept.
@Suite("Budget")
struct BudgetTests {
    /// `cpus` CPUs over `nodes` nodes, in consecutive runs, all usable.
    static func machine(cpus: Int, nodes: Int) -> Topology {
        let all = Array(0..<cpus)
        let nodeList = (0..<nodes).map { id in
            NUMANode(id: id, cpus: Array(all[id * cpus / nodes..<(id + 1) * cpus / nodes]), memoryBytes: 1 << 34,
                     distances: (0..<nodes).map { $0 == id ? 10 : 20 })
        }
        // One package and one L3 per node, one PU per core.
        let pus = nodeList.flatMap { node in
            node.cpus.map { ProcessingUnit(id: $0, core: $0, llc: node.id, package: node.id, node: node.id) }
        }
        return Topology(nodes: nodeList, packages: nodeList.map { CPUPackage(id: $0.id, cpus: $0.cpus) },
                        llcDomains: nodeList.map { CacheDomain(id: $0.id, level: 3, sizeBytes: nil, cpus: $0.cpus) },
                        cores: pus.map { CPUCore(id: $0.id, package: $0.package, cpus: [$0.id]) }, pus: pus,
                        allowedCPUs: all, libnumaAvailable: true, source: "test")
    }

    static let machines = [(48, 2), (128, 4), (259, 2), (259, 7), (512, 8)]

    /// The `--budget N` a left-out line names.
    static func budget(in line: LeftOut) throws -> Double {
        let words = line.restoredBy.split(separator: " ")
        let index = try #require(words.firstIndex(of: "--budget"))
        return try #require(Double(words[index + 1]))
    }

    @Test("big machines: at least 6 repetitions, within the budget and the ports, and what is left out said",
          arguments: machines)
    func bigMachine(cpus: Int, nodes: Int) throws {
        for abi in GuestABI.allCases {
            var options = SweepOptions()
            options.template.abi = abi
            let plan = try SweepPlan.make(options, topology: Self.machine(cpus: cpus, nodes: nodes))
            #expect(plan.isDefaultSuite && plan.reps >= 6)
            #expect(plan.estimatedSeconds <= 300 * 1.1 && plan.estimatedSeconds >= 300 * 0.8, "\(plan.estimatedSeconds)")
            #expect(plan.configurations.allSatisfy { $0.configuration.senders * $0.configuration.portsPerSender <= abi.portCount })
            #expect(!plan.leftOut.isEmpty)
            #expect(plan.describe().contains { $0.hasPrefix("left out: senders ") })
            let most = try #require(plan.configurations.map(\.configuration.senders).max())
            #expect(most >= cpus / nodes - 6, "the largest sender count stays")
            if most * 16 > abi.portCount {
                #expect(plan.describe().contains { $0.hasPrefix("ports per sender: 16, but ") && $0.contains(" at \(most) senders") })
            }
        }
    }

    @Test("each left-out line's --budget brings that part back", arguments: [(16, 2), (48, 2), (512, 8)])
    func budgetBringsBack(cpus: Int, nodes: Int) throws {
        let topology = Self.machine(cpus: cpus, nodes: nodes)
        let plan = try SweepPlan.make(SweepOptions(), topology: topology)
        for line in plan.leftOut {
            var options = SweepOptions()
            options.budgetMinutes = try Self.budget(in: line)
            let larger = try SweepPlan.make(options, topology: topology)
            #expect(!larger.leftOut.contains { $0.what == line.what }, "\(line)")
            #expect(larger.configurations.count > plan.configurations.count && larger.reps >= 6)
            #expect(larger.estimatedSeconds <= 60 * options.budgetMinutes! * 1.1)
        }
    }

    @Test("--quick: about a minute, 6 repetitions, on any machine", arguments: machines + [(2, 1), (16, 2)])
    func quick(cpus: Int, nodes: Int) throws {
        var options = SweepOptions()
        options.quick = true
        let plan = try SweepPlan.make(options, topology: Self.machine(cpus: cpus, nodes: nodes))
        #expect(plan.reps >= 6 && plan.warmupSeconds == 0.1)
        #expect(plan.estimatedSeconds <= 66 && plan.estimatedSeconds >= 45, "\(plan.estimatedSeconds)")
        #expect(plan.budgetSeconds == 60)
    }

    @Test("--budget changes the plan; a smaller one cuts more")
    func budgetOption() throws {
        let topology = Self.machine(cpus: 48, nodes: 2)
        var sizes: [Int] = []
        for minutes in [2.0, 5, 20, 120] {
            var options = SweepOptions()
            options.budgetMinutes = minutes
            let plan = try SweepPlan.make(options, topology: topology)
            #expect(plan.reps >= 6 && plan.estimatedSeconds <= minutes * 66, "\(minutes): \(plan.estimatedSeconds)")
            sizes.append(plan.configurations.count)
        }
        #expect(sizes == sizes.sorted() && Set(sizes).count == sizes.count, "\(sizes)")
    }

    @Test("explicit lists are kept as given on a big machine (even over the budget), the budget cutting only the rest")
    func explicitLists() throws {
        var options = SweepOptions()
        options.senders = [1, 2, 4, 8, 16, 32]
        options.vcpus = [1, 4]
        options.portsPerSender = 32
        let plan = try SweepPlan.make(options, topology: Self.machine(cpus: 512, nodes: 8))
        let grid = Set(plan.configurations.filter { $0.configuration.scenario == .ipi }.map {
            "\($0.placementLabel) v\($0.configuration.vcpus) s\($0.configuration.senders)"
        })
        #expect(grid.count == 2 * 6 && grid.allSatisfy { $0.hasPrefix("compact") }, "every vCPU and sender count kept: \(grid.sorted())")
        #expect(plan.configurations.allSatisfy { $0.configuration.portsPerSender == 32 })
        #expect(plan.reps >= 6 && !plan.isDefaultSuite)
        #expect(plan.leftOut.map(\.what) == ["the relocate scenario", "placement split"])
        options.placements = [.compact, .split]
        #expect(try SweepPlan.make(options, topology: Self.machine(cpus: 512, nodes: 8)).configurations.count > plan.configurations.count)
        options.reps = 3
        options.durationSeconds = 0.7
        let given = try SweepPlan.make(options, topology: Self.machine(cpus: 512, nodes: 8))
        #expect(given.reps == 3 && given.durationSeconds == 0.7)
    }
}
