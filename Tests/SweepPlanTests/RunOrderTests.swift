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

    @Test("within a pass, the designs of one pairing key run back to back, in an order shuffled per pass")
    func blocks() throws {
        let plan = try Self.plan(seed: 42, reps: 4)
        let groups = plan.configurations.map { $0.key(host: nil).pairingKey }
        let n = plan.configurations.count
        #expect(Set(groups).count > 1 && Set(groups).count < n, "several groups of several designs")
        let runs = Array(plan.schedule())
        var designOrders: Set<[Int]> = []
        for pass in 0..<4 {
            let order = runs[pass * n..<(pass + 1) * n].map(\.configuration)
            #expect(Set(order) == Set(0..<n) && order.count == n, "every configuration once")
            // A group is contiguous when it starts once: its runs never resume after another group's.
            let starts = order.indices.filter { $0 == 0 || groups[order[$0]] != groups[order[$0 - 1]] }
            #expect(starts.count == Set(groups).count, "pass \(pass + 1): each group contiguous")
            designOrders.insert(order.filter { groups[$0] == groups[0] })
        }
        #expect(designOrders.count > 1, "the designs within a group are shuffled anew per pass")
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
    func noInterleave() throws {
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
