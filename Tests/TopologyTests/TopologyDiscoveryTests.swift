import SysfsFixtures
import Testing
import Topology

@Suite("Topology: sysfs discovery")
struct TopologyDiscoveryTests {
    @Test("one node")
    func oneNode() throws {
        let fixture = try FixtureMachines.oneNode()
        let topology = try fixture.discover()
        #expect(topology.nodes == [NUMANode(id: 0, cpus: [0, 1, 2, 3], memoryBytes: 8_000_000 * 1024, distances: [10])])
        #expect(topology.onlineCPUs == [0, 1, 2, 3])
        #expect(topology.allowedCPUs == [0, 1, 2, 3], "allowed is cut down to online CPUs")
        #expect(topology.source == "sysfs at \(fixture.root)")
        #expect(topology.nodeCount == 1)
    }

    @Test("two nodes with interleaved cpulists")
    func twoNodes() throws {
        let topology = try FixtureMachines.twoNode().discover()
        #expect(topology.nodeCount == 2)
        #expect(topology.nodes[0] == NUMANode(id: 0, cpus: [0, 1, 2, 3, 8, 9, 10, 11],
                                              memoryBytes: 16_000_000 * 1024, distances: [10, 21]))
        #expect(topology.nodes[1] == NUMANode(id: 1, cpus: [4, 5, 6, 7, 12, 13, 14, 15],
                                              memoryBytes: 16_000_000 * 1024, distances: [21, 10]))
        #expect(topology.onlineCPUs == Array(0...15))
        #expect(topology.node(ofCPU: 9) == 0)
        #expect(topology.node(ofCPU: 12) == 1)
        #expect(topology.node(ofCPU: 16) == nil)
    }

    @Test("four nodes")
    func fourNodes() throws {
        let topology = try FixtureMachines.fourNode().discover()
        #expect(topology.nodes.map(\.id) == [0, 1, 2, 3])
        #expect(topology.nodes.map(\.cpus) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]])
        #expect(topology.nodes[3].distances == [22, 16, 16, 10])
        #expect((0...15).map { topology.node(ofCPU: $0) } == (0...15).map { $0 / 4 })
    }

    @Test("node ids with gaps follow node/online")
    func nodeGaps() throws {
        let fixture = try SysfsFixture.make(nodes: [("0-1", 1_000_000, "10 20"), ("2-3", 1_000_000, "20 10")],
                                            online: "0-3", nodeIDs: [0, 2])
        let topology = try fixture.discover()
        #expect(topology.nodes.map(\.id) == [0, 2])
        #expect(topology.node(ofCPU: 3) == 2)
    }

    @Test("offline CPUs are left out of their node")
    func offlineCPUs() throws {
        let fixture = try SysfsFixture.make(nodes: [("0-3,8-11", 16_000_000, "10 21"), ("4-7,12-15", 16_000_000, "21 10")],
                                            online: "0-2,4-9,12")
        let topology = try fixture.discover()
        #expect(topology.onlineCPUs == [0, 1, 2, 4, 5, 6, 7, 8, 9, 12])
        #expect(topology.nodes[0].cpus == [0, 1, 2, 8, 9])
        #expect(topology.nodes[1].cpus == [4, 5, 6, 7, 12])
        #expect(topology.node(ofCPU: 3) == nil)
    }

    @Test("allowed CPUs are the given ones that are online")
    func allowed() throws {
        let topology = try FixtureMachines.twoNode().discover(allowed: [13, 4, 5, 99])
        #expect(topology.allowedCPUs == [4, 5, 13])
    }

    @Test("no usable CPU is an error")
    func noUsableCPU() throws {
        let fixture = try FixtureMachines.oneNode()
        #expect(throws: TopologyError.noUsableCPUs(allowed: [8, 9], online: [0, 1, 2, 3])) {
            try fixture.discover(allowed: [9, 8])
        }
    }

    @Test("libnuma availability is passed through")
    func libnuma() throws {
        let fixture = try FixtureMachines.oneNode()
        #expect(try fixture.discover(libnuma: false).libnumaAvailable == false)
        #expect(try fixture.discover(libnuma: true).libnumaAvailable == true)
    }

    @Test("without a node directory: one node 0 with every online CPU, and the source says so")
    func fallback() throws {
        let fixture = try SysfsFixture.make(nodes: [], online: "0-5", nodeDirectory: false)
        let topology = try fixture.discover()
        #expect(topology.nodes == [NUMANode(id: 0, cpus: Array(0...5), memoryBytes: nil, distances: [])])
        #expect(topology.source.hasPrefix("fallback: one node"))
        #expect(topology.source.contains("devices/system/node"))
    }

    @Test("missing meminfo or distance leaves those fields empty")
    func optionalFiles() throws {
        let fixture = try SysfsFixture.make(nodes: [("0-3", nil, "10")], online: "0-3")
        try fixture.remove("devices/system/node/node0/distance")
        let node = try fixture.discover().nodes[0]
        #expect(node.memoryBytes == nil)
        #expect(node.distances == [])
    }

    @Test("a malformed cpulist is an error naming the file and the text")
    func malformedCPUList() throws {
        let fixture = try SysfsFixture.make(nodes: [("0-3", 1, "10 21"), ("4-7,,9", 1, "21 10")], online: "0-9")
        let path = fixture.root + "/devices/system/node/node1/cpulist"
        #expect(throws: TopologyError.malformedFile(path: path, problem: "malformed cpulist \"4-7,,9\": empty item")) {
            try fixture.discover()
        }
    }

    @Test("malformed distance and meminfo are errors naming the file")
    func malformedNodeFiles() throws {
        let fixture = try FixtureMachines.oneNode()
        try fixture.write("devices/system/node/node0/distance", "10 x\n")
        #expect(throws: TopologyError.malformedFile(path: fixture.root + "/devices/system/node/node0/distance",
                                                    problem: "'x' is not a distance")) { try fixture.discover() }
        try fixture.write("devices/system/node/node0/distance", "10\n")
        try fixture.write("devices/system/node/node0/meminfo", "Node 0 MemTotal: lots kB\n")
        #expect {
            try fixture.discover()
        } throws: { error in
            "\(error)".contains("node0/meminfo") && "\(error)".contains("MemTotal")
        }
    }

    @Test("a missing required file or root is an error naming the path, not a crash")
    func missingFiles() throws {
        let fixture = try FixtureMachines.twoNode()
        try fixture.remove("devices/system/node/node1/cpulist")
        #expect {
            try fixture.discover()
        } throws: { error in
            guard case .unreadable(let path, _)? = error as? TopologyError else { return false }
            return path.hasSuffix("node1/cpulist") && "\(error)".contains("No such file or directory")
        }
        #expect(throws: TopologyError.unreadable(path: fixture.root + "/nowhere", code: 2)) {
            try TopologyDiscovery.discover(sysfsRoot: fixture.root + "/nowhere", allowedCPUs: [0])
        }
        #expect(throws: TopologyError.unreadable(path: fixture.root + "/devices/system/cpu/online", code: 20)) {
            try TopologyDiscovery.discover(sysfsRoot: fixture.root + "/devices/system/cpu/online", allowedCPUs: [0])
        }
    }

    @Test("the real machine: at least one node and some CPU this process may use")
    func realMachine() throws {
        let topology = try TopologyDiscovery.discover()
        #expect(topology.nodeCount >= 1)
        #expect(!topology.allowedCPUs.isEmpty)
        #expect(Set(topology.allowedCPUs).isSubset(of: topology.onlineCPUs))
        #expect(topology.allowedCPUs.allSatisfy { topology.node(ofCPU: $0) != nil })
        let placement = try place(PlacementRequest(senders: 1, vcpus: 1), on: topology)
        #expect(placement.memoryNode != nil)
    }
}
