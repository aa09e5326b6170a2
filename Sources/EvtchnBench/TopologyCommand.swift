import ArgumentParser
import CNuma
import Runner
import Topology

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Show the NUMA nodes, CPUs and memory that placement policies work with.",
        discussion: """
            --sysfs-root reads a sysfs-shaped folder instead of /sys, to see how placement \
            would treat another machine. libnuma and the allowed CPUs are always this machine's.
            """)

    @Option(help: "Folder to read devices/system/{node,cpu} from.")
    var sysfsRoot = "/sys"

    func run() throws {
        // A TopologyError is one line naming the file at fault; thrown as
        // is, it exits non-zero without a usage dump that would bury it.
        let topology = try TopologyDiscovery.discover(sysfsRoot: sysfsRoot)
        print("source: \(topology.source)")
        print("libnuma available: \(libnumaLine(topology.libnumaAvailable))")
        print("nodes: \(topology.nodeCount)")
        for node in topology.nodes {
            let distances = node.distances.isEmpty ? "unknown" : node.distances.map(String.init).joined(separator: " ")
            print("node \(node.id): cpus \(describe(node.cpus)), memory \(gibibytes(node.memoryBytes)), distances \(distances)")
        }
        print("online CPUs: \(CPUList(topology.onlineCPUs))")
        print("CPUs this process may use: \(CPUList(topology.allowedCPUs))")
    }

    /// libnuma's own node count is shown beside sysfs's so a mismatch
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
