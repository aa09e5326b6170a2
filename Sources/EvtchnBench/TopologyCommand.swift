import ArgumentParser
import CNuma
import Runner
import Topology

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Show the packages, NUMA nodes, caches, cores and CPUs that placement policies work with.",
        discussion: """
            The topology comes from hwloc. --topology describes another machine instead: a folder \
            holding its sys/ and proc/ (hwloc-gather-topology), an XML file written there by \
            `lstopo machine.xml`, or synthetic:DESCRIPTION (hwloc's synthetic syntax, e.g. \
            "synthetic:pack:2 numa:1 l3:1 core:4 pu:2"). Its allowed CPUs are then that machine's \
            own (its cgroup cpuset included); libnuma is always this machine's.
            """)

    @Option(help: "Describe another machine: a dump folder (sys/, proc/), an lstopo XML file, or synthetic:DESCRIPTION.")
    var topology: String?

    @Flag(help: "Print the whole model as JSON: packages, NUMA nodes, LLC domains, cores and PUs with their memberships.")
    var json = false

    func run() throws {
        // A TopologyError is one line naming the path at fault; thrown as
        // is, it exits non-zero without a usage dump that would bury it.
        let source = try topology.map(TopologySource.parse) ?? .thisSystem
        let topology = try TopologyDiscovery.discover(source)
        if json {
            print(topology.json)
            return
        }
        print("source: \(topology.source)")
        print("libnuma available: \(libnumaLine(topology.libnumaAvailable))")
        print("packages: \(topology.packages.count), cores: \(topology.cores.count), "
              + "LLC domains: \(llcLine(topology.llcDomains)), PUs: \(topology.pus.count)")
        print("nodes: \(topology.nodeCount)")
        for node in topology.nodes {
            let distances = node.distances.isEmpty ? "unknown" : node.distances.map(String.init).joined(separator: " ")
            print("node \(node.id): cpus \(describe(node.cpus)), memory \(gibibytes(node.memoryBytes)), distances \(distances)")
        }
        print("online CPUs: \(CPUList(topology.onlineCPUs))")
        print("CPUs this process may use: \(CPUList(topology.allowedCPUs))")
    }

    /// "4 (L3)", or "2 (L2, L3)" where PUs differ.
    private func llcLine(_ domains: [CacheDomain]) -> String {
        let levels = Set(domains.map(\.level)).sorted().map { "L\($0)" }
        return levels.isEmpty ? "0" : "\(domains.count) (\(levels.joined(separator: ", ")))"
    }

    /// libnuma's own node count is shown beside hwloc's so a mismatch
    /// (a container hiding nodes, a stale fixture) is visible at a glance.
    private func libnumaLine(_ available: Bool) -> String {
        // numa_max_node() is only defined once numa_available() succeeded.
        guard available else { return "no (guest memory falls back to plain allocation)" }
        return "yes (numa_max_node()+1 = \(numa_max_node() + 1))"
    }

    private func describe(_ cpus: [Int]) -> String {
        cpus.isEmpty ? "none" : CPUList(cpus).description
    }

    /// GiB with one decimal, without Foundation's formatters.
    private func gibibytes(_ bytes: UInt64?) -> String {
        guard let bytes else { return "unknown" }
        let tenths = (Double(bytes) / Double(1 << 30) * 10).rounded()
        let whole = UInt64(tenths) / 10
        return "\(whole).\(UInt64(tenths) % 10) GiB"
    }
}
