import CHwloc

/// A topology as the CHwloc shim flattens it, copied into Swift arrays:
/// indexes as chwloc.h describes them, nodes in hwloc's logical order.
struct HwlocMachine {
    struct PU {
        let id: Int, core: Int, llc: Int?, package: Int, node: Int?, allowed: Bool
    }

    struct Node {
        let id: Int, memoryBytes: UInt64?
    }

    let pus: [PU]
    let nodes: [Node]
    /// (level, size in bytes or nil) of each LLC domain.
    let llcs: [(level: Int, sizeBytes: UInt64?)]
    let coreCount: Int
    let packageCount: Int
    /// Rows and columns in `nodes` order; nil when the OS gives none.
    let distances: [[Int]]?

    /// Loads through chwloc_load, which serialises loads and sets and
    /// restores the environment a dump needs (HWLOC_FSROOT and friends).
    static func load(_ source: TopologySource) throws(TopologyError) -> HwlocMachine {
        var machine = chwloc_machine()
        var error = [CChar](repeating: 0, count: 512)
        let rc = error.withUnsafeMutableBufferPointer { buffer in
            chwloc_load(source.shimKind, source.argument, &machine, buffer.baseAddress, buffer.count)
        }
        guard rc == 0 else {
            throw .hwloc(error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        defer { chwloc_release(&machine) }
        return HwlocMachine(copying: machine)
    }

    /// Why it is safe: chwloc_load succeeded, so each pointer holds its
    /// count of elements (distances node_count squared, or NULL) until
    /// chwloc_release, which runs only after these copies.
    private init(copying m: chwloc_machine) {
        pus = UnsafeBufferPointer(start: m.pus, count: Int(m.pu_count)).map { pu in
            PU(id: Int(pu.os_index), core: Int(pu.core), llc: pu.llc < 0 ? nil : Int(pu.llc), package: Int(pu.package),
               node: pu.node < 0 ? nil : Int(pu.node), allowed: pu.allowed != 0)
        }
        nodes = UnsafeBufferPointer(start: m.nodes, count: Int(m.node_count)).map { node in
            Node(id: Int(node.os_index), memoryBytes: node.memory_bytes == 0 ? nil : node.memory_bytes)
        }
        llcs = UnsafeBufferPointer(start: m.llcs, count: Int(m.llc_count)).map { llc in
            (Int(llc.level), llc.size_bytes == 0 ? nil : llc.size_bytes)
        }
        coreCount = Int(m.core_count)
        packageCount = Int(m.package_count)
        let n = Int(m.node_count)
        distances = m.distances.map { matrix in
            let values = UnsafeBufferPointer(start: matrix, count: n * n).map { Int(clamping: $0) }
            return (0..<n).map { Array(values[$0 * n..<($0 + 1) * n]) }
        }
    }
}

extension TopologySource {
    fileprivate var shimKind: chwloc_source {
        switch self {
        case .thisSystem: CHWLOC_THIS_SYSTEM
        case .dump: CHWLOC_DUMP
        case .xml: CHWLOC_XML
        case .synthetic: CHWLOC_SYNTHETIC
        }
    }

    fileprivate var argument: String {
        switch self {
        case .thisSystem: ""
        case .dump(let path), .xml(let path): path
        case .synthetic(let description): description
        }
    }
}
