import LockDesigns
import Runner
import SweepPlan
import Testing
import Topology
import TopologyFixtures

/// Placement by tiers, as the plan and every row state it.
@Suite("Placement tiers in the plan")
struct TierPlanTests {
    /// One sender and one vCPU of rwlock ipi under `policy`.
    static func pair(_ policy: PlacementPolicy, on topology: Topology) throws -> PlannedConfiguration {
        var options = SweepOptions()
        options.designs = [.rwlock]
        options.scenarios = [.ipi]
        options.senders = [1]
        options.vcpus = [1]
        options.placements = [policy]
        options.reps = 1
        return try #require(try SweepPlan.make(options, topology: topology).configurations.first)
    }

    static let machines: [(name: String, machine: FixtureMachine)] = [
        ("siblings N and N+8", FixtureMachines.twoNode()),
        ("adjacent siblings", FixtureMachine(.synthetic("pack:1 numa:1(memory=8000000000) l3:1 core:4 pu:2"))),
    ]

    @Test("compact puts the pair on two cores of one LLC, smt on siblings", arguments: machines.indices)
    func compactAndSMT(index: Int) throws {
        let topology = try Self.machines[index].machine.discover()
        let compact = try Self.pair(.compact, on: topology)
        let (sender, vcpu) = (compact.placement.senderCPUs[0], compact.placement.vcpuCPUs[0])
        #expect(topology.pu(sender)?.core != topology.pu(vcpu)?.core)
        #expect(compact.pairs == PairFacts(tier: .llc, distance: 10, smtShared: false))
        #expect(compact.planLine(on: topology).contains(" pair_tier=llc "), "\(compact.planLine(on: topology))")
        let smt = try Self.pair(.smt, on: topology)
        #expect(topology.pu(smt.placement.senderCPUs[0])?.core == topology.pu(smt.placement.vcpuCPUs[0])?.core)
        #expect(smt.pairs == PairFacts(tier: .smt, distance: 10, smtShared: true))
        #expect(smt.planLine(on: topology).contains(" pair_tier=smt "))
    }

    @Test("smt on a machine without SMT is compact, and says so")
    func smtWithoutSiblings() throws {
        let topology = try FixtureMachines.oneNode().discover()
        let smt = try Self.pair(.smt, on: topology)
        #expect(smt.placement.notes.contains { $0.hasPrefix("smt needs SMT siblings") })
        #expect(smt.pairs?.smtShared == false)
    }

    /// Three nodes of two one-PU cores; node 2 is nearer node 0 than node 1
    /// is (16 against 22), as on the 8-node AMD machine, where id order and
    /// distance order differ.
    static func farNodeFirstByID(memoryless: Int? = nil) -> Topology {
        let distances = [[10, 22, 16], [22, 10, 16], [16, 16, 10]]
        let nodes = (0..<3).map {
            NUMANode(id: $0, cpus: [2 * $0, 2 * $0 + 1], memoryBytes: $0 == memoryless ? 0 : 1 << 30, distances: distances[$0])
        }
        let pus = nodes.flatMap { n in n.cpus.map { ProcessingUnit(id: $0, core: $0, llc: n.id, package: n.id, node: n.id) } }
        return Topology(nodes: nodes, packages: nodes.map { CPUPackage(id: $0.id, cpus: $0.cpus) },
                        llcDomains: nodes.map { CacheDomain(id: $0.id, level: 3, sizeBytes: nil, cpus: $0.cpus) },
                        cores: pus.map { CPUCore(id: $0.id, package: $0.package, cpus: [$0.id]) }, pus: pus,
                        allowedCPUs: Array(0..<6), libnumaAvailable: true, source: "test")
    }

    @Test("compact and split go to the nearest node by SLIT distance, not the next id")
    func distanceOrder() throws {
        let topology = Self.farNodeFirstByID()
        #expect(topology.nodesByDistance(from: 0, topology.allowedCPUsByNode()).map(\.id) == [0, 2, 1])
        var request = PlacementRequest(senders: 3, vcpus: 1)
        request.hostThreads = 0
        #expect(try place(request, on: topology).senderCPUs == [0, 1, 4], "node 0, then node 2 (16), not node 1 (22)")
        request.policy = .split
        let split = try place(request, on: topology)
        #expect(split.vcpuCPUs == [4] && split.senderCPUs == [0, 1, 2], "the guest on node 2, the nearest other node")
        #expect(try Self.pair(.split, on: topology).pairs == PairFacts(tier: .remote, distance: 16, smtShared: false))
    }

    @Test("guest memory goes only to a node with memory, or placement refuses in one line")
    func memorylessNode() throws {
        let topology = Self.farNodeFirstByID(memoryless: 2)
        var request = PlacementRequest(senders: 1, vcpus: 1)
        request.memory = .node(2)
        let asked = #expect(throws: PlacementError.self) { try place(request, on: topology) }
        #expect(asked?.description == "node 2 has no memory for the guest (nodes with memory: 0-1); give --mem-node")
        request.memory = .local
        request.vcpuCPUs = [4]
        #expect(throws: PlacementError.nodeWithoutMemory(2, withMemory: [0, 1])) { try place(request, on: topology) }
        request.memory = .node(1)
        #expect(try place(request, on: topology).memoryNode == 1)
    }
}

@Suite("The cost-of-distance ladder")
struct LadderTests {
    @Test("two sockets with SMT: smt, llc and remote steps from PU 0; one vCPU and one sender each")
    func twoSocketLadder() throws {
        let topology = try FixtureMachines.twoNode().discover()
        let steps = topology.ladder()
        #expect(steps.map(\.name) == ["smt", "llc", "remote"], "the synthetic machine has no distances")
        #expect(steps.map(\.sender) == [0, 0, 0] && steps.map(\.vcpu) == [8, 1, 4])
        #expect(steps.allSatisfy { topology.tier($0.sender, $0.vcpu) == $0.tier })
    }

    @Test("distinct SLIT distances are distinct steps, nearest first")
    func remoteSteps() {
        let topology = TierPlanTests.farNodeFirstByID()
        #expect(topology.ladder().map(\.name) == ["llc", "remote-16", "remote-22"])
        #expect(topology.ladder().map(\.vcpu) == [1, 4, 2])
    }

    @Test("the default suite climbs the ladder on a machine with more than one tier, for every design")
    func inTheDefaultSuite() throws {
        let topology = try FixtureMachines.twoNode().discover()
        let plan = try SweepPlan.make(SweepOptions(), topology: topology)
        let rungs = plan.configurations.filter { $0.placementLabel.hasPrefix("ladder-") }
        #expect(Set(rungs.map(\.placementLabel)) == ["ladder-smt", "ladder-llc", "ladder-remote"])
        #expect(Set(rungs.map(\.configuration.design)) == Set(LockDesign.allCases))
        #expect(rungs.allSatisfy { $0.configuration.senders == 1 && $0.configuration.vcpus == 1 })
        #expect(rungs.allSatisfy { $0.pairs?.tier.map { "ladder-\($0.rawValue)" } == $0.placementLabel })
        let one = try SweepPlan.make(SweepOptions(), topology: try FixtureMachines.oneNode().discover())
        #expect(!one.configurations.contains { $0.placementLabel.hasPrefix("ladder-") }, "one tier: no ladder")
    }
}

@Suite("The sender x vCPU matrix")
struct PairMatrixTests {
    static func plan(_ selection: PairSelection, on topology: Topology) throws -> SweepPlan {
        var options = SweepOptions()
        options.designs = [.rcu]
        options.pairs = selection
        return try SweepPlan.make(options, topology: topology)
    }

    @Test("all: every ordered pair of distinct PUs, 1 sender + 1 vCPU each, placed pair-S-V, no relocate block")
    func all() throws {
        let topology = try FixtureMachines.oneNode().discover()
        let plan = try Self.plan(.all, on: topology)
        #expect(plan.configurations.count == 4 * 3)
        #expect(plan.configurations.allSatisfy { c in
            c.placementLabel == "pair-\(c.placement.senderCPUs[0])-\(c.placement.vcpuCPUs[0])"
                && c.configuration.senders == 1 && c.configuration.vcpus == 1 && c.configuration.scenario == .ipi
                && !c.placement.hostCPUs.contains(c.placement.senderCPUs[0]) && !c.placement.hostCPUs.contains(c.placement.vcpuCPUs[0])
        })
        #expect(plan.reps >= 6)
    }

    @Test("sample: the first PU of each LLC domain against each other, plus an SMT pair and a pair inside one LLC")
    func sample() throws {
        let topology = try FixtureMachines.twoNode().discover()
        let cells = Set(try Self.plan(.sample, on: topology).configurations.map(\.placementLabel))
        #expect(cells == ["pair-0-4", "pair-4-0", "pair-0-8", "pair-0-1"], "\(cells.sorted())")
    }

    @Test("--pairs is one design, every thread placed by it: other choices are refused in one line")
    func refusals() throws {
        let topology = try FixtureMachines.oneNode().discover()
        var options = SweepOptions()
        options.pairs = .all
        #expect(throws: PlanError("--pairs measures one design: give --design NAME")) { try SweepPlan.make(options, topology: topology) }
        options.designs = [.rcu]
        options.placements = [.split]
        #expect(throws: PlanError.self) { try SweepPlan.make(options, topology: topology) }
        options.placements = nil
        options.senders = [2]
        #expect(throws: PlanError("--pairs places one sender and one vCPU per cell: leave out --senders and --vcpus")) {
            try SweepPlan.make(options, topology: topology)
        }
    }
}
