import Testing
import Topology
import TopologyFixtures

@Suite("Topology: hwloc discovery")
struct TopologyDiscoveryTests {
    @Test("one node, no packages or caches: one package, no LLC")
    func oneNode() throws {
        let fixture = FixtureMachines.oneNode()
        let topology = try fixture.discover()
        #expect(topology.nodes == [NUMANode(id: 0, cpus: [0, 1, 2, 3], memoryBytes: 8_000_000 * 1024, distances: [])])
        #expect(topology.numaNodes == topology.nodes)
        #expect(topology.onlineCPUs == [0, 1, 2, 3])
        #expect(topology.allowedCPUs == [0, 1, 2, 3], "allowed is cut down to the machine's CPUs")
        #expect(topology.source == fixture.source.description)
        #expect(topology.packages == [CPUPackage(id: 0, cpus: [0, 1, 2, 3])])
        #expect(topology.cores.map(\.cpus) == [[0], [1], [2], [3]])
        #expect(topology.llcDomains.isEmpty)
        #expect(topology.pus.allSatisfy { $0.llc == nil && $0.node == 0 })
        #expect(topology.nodeCount == 1)
    }

    @Test("two sockets with SMT siblings numbered after all cores")
    func twoNodes() throws {
        let topology = try FixtureMachines.twoNode().discover()
        #expect(topology.nodeCount == 2)
        #expect(topology.nodes[0] == NUMANode(id: 0, cpus: [0, 1, 2, 3, 8, 9, 10, 11], memoryBytes: 16_000_000 * 1024, distances: []))
        #expect(topology.nodes[1] == NUMANode(id: 1, cpus: [4, 5, 6, 7, 12, 13, 14, 15], memoryBytes: 16_000_000 * 1024, distances: []))
        #expect(topology.onlineCPUs == Array(0...15))
        #expect(topology.node(ofCPU: 9) == 0)
        #expect(topology.node(ofCPU: 12) == 1)
        #expect(topology.node(ofCPU: 16) == nil)
        #expect(topology.packages.map(\.cpus) == topology.nodes.map(\.cpus))
        #expect(topology.cores.count == 8)
        #expect(topology.cores[1] == CPUCore(id: 1, package: 0, cpus: [1, 9]))
        #expect(topology.llcDomains.map(\.level) == [3, 3])
        #expect(topology.llcDomains.map(\.cpus) == topology.nodes.map(\.cpus))
        #expect(topology.pus[12] == ProcessingUnit(id: 12, core: 4, llc: 1, package: 1, node: 1))
    }

    @Test("four nodes from an XML file, with SLIT distances")
    func fourNodes() throws {
        let topology = try FixtureMachines.fourNode().discover()
        #expect(topology.nodes.map(\.id) == [0, 1, 2, 3])
        #expect(topology.nodes.map(\.cpus) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]])
        #expect(topology.nodes[3].distances == [22, 16, 16, 10])
        #expect(topology.nodes[1].distances == [16, 10, 22, 16])
        #expect(topology.nodes.allSatisfy { $0.memoryBytes == 4_000_000 * 1024 })
        #expect((0...15).map { topology.node(ofCPU: $0) } == (0...15).map { $0 / 4 })
    }

    @Test("node ids with gaps are the machine's")
    func nodeGaps() throws {
        let topology = try FixtureMachine(.synthetic("pack:2 numa:1(indexes=0,2) core:2 pu:1")).discover()
        #expect(topology.nodes.map(\.id) == [0, 2])
        #expect(topology.node(ofCPU: 3) == 2)
        #expect(topology.pus[3].node == 2)
    }

    @Test("memory-only nodes: listed without CPUs; each CPU in the lowest node of its locality")
    func memoryOnlyNodes() throws {
        let topology = try FixtureMachine(.synthetic("pack:2 [numa(memory=1GB)] [numa(memory=2GB)] core:2 pu:1")).discover()
        #expect(topology.nodes.map(\.id) == [0, 1, 2, 3])
        #expect(topology.nodes.map(\.cpus) == [[0, 1], [], [2, 3], []])
        #expect(topology.nodes[1].memoryBytes == 2_000_000_000)
        #expect(topology.allowedCPUsByNode().map(\.id) == [0, 2])
    }

    @Test("allowed CPUs are the given ones that the machine has")
    func allowed() throws {
        let topology = try FixtureMachines.twoNode().discover(allowed: [13, 4, 5, 99])
        #expect(topology.allowedCPUs == [4, 5, 13])
        #expect(topology.onlineCPUs == Array(0...15))
    }

    @Test("no usable CPU is an error")
    func noUsableCPU() throws {
        #expect(throws: TopologyError.noUsableCPUs(allowed: [8, 9], online: [0, 1, 2, 3])) {
            try FixtureMachines.oneNode().discover(allowed: [9, 8])
        }
    }

    @Test("libnuma availability is passed through")
    func libnuma() throws {
        let fixture = FixtureMachines.oneNode()
        #expect(try fixture.discover(libnuma: false).libnumaAvailable == false)
        #expect(try fixture.discover(libnuma: true).libnumaAvailable == true)
    }

    @Test("the real machine: at least one node and some CPU this process may use")
    func realMachine() throws {
        let topology = try TopologyDiscovery.discover()
        #expect(topology.nodeCount >= 1)
        #expect(!topology.allowedCPUs.isEmpty)
        #expect(Set(topology.allowedCPUs).isSubset(of: topology.onlineCPUs))
        #expect(topology.allowedCPUs.allSatisfy { topology.node(ofCPU: $0) != nil })
        #expect(topology.source == "hwloc, this machine")
        let placement = try place(PlacementRequest(senders: 1, vcpus: 1), on: topology)
        #expect(placement.memoryNode != nil)
    }
}
