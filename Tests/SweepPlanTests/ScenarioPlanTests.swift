import Runner
import SweepPlan
import TopologyFixtures
import Testing
import Topology

/// How the plan sets up the poll and shinfo-move scenarios.
@Suite("Poll and shinfo-move in the plan")
struct ScenarioPlanTests {
    @Test("shinfo-move moves shared_info at the migration period with vcpu_info on its own page; poll masks every port")
    func setUp() throws {
        var options = SweepOptions()
        options.designs = [.rwlock]
        options.scenarios = [.poll, .shinfoMove]
        options.senders = [1]
        options.vcpus = [1]
        options.template.host = .migrate(everyMicroseconds: 700)
        let plan = try SweepPlan.make(options, topology: try FixtureMachines.oneNode().discover())
        let configurations = plan.configurations.map(\.configuration)
        #expect(configurations.map(\.scenario) == [.poll, .shinfoMove])
        #expect(configurations[0].host == .migrate(everyMicroseconds: 700) && configurations[0].maskedFractionInEffect == 1)
        #expect(configurations[1].host == .moveSharedInfo(everyMicroseconds: 700) && !configurations[1].vcpuInfoInSharedInfo)
        #expect(plan.configurations[1].name == "design=rwlock scenario=shinfo-move senders=1 vcpus=1 placement=compact")
    }

    @Test("the default suite is unchanged: neither scenario is in it")
    func notInDefaultSuite() throws {
        let plan = try SweepPlan.make(SweepOptions(), topology: try FixtureMachines.oneNode().discover())
        #expect(Set(plan.configurations.map(\.configuration.scenario)) == [.ipi, .relocate])
    }
}
