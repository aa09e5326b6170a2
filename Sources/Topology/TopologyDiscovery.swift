import Platform

/// Finds the machine's topology through hwloc (HwlocMachine, the CHwloc
/// shim): nodes, packages, last-level caches, cores and PUs, for this
/// machine or for one described by a dump, an XML file or a synthetic
/// description. libnuma is only asked whether it works, since that decides
/// whether memory placement happens at all.
public enum TopologyDiscovery {
    /// - Parameters:
    ///   - source: which machine; this one by default.
    ///   - allowedCPUs: nil means this process's CPUs (sched_getaffinity)
    ///     for this machine, and the described machine's own otherwise;
    ///     tests pass a list. Either way only PUs hwloc allows count.
    ///   - libnumaAvailable: nil asks libnuma.
    public static func discover(
        _ source: TopologySource = .thisSystem, allowedCPUs: [Int]? = nil, libnumaAvailable: Bool? = nil
    ) throws(TopologyError) -> Topology {
        let machine = try HwlocMachine.load(source)
        let pus = machine.pus.sorted { $0.id < $1.id }
        let usable = try usableCPUs(of: pus, source: source, asked: allowedCPUs)
        return Topology(nodes: nodes(of: machine, pus: pus), packages: packages(of: machine, pus: pus),
                        llcDomains: llcDomains(of: machine, pus: pus), cores: cores(of: machine, pus: pus),
                        pus: pus.map { pu in
                            ProcessingUnit(id: pu.id, core: pu.core, llc: pu.llc, package: pu.package,
                                           node: pu.node.map { machine.nodes[$0].id })
                        },
                        allowedCPUs: usable, libnumaAvailable: libnumaAvailable ?? NUMA.isAvailable,
                        source: source.description)
    }

    /// hwloc's allowed PUs, narrowed to `asked`, or for this machine to
    /// sched_getaffinity's CPUs; a described machine's are its own.
    private static func usableCPUs(
        of pus: [HwlocMachine.PU], source: TopologySource, asked: [Int]?
    ) throws(TopologyError) -> [Int] {
        let permitted = pus.filter(\.allowed).map(\.id)
        var wanted = asked
        if wanted == nil && source == .thisSystem {
            do throws(SystemError) { wanted = try Affinity.allowedCPUs() } catch { throw .affinity(error) }
        }
        guard let wanted else { return permitted }
        let usable = CPUList(wanted.filter(Set(permitted).contains)).cpus
        guard !usable.isEmpty else { throw .noUsableCPUs(allowed: CPUList(wanted).cpus, online: pus.map(\.id)) }
        return usable
    }

    /// Nodes by ascending id, each with its PUs and its distances reordered
    /// to match.
    private static func nodes(of machine: HwlocMachine, pus: [HwlocMachine.PU]) -> [NUMANode] {
        let order = machine.nodes.indices.sorted { machine.nodes[$0].id < machine.nodes[$1].id }
        return order.map { index in
            NUMANode(id: machine.nodes[index].id, cpus: pus.filter { $0.node == index }.map(\.id),
                     memoryBytes: machine.nodes[index].memoryBytes,
                     distances: machine.distances.map { rows in order.map { rows[index][$0] } } ?? [])
        }
    }

    private static func packages(of machine: HwlocMachine, pus: [HwlocMachine.PU]) -> [CPUPackage] {
        (0..<machine.packageCount).map { id in CPUPackage(id: id, cpus: pus.filter { $0.package == id }.map(\.id)) }
    }

    private static func llcDomains(of machine: HwlocMachine, pus: [HwlocMachine.PU]) -> [CacheDomain] {
        machine.llcs.enumerated().map { id, llc in
            CacheDomain(id: id, level: llc.level, sizeBytes: llc.sizeBytes, cpus: pus.filter { $0.llc == id }.map(\.id))
        }
    }

    private static func cores(of machine: HwlocMachine, pus: [HwlocMachine.PU]) -> [CPUCore] {
        (0..<machine.coreCount).map { id in
            let members = pus.filter { $0.core == id }
            return CPUCore(id: id, package: members.first?.package ?? 0, cpus: members.map(\.id))
        }
    }
}
