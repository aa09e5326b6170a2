import Platform

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One NUMA node as hwloc describes it, memory-only ones included.
public struct NUMANode: Equatable, Sendable {
    public let id: Int
    /// Its online CPUs, ascending. Empty for a memory-only node (CXL
    /// memory, HBM in flat mode): placement skips it for threads but guest
    /// memory may still be sent there.
    public let cpus: [Int]
    /// Its local memory; nil when the machine does not say.
    public let memoryBytes: UInt64?
    /// The SLIT distance to each node, in node order (10 is local): the
    /// OS's latency matrix through hwloc. Empty when the OS gives none, or
    /// gives none for some node.
    public let distances: [Int]

    public init(id: Int, cpus: [Int], memoryBytes: UInt64?, distances: [Int]) {
        self.id = id
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.distances = distances
    }
}

/// The machine as the runner places threads and memory on it: which nodes
/// there are, which CPUs are online, and which of those this process may
/// use (a cgroup or taskset can narrow that well below "online"), with the
/// packages, last-level caches and cores between them (Hierarchy.swift).
public struct Topology: Equatable, Sendable {
    /// Every node hwloc allows, ascending id; memory-only ones have no CPUs.
    public let nodes: [NUMANode]
    public let packages: [CPUPackage]
    public let llcDomains: [CacheDomain]
    public let cores: [CPUCore]
    /// Ascending id.
    public let pus: [ProcessingUnit]
    /// The PUs hwloc lists: online, and inside the machine's own cgroup
    /// cpuset (hwloc's default restriction).
    public let onlineCPUs: [Int]
    /// The CPUs this process may run on: for this machine, the online ones
    /// in sched_getaffinity; for a described one (--topology), its own.
    public let allowedCPUs: [Int]
    /// Whether libnuma works here; without it guest memory lands wherever
    /// the kernel puts it, whatever the placement asks for.
    public let libnumaAvailable: Bool
    /// Where the description came from, for the run's report.
    public let source: String

    public init(nodes: [NUMANode], packages: [CPUPackage], llcDomains: [CacheDomain], cores: [CPUCore],
                pus: [ProcessingUnit], allowedCPUs: [Int], libnumaAvailable: Bool, source: String) {
        self.nodes = nodes
        self.packages = packages
        self.llcDomains = llcDomains
        self.cores = cores
        self.pus = pus
        self.onlineCPUs = pus.map(\.id)
        self.allowedCPUs = allowedCPUs
        self.libnumaAvailable = libnumaAvailable
        self.source = source
    }

    /// hwloc's name for `nodes`: the same list.
    public var numaNodes: [NUMANode] { nodes }

    /// The node that `cpu` belongs to, or nil when it is in none (offline).
    public func node(ofCPU cpu: Int) -> Int? {
        nodes.first { $0.cpus.contains(cpu) }?.id
    }

    public var nodeCount: Int { nodes.count }
}

/// Why the topology could not be read. Each message is one line naming the
/// path or value at fault, so that a bad --topology or an unusual machine
/// is diagnosed from the message alone.
public enum TopologyError: Error, Equatable, CustomStringConvertible {
    /// Text that is not a cpulist, and what is wrong with it.
    case cpuList(text: String, problem: String)
    /// A path that should be there and could not be read.
    case unreadable(path: String, code: Int32)
    /// A path that is neither a machine dump nor an XML file.
    case notATopology(path: String, problem: String)
    /// hwloc could not load or describe the machine (its message, one line).
    case hwloc(String)
    /// None of the CPUs this process may use is online.
    case noUsableCPUs(allowed: [Int], online: [Int])
    /// sched_getaffinity failed.
    case affinity(SystemError)

    public var description: String {
        switch self {
        case .cpuList(let text, let problem):
            "malformed cpulist \"\(text)\": \(problem)"
        case .unreadable(let path, let code):
            "cannot read \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .notATopology(let path, let problem):
            "\(path): \(problem)"
        case .hwloc(let message):
            message
        case .noUsableCPUs(let allowed, let online):
            "none of the CPUs this process may use (\(CPUList(allowed))) is online (online: \(CPUList(online)))"
        case .affinity(let error):
            error.description
        }
    }
}
