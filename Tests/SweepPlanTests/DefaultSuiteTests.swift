import Delivery
import LockDesigns
import Reports
import Runner
import SweepPlan
import TopologyFixtures
import Testing
import Topology

/// The default suite on each fixture machine: its grid, where every thread
/// goes, and that it fits its time budget.
@Suite("Default suite")
struct DefaultSuiteTests {
    /// (placement, vcpus, senders) of rwlock's ipi configurations, in plan order.
    static func grid(_ plan: SweepPlan) -> [String] {
        plan.configurations.filter { $0.configuration.design == .rwlock && $0.configuration.scenario == .ipi }
            .map { "\($0.placementLabel) v\($0.configuration.vcpus) s\($0.configuration.senders)" }
    }

    static func planned(_ plan: SweepPlan, _ placement: String, vcpus: Int, senders: Int) throws -> PlannedConfiguration {
        try #require(plan.configurations.first {
            $0.placementLabel == placement && $0.configuration.vcpus == vcpus && $0.configuration.senders == senders
        })
    }

    /// At least 6 repetitions, within the budget, no busy threads share a
    /// CPU, every design runs ipi, and relocate runs only at the smallest
    /// configuration, every strategy for each design it keeps.
    static func checkCommon(_ plan: SweepPlan, quick: Bool = false) {
        #expect(plan.isDefaultSuite)
        #expect(plan.durationSeconds >= 0.5)
        #expect(plan.reps >= 6, "6 is the fewest whose interval of the median reaches 95 %")
        let budget = quick ? 60.0 : 300.0
        #expect(plan.estimatedSeconds <= budget * 1.1 && plan.estimatedSeconds >= budget * 0.8, "\(plan.estimatedSeconds)")
        #expect(plan.configurations.allSatisfy { !$0.oversubscribed })
        let relocate = plan.configurations.filter { $0.configuration.scenario == .relocate }
        #expect(relocate.count % RelocationStrategy.allCases.count == 0)
        #expect(relocate.allSatisfy { $0.configuration.senders == 1 && $0.configuration.vcpus == 1 && $0.placementLabel == "compact" })
        #expect(Set(plan.configurations.map(\.configuration.design)) == Set(LockDesign.allCases))
    }

    /// The default suite with everything in it (a budget large enough).
    static func whole(_ topology: Topology) throws -> SweepPlan {
        var options = SweepOptions()
        options.budgetMinutes = 60
        let plan = try SweepPlan.make(options, topology: topology)
        #expect(plan.leftOut.isEmpty && plan.reps >= 6)
        #expect(plan.configurations.filter { $0.configuration.scenario == .relocate }.count
                == LockDesign.allCases.count * RelocationStrategy.allCases.count)
        return plan
    }

    @Test("the relocation picture lists every strategy, in the catalogue's order")
    func relocationPictureOrder() {
        #expect(PlotData.relocationStrategyOrder == RelocationStrategy.allCases.map(\.rawValue))
    }

    @Test("two CPUs: one sender and one vCPU on their own CPUs, not oversubscribed; the host shares; nothing left out")
    func twoCPUs() throws {
        let topology = try FixtureMachines.oneNode().discover(allowed: [0, 1])
        let plan = try SweepPlan.make(SweepOptions(), topology: topology)
        Self.checkCommon(plan)
        #expect(Self.grid(plan) == ["compact v1 s1"])
        let only = try Self.planned(plan, "compact", vcpus: 1, senders: 1)
        #expect(only.configuration.pinning == ThreadCPUs(senders: [0], vcpus: [1], host: [0]))
        #expect(only.hostSharesCPU && !only.oversubscribed)
        #expect(plan.configurations.count == 9 + 9 * RelocationStrategy.allCases.count)
        #expect(plan.leftOut.isEmpty && plan.reps == 6)
    }

    @Test("the host thread sharing a CPU counts as oversubscription only when it is busy")
    func busyHost() throws {
        let topology = try FixtureMachines.oneNode().discover(allowed: [0, 1])
        var options = SweepOptions()
        options.template.host = .migrate(everyMicroseconds: 10)
        #expect(try SweepPlan.make(options, topology: topology).configurations.allSatisfy(\.oversubscribed))
        options.template.host = .idle
        #expect(try SweepPlan.make(options, topology: topology).configurations.allSatisfy { !$0.oversubscribed })
    }

    @Test("one node, 4 CPUs: senders 1 and 2, 1 vCPU, compact only; relocate for the last designs left out")
    func oneNode() throws {
        let plan = try SweepPlan.make(SweepOptions(), topology: try FixtureMachines.oneNode().discover())
        Self.checkCommon(plan)
        #expect(Self.grid(plan) == ["compact v1 s1", "compact v1 s2"])
        #expect(plan.leftOut.map(\.description) == ["left out: relocate for percpu,nolock (give --budget 6)"])
        let two = try Self.planned(plan, "compact", vcpus: 1, senders: 2)
        #expect(two.configuration.pinning == ThreadCPUs(senders: [0, 1], vcpus: [2], host: [3]))
        #expect(!two.hostSharesCPU)
    }

    @Test("two nodes, 16 CPUs: the budget keeps 1 and the most senders, compact, the ladder and split, 1 vCPU")
    func twoNodesFitted() throws {
        let plan = try SweepPlan.make(SweepOptions(), topology: try FixtureMachines.twoNode().discover())
        Self.checkCommon(plan)
        #expect(Self.grid(plan) == ["compact v1 s1", "compact v1 s14", "ladder-smt v1 s1", "ladder-llc v1 s1",
                                    "ladder-remote v1 s1", "split v1 s1", "split v1 s8"])
        #expect(plan.leftOut.map(\.description) == [
            "left out: senders 2,4,8 (give --budget 20)",
            "left out: the relocate scenario (give --budget 13)",
            "left out: vCPUs 4 (give --vcpus 1,4 or --budget 8)",
        ])
        #expect(plan.describe().suffix(3) == plan.leftOut.map(\.description))
    }

    @Test("two nodes, 16 CPUs, whole: 1 and 4 vCPUs, compact up to the CPUs left, split up to the other node's")
    func twoNodes() throws {
        let plan = try Self.whole(try FixtureMachines.twoNode().discover())
        #expect(Self.grid(plan) == [
            "compact v1 s1", "compact v1 s2", "compact v1 s4", "compact v1 s8", "compact v1 s14",
            "compact v4 s1", "compact v4 s2", "compact v4 s4", "compact v4 s8", "compact v4 s11",
            "ladder-smt v1 s1", "ladder-llc v1 s1", "ladder-remote v1 s1",
            "split v1 s1", "split v1 s2", "split v1 s4", "split v1 s8",
            "split v4 s1", "split v4 s2", "split v4 s4", "split v4 s8",
        ])
        let split = try Self.planned(plan, "split", vcpus: 4, senders: 8)
        #expect(split.configuration.pinning == ThreadCPUs(senders: [0, 1, 2, 3, 8, 9, 10, 11], vcpus: [4, 5, 6, 7], host: [12]))
        #expect(split.configuration.memory == .node(1))
        let full = try Self.planned(plan, "compact", vcpus: 1, senders: 14)
        #expect(full.placement.hostCPUs == [15] && !full.hostSharesCPU)
        #expect(full.planLine(on: plan.topology).hasSuffix(
            "vcpu_cpus=14 vcpu_nodes=1 host_cpus=15 host_nodes=1 oversubscribed=false host_shares_cpu=false "
            + "pair_tier=remote pair_distance=unknown smt_shared=true"), "14 senders and a vCPU on 8 cores: siblings shared, said so")
        #expect(full.planLine(on: plan.topology).contains(" mem_node=1 "))
    }

    @Test("four nodes: split senders spread over every node but the guest's")
    func fourNodes() throws {
        Self.checkCommon(try SweepPlan.make(SweepOptions(), topology: try FixtureMachines.fourNode().discover()))
        let plan = try Self.whole(try FixtureMachines.fourNode().discover())
        #expect(Self.grid(plan).filter { $0.hasPrefix("split v1") } == [
            "split v1 s1", "split v1 s2", "split v1 s4", "split v1 s8", "split v1 s12",
        ])
        let split = try Self.planned(plan, "split", vcpus: 1, senders: 12)
        #expect(split.planLine(on: plan.topology) == "design=rwlock scenario=ipi guest_abi=64 senders=12 vcpus=1 placement=split "
            + "mem_node=1 invalidate_every_us=0 load_mode=closed vcpu_mode=poll ports_per_sender=16 masked_fraction=0.0000 "
            + "sender_cpus=0-3,8-15 sender_nodes=0,2-3 vcpu_cpus=4 vcpu_nodes=1 host_cpus=5 host_nodes=1 "
            + "oversubscribed=false host_shares_cpu=false pair_tier=remote pair_distance=22 smt_shared=false")
    }

    @Test("quick: 6 repetitions of every design at 1 sender, and relocate for rwlock, about a minute", arguments: [false, true])
    func quick(twoNodes: Bool) throws {
        var options = SweepOptions()
        options.quick = true
        let topology = try twoNodes ? FixtureMachines.twoNode().discover() : FixtureMachines.oneNode().discover()
        let plan = try SweepPlan.make(options, topology: topology)
        Self.checkCommon(plan, quick: true)
        #expect(Self.grid(plan) == ["compact v1 s1"])
        #expect(plan.configurations.filter { $0.configuration.scenario == .relocate }.allSatisfy { $0.configuration.design == .rwlock })
        #expect(plan.warmupSeconds == 0.1)
        #expect(plan.leftOut.map(\.description).prefix(twoNodes ? 2 : 1) == (twoNodes ? [
            "left out: senders 2,4,8 (give --senders 1,2,4,8,14 or --budget 16)",
            "left out: senders 14 (give --senders 1,2,4,8,14 or --budget 2)",
        ] : ["left out: senders 2 (give --senders 1,2 or --budget 2)"]))
    }

    @Test("given lists replace the fitted ones; given duration and repetitions are kept")
    func givenLists() throws {
        var options = SweepOptions()
        options.designs = [.rcu]
        options.scenarios = [.ipi]
        options.senders = [3]
        options.reps = 2
        options.durationSeconds = 0.2
        let plan = try SweepPlan.make(options, topology: try FixtureMachines.twoNode().discover())
        #expect(!plan.isDefaultSuite)
        #expect(Self.grid(plan).isEmpty && plan.configurations.count == 4, "1 design x 2 placements x 2 vCPU counts")
        #expect(plan.reps == 2 && plan.durationSeconds == 0.2 && plan.runCount == 8)
    }

    @Test("explicit CPU lists are recorded as explicit, not as the policy")
    func explicitLabel() throws {
        var options = SweepOptions()
        options.placements = [.scatter]
        options.senders = [1]
        options.vcpus = [1]
        options.senderCPUs = [5]
        let topology = try FixtureMachines.twoNode().discover()
        #expect(try SweepPlan.make(options, topology: topology).configurations.allSatisfy { $0.placementLabel == "scatter+explicit" })
        options.vcpuCPUs = [6]
        options.hostCPU = 7
        #expect(try SweepPlan.make(options, topology: topology).configurations.allSatisfy { $0.placementLabel == "explicit" })
    }

    @Test("bad input fails while planning, naming the value", arguments: [
        ("cpu", "CPU 99 does not exist (online: 0-15)"),
        ("node", "node 7 does not exist (nodes: 0-1)"),
        ("vcpus", "at most 32 vCPUs have a vcpu_info slot in shared_info (got 40)"),
    ])
    func badInput(what: String, message: String) throws {
        var options = SweepOptions()
        switch what {
        case "cpu": options.senderCPUs = [99]
        case "node": options.memory = .node(7)
        default: options.vcpus = [40]
        }
        let error = #expect(throws: PlanError.self) {
            try SweepPlan.make(options, topology: try FixtureMachines.twoNode().discover())
        }
        #expect(error?.description == message)
    }
}
