import Platform
import TopologyFixtures
import Testing
import Topology

@Suite("Placement policies")
struct PlacementTests {
    static func request(_ policy: PlacementPolicy, senders: Int, vcpus: Int, host: Int = 1) -> PlacementRequest {
        var request = PlacementRequest(senders: senders, vcpus: vcpus)
        request.policy = policy
        request.hostThreads = host
        return request
    }

    /// (sender CPUs, vCPU CPUs, host CPUs, memory node)
    static func layout(_ p: Placement) -> [[Int]] {
        [p.senderCPUs, p.vcpuCPUs, p.hostCPUs, p.memoryNode.map { [$0] } ?? []]
    }

    @Test("one node: every policy fills the node in role order", arguments: PlacementPolicy.allCases)
    func oneNode(policy: PlacementPolicy) throws {
        let topology = try FixtureMachines.oneNode().discover()
        let placement = try place(Self.request(policy, senders: 1, vcpus: 2), on: topology)
        #expect(Self.layout(placement) == [[0], [1, 2], [3], [0]])
        #expect(!placement.oversubscribed)
        #expect(placement.numaPlacement == .node(0))
    }

    @Test("one node: split and scatter say they could not spread")
    func oneNodeNotes() throws {
        let topology = try FixtureMachines.oneNode().discover()
        let split = try place(Self.request(.split, senders: 1, vcpus: 2), on: topology)
        #expect(split.notes == ["split needs 2 nodes; this machine has 1: everything on node 0"])
        let scatter = try place(Self.request(.scatter, senders: 1, vcpus: 2), on: topology)
        #expect(scatter.notes == ["scatter needs 2 nodes; this machine has 1: same as compact"])
        #expect(try place(Self.request(.compact, senders: 1, vcpus: 2), on: topology).notes == [])
    }

    @Test("two nodes with SMT (siblings N and N+8), compact: one thread per core, node 0's cores, then node 1's, then siblings")
    func twoNodeCompact() throws {
        let topology = try FixtureMachines.twoNode().discover()
        #expect(Self.layout(try place(Self.request(.compact, senders: 2, vcpus: 4), on: topology))
            == [[0, 1], [2, 3, 4, 5], [6], [0]])
        #expect(Self.layout(try place(Self.request(.compact, senders: 4, vcpus: 4, host: 2), on: topology))
            == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [1]])
        #expect(topology.tier(0, 1) == .llc && topology.tier(0, 8) == .smt && topology.tier(0, 4) == .remote)
    }

    @Test("two nodes, scatter: threads alternate between the nodes")
    func twoNodeScatter() throws {
        let topology = try FixtureMachines.twoNode().discover()
        #expect(Self.layout(try place(Self.request(.scatter, senders: 2, vcpus: 4), on: topology))
            == [[0, 4], [1, 5, 2, 6], [3], [0]])
    }

    @Test("two nodes, split: senders on node 0, guest and host on node 1 with the memory")
    func twoNodeSplit() throws {
        let topology = try FixtureMachines.twoNode().discover()
        let placement = try place(Self.request(.split, senders: 2, vcpus: 4), on: topology)
        #expect(Self.layout(placement) == [[0, 1], [4, 5, 6, 7], [12], [1]])
        #expect(placement.numaPlacement == .node(1))
        #expect(placement.notes == [])
    }

    @Test("four nodes, each policy", arguments: [
        (PlacementPolicy.compact, [[0, 1], [2, 3, 4, 5], [6], [0]]),
        (.scatter, [[0, 4], [8, 12, 1, 5], [9], [2]]),
        (.split, [[0, 1], [4, 5, 6], [7], [1]]),
    ])
    func fourNodes(policy: PlacementPolicy, expected: [[Int]]) throws {
        let topology = try FixtureMachines.fourNode().discover()
        let vcpus = policy == .split ? 3 : 4
        let placement = try place(Self.request(policy, senders: 2, vcpus: vcpus), on: topology)
        #expect(Self.layout(placement) == expected)
        #expect(!placement.oversubscribed)
    }

    @Test("split wraps the guest within its node, even with other nodes idle; the host shares, busy threads do not")
    func splitWrapsWithinNode() throws {
        let topology = try FixtureMachines.fourNode().discover()
        let placement = try place(Self.request(.split, senders: 2, vcpus: 4), on: topology)
        #expect(Self.layout(placement) == [[0, 1], [4, 5, 6, 7], [4], [1]])
        #expect(!placement.oversubscribed && placement.hostSharesCPU)
        #expect(placement.notes == [])
    }

    @Test("split: senders beyond the first node go to the nodes after the guest's, never onto it")
    func splitSpills() throws {
        let topology = try FixtureMachines.fourNode().discover()
        let placement = try place(Self.request(.split, senders: 6, vcpus: 1), on: topology)
        #expect(Self.layout(placement) == [[0, 1, 2, 3, 8, 9], [4], [5], [1]])
        #expect(!placement.oversubscribed && !placement.hostSharesCPU)
    }

    @Test("sender capacity: CPUs left after the vCPUs and the host; under split, the CPUs off the guest's node")
    func capacity() throws {
        let four = try FixtureMachines.fourNode().discover()
        #expect(senderCapacity(.compact, vcpus: 1, on: four) == 14)
        #expect(senderCapacity(.split, vcpus: 4, on: four) == 12)
        let two = try FixtureMachines.twoNode().discover()
        #expect(senderCapacity(.split, vcpus: 1, on: two) == 8)
        let small = try FixtureMachines.oneNode().discover(allowed: [0, 1])
        #expect(senderCapacity(.compact, vcpus: 1, on: small) == 1)
        #expect(senderCapacity(.split, vcpus: 1, on: small) == 1)
    }

    @Test("only allowed CPUs are handed out; nodes without any are skipped")
    func allowedOnly() throws {
        let topology = try FixtureMachines.twoNode().discover(allowed: [4, 5, 6, 7, 12, 13])
        let compact = try place(Self.request(.compact, senders: 1, vcpus: 2), on: topology)
        #expect(Self.layout(compact) == [[4], [5, 6], [7], [1]])
        let split = try place(Self.request(.split, senders: 1, vcpus: 2), on: topology)
        #expect(Self.layout(split) == [[4], [5, 6], [7], [1]])
        #expect(split.notes == ["split needs 2 nodes with allowed CPUs; only node 1 has any: everything on node 1"])
    }

    @Test("more threads than CPUs wraps around and is flagged")
    func oversubscribed() throws {
        let topology = try FixtureMachines.oneNode().discover(allowed: [0, 1])
        let placement = try place(Self.request(.compact, senders: 2, vcpus: 2), on: topology)
        #expect(Self.layout(placement) == [[0, 1], [0, 1], [0], [0]])
        #expect(placement.oversubscribed && placement.hostSharesCPU)
        #expect(placement.notes == ["oversubscribed: 4 busy threads on 2 CPUs (CPU 0 carries 2)"])
    }

    @Test("scatter wraps within each node when that node runs out")
    func scatterWraps() throws {
        let topology = try FixtureMachines.twoNode().discover(allowed: [0, 4, 5])
        let placement = try place(Self.request(.scatter, senders: 2, vcpus: 2), on: topology)
        #expect(Self.layout(placement) == [[0, 4], [0, 5], [0], [0]])
        #expect(placement.oversubscribed)
    }

    @Test("explicit lists override their role only; the first n are used")
    func explicitLists() throws {
        let topology = try FixtureMachines.twoNode().discover()
        var request = Self.request(.compact, senders: 2, vcpus: 2)
        request.senderCPUs = [12, 13, 14]
        #expect(Self.layout(try place(request, on: topology)) == [[12, 13], [2, 3], [4], [0]])
        request.vcpuCPUs = [15, 7]
        request.hostCPUs = [6]
        let placement = try place(request, on: topology)
        #expect(Self.layout(placement) == [[12, 13], [15, 7], [6], [1]], "local memory follows the first vCPU")
        #expect(!placement.oversubscribed)
    }

    @Test("explicit lists that share a CPU are flagged: busy threads as oversubscribed, the host apart")
    func explicitOverlap() throws {
        let topology = try FixtureMachines.twoNode().discover()
        var request = Self.request(.compact, senders: 1, vcpus: 1)
        request.senderCPUs = [2]
        var placement = try place(request, on: topology)
        #expect(Self.layout(placement) == [[2], [1], [2], [0]])
        #expect(!placement.oversubscribed && placement.hostSharesCPU && placement.notes == [])
        request.vcpuCPUs = [2]
        placement = try place(request, on: topology)
        #expect(placement.oversubscribed)
        #expect(placement.notes == ["oversubscribed: 2 busy threads on 1 CPU (CPU 2 carries 2)"])
    }

    @Test("two CPUs: one sender and one vCPU on their own CPUs, the host sharing")
    func twoCPUs() throws {
        let topology = try FixtureMachines.oneNode().discover(allowed: [0, 1])
        let placement = try place(Self.request(.compact, senders: 1, vcpus: 1), on: topology)
        #expect(Self.layout(placement) == [[0], [1], [0], [0]])
        #expect(!placement.oversubscribed && placement.hostSharesCPU)
    }

    @Test("memory: local is the first vCPU's node, node n is n, interleave is none")
    func memory() throws {
        let topology = try FixtureMachines.twoNode().discover()
        var request = Self.request(.scatter, senders: 1, vcpus: 2)
        var placement = try place(request, on: topology)
        #expect(placement.vcpuCPUs == [4, 1])
        #expect(placement.memoryNode == 1 && placement.numaPlacement == .node(1) && placement.memory == .local)
        request.memory = .node(0)
        placement = try place(request, on: topology)
        #expect(placement.memoryNode == 0 && placement.numaPlacement == .node(0) && placement.memory == .node(0))
        request.memory = .interleave
        placement = try place(request, on: topology)
        #expect(placement.memoryNode == nil && placement.numaPlacement == .interleave)
    }

    @Test("without libnuma the placement says memory will not follow")
    func withoutLibnuma() throws {
        let topology = try FixtureMachines.oneNode().discover(libnuma: false)
        let placement = try place(Self.request(.compact, senders: 1, vcpus: 1), on: topology)
        #expect(placement.notes == ["libnuma unavailable: guest memory goes wherever the kernel puts it"])
    }

    @Test("--mem-node parsing")
    func memoryChoice() throws {
        #expect(try MemoryChoice.parse("local") == .local)
        #expect(try MemoryChoice.parse("interleave") == .interleave)
        #expect(try MemoryChoice.parse("3") == .node(3))
        for choice in [MemoryChoice.local, .interleave, .node(2)] {
            #expect(try MemoryChoice.parse(choice.description) == choice)
        }
        for bad in ["", "-1", "+1", "node1", "Local", " 1"] {
            #expect(throws: PlacementError.badMemoryChoice(bad)) { try MemoryChoice.parse(bad) }
        }
    }

    @Test("errors name the value at fault")
    func errors() throws {
        let topology = try FixtureMachines.oneNode().discover(allowed: [0, 1])
        var request = Self.request(.compact, senders: 1, vcpus: 1)
        request.senderCPUs = [7]
        try expectError(request, topology, "CPU 7 does not exist (online: 0-3)")
        request.senderCPUs = nil
        request.vcpuCPUs = [1, 3]
        request.vcpus = 2
        try expectError(request, topology, "CPU 3 is not allowed for this process (allowed: 0-1)")
        request.vcpuCPUs = nil
        request.memory = .node(2)
        try expectError(request, topology, "node 2 does not exist (nodes: 0)")
        request.memory = .local
        request.senders = 3
        request.senderCPUs = [0, 1]
        try expectError(request, topology, "--sender-cpus lists 2 CPUs for 3 senders")
        request.senders = 0
        try expectError(request, topology, "senders must be at least 1 (got 0)")
        request.senders = 1
        request.hostThreads = -1
        try expectError(request, topology, "host threads must be at least 0 (got -1)")
    }

    @Test("no host thread is allowed")
    func noHost() throws {
        let topology = try FixtureMachines.oneNode().discover()
        let placement = try place(Self.request(.compact, senders: 1, vcpus: 1, host: 0), on: topology)
        #expect(Self.layout(placement) == [[0], [1], [], [0]])
    }

    private func expectError(_ request: PlacementRequest, _ topology: Topology, _ message: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = #expect(throws: PlacementError.self, sourceLocation: sourceLocation) {
            try place(request, on: topology)
        }
        #expect(error?.description == message, sourceLocation: sourceLocation)
    }
}
