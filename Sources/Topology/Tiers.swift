/// How close two PUs are, closest first: what a cache line moving between
/// them crosses. Placement policies are defined by these tiers, and every
/// row says the farthest tier between a sender and the vCPU it sends to.
public enum PlacementTier: String, CaseIterable, Comparable, Sendable {
    /// Siblings of one core (or the same PU): L1 and L2 shared.
    case smt
    /// Two cores behind one last-level cache.
    case llc
    /// Two LLC domains of one NUMA node.
    case node
    /// Two nodes; how far is their SLIT distance.
    case remote

    public static func < (a: PlacementTier, b: PlacementTier) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

extension Topology {
    /// The PU numbered `cpu`, if the machine has it.
    public func pu(_ cpu: Int) -> ProcessingUnit? { pus.first { $0.id == cpu } }

    /// The tier between two PUs; nil when either is unknown.
    public func tier(_ a: Int, _ b: Int) -> PlacementTier? {
        guard let x = pu(a), let y = pu(b) else { return nil }
        if x.core == y.core { return .smt }
        if x.llc != nil && x.llc == y.llc { return .llc }
        if x.node == y.node { return .node }
        return .remote
    }

    /// The SLIT distance between two PUs' nodes (10 within one node); nil
    /// when the machine gives no distances or a PU is in no node.
    public func distance(_ a: Int, _ b: Int) -> Int? {
        guard let x = pu(a)?.node, let y = pu(b)?.node else { return nil }
        return nodeDistance(x, y)
    }

    /// The SLIT distance between two nodes, or nil when unknown.
    public func nodeDistance(_ a: Int, _ b: Int) -> Int? {
        guard let from = nodes.firstIndex(where: { $0.id == a }), let to = nodes.firstIndex(where: { $0.id == b }),
              nodes[from].distances.count == nodes.count else { return a == b ? 10 : nil }
        return nodes[from].distances[to]
    }

    /// Nodes with allowed PUs, `first` and then the others nearest first
    /// (SLIT distance from `first`, then id): the order in which policies
    /// spill over to other nodes.
    public func nodesByDistance(from first: Int, _ nodes: [(id: Int, cpus: [Int])]) -> [(id: Int, cpus: [Int])] {
        nodes.sorted { a, b in
            let da = a.id == first ? 0 : nodeDistance(first, a.id) ?? Int.max
            let db = b.id == first ? 0 : nodeDistance(first, b.id) ?? Int.max
            return (da, a.id) < (db, b.id)
        }
    }

    /// `cpus` (allowed PUs of one node) as runs of siblings: one run per
    /// core, cores ordered by LLC domain and then core, PUs ascending.
    func coreRuns(_ cpus: [Int]) -> [[Int]] {
        var runs: [Int: [Int]] = [:]
        var order: [(llc: Int, core: Int)] = []
        for cpu in cpus.sorted() {
            guard let p = pu(cpu) else { continue }
            if runs[p.core] == nil { order.append((p.llc ?? -1, p.core)) }
            runs[p.core, default: []].append(cpu)
        }
        let fallback = cpus.filter { pu($0) == nil }.map { [$0] }
        return order.sorted { ($0.llc, $0.core) < ($1.llc, $1.core) }.map { runs[$0.core]! } + fallback
    }

    /// `compact`'s order of PUs: one PU of every core first (by LLC domain,
    /// node, and nodes by distance), then the second siblings in the same
    /// order, and so on: no two threads on siblings while a core is free.
    func coreFirstOrder(_ nodes: [(id: Int, cpus: [Int])]) -> [Int] {
        let runs = nodes.flatMap { coreRuns($0.cpus) }
        let deepest = runs.map(\.count).max() ?? 0
        return (0..<deepest).flatMap { level in runs.compactMap { $0.count > level ? $0[level] : nil } }
    }

    /// `smt`'s order: whole cores, siblings next to each other.
    func siblingsFirstOrder(_ nodes: [(id: Int, cpus: [Int])]) -> [Int] {
        nodes.flatMap { coreRuns($0.cpus).flatMap { $0 } }
    }

    /// Whether some core has two allowed PUs.
    var hasSMT: Bool {
        let allowed = Set(allowedCPUs)
        return cores.contains { $0.cpus.filter(allowed.contains).count > 1 }
    }
}

/// Where a run's busy threads sit relative to each other.
public struct PairFacts: Equatable, Sendable {
    /// The farthest tier between a sender and a vCPU it sends to.
    public let tier: PlacementTier?
    /// The largest SLIT distance between them; nil when unknown.
    public let distance: Int?
    /// Two busy threads (senders, vCPUs) on one core.
    public let smtShared: Bool

    public init(tier: PlacementTier?, distance: Int?, smtShared: Bool) {
        (self.tier, self.distance, self.smtShared) = (tier, distance, smtShared)
    }
}

extension Topology {
    /// The facts of `pairs` (sender PU, vCPU PU) with `busy` the PUs of
    /// every sender and vCPU.
    public func pairFacts(_ pairs: [(sender: Int, vcpu: Int)], busy: [Int]) -> PairFacts {
        let tiers = pairs.compactMap { tier($0.sender, $0.vcpu) }
        let distances = pairs.map { distance($0.sender, $0.vcpu) }
        let cores = busy.compactMap { pu($0)?.core }
        return PairFacts(tier: tiers.count == pairs.count ? tiers.max() : nil,
                         distance: distances.contains(nil) ? nil : distances.compactMap { $0 }.max(),
                         smtShared: Set(cores).count < cores.count)
    }
}

/// One step of the cost-of-distance ladder: a sender PU and a vCPU PU at
/// one tier (and, across nodes, one SLIT distance).
public struct LadderStep: Equatable, Hashable, Sendable {
    public let tier: PlacementTier
    /// The SLIT distance of a `remote` step.
    public let distance: Int?
    public let sender: Int
    public let vcpu: Int

    /// "smt", "llc", "node", "remote-21": the placement label's suffix.
    public var name: String { distance.map { "\(tier.rawValue)-\($0)" } ?? tier.rawValue }
}

extension Topology {
    /// The host thread's PU for a pinned pair: the first of `compact`'s
    /// order that is neither of the pair (one of them on a 2-PU machine).
    public func pairHost(_ pair: PinnedPair) -> Int {
        let byNode = allowedCPUsByNode()
        let order = byNode.first.map { coreFirstOrder(nodesByDistance(from: $0.id, byNode)) } ?? []
        return order.first { $0 != pair.sender && $0 != pair.vcpu } ?? pair.sender
    }

    /// The sender x vCPU matrix of `--pairs`: every pair of allowed PUs, or
    /// a sample: the first PU of each LLC domain (of each node where no
    /// cache is described) against each other, plus one SMT pair and one
    /// pair of cores inside one LLC. A 2-socket server of 24 LLC domains
    /// stays at about 550 pairs.
    public func pairMatrix(_ selection: PairSelection) -> [PinnedPair] {
        let allowed = Set(allowedCPUs)
        let pus: [Int]
        switch selection {
        case .all: pus = allowedCPUs
        case .sample:
            let domains = llcDomains.isEmpty ? allowedCPUsByNode().map(\.cpus) : llcDomains.map(\.cpus)
            pus = domains.compactMap { $0.filter(allowed.contains).min() }
        }
        var pairs = pus.flatMap { s in pus.filter { $0 != s }.map { PinnedPair(sender: s, vcpu: $0) } }
        if selection == .sample {
            for step in ladder() where step.tier <= .llc { pairs.append(PinnedPair(sender: step.sender, vcpu: step.vcpu)) }
        }
        var seen = Set<PinnedPair>()
        return pairs.filter { seen.insert($0).inserted }
    }

    /// The ladder of this machine, closest first: from the first PU of
    /// `compact`, a sibling (`smt`), a core of the same LLC (`llc`), a PU
    /// of another LLC of the node (`node`), and for each distinct SLIT
    /// distance to another node, the first PU of the nearest such node.
    /// Steps the machine lacks are left out (no SMT, one LLC per node).
    public func ladder() -> [LadderStep] {
        let byNode = allowedCPUsByNode()
        guard let firstNode = byNode.first else { return [] }
        let nodes = nodesByDistance(from: firstNode.id, byNode)
        let order = coreFirstOrder(nodes)
        guard let a = order.first, let home = pu(a) else { return [] }
        var steps: [LadderStep] = []
        func add(_ tier: PlacementTier, _ distance: Int? = nil, where wanted: (Int) -> Bool) {
            if let b = order.first(where: { $0 != a && wanted($0) }) {
                steps.append(LadderStep(tier: tier, distance: distance, sender: a, vcpu: b))
            }
        }
        add(.smt) { tier(a, $0) == .smt }
        add(.llc) { tier(a, $0) == .llc }
        add(.node) { tier(a, $0) == .node }
        var seen = Set<Int>()
        for node in nodes where node.id != home.node {
            guard let d = home.node.flatMap({ nodeDistance($0, node.id) }), seen.insert(d).inserted else { continue }
            add(.remote, d) { pu($0)?.node == node.id }
        }
        if home.node.map({ h in nodes.contains { $0.id != h } && seen.isEmpty }) == true {
            add(.remote) { tier(a, $0) == .remote }
        }
        return steps
    }
}

/// A sender PU and a vCPU PU chosen together (a ladder step, a cell of the
/// `--pairs` matrix); the host thread goes elsewhere (`pairHost`).
public struct PinnedPair: Equatable, Hashable, Sendable {
    public let sender: Int
    public let vcpu: Int

    public init(sender: Int, vcpu: Int) {
        (self.sender, self.vcpu) = (sender, vcpu)
    }

    /// The placement label of a `--pairs` cell.
    public var label: String { "pair-\(sender)-\(vcpu)" }
}

/// Which cells of the sender x vCPU matrix `--pairs` measures.
public enum PairSelection: String, CaseIterable, Sendable {
    case all, sample
}
