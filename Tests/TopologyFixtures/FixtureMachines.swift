import Topology

/// A machine this test host is not, as hwloc describes it (a synthetic
/// description or an XML file): the multi-node paths of discovery and
/// placement run on a one-node machine.
public struct FixtureMachine: Sendable {
    public let source: TopologySource

    public init(_ source: TopologySource) {
        self.source = source
    }

    /// The fixture's topology with every listed CPU allowed unless told
    /// otherwise (the test process's own affinity says nothing about it).
    public func discover(allowed: [Int] = Array(0..<64), libnuma: Bool = true) throws -> Topology {
        try TopologyDiscovery.discover(source, allowedCPUs: allowed, libnumaAvailable: libnuma)
    }
}

/// The machines the tests place threads on.
public enum FixtureMachines {
    /// Four cores, one node of 8 GB (8_000_000 kB), no caches.
    public static func oneNode() -> FixtureMachine {
        FixtureMachine(.synthetic("numa:1(memory=8192000000) core:4 pu:1"))
    }

    /// Two sockets of four two-thread cores under one L3, with hyperthread
    /// siblings numbered after all cores, so each node's CPUs are two runs
    /// (0-3,8-11 and 4-7,12-15): the usual Intel server layout.
    public static func twoNode() -> FixtureMachine {
        let siblings = (0..<8).flatMap { [$0, $0 + 8] }.map(String.init).joined(separator: ",")
        return FixtureMachine(.synthetic("pack:2 numa:1(memory=16384000000) l3:1(size=32MB) core:4 pu:2(indexes=\(siblings))"))
    }

    /// Four sockets of four one-thread cores, one node and one L3 each,
    /// and SLIT distances 10/16/22 (a ring): an XML file, since synthetic
    /// descriptions carry no distances.
    public static func fourNode() -> FixtureMachine {
        FixtureMachine(.xml(fixtureFolder + "/four-node.xml"))
    }

    /// This folder, where the XML fixtures sit beside this file.
    public static let fixtureFolder: String = {
        let file = "\(#filePath)"
        return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
    }()
}
