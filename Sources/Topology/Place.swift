import Platform

/// Places a run's threads and guest memory on `topology` (the policies are
/// described at `PlacementPolicy`). More threads than CPUs is allowed, and
/// flagged: CPUs are reused in the same order, so the result stays
/// deterministic.
public func place(_ request: PlacementRequest, on topology: Topology) throws(PlacementError) -> Placement {
    let roles = PlacementRole.allCases
    for role in roles where request.count(of: role) < role.minimumCount {
        throw .countTooSmall(role, request.count(of: role))
    }
    let nodes = topology.allowedCPUsByNode()
    guard !nodes.isEmpty else { throw .noAllowedCPUs(allowed: topology.allowedCPUs) }

    var notes: [String] = []
    let counts = roles.map(request.count(of:))
    let byPolicy = policyCPUs(request.policy, counts: counts, on: topology, notes: &notes)
    var cpus: [PlacementRole: [Int]] = [:]
    for (index, role) in roles.enumerated() {
        if let explicit = request.explicitCPUs(of: role) {
            cpus[role] = try checked(explicit, for: role, count: counts[index], on: topology)
        } else {
            cpus[role] = byPolicy[index]
        }
    }
    let senderCPUs = cpus[.sender]!, vcpuCPUs = cpus[.vcpu]!, hostCPUs = cpus[.host]!

    let (memoryNode, numaPlacement) = try memoryPlacement(request.memory, vcpuCPUs: vcpuCPUs, on: topology)
    if !topology.libnumaAvailable {
        notes.append("libnuma unavailable: guest memory goes wherever the kernel puts it")
    }

    // Senders and vCPUs spin; the host thread mostly sleeps between
    // migrations, so it sharing a CPU is reported apart.
    let busy = senderCPUs + vcpuCPUs
    let oversubscription = oversubscriptionNote(busy)
    if let note = oversubscription { notes.append(note) }
    let hostSharesCPU = hostCPUs.enumerated().contains { index, cpu in
        busy.contains(cpu) || hostCPUs[..<index].contains(cpu)
    }
    return Placement(senderCPUs: senderCPUs, vcpuCPUs: vcpuCPUs, hostCPUs: hostCPUs, memoryNode: memoryNode,
                     memory: request.memory, numaPlacement: numaPlacement,
                     oversubscribed: oversubscription != nil, hostSharesCPU: hostSharesCPU, notes: notes)
}

/// Where guest memory goes: the node asked for (checked to exist), the
/// vCPUs' node for `local`, or interleaved over every node.
private func memoryPlacement(_ memory: MemoryChoice, vcpuCPUs: [Int], on topology: Topology)
    throws(PlacementError) -> (node: Int?, placement: NUMA.Placement) {
    switch memory {
    case .local:
        let node = topology.node(ofCPU: vcpuCPUs[0])
        if let node { try requireMemory(node, on: topology) }
        return (node, node.map { .node($0) } ?? .local)
    case .node(let node):
        guard topology.nodes.contains(where: { $0.id == node }) else {
            throw .noSuchNode(node, nodes: topology.nodes.map(\.id))
        }
        try requireMemory(node, on: topology)
        return (node, .node(node))
    case .interleave:
        return (nil, .interleave)
    }
}

/// Guest memory goes only to a node with memory (unknown counts as some).
private func requireMemory(_ node: Int, on topology: Topology) throws(PlacementError) {
    if topology.nodes.first(where: { $0.id == node })?.memoryBytes == 0 {
        throw .nodeWithoutMemory(node, withMemory: topology.nodes.filter { $0.memoryBytes != 0 }.map(\.id))
    }
}

extension Topology {
    /// Each node's CPUs that this process may use, leaving out nodes with
    /// none: the only CPUs a policy may hand out.
    public func allowedCPUsByNode() -> [(id: Int, cpus: [Int])] {
        let allowed = Set(allowedCPUs)
        return nodes.map { ($0.id, $0.cpus.filter(allowed.contains)) }.filter { !$0.cpus.isEmpty }
    }
}

/// Each role's CPUs under `policy`, in role order, as if no role had an
/// explicit list. Nodes are taken nearest first from the first one
/// (`nodesByDistance`), and inside a node one PU per core before any
/// sibling (`coreFirstOrder`), except under `smt`, which wants siblings.
private func policyCPUs(
    _ policy: PlacementPolicy, counts: [Int], on topology: Topology, notes: inout [String]
) -> [[Int]] {
    let nodes = topology.nodesByDistance(from: topology.allowedCPUsByNode()[0].id, topology.allowedCPUsByNode())
    let machineNodes = topology.nodeCount
    let total = counts.reduce(0, +)
    switch policy {
    case .compact, .ladder:
        return divide(cycle(topology.coreFirstOrder(nodes), count: total), into: counts)
    case .smt:
        guard topology.hasSMT else {
            notes.append("smt needs SMT siblings; no core has two allowed PUs here: same as compact")
            return divide(cycle(topology.coreFirstOrder(nodes), count: total), into: counts)
        }
        return divide(cycle(topology.siblingsFirstOrder(nodes), count: total), into: counts)
    case .scatter:
        if nodes.count == 1 { notes.append(singleNodeNote("scatter", nodes[0].id, machineNodes, "same as compact")) }
        // Thread k goes to node k mod N, and is the (k / N)-th thread there.
        let orders = nodes.map { topology.coreFirstOrder([$0]) }
        let cpus = (0..<total).map { k in
            let node = orders[k % orders.count]
            return node[(k / orders.count) % node.count]
        }
        return divide(cpus, into: counts)
    case .split:
        guard nodes.count >= 2 else {
            notes.append(singleNodeNote("split", nodes[0].id, machineNodes, "everything on node \(nodes[0].id)"))
            return divide(cycle(topology.coreFirstOrder(nodes), count: total), into: counts)
        }
        let guest = cycle(topology.coreFirstOrder([nodes[1]]), count: counts[1] + counts[2])
        return [cycle(splitSenderCPUs(nodes, topology), count: counts[0])] + divide(guest, into: Array(counts[1...]))
    }
}

/// Under `split`, senders take the first node's CPUs, then those of the
/// nodes after the guest's (the nearest other node), never the guest's own.
private func splitSenderCPUs(_ nodes: [(id: Int, cpus: [Int])], _ topology: Topology) -> [Int] {
    topology.coreFirstOrder(nodes.enumerated().filter { $0.offset != 1 }.map(\.element))
}

/// The most senders `policy` places, next to `vcpus` vCPU threads and one
/// host thread, before two busy threads (senders, vCPUs) would share a CPU:
/// the CPUs left after the vCPUs and the host thread, or under `split` on
/// a machine with two nodes or more, the CPUs off the guest's node. At
/// least 1: a machine with two CPUs still runs one sender and one vCPU,
/// the host thread sharing a CPU with one of them.
public func senderCapacity(_ policy: PlacementPolicy, vcpus: Int, on topology: Topology) -> Int {
    let byNode = topology.allowedCPUsByNode()
    if policy == .split && byNode.count >= 2 {
        return splitSenderCPUs(topology.nodesByDistance(from: byNode[0].id, byNode), topology).count
    }
    return max(1, topology.allowedCPUs.count - vcpus - 1)
}

private func singleNodeNote(_ policy: String, _ node: Int, _ machineNodes: Int, _ outcome: String) -> String {
    machineNodes == 1
        ? "\(policy) needs 2 nodes; this machine has 1: \(outcome)"
        : "\(policy) needs 2 nodes with allowed CPUs; only node \(node) has any: \(outcome)"
}

/// The first `count` CPUs of `cpus`, starting over when they run out.
private func cycle(_ cpus: [Int], count: Int) -> [Int] {
    (0..<count).map { cpus[$0 % cpus.count] }
}

/// `cpus` cut into consecutive runs of `counts` elements.
private func divide(_ cpus: [Int], into counts: [Int]) -> [[Int]] {
    var start = 0
    return counts.map { count in
        defer { start += count }
        return Array(cpus[start..<start + count])
    }
}

/// An explicit list, shortened to `count`, once every CPU used is known to
/// be online and allowed.
private func checked(_ list: [Int], for role: PlacementRole, count: Int, on topology: Topology) throws(PlacementError) -> [Int] {
    guard list.count >= count else { throw .cpuListTooShort(role, listed: list.count, needed: count) }
    let used = Array(list.prefix(count))
    for cpu in used {
        guard topology.onlineCPUs.contains(cpu) else { throw .noSuchCPU(cpu, online: topology.onlineCPUs) }
        guard topology.allowedCPUs.contains(cpu) else { throw .cpuNotAllowed(cpu, allowed: topology.allowedCPUs) }
    }
    return used
}

/// Nil when every CPU carries one busy thread; otherwise how crowded it is.
private func oversubscriptionNote(_ cpus: [Int]) -> String? {
    var load: [Int: Int] = [:]
    for cpu in cpus { load[cpu, default: 0] += 1 }
    guard let busiest = load.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }), busiest.value > 1 else { return nil }
    return "oversubscribed: \(cpus.count) busy threads on \(load.count) CPU\(load.count == 1 ? "" : "s") (CPU \(busiest.key) carries \(busiest.value))"
}
