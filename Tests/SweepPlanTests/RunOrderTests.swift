import SweepPlan
import TopologyFixtures
import Testing
import Topology

@Suite("Run order")
struct RunOrderTests {
    static func plan(seed: UInt64?, interleave: Bool = true, reps: Int = 3) throws -> SweepPlan {
        var options = SweepOptions()
        options.seed = seed
        options.interleave = interleave
        options.reps = reps
        options.scenarios = [.ipi]
        return try SweepPlan.make(options, topology: try FixtureMachines.oneNode().discover())
    }

    @Test("interleaved: each pass runs every configuration once, in a shuffled order")
    func passes() throws {
        let plan = try Self.plan(seed: 42)
        let runs = Array(plan.schedule())
        let n = plan.configurations.count
        #expect(runs.count == 3 * n && plan.orderSeed == 42)
        for pass in 1...3 {
            let slice = runs[(pass - 1) * n..<pass * n]
            #expect(slice.allSatisfy { $0.rep == pass })
            #expect(Set(slice.map(\.configuration)) == Set(0..<n))
        }
        #expect(runs.map(\.index) == Array(0..<3 * n))
        #expect(runs.prefix(n).map(\.configuration) != Array(0..<n), "shuffled")
        #expect(runs.prefix(n).map(\.configuration) != runs[n..<2 * n].map(\.configuration), "a new order per pass")
    }

    @Test("the same seed gives the same order; another seed another")
    func seeded() throws {
        let one = try Self.plan(seed: 7).schedule().map(\.configuration)
        #expect(try Self.plan(seed: 7).schedule().map(\.configuration) == one)
        #expect(try Self.plan(seed: 8).schedule().map(\.configuration) != one)
    }

    @Test("the order for a seed never changes (SplitMix64, our own shuffle)")
    func stable() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("no interleave: each configuration's repetitions back to back, no seed")
    func blocks() throws {
        let plan = try Self.plan(seed: 7, interleave: false)
        let runs = Array(plan.schedule())
        #expect(plan.orderSeed == nil)
        #expect(runs.prefix(4).map { [$0.configuration, $0.rep] } == [[0, 1], [0, 2], [0, 3], [1, 1]])
        #expect(runs.count == plan.runCount)
    }

    @Test("a huge number of repetitions is planned at once and never built in memory")
    func hugeReps() throws {
        let plan = try Self.plan(seed: 1, reps: 1 << 40)
        var schedule = plan.schedule()
        #expect(schedule.next()?.rep == 1)
        #expect(plan.runCount == plan.configurations.count << 40)
    }
}
