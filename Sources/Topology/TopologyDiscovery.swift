import Platform

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the machine's NUMA topology from sysfs.
///
/// sysfs rather than libnuma, because the root can be moved: tests and
/// `evtchn-bench topology --sysfs-root` point it at a sysfs-shaped folder
/// describing a two- or four-node machine, so the multi-node paths run on a
/// one-node laptop. libnuma is only asked whether it works, since that
/// decides whether memory placement happens at all.
public enum TopologyDiscovery {
    /// Reads <root>/devices/system/node/online, nodeN/cpulist,
    /// nodeN/distance, nodeN/meminfo ("Node 0 MemTotal:  24576000 kB") and
    /// <root>/devices/system/cpu/online.
    ///
    /// A kernel built without NUMA has no node directory; the machine is
    /// then one node 0 holding every online CPU, and `source` says so.
    /// Missing distance or meminfo files leave those fields empty; a missing
    /// cpulist or online file, or one that does not parse, is an error.
    ///
    /// - Parameters:
    ///   - allowedCPUs: nil asks the kernel (sched_getaffinity); tests pass
    ///     a list, since the test process's own mask says nothing about the
    ///     fixture machine.
    ///   - libnumaAvailable: nil asks libnuma.
    public static func discover(
        sysfsRoot: String = "/sys", allowedCPUs: [Int]? = nil, libnumaAvailable: Bool? = nil
    ) throws(TopologyError) -> Topology {
        if let code = SysfsFiles.directoryProblem(sysfsRoot) { throw .unreadable(path: sysfsRoot, code: code) }
        let root = sysfsRoot.count > 1 && sysfsRoot.hasSuffix("/") ? String(sysfsRoot.dropLast()) : sysfsRoot
        let system = root + "/devices/system"
        let online = try cpuList(at: system + "/cpu/online")
        guard !online.cpus.isEmpty else { throw .malformedFile(path: system + "/cpu/online", problem: "no online CPU") }

        let nodes: [NUMANode]
        let source: String
        let nodeDirectory = system + "/node"
        switch SysfsFiles.directoryProblem(nodeDirectory) {
        case nil:
            nodes = try readNodes(in: nodeDirectory, online: Set(online.cpus))
            source = "sysfs at \(root)"
        case ENOENT?:
            nodes = [NUMANode(id: 0, cpus: online.cpus, memoryBytes: nil, distances: [])]
            source = "fallback: one node (no sysfs node directory at \(nodeDirectory))"
        case let code?:
            throw .unreadable(path: nodeDirectory, code: code)
        }

        let allowed = if let allowedCPUs { allowedCPUs } else { try kernelAllowedCPUs() }
        let usable = CPUList(allowed.filter(Set(online.cpus).contains)).cpus
        guard !usable.isEmpty else { throw .noUsableCPUs(allowed: CPUList(allowed).cpus, online: online.cpus) }
        return Topology(nodes: nodes, onlineCPUs: online.cpus, allowedCPUs: usable,
                        libnumaAvailable: libnumaAvailable ?? NUMA.isAvailable, source: source)
    }

    private static func kernelAllowedCPUs() throws(TopologyError) -> [Int] {
        do throws(SystemError) { return try Affinity.allowedCPUs() } catch { throw .affinity(error) }
    }

    private static func readNodes(in directory: String, online: Set<Int>) throws(TopologyError) -> [NUMANode] {
        let ids = try cpuList(at: directory + "/online").cpus
        guard !ids.isEmpty else { throw .malformedFile(path: directory + "/online", problem: "no online node") }
        var nodes: [NUMANode] = []
        for id in ids {
            let node = "\(directory)/node\(id)"
            // The node's cpulist can still name CPUs taken offline; threads
            // pinned there would fail, so only online ones are kept.
            let cpus = try cpuList(at: node + "/cpulist").cpus.filter(online.contains)
            let memory = try SysfsFiles.contentsIfPresent(node + "/meminfo").flatMap { text throws(TopologyError) in
                try memTotal(in: text, path: node + "/meminfo")
            }
            let distances = try SysfsFiles.contentsIfPresent(node + "/distance").map { text throws(TopologyError) in
                try distanceList(in: text, path: node + "/distance")
            }
            nodes.append(NUMANode(id: id, cpus: cpus, memoryBytes: memory, distances: distances ?? []))
        }
        return nodes
    }

    /// A file holding one cpulist, its parse errors naming the file.
    private static func cpuList(at path: String) throws(TopologyError) -> CPUList {
        let text = try SysfsFiles.contents(path)
        do throws(TopologyError) { return try CPUList.parse(text) } catch {
            throw .malformedFile(path: path, problem: error.description)
        }
    }

    /// MemTotal in bytes from a node's meminfo, nil when the line is absent.
    private static func memTotal(in text: String, path: String) throws(TopologyError) -> UInt64? {
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let label = fields.firstIndex(of: "MemTotal:") else { continue }
            let value = Array(fields[(label + 1)...])
            guard value.count == 2, value[1] == "kB", let kilobytes = UInt64(value[0]), kilobytes <= UInt64.max / 1024
            else { throw .malformedFile(path: path, problem: "cannot read MemTotal from '\(line)'") }
            return kilobytes * 1024
        }
        return nil
    }

    private static func distanceList(in text: String, path: String) throws(TopologyError) -> [Int] {
        var distances: [Int] = []
        for field in text.split(whereSeparator: \.isWhitespace) {
            guard let distance = Int(field), distance >= 0 else {
                throw .malformedFile(path: path, problem: "'\(field)' is not a distance")
            }
            distances.append(distance)
        }
        return distances
    }
}
