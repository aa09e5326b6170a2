import Platform

/// How sender, vCPU and host threads are spread over the machine, in terms
/// of the tiers between two PUs (`PlacementTier`: `smt` same core, `llc`
/// same last-level cache, `node` same NUMA node, `remote` another node,
/// nearer ones first by SLIT distance).
///
/// A lock design's cost is mostly the cost of moving its lock word and the
/// cache's mapping between CPUs, and that cost depends on the tier they
/// cross. Each policy pins one point of that range, so a design can be
/// compared with another at the same point:
///
/// - `compact` gives each thread its own core: it fills one LLC domain,
///   then the rest of its node, then the nearest nodes by distance. Two
///   busy threads go on sibling PUs only once every core has one, and the
///   row says so (`smt_shared`). The best case short of SMT.
/// - `smt` puts threads on siblings on purpose: the sender and the vCPU of
///   a 1 + 1 run share a core (same as compact where there is no SMT).
/// - `scatter` deals threads round-robin over the nodes, nearest first, so
///   neighbours in the role order sit on different nodes: every lock
///   acquisition and pending-bit write crosses the interconnect.
/// - `split` is the hypervisor case: senders (the backends, devices and
///   their interrupts) on the first node, the guest's vCPUs and the host
///   thread that services them on the nearest other node, and guest
///   memory with the vCPUs. Senders that outnumber the first node's PUs go
///   on to the other nodes, nearest first, never onto the guest's own.
///
/// Threads take PUs in role order (senders, then vCPUs, then host
/// threads), the order of the event's path: under `compact`, senders and
/// the first vCPUs end up closest. Only PUs this process may use count,
/// memory-only nodes never get threads, and the same request on the same
/// machine always gives the same placement.
public enum PlacementPolicy: String, CaseIterable, Sendable {
    case compact, scatter, split, smt
    /// The cost-of-distance ladder: one sender and one vCPU placed once at
    /// each tier the machine has (`Topology.ladder`); the planner expands
    /// it into one configuration per step, placement `ladder-<step>`.
    case ladder
}

/// The kinds of thread a run pins, in the order they take CPUs.
public enum PlacementRole: String, CaseIterable, Sendable {
    case sender, vcpu, host

    /// The command-line option that lists this role's CPUs explicitly.
    public var option: String { "--\(rawValue)-cpus" }

    var noun: String {
        switch self {
        case .sender: "sender"
        case .vcpu: "vCPU"
        case .host: "host thread"
        }
    }

    /// "3 senders", "1 vCPU", "2 host threads".
    func counted(_ count: Int) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// A run needs something to send and someone to handle it; a host
    /// thread is optional (a torture run with host action "none").
    var minimumCount: Int { self == .host ? 0 : 1 }
}

/// Where guest memory goes: `--mem-node N | local | interleave`.
public enum MemoryChoice: Equatable, Sendable, CustomStringConvertible {
    case node(Int)
    /// The node of the first vCPU's CPU: the guest's memory next to the
    /// guest, as a hypervisor allocates it.
    case local
    /// Pages spread over all nodes (numa_alloc_interleaved), averaging the
    /// cost instead of picking a side.
    case interleave

    public static func parse(_ text: String) throws(PlacementError) -> MemoryChoice {
        switch text {
        case "local": return .local
        case "interleave": return .interleave
        default:
            // Int(_:) alone would also take "+1" and "-1".
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let node = Int(text) else {
                throw .badMemoryChoice(text)
            }
            return .node(node)
        }
    }

    /// What `parse` accepts, so a run's summary line can be replayed.
    public var description: String {
        switch self {
        case .node(let node): "\(node)"
        case .local: "local"
        case .interleave: "interleave"
        }
    }
}

/// What to place: how many threads of each role, under which policy.
public struct PlacementRequest: Sendable {
    public var policy: PlacementPolicy = .compact
    public var senders: Int
    public var vcpus: Int
    public var hostThreads: Int = 1
    /// Explicit CPU lists replace the policy's choice for that role only;
    /// the policy still counts the role's threads, so pinning senders by
    /// hand does not move the vCPUs from where the policy alone puts them.
    /// A longer list than needed is fine (the first ones are used).
    public var senderCPUs: [Int]? = nil
    public var vcpuCPUs: [Int]? = nil
    public var hostCPUs: [Int]? = nil
    public var memory: MemoryChoice = .local

    public init(senders: Int, vcpus: Int) {
        self.senders = senders
        self.vcpus = vcpus
    }

    func count(of role: PlacementRole) -> Int {
        switch role {
        case .sender: senders
        case .vcpu: vcpus
        case .host: hostThreads
        }
    }

    func explicitCPUs(of role: PlacementRole) -> [Int]? {
        switch role {
        case .sender: senderCPUs
        case .vcpu: vcpuCPUs
        case .host: hostCPUs
        }
    }
}

/// Where each thread runs and where guest memory lives.
public struct Placement: Equatable, Sendable {
    /// One per sender thread.
    public let senderCPUs: [Int]
    /// One per vCPU thread.
    public let vcpuCPUs: [Int]
    /// One per host thread.
    public let hostCPUs: [Int]
    /// The node guest memory goes to; nil for interleave.
    public let memoryNode: Int?
    public let memory: MemoryChoice
    /// What to pass to NUMA.allocate. `local` is resolved to the vCPUs'
    /// node here, because the thread that allocates guest memory is not a
    /// vCPU thread and numa_alloc_local would place it by the wrong CPU.
    public let numaPlacement: NUMA.Placement
    /// Some CPU carries two or more busy threads (senders, vCPUs), so
    /// spinning threads take turns and timings measure the scheduler as much
    /// as the lock.
    public let oversubscribed: Bool
    /// The host thread's CPU also carries a sender, a vCPU or another host
    /// thread. It sleeps between migrations, so this is not counted as
    /// oversubscription; the report says it in its own column.
    public let hostSharesCPU: Bool
    /// Warnings for the run's report: a policy that could not be followed,
    /// oversubscription, memory placement that will not happen.
    public let notes: [String]
}

/// Why a request cannot be placed; one line naming the value at fault.
public enum PlacementError: Error, Equatable, CustomStringConvertible {
    case countTooSmall(PlacementRole, Int)
    case cpuListTooShort(PlacementRole, listed: Int, needed: Int)
    case noSuchCPU(Int, online: [Int])
    case cpuNotAllowed(Int, allowed: [Int])
    case noSuchNode(Int, nodes: [Int])
    /// Guest memory asked of (or, `local`, implied for) a node without memory.
    case nodeWithoutMemory(Int, withMemory: [Int])
    case badMemoryChoice(String)
    /// No node's CPU list holds a CPU this process may use.
    case noAllowedCPUs(allowed: [Int])

    public var description: String {
        switch self {
        case .countTooSmall(let role, let count):
            "\(role.noun)s must be at least \(role.minimumCount) (got \(count))"
        case .cpuListTooShort(let role, let listed, let needed):
            "\(role.option) lists \(listed) CPU\(listed == 1 ? "" : "s") for \(role.counted(needed))"
        case .noSuchCPU(let cpu, let online):
            "CPU \(cpu) does not exist (online: \(CPUList(online)))"
        case .cpuNotAllowed(let cpu, let allowed):
            "CPU \(cpu) is not allowed for this process (allowed: \(CPUList(allowed)))"
        case .noSuchNode(let node, let nodes):
            "node \(node) does not exist (nodes: \(CPUList(nodes)))"
        case .nodeWithoutMemory(let node, let withMemory):
            "node \(node) has no memory for the guest (nodes with memory: \(CPUList(withMemory))); give --mem-node"
        case .badMemoryChoice(let text):
            "--mem-node takes a node number, local or interleave, not '\(text)'"
        case .noAllowedCPUs(let allowed):
            "no node holds a CPU this process may use (allowed: \(CPUList(allowed)))"
        }
    }
}
