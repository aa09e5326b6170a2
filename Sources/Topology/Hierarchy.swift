// The levels of the machine between NUMA nodes and hardware threads, as
// hwloc finds them. Package, LLC domain and core ids are hwloc's logical
// indexes (0 to n-1 in topology order); PU and node ids are the kernel's
// CPU and node numbers, which sched_setaffinity and libnuma take.

/// One processor package (socket).
public struct CPUPackage: Equatable, Sendable {
    public let id: Int
    /// Its PUs, ascending.
    public let cpus: [Int]

    public init(id: Int, cpus: [Int]) {
        (self.id, self.cpus) = (id, cpus)
    }
}

/// The PUs behind one last-level cache: the outermost data or unified cache
/// above each PU (its L3 where it has one, else its L2...). Threads in one
/// domain share a lock's cache line without crossing the interconnect.
public struct CacheDomain: Equatable, Sendable {
    public let id: Int
    /// The cache level: 3 for an L3.
    public let level: Int
    /// nil when the machine does not say.
    public let sizeBytes: UInt64?
    public let cpus: [Int]

    public init(id: Int, level: Int, sizeBytes: UInt64?, cpus: [Int]) {
        (self.id, self.level, self.sizeBytes, self.cpus) = (id, level, sizeBytes, cpus)
    }
}

/// One core: its PUs are SMT siblings. A PU with no core above it (some
/// synthetic or virtual machines) is a core of its own.
public struct CPUCore: Equatable, Sendable {
    public let id: Int
    public let package: Int
    public let cpus: [Int]

    public init(id: Int, package: Int, cpus: [Int]) {
        (self.id, self.package, self.cpus) = (id, package, cpus)
    }
}

/// One hardware thread and what it belongs to.
public struct ProcessingUnit: Equatable, Sendable {
    /// The kernel's CPU number.
    public let id: Int
    public let core: Int
    /// nil when no cache is above it.
    public let llc: Int?
    public let package: Int
    /// The node the kernel puts it in; nil when that node is offline or
    /// not allowed, so it has no memory of its own (placement skips it).
    public let node: Int?

    public init(id: Int, core: Int, llc: Int?, package: Int, node: Int?) {
        (self.id, self.core, self.llc, self.package, self.node) = (id, core, llc, package, node)
    }
}
