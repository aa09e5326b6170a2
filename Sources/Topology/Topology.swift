import Platform

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One online NUMA node as sysfs describes it.
public struct NUMANode: Equatable, Sendable {
    public let id: Int
    /// Its online CPUs, ascending. Empty for a memory-only node (CXL
    /// memory, HBM in flat mode): placement skips it for threads but guest
    /// memory may still be sent there.
    public let cpus: [Int]
    /// MemTotal from nodeN/meminfo; nil when the kernel does not say.
    public let memoryBytes: UInt64?
    /// nodeN/distance: the SLIT distance to each online node, in node
    /// order (10 is local). Empty when the kernel does not say.
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
/// use (a cgroup or taskset can narrow that well below "online").
public struct Topology: Equatable, Sendable {
    /// Online nodes, ascending id.
    public let nodes: [NUMANode]
    public let onlineCPUs: [Int]
    /// The CPUs this process may run on (sched_getaffinity), online only.
    public let allowedCPUs: [Int]
    /// Whether libnuma works here; without it guest memory lands wherever
    /// the kernel puts it, whatever the placement asks for.
    public let libnumaAvailable: Bool
    /// Where the description came from, for the run's report.
    public let source: String

    public init(nodes: [NUMANode], onlineCPUs: [Int], allowedCPUs: [Int], libnumaAvailable: Bool, source: String) {
        self.nodes = nodes
        self.onlineCPUs = onlineCPUs
        self.allowedCPUs = allowedCPUs
        self.libnumaAvailable = libnumaAvailable
        self.source = source
    }

    /// The node that `cpu` belongs to, or nil when it is in none (offline).
    public func node(ofCPU cpu: Int) -> Int? {
        nodes.first { $0.cpus.contains(cpu) }?.id
    }

    public var nodeCount: Int { nodes.count }
}

/// Why the topology could not be read. Each message is one line naming the
/// file or value at fault, so that a bad --sysfs-root or an unusual kernel
/// is diagnosed from the message alone.
public enum TopologyError: Error, Equatable, CustomStringConvertible {
    /// Text that is not a cpulist, and what is wrong with it.
    case cpuList(text: String, problem: String)
    /// A file or directory that should be there and could not be read.
    case unreadable(path: String, code: Int32)
    /// A file whose content does not parse.
    case malformedFile(path: String, problem: String)
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
        case .malformedFile(let path, let problem):
            "\(path): \(problem)"
        case .noUsableCPUs(let allowed, let online):
            "none of the CPUs this process may use (\(CPUList(allowed))) is online (online: \(CPUList(online)))"
        case .affinity(let error):
            error.description
        }
    }
}
