import Foundation
import Topology

/// A sysfs-shaped folder in a fresh temporary directory, describing a
/// machine this test host is not: the multi-node paths of discovery and
/// placement run on a one-node machine. Removed when the value goes away.
public struct SysfsFixture: ~Copyable {
    public typealias Node = (cpus: String, memKB: UInt64?, distance: String)

    public let root: String

    /// - Parameters:
    ///   - nodes: nodeN directories, N from `nodeIDs` (default 0, 1, ...);
    ///     a nil memKB leaves meminfo out.
    ///   - online: devices/system/cpu/online.
    ///   - nodeOnline: devices/system/node/online; default: the node ids.
    ///   - nodeDirectory: false leaves devices/system/node out entirely,
    ///     as on a kernel without NUMA.
    public static func make(
        nodes: [Node], online: String, nodeIDs: [Int]? = nil, nodeOnline: String? = nil, nodeDirectory: Bool = true
    ) throws -> SysfsFixture {
        let fixture = SysfsFixture(root: FileManager.default.temporaryDirectory
            .appendingPathComponent("sysfs-fixture-\(UUID().uuidString)").path)
        try fixture.write("devices/system/cpu/online", online + "\n")
        guard nodeDirectory else { return fixture }
        let ids = nodeIDs ?? Array(nodes.indices)
        try fixture.write("devices/system/node/online", (nodeOnline ?? CPUList(ids).description) + "\n")
        for (id, node) in zip(ids, nodes) {
            try fixture.write("devices/system/node/node\(id)/cpulist", node.cpus + "\n")
            try fixture.write("devices/system/node/node\(id)/distance", node.distance + "\n")
            if let kB = node.memKB {
                try fixture.write("devices/system/node/node\(id)/meminfo",
                                  "Node \(id) MemTotal:       \(kB) kB\nNode \(id) MemFree:        1024 kB\n")
            }
        }
        return fixture
    }

    /// Writes `text` to `relative` under the root, creating folders.
    public func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    public func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + relative)
    }

    /// The fixture's topology with every listed CPU allowed unless told
    /// otherwise (the test process's own affinity says nothing about it).
    public func discover(allowed: [Int] = Array(0..<64), libnuma: Bool = true) throws -> Topology {
        try TopologyDiscovery.discover(sysfsRoot: root, allowedCPUs: allowed, libnumaAvailable: libnuma)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// The machines the tests place threads on.
public enum FixtureMachines {
    public static func oneNode() throws -> SysfsFixture {
        try .make(nodes: [("0-3", 8_000_000, "10")], online: "0-3")
    }

    /// Two sockets with hyperthread siblings numbered after all cores, so
    /// each node's CPUs are two runs: the usual Intel server layout.
    public static func twoNode() throws -> SysfsFixture {
        try .make(nodes: [("0-3,8-11", 16_000_000, "10 21"), ("4-7,12-15", 16_000_000, "21 10")], online: "0-15")
    }

    public static func fourNode() throws -> SysfsFixture {
        try .make(nodes: [("0-3", 4_000_000, "10 16 16 22"), ("4-7", 4_000_000, "16 10 22 16"),
                          ("8-11", 4_000_000, "16 22 10 16"), ("12-15", 4_000_000, "22 16 16 10")],
                  online: "0-15")
    }
}
